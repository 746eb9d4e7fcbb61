//! The study form and list, as pure functions: reading the form into a StudyInput (or saying
//! what is wrong), and splitting the list into active and archived studies. Tested in studies.test.ts.
import type { StudyInput, StudySummary } from "../../lib/bindings.gen";

/** The form's fields as typed. */
export type StudyFields = { name: string; goal: string; started: string };

export function studyFields(s: StudySummary | null): StudyFields {
  return { name: s?.name ?? "", goal: s?.goal ?? "", started: s?.started_at?.slice(0, 10) ?? "" };
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The input for study_create / study_update, or what to fix (a name is needed; a date must be one). */
export function studyInput(f: StudyFields): { input: StudyInput } | { error: string } {
  const name = f.name.trim();
  if (name === "") return { error: "Give the study a name." };
  const started = f.started.trim();
  if (started !== "" && !isIsoDate(started)) return { error: `"${started}" is not a date (YYYY-MM-DD).` };
  const goal = f.goal.trim();
  return { input: { name, goal: goal === "" ? null : goal, started_at: started === "" ? null : started } };
}

/** Active studies first as listed; archived ones apart, most recently archived first. */
export function splitArchived(studies: readonly StudySummary[]): { active: StudySummary[]; archived: StudySummary[] } {
  const active = studies.filter((s) => s.archived_at === null);
  const archived = studies
    .filter((s) => s.archived_at !== null)
    .sort((a, b) => (b.archived_at ?? "").localeCompare(a.archived_at ?? ""));
  return { active, archived };
}

/** Today as YYYY-MM-DD in the local time zone (the default start date of a new study). */
export function today(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
