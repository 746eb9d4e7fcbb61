import { describe, expect, it } from "vitest";
import { lintByQuestion, move, newQuestion, parseClock, sectionMinutes } from "./editing";
import type { GuideDoc, LintReport } from "../../lib/bindings.gen";

describe("move", () => {
  it("swaps an item with its neighbour and leaves the ends alone", () => {
    expect(move(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});

describe("lintByQuestion", () => {
  it("puts each entry under its section and question, probes under their question", () => {
    const doc: GuideDoc = {
      title: "G",
      intro: "",
      sections: [
        { title: "A", note: "", questions: [newQuestion("q1")] },
        { title: "B", note: "", questions: [{ ...newQuestion("q2"), probes: ["p"] }] },
      ],
    };
    const report: LintReport = {
      problems: 1,
      questions: [
        { section: "A", text: "q1", question: 1, probe: null, problems: [] },
        { section: "B", text: "q2", question: 2, probe: null, problems: [] },
        { section: "B", text: "p", question: 2, probe: 1, problems: [{ code: "vague", reason: "r", suggestion: "s", words: "w" }] },
      ],
    };
    const m = lintByQuestion(doc, report);
    expect(m.get("0.0")?.question?.text).toBe("q1");
    expect(m.get("1.0")?.probes.get(0)?.problems[0]?.code).toBe("vague");
  });
});

describe("sectionMinutes", () => {
  it("adds the budgets that are set and is null when none is", () => {
    expect(sectionMinutes([{ ...newQuestion(), minutes: 5 }, newQuestion(), { ...newQuestion(), minutes: 3 }])).toBe(8);
    expect(sectionMinutes([newQuestion()])).toBeNull();
  });
});

describe("parseClock", () => {
  it("reads seconds, m:ss and h:mm:ss as milliseconds", () => {
    expect(parseClock("45")).toBe(45_000);
    expect(parseClock("0:45")).toBe(45_000);
    expect(parseClock(" 12:05 ")).toBe(725_000);
    expect(parseClock("1:02:03")).toBe(3_723_000);
    expect(parseClock("00:00")).toBe(0);
  });
  it("refuses what is not a clock", () => {
    expect(parseClock("")).toBeNull();
    expect(parseClock("1:75")).toBeNull();
    expect(parseClock("-5")).toBeNull();
    expect(parseClock("1:2:3:4")).toBeNull();
    expect(parseClock("ten")).toBeNull();
  });
});
