//! The audit log import started from the window (see `JobStore`), one at a time: first its dry
//! run (what an import would do, nothing written), then the import; each shows progress in
//! bytes of the file and can be cancelled (a cancelled import changes nothing).
import { commands, type AuditImportOptions, type AuditImportReport, type JobEvent } from "../../lib/bindings.gen";
import { JobStore, type JobState } from "../../lib/jobStore.svelte";

export type AuditImport = JobState & {
  /** True for the preview (a dry run). */
  dryRun: boolean;
  /** "reading audit events", then "deriving activity". */
  phase: string;
  report: AuditImportReport | null;
};

/** The one key: the app imports one audit log at a time. */
export const AUDIT = "audit";

class AuditImports extends JobStore<string, AuditImport> {
  start(path: string, options: AuditImportOptions): Promise<void> {
    const fresh: AuditImport = {
      job: null,
      status: "running",
      percent: null,
      error: null,
      dryRun: options.dry_run,
      phase: "",
      report: null,
    };
    return this.run(AUDIT, fresh, (channel) => commands.auditImportStart(path, options, channel));
  }

  protected cancelJob(job: number): Promise<unknown> {
    return commands.auditImportCancel(job);
  }

  protected progress(t: AuditImport, e: Extract<JobEvent, { kind: "progress" }>): void {
    t.phase = e.phase;
  }

  protected message(): void {}

  protected override result(t: AuditImport, value: unknown): void {
    t.report = value as AuditImportReport;
  }
}

export const auditImports = new AuditImports();
