import { describe, expect, it } from "vitest";
import { filterTerm, hasTerm, hitTarget, monthChips, queryError, quoteValue, toggleTerm } from "./query";

describe("filter terms", () => {
  it("leave one plain word bare and quote anything else", () => {
    expect(quoteValue("SRE")).toBe("SRE");
    expect(quoteValue("Priya Raman")).toBe('"Priya Raman"');
    expect(quoteValue("Deploy/Rollback")).toBe('"Deploy/Rollback"');
    expect(quoteValue('say "hi"')).toBe('"say hi"');
    expect(filterTerm("study", "New deploy system")).toBe('study:"New deploy system"');
  });

  it("toggle: a chip adds its term once and a second click takes it out again", () => {
    const t = filterTerm("speaker", "Priya Raman");
    const q1 = toggleTerm("rollback", t);
    expect(q1).toBe('rollback speaker:"Priya Raman"');
    expect(hasTerm(q1, t)).toBe(true);
    expect(toggleTerm(q1, t)).toBe("rollback");
    expect(toggleTerm("", "kind:note")).toBe("kind:note");
  });

  it("only whole terms count, so kind:note is not found inside kind:notes", () => {
    expect(hasTerm("kind:notes", "kind:note")).toBe(false);
    expect(toggleTerm("a kind:note b", "kind:note")).toBe("a b");
  });
});

describe("month chips", () => {
  it("count the hits per month, most first, and bound each month with after: and before:", () => {
    const chips = monthChips(["2026-05-12T14:00:00Z", "2026-05-20T10:00:00Z", "2026-12-03T15:30:00Z"]);
    expect(chips).toEqual([
      { label: "May 2026", term: "after:2026-05-01 before:2026-06-01", count: 2 },
      { label: "Dec 2026", term: "after:2026-12-01 before:2027-01-01", count: 1 },
    ]);
    expect(monthChips(["", "not a date"])).toEqual([]);
  });
});

describe("hitTarget", () => {
  it("opens a hit with a session at its second, and the others where they live", () => {
    expect(hitTarget({ kind: "segment", session: 3, start_ms: 17_170, study_id: 1 })).toEqual({
      view: "session",
      params: { id: 3, t: 17_170 },
    });
    expect(hitTarget({ kind: "finding", session: null, start_ms: 0, study_id: 1 }).view).toBe("findings");
    expect(hitTarget({ kind: "nps", session: null, start_ms: 0, study_id: null }).view).toBe("insights");
    expect(hitTarget({ kind: "feedback", session: null, start_ms: 0, study_id: null }).view).toBe("insights");
    expect(hitTarget({ kind: "highlight", session: null, start_ms: 0, study_id: null }).view).toBe("insights");
    expect(hitTarget({ kind: "highlight", session: 2, start_ms: 5, study_id: 1 }).view).toBe("session");
  });
});

describe("queryError", () => {
  it("takes the column the core sent, not one read out of the message", () => {
    expect(queryError({ message: "query, column 7: unknown filter `colour:`", column: 7 })).toEqual({
      column: 7,
      text: "query, column 7: unknown filter `colour:`",
    });
    expect(queryError({ message: "query, column 9: x" })).toEqual({ column: null, text: "query, column 9: x" });
  });
});
