import { describe, expect, it } from "vitest";
import { labelIndices, linear, npsDomain } from "./chart";

describe("npsDomain", () => {
  it("always includes zero so the sign of the score is visible", () => {
    expect(npsDomain([12, 34])).toEqual({ min: 0, max: 40, ticks: [0, 20, 40] });
    expect(npsDomain([-15, -3])).toEqual({ min: -20, max: 0, ticks: [-20, 0] });
  });
  it("rounds out to the step and stays within −100..100", () => {
    expect(npsDomain([-100, 100]).ticks).toEqual([-100, -80, -60, -40, -20, 0, 20, 40, 60, 80, 100]);
    expect(npsDomain([-7, 41])).toMatchObject({ min: -20, max: 60 });
  });
  it("gives a usable range for no data or a flat zero", () => {
    expect(npsDomain([])).toEqual({ min: 0, max: 20, ticks: [0, 20] });
    expect(npsDomain([0, 0])).toEqual({ min: 0, max: 20, ticks: [0, 20] });
    expect(npsDomain([100])).toEqual({ min: 0, max: 100, ticks: [0, 20, 40, 60, 80, 100] });
  });
});

describe("linear", () => {
  it("maps the domain onto the range, inverted for SVG y", () => {
    const y = linear(-20, 40, 100, 0);
    expect(y(-20)).toBe(100);
    expect(y(40)).toBe(0);
    expect(y(10)).toBe(50);
  });
  it("puts everything in the middle of the range for an empty domain", () => {
    expect(linear(3, 3, 0, 10)(3)).toBe(5);
  });
});

describe("labelIndices", () => {
  it("labels every point when they fit", () => {
    expect(labelIndices(3)).toEqual([0, 1, 2]);
    expect(labelIndices(0)).toEqual([]);
  });
  it("thins labels out but keeps the first and the last", () => {
    const idx = labelIndices(24, 8);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(23);
    expect(idx.length).toBeLessThanOrEqual(8);
  });
});
