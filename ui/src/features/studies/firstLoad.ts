//! The study list of the first screen, asked for when the script starts (before the app
//! mounts), so it travels beside `workspace_info` instead of after it. Used once: a list shown
//! later (another workspace, a reload) asks again.
import { commands, type StudySummary } from "../../lib/bindings.gen";

let early: Promise<StudySummary[]> | null = null;

/** Sends `study_list` now; the first StudyList to mount takes the answer. */
export function prefetchStudyList(): void {
  early = commands.studyList();
  // A workspace that cannot be opened fails this too; the app shows that error, not this one.
  early.catch(() => {});
}

/** The prefetched request if one is waiting (once), else a new one. */
export function studyListRequest(): Promise<StudySummary[]> {
  const request = early ?? commands.studyList();
  early = null;
  return request;
}
