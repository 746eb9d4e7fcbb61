import { describe, expect, it } from "vitest";
import { isVideo, mediaErrorText, parseLiveSegment, segmentAt, stepSegment, wordAt } from "./player";

const segs = [
  { start_ms: 0, end_ms: 5_829 },
  { start_ms: 6_429, end_ms: 10_705 },
  { start_ms: 11_305, end_ms: 16_570 },
];

describe("segmentAt", () => {
  it("finds the segment playing, and keeps the previous one current in a gap", () => {
    expect(segmentAt(segs, 0)).toBe(0);
    expect(segmentAt(segs, 6_000)).toBe(0);
    expect(segmentAt(segs, 6_429)).toBe(1);
    expect(segmentAt(segs, 99_000)).toBe(2);
    expect(segmentAt([{ start_ms: 1_000, end_ms: 2_000 }], 500)).toBe(-1);
    expect(segmentAt([], 500)).toBe(-1);
  });

  it("wordAt only names a word while it is being said", () => {
    const words = [
      { start_ms: 0, end_ms: 300 },
      { start_ms: 400, end_ms: 700 },
    ];
    expect(wordAt(words, 100)).toBe(0);
    expect(wordAt(words, 350)).toBe(-1);
    expect(wordAt(words, 500)).toBe(1);
  });
});

describe("stepSegment", () => {
  it("moves by one and stops at both ends", () => {
    expect(stepSegment(3, 0, 1)).toBe(1);
    expect(stepSegment(3, 2, 1)).toBe(2);
    expect(stepSegment(3, 0, -1)).toBe(0);
    expect(stepSegment(3, -1, 1)).toBe(0);
    expect(stepSegment(0, -1, 1)).toBe(-1);
  });
});

describe("isVideo", () => {
  it("tells video containers from audio ones by extension", () => {
    expect(isVideo("zoom_0.mp4")).toBe(true);
    expect(isVideo("call.MOV")).toBe(true);
    expect(isVideo("s1.flac")).toBe(false);
    expect(isVideo("audio_only.m4a")).toBe(false);
    expect(isVideo("no-extension")).toBe(false);
  });
});

describe("parseLiveSegment", () => {
  it("reads the engine's live lines", () => {
    expect(parseLiveSegment("[00:00:01.000 --> 00:01:04.500] Hello there.")).toEqual({
      start_ms: 1_000,
      end_ms: 64_500,
      text: "Hello there.",
    });
    expect(parseLiveSegment("restarting the download")).toBeNull();
  });
});

describe("mediaErrorText", () => {
  it("says why the recording did not play, with the element's own message", () => {
    expect(mediaErrorText(4, "")).toBe(
      "The recording could not be played: the player cannot open its format, or the file could not be read.",
    );
    expect(mediaErrorText(3, " bad frame ")).toBe("The recording could not be played: its audio could not be decoded (bad frame).");
    expect(mediaErrorText(null, "")).toBe("The recording could not be played: it could not be read.");
  });
});
