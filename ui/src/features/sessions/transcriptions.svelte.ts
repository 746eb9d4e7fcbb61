//! Transcriptions running from the window, by session (see `JobStore`).
import { commands, type JobEvent } from "../../lib/bindings.gen";
import { JobStore, type JobState } from "../../lib/jobStore.svelte";
import { parseLiveSegment, type LiveSegment } from "./player";

export type Transcription = JobState & {
  model: string;
  /** Milliseconds of audio done, and of the whole recording. */
  done: number;
  total: number | null;
  /** What whisper has heard so far, in order. */
  live: LiveSegment[];
};

class Transcriptions extends JobStore<number, Transcription> {
  start(sessionId: number, model: string): Promise<void> {
    const fresh: Transcription = {
      job: null,
      model,
      status: "running",
      done: 0,
      total: null,
      percent: null,
      live: [],
      error: null,
    };
    return this.run(sessionId, fresh, (channel) => commands.transcribeStart(sessionId, model, channel));
  }

  protected cancelJob(job: number): Promise<unknown> {
    return commands.transcribeCancel(job);
  }

  protected progress(t: Transcription, e: Extract<JobEvent, { kind: "progress" }>): void {
    t.done = e.done;
    t.total = e.total;
  }

  protected message(t: Transcription, text: string): void {
    const seg = parseLiveSegment(text);
    if (seg) t.live.push(seg);
  }
}

export const transcriptions = new Transcriptions();
