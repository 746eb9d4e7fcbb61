import { describe, expect, test } from "vitest";
import { blocks, parseSpeakers, shares, wordsOf } from "./timeline";

const seg = (id: number, s: number, e: number, who: string) => ({ id, start_ms: s, end_ms: e, speaker: who, speaker_label: who });

describe("the speaker strip", () => {
  test("joins a speaker's consecutive segments and places blocks as fractions", () => {
    const b = blocks([seg(1, 0, 1000, "A"), seg(2, 1200, 2000, "A"), seg(3, 2000, 5000, "B")], 10_000);
    expect(b.map((x) => x.label)).toEqual(["A", "B"]);
    expect(b[0]!.left).toBe(0);
    expect(b[0]!.width).toBeCloseTo(0.2);
    expect(b[1]!.left).toBeCloseTo(0.2);
  });

  test("a long pause breaks a block and an unknown duration uses the last end", () => {
    const b = blocks([seg(1, 0, 1000, "A"), seg(2, 5000, 6000, "A")], null);
    expect(b.length).toBe(2);
    expect(b[1]!.left + b[1]!.width).toBeCloseTo(1);
  });

  test("shares add up to one, largest first", () => {
    const s = shares([seg(1, 0, 1000, "A"), seg(2, 1000, 4000, "B")]);
    expect(s.map((x) => x.label)).toEqual(["B", "A"]);
    expect(s[0]!.share + s[1]!.share).toBeCloseTo(1);
  });
});

describe("the move form", () => {
  test("words come from the timed words only when they do not match the text", () => {
    expect(wordsOf({ text: "We ship weekly.", words: [] })).toEqual(["We", "ship", "weekly."]);
    expect(wordsOf({ text: "We ship", words: [{ text: " We" }, { text: " ship" }] })).toEqual(["We", "ship"]);
    expect(wordsOf({ text: "We-ship", words: [{ text: " We" }, { text: "-ship" }] })).toEqual(["We", "-ship"]);
  });

  test("the number of speakers is blank for an estimate, else 1 to 20", () => {
    expect(parseSpeakers("")).toBeNull();
    expect(parseSpeakers("3")).toBe(3);
    expect(parseSpeakers("0")).toBe("invalid");
    expect(parseSpeakers("2.5")).toBe("invalid");
  });
});

describe("speaker colours", () => {
  test("the speakers of one session never share a colour, whatever their names", async () => {
    const { speakerTones } = await import("../../lib/api");
    const tone = speakerTones(["Interviewer", "Priya Raman", "Speaker 3"]);
    const slots = new Set(["Interviewer", "Priya Raman", "Speaker 3"].map((l) => tone(l)));
    expect(slots.size).toBe(3);
    expect(tone("Interviewer")).toBe(0);
    expect(tone(null)).toBe(0);
  });
});
