import { describe, expect, test } from "vitest";
import { emptyFilters, interval, num, pct, toQuery, toStatistic } from "./query";

describe("the Insights query", () => {
  test("empty choices are absent and a segment splits at its first equals sign", () => {
    const q = toQuery({ ...emptyFilters(), team: "payments", segment: "plan=pro=x", from: " 2026-01-01 " });
    expect(q.service).toBeNull();
    expect(q.team).toBe("payments");
    expect(q.segment).toEqual(["plan", "pro=x"]);
    expect(q.from).toBe("2026-01-01");
    expect(q.to).toBeNull();
    expect(q.period).toBe("month");
  });

  test("a segment without a field is no segment", () => {
    expect(toQuery({ ...emptyFilters(), segment: "=pro" }).segment).toBeNull();
  });
});

describe("compare statistics", () => {
  test("choices map to the tagged statistic the command takes", () => {
    expect(toStatistic("nps")).toEqual({ kind: "nps" });
    expect(toStatistic("metric:latency:p99")).toEqual({ kind: "metric", name: "latency:p99" });
    expect(toStatistic("dora:change_failure_rate")).toEqual({ kind: "dora", name: "change_failure_rate" });
    expect(toStatistic("gate:")).toBeNull();
    expect(toStatistic("other:x")).toBeNull();
  });
});

describe("cells", () => {
  test("missing values show a dash", () => {
    expect(num(null)).toBe("—");
    expect(num(2.345, 2)).toBe("2.35");
    expect(pct(0.25)).toBe("25%");
    expect(pct(null)).toBe("—");
    expect(interval([-1.23, 4.56])).toBe("[-1.2, 4.6]");
    expect(interval(null)).toBe("");
  });
});
