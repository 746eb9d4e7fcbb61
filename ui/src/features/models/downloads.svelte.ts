//! Model downloads in progress, by model name (see `JobStore`).
import { commands, type JobEvent } from "../../lib/bindings.gen";
import { JobStore, type JobState } from "../../lib/jobStore.svelte";

export type Download = JobState & {
  phase: string;
  done: number;
  message: string | null;
};

class Downloads extends JobStore<string, Download> {
  start(name: string): Promise<void> {
    const fresh: Download = {
      job: null,
      phase: "connecting",
      percent: null,
      done: 0,
      status: "running",
      error: null,
      message: null,
    };
    return this.run(name, fresh, (channel) => commands.modelDownloadStart(name, channel));
  }

  protected cancelJob(job: number): Promise<unknown> {
    return commands.modelDownloadCancel(job);
  }

  protected progress(d: Download, e: Extract<JobEvent, { kind: "progress" }>): void {
    d.phase = e.phase;
    d.done = e.done;
  }

  protected message(d: Download, text: string): void {
    d.message = text;
  }
}

export const downloads = new Downloads();
