//! What a delete takes with it, as the confirm dialog lists it (from study_delete_plan /
//! session_delete_plan). Pure; unit-tested in deletePlan.test.ts.
import type { DeletePlan } from "./bindings.gen";
import { plural } from "./api";
import { formatBytes } from "./jobs";

/** The lines of the confirm: one per kind of thing that goes, nothing for what is not there. */
export function deletePlanLines(plan: DeletePlan): string[] {
  const lines: string[] = [];
  if (plan.what === "study" && plan.sessions > 0) lines.push(plural(plan.sessions, "session"));
  if (plan.segments > 0) {
    lines.push(
      plan.what === "session"
        ? `the transcript (${plural(plan.segments, "segment")})`
        : `their transcripts (${plural(plan.segments, "segment")})`,
    );
  }
  if (plan.highlights > 0) lines.push(plural(plan.highlights, "highlight"));
  if (plan.notes > 0) lines.push(plural(plan.notes, "note"));
  if (plan.findings > 0) lines.push(plural(plan.findings, "finding"));
  if (plan.recordings > 0) lines.push(plural(plan.recordings, "recording"));
  return lines;
}

/** What happens to the recordings' files in media/: which leave it, and which stay (used elsewhere). */
export function deletePlanFiles(plan: DeletePlan): string[] {
  const out: string[] = [];
  const n = plan.files_removed.length;
  if (n > 0) {
    const freed = plan.bytes_freed > 0 ? `, freeing ${formatBytes(plan.bytes_freed)}` : "";
    out.push(`${n === 1 ? "The file" : `${n} files`} ${plan.files_removed.join(", ")} ${n === 1 ? "leaves" : "leave"} media/${freed}.`);
  }
  if (plan.files_kept > 0) {
    out.push(
      `${plural(plan.files_kept, "recording file")} ${plan.files_kept === 1 ? "stays" : "stay"} in media/: another session uses ${plan.files_kept === 1 ? "it" : "them"}.`,
    );
  }
  return out;
}
