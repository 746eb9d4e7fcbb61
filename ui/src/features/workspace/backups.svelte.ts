//! A backup of the open workspace and a restore into a new folder, started from the Workspace
//! menu (see `JobStore`): progress by phase, cancel, and the report the core sends at the end.
import { commands, type BackupReport, type JobEvent, type RestoreReport } from "../../lib/bindings.gen";
import { JobStore, type JobState } from "../../lib/jobStore.svelte";

export type BackupJob = JobState & {
  /** The archive written (backup) or read (restore). */
  archive: string;
  /** The folder restored into (restore only). */
  to: string | null;
  /** What the core is doing now ("copying the database", "hashing media", …). */
  phase: string;
  backup: BackupReport | null;
  restore: RestoreReport | null;
};

type Kind = "backup" | "restore";

class Backups extends JobStore<Kind, BackupJob> {
  #fresh(archive: string, to: string | null): BackupJob {
    return { job: null, status: "running", percent: null, error: null, archive, to, phase: "", backup: null, restore: null };
  }

  backUp(path: string): Promise<void> {
    return this.run("backup", this.#fresh(path, null), (channel) => commands.backupStart(path, channel));
  }

  restoreInto(archive: string, to: string): Promise<void> {
    return this.run("restore", this.#fresh(archive, to), (channel) => commands.restoreStart(archive, to, channel));
  }

  protected cancelJob(job: number): Promise<unknown> {
    // One of each runs at a time: cancel whichever has this id.
    return this.byKey.backup?.job === job ? commands.backupCancel(job) : commands.restoreCancel(job);
  }

  protected progress(t: BackupJob, e: Extract<JobEvent, { kind: "progress" }>): void {
    t.phase = e.phase;
  }

  protected message(): void {}

  protected override result(t: BackupJob, value: unknown): void {
    if (t.to === null) t.backup = value as BackupReport;
    else t.restore = value as RestoreReport;
  }
}

export const backups = new Backups();
