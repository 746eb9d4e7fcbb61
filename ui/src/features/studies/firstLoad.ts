//! The study list of the first screen. At launch the shell has put it on the page
//! (`lib/boot.ts`): the list paints from that, and is asked for again once painted. Without
//! it, the request goes out when the script starts (before the app mounts), beside
//! `workspace_info` instead of after it. Used once: a list shown later (another workspace, a
//! reload) asks again.
import { commands, type StudySummary } from "../../lib/bindings.gen";
import { takeBoot } from "../../lib/boot";

let early: Promise<StudySummary[]> | null = null;
let snapshot: StudySummary[] | undefined;

/** Takes the launch's list, or sends `study_list` now; the first StudyList to mount takes it. */
export function prefetchStudyList(): void {
  snapshot = takeBoot("studies");
  if (snapshot) return;
  early = commands.studyList();
  // A workspace that cannot be opened fails this too; the app shows that error, not this one.
  early.catch(() => {});
}

/** What the first StudyList shows (once): the launch's snapshot, or the request sent early
 *  (or a new one); the caller asks again after painting a snapshot. */
export function studyListRequest(): { snapshot: StudySummary[] } | { snapshot?: undefined; request: Promise<StudySummary[]> } {
  const taken = snapshot;
  snapshot = undefined;
  if (taken) return { snapshot: taken };
  const request = early ?? commands.studyList();
  early = null;
  return { request };
}
