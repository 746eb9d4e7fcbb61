import { describe, expect, it } from "vitest";
import type { StudySummary } from "../../lib/bindings.gen";
import { isIsoDate, splitArchived, studyFields, studyInput, today } from "./studies";

const study = (id: number, archived_at: string | null): StudySummary => ({
  id,
  name: `Study ${id}`,
  goal: null,
  started_at: "2026-03-01",
  sessions: 0,
  people: 0,
  findings: 0,
  highlights: 0,
  archived_at,
});

describe("studyInput", () => {
  it("trims the fields and sends empty ones as null", () => {
    expect(studyInput({ name: "  Onboarding ", goal: " ", started: "" })).toEqual({
      input: { name: "Onboarding", goal: null, started_at: null },
    });
    expect(studyInput({ name: "A", goal: "Why deploys fail", started: "2026-02-28" })).toEqual({
      input: { name: "A", goal: "Why deploys fail", started_at: "2026-02-28" },
    });
  });

  it("needs a name and a real date", () => {
    expect(studyInput({ name: " ", goal: "", started: "" })).toEqual({ error: "Give the study a name." });
    expect(studyInput({ name: "A", goal: "", started: "2026-02-30" })).toEqual({
      error: '"2026-02-30" is not a date (YYYY-MM-DD).',
    });
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("12/03/2024")).toBe(false);
  });

  it("fills the edit form from a study", () => {
    expect(studyFields({ ...study(1, null), goal: "g" })).toEqual({ name: "Study 1", goal: "g", started: "2026-03-01" });
    expect(studyFields(null)).toEqual({ name: "", goal: "", started: "" });
  });
});

describe("splitArchived", () => {
  it("keeps the active ones in order and puts the latest archived first", () => {
    const { active, archived } = splitArchived([
      study(1, null),
      study(2, "2026-01-01T00:00:00Z"),
      study(3, null),
      study(4, "2026-05-01T00:00:00Z"),
    ]);
    expect(active.map((s) => s.id)).toEqual([1, 3]);
    expect(archived.map((s) => s.id)).toEqual([4, 2]);
  });
});

describe("today", () => {
  it("writes the local date", () => {
    expect(today(new Date(2026, 0, 5, 23, 30))).toBe("2026-01-05");
  });
});
