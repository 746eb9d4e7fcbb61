//! Scales for the small hand-drawn SVG charts (no chart library). Pure, unit-tested.

/**
 * A y range for NPS scores that includes 0 and every value, rounded out to a multiple of
 * `step`, within −100..100. Ticks go from min to max in steps of `step`.
 */
export function npsDomain(values: readonly number[], step = 20): { min: number; max: number; ticks: number[] } {
  const finite = values.filter((v) => Number.isFinite(v));
  let min = Math.min(0, ...finite);
  let max = Math.max(0, ...finite);
  min = Math.max(-100, Math.floor(min / step) * step);
  max = Math.min(100, Math.ceil(max / step) * step);
  if (min === max) max = Math.min(100, min + step);
  if (min === max) min = max - step;
  const ticks: number[] = [];
  for (let t = min; t <= max; t += step) ticks.push(t);
  return { min, max, ticks };
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  return (v) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
}

/** Which of n x-axis labels to draw so at most `max` show, always the first and the last. */
export function labelIndices(n: number, max = 8): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const every = Math.ceil((n - 1) / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += every) out.push(i);
  if (n - 1 - (out[out.length - 1] ?? 0) < every / 2) out.pop();
  out.push(n - 1);
  return out;
}
