//! Pure helpers of the Search screen: adding a `field:value` filter to a query, telling
//! whether a filter is already there, and where a hit opens. Unit-tested in query.test.ts.
import type { Hit } from "../../lib/bindings.gen";
import type { Params } from "../../lib/router.svelte";

/** A value as the query syntax wants it: bare when it is one plain word, else in quotes. */
export function quoteValue(value: string): string {
  const v = value.trim().replaceAll('"', "");
  return /^[\p{L}\p{N}_.@-]+$/u.test(v) && !v.startsWith("-") ? v : `"${v}"`;
}

/** The `field:value` term for a filter chip. */
export function filterTerm(field: string, value: string): string {
  return `${field}:${quoteValue(value)}`;
}

/** Whether `query` already holds this exact `field:value` term (as a whole term). */
export function hasTerm(query: string, term: string): boolean {
  return termRange(query, term) !== null;
}

function termRange(query: string, term: string): [number, number] | null {
  let from = 0;
  for (;;) {
    const at = query.indexOf(term, from);
    if (at < 0) return null;
    const before = at === 0 ? " " : query.charAt(at - 1);
    const after = at + term.length >= query.length ? " " : query.charAt(at + term.length);
    if (/\s/.test(before) && /\s/.test(after)) return [at, at + term.length];
    from = at + 1;
  }
}

/** Adds the term to the query, or removes it when it is there (a chip toggles). */
export function toggleTerm(query: string, term: string): string {
  const range = termRange(query, term);
  if (range) {
    return `${query.slice(0, range[0])} ${query.slice(range[1])}`.replace(/\s+/g, " ").trim();
  }
  const q = query.trim();
  return q === "" ? term : `${q} ${term}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Date chips from the hits' dates: one per month that has hits (most hits first, at most
 * `max`), each adding `after:` the month's first day and `before:` the next month's.
 */
export function monthChips(dates: readonly string[], max = 4): Array<{ label: string; term: string; count: number }> {
  const counts = new Map<string, number>();
  for (const d of dates) {
    const m = /^(\d{4})-(\d{2})/.exec(d);
    if (m) counts.set(`${m[1]}-${m[2]}`, (counts.get(`${m[1]}-${m[2]}`) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))
    .slice(0, max)
    .map(([ym, count]) => {
      const [y, m] = ym.split("-").map(Number) as [number, number];
      const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
      return { label: `${MONTHS[m - 1]} ${y}`, term: `after:${ym}-01 before:${next}-01`, count };
    });
}

/** What a hit kind is called in the UI. */
export function kindLabel(kind: string): string {
  switch (kind) {
    case "segment":
      return "Transcript";
    case "note":
      return "Note";
    case "highlight":
      return "Highlight";
    case "finding":
      return "Finding";
    case "nps":
      return "NPS comment";
    case "feedback":
      return "Feedback";
    default:
      return kind;
  }
}

/** The view and params a click on a hit opens: the session at that moment, else the list the item lives in. */
export function hitTarget(hit: Pick<Hit, "kind" | "session" | "start_ms" | "study_id">): {
  view: string;
  params: Params;
} {
  if (hit.session !== null) return { view: "session", params: { id: hit.session, t: Math.max(0, hit.start_ms) } };
  if (hit.kind === "finding") return { view: "findings", params: {} };
  // NPS comments, feedback items and their highlights (no session) live on the Insights screen.
  if (hit.kind === "nps" || hit.kind === "feedback" || hit.kind === "highlight") return { view: "insights", params: {} };
  if (hit.study_id !== null) return { view: "study", params: { id: hit.study_id } };
  return { view: "search", params: {} };
}

/**
 * The search box's view of a `query_syntax` error: the column the core sent (1-based) and its
 * message, which names the column too. Never read out of the message text.
 */
export function queryError(err: { message: string; column?: number }): { column: number | null; text: string } {
  return { column: err.column ?? null, text: err.message };
}

/** Example queries for the empty state: what to type and what it finds. */
export const EXAMPLES: ReadonlyArray<{ query: string; explains: string }> = [
  { query: "rollback", explains: "a word, in any form (rollback, rollbacks)" },
  { query: '"error budget"', explains: "an exact phrase" },
  { query: "gate -flaky", explains: "leave out moments that say flaky" },
  { query: "canary OR rollout", explains: "either word" },
  { query: "deploy*", explains: "words starting with deploy" },
  { query: "speaker:priya pipeline", explains: "what one speaker said (also person:, study:, session:)" },
  { query: "role:SRE on-call", explains: "what people in a role said (also team:)" },
  { query: "kind:note", explains: "only notes (also segment, highlight, finding, nps, feedback)" },
  { query: "tag:canary after:2026-01-01", explains: "highlights with a tag, from a date on (also before:)" },
];
