import { describe, expect, it } from "vitest";
import type { DeletePlan } from "./bindings.gen";
import { deletePlanFiles, deletePlanLines } from "./deletePlan";

const none: DeletePlan = {
  what: "session",
  name: "Priya Raman",
  sessions: 1,
  segments: 0,
  highlights: 0,
  notes: 0,
  recordings: 0,
  findings: 0,
  files_removed: [],
  files_kept: 0,
  bytes_freed: 0,
};

describe("deletePlanLines", () => {
  it("lists what a session takes with it and leaves out what it does not have", () => {
    expect(deletePlanLines(none)).toEqual([]);
    expect(deletePlanLines({ ...none, segments: 42, highlights: 1, notes: 3, recordings: 2 })).toEqual([
      "the transcript (42 segments)",
      "1 highlight",
      "3 notes",
      "2 recordings",
    ]);
  });

  it("counts a study's sessions, transcripts and findings", () => {
    expect(deletePlanLines({ ...none, what: "study", sessions: 3, segments: 120, findings: 2 })).toEqual([
      "3 sessions",
      "their transcripts (120 segments)",
      "2 findings",
    ]);
  });
});

describe("deletePlanFiles", () => {
  it("names the files that leave media/ and counts the ones another session keeps", () => {
    expect(deletePlanFiles(none)).toEqual([]);
    expect(deletePlanFiles({ ...none, files_removed: ["call.wav"], bytes_freed: 2_500_000 })).toEqual([
      "The file call.wav leaves media/, freeing 2.5 MB.",
    ]);
    expect(deletePlanFiles({ ...none, files_removed: ["a.wav", "b.m4a"], files_kept: 1 })).toEqual([
      "2 files a.wav, b.m4a leave media/.",
      "1 recording file stays in media/: another session uses it.",
    ]);
  });
});
