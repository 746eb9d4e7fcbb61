//! Model downloads in progress. Kept outside the page, so leaving the Models screen and
//! coming back shows a running download where it is.
import { commands, type JobEvent } from "../../lib/bindings.gen";
import { toUiError, type UiError } from "../../lib/api";
import { jobChannel, jobPercent } from "../../lib/jobs";

export type Download = {
  job: number | null;
  phase: string;
  percent: number | null;
  done: number;
  status: "running" | "cancelling" | "done" | "cancelled" | "failed";
  error: UiError | null;
  message: string | null;
};

class Downloads {
  byName: Record<string, Download> = $state({});
  /** Goes up when a download ends, so the list is read again. */
  finished = $state(0);

  running(name: string): boolean {
    const d = this.byName[name];
    return d !== undefined && (d.status === "running" || d.status === "cancelling");
  }

  async start(name: string): Promise<void> {
    if (this.running(name)) return;
    this.byName[name] = {
      job: null,
      phase: "connecting",
      percent: null,
      done: 0,
      status: "running",
      error: null,
      message: null,
    };
    const channel = jobChannel((e) => this.#on(name, e));
    try {
      const job = await commands.modelDownloadStart(name, channel);
      const d = this.byName[name];
      if (d) d.job = job;
    } catch (e) {
      this.#end(name, "failed", toUiError(e));
    }
  }

  async cancel(name: string): Promise<void> {
    const d = this.byName[name];
    if (!d || d.job === null || d.status !== "running") return;
    d.status = "cancelling";
    try {
      await commands.modelDownloadCancel(d.job);
    } catch (e) {
      d.error = toUiError(e);
    }
  }

  dismiss(name: string): void {
    delete this.byName[name];
  }

  #on(name: string, e: JobEvent): void {
    const d = this.byName[name];
    if (!d) return;
    switch (e.kind) {
      case "progress":
        d.phase = e.phase;
        d.done = e.done;
        d.percent = jobPercent(e.done, e.total);
        break;
      case "message":
        d.message = e.text;
        break;
      case "done":
        this.#end(name, "done", null);
        break;
      case "cancelled":
        this.#end(name, "cancelled", null);
        break;
      case "failed":
        this.#end(name, "failed", e.error);
        break;
    }
  }

  #end(name: string, status: Download["status"], error: UiError | null): void {
    const d = this.byName[name];
    if (!d) return;
    d.status = status;
    d.error = error;
    this.finished += 1;
  }
}

export const downloads = new Downloads();
