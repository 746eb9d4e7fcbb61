//! Recordings being added from the window, by session (see `JobStore`): the file is decoded
//! whole first, so a corrupt or unsupported file is refused before anything is stored, then
//! copied into media/ while its hash is taken.
import { commands, type JobEvent } from "../../lib/bindings.gen";
import { JobStore, type JobState } from "../../lib/jobStore.svelte";
import { baseName } from "./files";

export type RecordingAdd = JobState & {
  /** The file's name, as shown. */
  file: string;
  /** "decoding", then "copying" (done/total in bytes of the file). */
  phase: string;
  done: number;
  total: number | null;
};

class RecordingAdds extends JobStore<number, RecordingAdd> {
  start(sessionId: number, path: string): Promise<void> {
    const fresh: RecordingAdd = {
      job: null,
      status: "running",
      percent: null,
      error: null,
      file: baseName(path),
      phase: "",
      done: 0,
      total: null,
    };
    return this.run(sessionId, fresh, (channel) => commands.recordingAddStart(sessionId, path, channel));
  }

  protected cancelJob(job: number): Promise<unknown> {
    return commands.recordingAddCancel(job);
  }

  protected progress(t: RecordingAdd, e: Extract<JobEvent, { kind: "progress" }>): void {
    t.phase = e.phase;
    t.done = e.done;
    t.total = e.total;
  }

  protected message(): void {}
}

export const recordingAdds = new RecordingAdds();
