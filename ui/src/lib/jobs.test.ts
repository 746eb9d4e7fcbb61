import { describe, expect, it } from "vitest";
import { formatBytes, jobPercent } from "./jobs";

describe("jobPercent", () => {
  it("is a whole percentage, clamped, and null without a total", () => {
    expect(jobPercent(0, 200)).toBe(0);
    expect(jobPercent(199, 200)).toBe(99);
    expect(jobPercent(250, 200)).toBe(100);
    expect(jobPercent(5, null)).toBeNull();
    expect(jobPercent(5, 0)).toBeNull();
  });
});

describe("formatBytes", () => {
  it("uses powers of 1000 with one decimal under 100", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(77_691_713)).toBe("77.7 MB");
    expect(formatBytes(147_951_465)).toBe("148 MB");
    expect(formatBytes(1_500_000_000)).toBe("1.5 GB");
    expect(formatBytes(null)).toBe("—");
  });
});
