//! Transcriptions running from the window, by session. Kept outside the session page, so
//! leaving it and coming back shows the run where it is.
import { commands, type JobEvent } from "../../lib/bindings.gen";
import { toUiError, type UiError } from "../../lib/api";
import { jobChannel, jobPercent } from "../../lib/jobs";
import { parseLiveSegment, type LiveSegment } from "./player";

export type Transcription = {
  job: number | null;
  model: string;
  status: "running" | "cancelling" | "done" | "cancelled" | "failed";
  /** Milliseconds of audio done, and of the whole recording. */
  done: number;
  total: number | null;
  percent: number | null;
  /** What whisper has heard so far, in order. */
  live: LiveSegment[];
  error: UiError | null;
};

class Transcriptions {
  bySession: Record<number, Transcription> = $state({});
  /** Goes up when a run ends, so the page reads the session again. */
  finished = $state(0);

  running(sessionId: number): boolean {
    const t = this.bySession[sessionId];
    return t !== undefined && (t.status === "running" || t.status === "cancelling");
  }

  async start(sessionId: number, model: string): Promise<void> {
    if (this.running(sessionId)) return;
    this.bySession[sessionId] = {
      job: null,
      model,
      status: "running",
      done: 0,
      total: null,
      percent: null,
      live: [],
      error: null,
    };
    const channel = jobChannel((e) => this.#on(sessionId, e));
    try {
      const job = await commands.transcribeStart(sessionId, model, channel);
      const t = this.bySession[sessionId];
      if (t) t.job = job;
    } catch (e) {
      this.#end(sessionId, "failed", toUiError(e));
    }
  }

  async cancel(sessionId: number): Promise<void> {
    const t = this.bySession[sessionId];
    if (!t || t.job === null || t.status !== "running") return;
    t.status = "cancelling";
    try {
      await commands.transcribeCancel(t.job);
    } catch (e) {
      t.error = toUiError(e);
    }
  }

  dismiss(sessionId: number): void {
    delete this.bySession[sessionId];
  }

  #on(sessionId: number, e: JobEvent): void {
    const t = this.bySession[sessionId];
    if (!t) return;
    switch (e.kind) {
      case "progress":
        t.done = e.done;
        t.total = e.total;
        t.percent = jobPercent(e.done, e.total);
        break;
      case "message": {
        const seg = parseLiveSegment(e.text);
        if (seg) t.live.push(seg);
        break;
      }
      case "done":
        t.percent = 100;
        this.#end(sessionId, "done", null);
        break;
      case "cancelled":
        this.#end(sessionId, "cancelled", null);
        break;
      case "failed":
        this.#end(sessionId, "failed", e.error);
        break;
    }
  }

  #end(sessionId: number, status: Transcription["status"], error: UiError | null): void {
    const t = this.bySession[sessionId];
    if (!t) return;
    t.status = status;
    t.error = error;
    this.finished += 1;
  }
}

export const transcriptions = new Transcriptions();
