import { describe, expect, it } from "vitest";
import {
  failureRate,
  formatDate,
  formatDateTime,
  formatDuration,
  formatMs,
  formatNpsScore,
  formatPeriod,
  matchesFilter,
  npsCategory,
  percent,
  plural,
  segmentInHighlight,
  shortenPath,
  speakerSlot,
  toUiError,
} from "./api";

describe("formatMs shows transcript times as a clock", () => {
  it("uses mm:ss under an hour", () => {
    expect(formatMs(0)).toBe("00:00");
    expect(formatMs(999)).toBe("00:00");
    expect(formatMs(65_000)).toBe("01:05");
    expect(formatMs(59 * 60_000 + 59_999)).toBe("59:59");
  });
  it("switches to h:mm:ss from one hour", () => {
    expect(formatMs(3_600_000)).toBe("1:00:00");
    expect(formatMs(3_725_000)).toBe("1:02:05");
    expect(formatMs(36_000_000 + 61_000)).toBe("10:01:01");
  });
  it("treats negative and non-finite input as zero instead of printing NaN", () => {
    expect(formatMs(-5)).toBe("00:00");
    expect(formatMs(Number.NaN)).toBe("00:00");
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe("00:00");
  });
  it("formatDuration shows an unknown length as a dash", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(2_712_000)).toBe("45:12");
  });
});

describe("npsCategory follows the NPS definition", () => {
  it("puts 0–6 in detractors, 7–8 in passives, 9–10 in promoters", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(npsCategory)).toEqual(Array(7).fill("detractor"));
    expect([7, 8].map(npsCategory)).toEqual(["passive", "passive"]);
    expect([9, 10].map(npsCategory)).toEqual(["promoter", "promoter"]);
  });
  it("refuses scores that are not answers", () => {
    expect(() => npsCategory(11)).toThrow(RangeError);
    expect(() => npsCategory(-1)).toThrow(RangeError);
    expect(() => npsCategory(7.5)).toThrow(/whole number from 0 to 10/);
  });
  it("formatNpsScore signs positive scores and never shows -0", () => {
    expect(formatNpsScore(42.4)).toBe("+42");
    expect(formatNpsScore(-12.6)).toBe("-13");
    expect(formatNpsScore(-0.2)).toBe("0");
    expect(formatNpsScore(0)).toBe("0");
  });
});

describe("dates", () => {
  it("shows a date without a time as written, whatever the time zone", () => {
    expect(formatDate("2024-03-12")).toBe("12 Mar 2024");
    expect(formatDate("2024-03-12", "America/Los_Angeles")).toBe("12 Mar 2024");
  });
  it("shows a timestamp in the given time zone", () => {
    expect(formatDate("2024-03-12T23:30:00Z", "UTC")).toBe("12 Mar 2024");
    expect(formatDate("2024-03-12T23:30:00Z", "Europe/Berlin")).toBe("13 Mar 2024");
    expect(formatDateTime("2024-03-12T14:05:00Z", "UTC")).toBe("12 Mar 2024, 14:05");
  });
  it("returns text that is not a date unchanged and null as a dash", () => {
    expect(formatDate("sometime")).toBe("sometime");
    expect(formatDate(null)).toBe("—");
    expect(formatDateTime("")).toBe("—");
  });
  it("labels report periods", () => {
    expect(formatPeriod("2024-03")).toBe("Mar 2024");
    expect(formatPeriod("2024-Q1")).toBe("Q1 2024");
    expect(formatPeriod("2024-13")).toBe("2024-13");
  });
});

describe("counts and rates", () => {
  it("percent rounds and avoids dividing by zero", () => {
    expect(percent(1, 3)).toBe("33%");
    expect(percent(0, 0)).toBe("—");
  });
  it("failureRate counts failed and rolled-back deploys", () => {
    expect(failureRate({ total: 10, failed: 2, rolled_back: 1 })).toBeCloseTo(0.3);
    expect(failureRate({ total: 0, failed: 0, rolled_back: 0 })).toBeNull();
  });
  it("plural picks the form by count", () => {
    expect(plural(1, "session")).toBe("1 session");
    expect(plural(3, "session")).toBe("3 sessions");
    expect(plural(2, "person", "people")).toBe("2 people");
  });
});

describe("shortenPath keeps the end of a long workspace path", () => {
  it("abbreviates the home folder", () => {
    expect(shortenPath("/home/ana/Research")).toBe("~/Research");
    expect(shortenPath("/Users/ana")).toBe("~");
    expect(shortenPath("C:\\Users\\ana\\Rapport")).toBe("~\\Rapport");
  });
  it("keeps short paths whole", () => {
    expect(shortenPath("/srv/rapport")).toBe("/srv/rapport");
  });
  it("keeps the last folders that fit", () => {
    const s = shortenPath("/var/lib/something/very/long/research/workspaces/deploy-study", 30);
    expect(s).toBe("…/workspaces/deploy-study");
    expect(s.length).toBeLessThanOrEqual(30);
    expect(shortenPath("/var/lib/something/very/long/research/workspaces/deploy-study", 40)).toBe(
      "…/long/research/workspaces/deploy-study",
    );
  });
  it("cuts a single folder name that is too long on its own", () => {
    const s = shortenPath(`/data/${"x".repeat(50)}`, 20);
    expect(s.length).toBe(20);
    expect(s.startsWith("…")).toBe(true);
  });
});

describe("transcript helpers", () => {
  it("a segment is inside a highlight only when both ends are within it", () => {
    const hl = { start_ms: 1000, end_ms: 5000 };
    expect(segmentInHighlight({ start_ms: 1000, end_ms: 5000 }, hl)).toBe(true);
    expect(segmentInHighlight({ start_ms: 2000, end_ms: 3000 }, hl)).toBe(true);
    expect(segmentInHighlight({ start_ms: 900, end_ms: 3000 }, hl)).toBe(false);
    expect(segmentInHighlight({ start_ms: 2000, end_ms: 5001 }, hl)).toBe(false);
  });
  it("gives a speaker the same colour slot every time, case-insensitively", () => {
    expect(speakerSlot("Interviewer")).toBe(speakerSlot("interviewer"));
    expect(speakerSlot(null)).toBe(0);
    expect(speakerSlot("P1", 4)).toBeLessThan(4);
  });
});

describe("matchesFilter", () => {
  const fields = ["Ana Lima", "ana@example.com", "Payments", null];
  it("matches every word anywhere, ignoring case", () => {
    expect(matchesFilter("", fields)).toBe(true);
    expect(matchesFilter("ana pay", fields)).toBe(true);
    expect(matchesFilter("PAYMENTS", fields)).toBe(true);
    expect(matchesFilter("ana search", fields)).toBe(false);
  });
});

describe("toUiError never loses the message", () => {
  it("keeps an ApiError's code and message", () => {
    expect(toUiError({ code: "not_found", message: "no study 7" })).toEqual({ code: "not_found", message: "no study 7" });
  });
  it("keeps the column of a query_syntax error", () => {
    expect(toUiError({ code: "query_syntax", message: "query, column 3: x", column: 3 })).toEqual({
      code: "query_syntax",
      message: "query, column 3: x",
      column: 3,
    });
  });
  it("wraps Error objects and plain strings", () => {
    expect(toUiError(new Error("boom"))).toEqual({ code: "unknown", message: "boom" });
    expect(toUiError("dialog: not allowed")).toEqual({ code: "unknown", message: "dialog: not allowed" });
  });
  it("describes anything else", () => {
    expect(toUiError(undefined).message).toMatch(/Unexpected error/);
    expect(toUiError({ weird: 1 }).message).toContain('{"weird":1}');
  });
});
