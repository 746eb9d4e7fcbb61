//! Jobs started from the window (model downloads, transcriptions), one per key at a time:
//! starting, cancelling and dismissing them, and the state their events leave. Kept outside
//! the pages, so leaving a page and coming back shows a running job where it is. Each kind of
//! job extends `JobStore` with its own state and what its progress and messages mean.
import type { Channel } from "@tauri-apps/api/core";
import type { JobEvent } from "./bindings.gen";
import { toUiError, type UiError } from "./api";
import { jobChannel, jobPercent } from "./jobs";

export type JobStatus = "running" | "cancelling" | "done" | "cancelled" | "failed";

/** What every job's state holds; a kind of job adds its own fields. */
export type JobState = {
  job: number | null;
  status: JobStatus;
  /** Whole percent done; null while the total is unknown. */
  percent: number | null;
  error: UiError | null;
};

type Progress = Extract<JobEvent, { kind: "progress" }>;

export abstract class JobStore<K extends string | number, T extends JobState> {
  byKey: Record<K, T> = $state({} as Record<K, T>);
  /** Goes up when a job ends, so pages read their data again. */
  finished = $state(0);

  protected abstract cancelJob(job: number): Promise<unknown>;
  /** Reads a progress event into the state (`percent` is already set). */
  protected abstract progress(state: T, event: Progress): void;
  protected abstract message(state: T, text: string): void;
  /** Reads what the work found (a `result` event, just before `done`); most jobs send none. */
  protected result(_state: T, _value: unknown): void {}

  running(key: K): boolean {
    const t = this.byKey[key];
    return t !== undefined && (t.status === "running" || t.status === "cancelling");
  }

  /** Starts the job for `key` (unless one runs) in state `fresh`: `begin` starts it in the
   *  core with its events going to the channel, and resolves to the job id. */
  protected async run(key: K, fresh: T, begin: (channel: Channel<JobEvent>) => Promise<number>): Promise<void> {
    if (this.running(key)) return;
    this.byKey[key] = fresh;
    const channel = jobChannel((e) => this.#on(key, e));
    try {
      const job = await begin(channel);
      const t = this.byKey[key];
      if (t) t.job = job;
    } catch (e) {
      this.#end(key, "failed", toUiError(e));
    }
  }

  async cancel(key: K): Promise<void> {
    const t = this.byKey[key];
    if (!t || t.job === null || t.status !== "running") return;
    t.status = "cancelling";
    try {
      await this.cancelJob(t.job);
    } catch (e) {
      t.error = toUiError(e);
    }
  }

  dismiss(key: K): void {
    delete this.byKey[key];
  }

  #on(key: K, e: JobEvent): void {
    const t = this.byKey[key];
    if (!t) return;
    switch (e.kind) {
      case "progress":
        t.percent = jobPercent(e.done, e.total);
        this.progress(t, e);
        break;
      case "message":
        this.message(t, e.text);
        break;
      case "result":
        this.result(t, e.value);
        break;
      case "done":
        t.percent = 100;
        this.#end(key, "done", null);
        break;
      case "cancelled":
        this.#end(key, "cancelled", null);
        break;
      case "failed":
        this.#end(key, "failed", e.error);
        break;
    }
  }

  #end(key: K, status: JobStatus, error: UiError | null): void {
    const t = this.byKey[key];
    if (!t) return;
    t.status = status;
    t.error = error;
    this.finished += 1;
  }
}
