//! Long work started from the window (downloads, transcription): a channel for a job's
//! events, and how its progress reads. Pure helpers are unit-tested in jobs.test.ts.
import { Channel } from "@tauri-apps/api/core";
import type { JobEvent } from "./bindings.gen";

/** A channel that hands each event of a job to `onEvent`. Pass it to a `*Start` command. */
export function jobChannel(onEvent: (event: JobEvent) => void): Channel<JobEvent> {
  const channel = new Channel<JobEvent>();
  channel.onmessage = onEvent;
  return channel;
}

/** `done` of `total` as a whole percentage from 0 to 100; null when the total is unknown. */
export function jobPercent(done: number, total: number | null): number | null {
  if (total === null || !(total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** A byte count as people read it: "812 KB", "74.1 MB", "1.5 GB" (powers of 1000). */
export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n) || n < 0) return "—";
  if (n < 1000) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let unit = "B";
  for (const u of units) {
    if (v < 1000) break;
    v /= 1000;
    unit = u;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`;
}
