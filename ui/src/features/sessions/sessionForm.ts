//! The session form as pure functions: the date and time field, the person (from the
//! directory or new), the guide version, and reading it all into a SessionInput. Tested in
//! sessionForm.test.ts.
import type { GuideVersionRef, SessionInput, SessionSummary } from "../../lib/bindings.gen";

const p2 = (n: number) => String(n).padStart(2, "0");

/** A moment as an <input type="datetime-local"> shows it (local time, to the minute). */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** A stored RFC 3339 time as the datetime-local field shows it; "" when it is not a time. */
export function rfc3339ToLocalInput(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "" : toLocalInput(d);
}

/** The datetime-local field's value (local time) as RFC 3339 in UTC; null when it is not a time. */
export function localInputToRfc3339(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(d.getTime()) || d.getDate() !== Number(m[3])) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The guide version a new session uses by default: the study's current one, which
 * guide_versions lists first (the newest guide, at its highest version); none without a guide.
 */
export function latestGuideVersion(versions: readonly GuideVersionRef[]): GuideVersionRef | null {
  return versions[0] ?? null;
}

/** The form's fields as chosen and typed. */
export type SessionFields = {
  /** "existing": personId from the directory; "new": name and email typed. */
  who: "existing" | "new";
  personId: number | null;
  name: string;
  email: string;
  /** datetime-local value. */
  at: string;
  title: string;
  guideVersionId: number | null;
};

export function sessionFields(s: SessionSummary | null, now: Date = new Date()): SessionFields {
  return {
    who: s === null || s.person_id !== null ? "existing" : "new",
    personId: s?.person_id ?? null,
    name: s && s.person_id === null ? s.person_name : "",
    email: s && s.person_id === null ? s.person_email : "",
    at: s ? rfc3339ToLocalInput(s.at) : toLocalInput(now),
    title: s?.title ?? "",
    guideVersionId: s?.guide_version_id ?? null,
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The input for session_create / session_update, or what to fix. */
export function sessionInput(f: SessionFields): { input: SessionInput } | { error: string } {
  const at = localInputToRfc3339(f.at);
  if (at === null) return { error: "Give the date and time of the session." };
  const title = f.title.trim() === "" ? null : f.title.trim();
  const base = { at, title, guide_version_id: f.guideVersionId };
  if (f.who === "existing") {
    if (f.personId === null) return { error: "Choose the person interviewed, or add someone new." };
    return { input: { ...base, person_id: f.personId, email: null, name: null } };
  }
  const email = f.email.trim();
  if (!EMAIL.test(email)) {
    return { error: email === "" ? "Give the new person's email." : `"${email}" is not an email address.` };
  }
  const name = f.name.trim();
  return { input: { ...base, person_id: null, email, name: name === "" ? null : name } };
}
