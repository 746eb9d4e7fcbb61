//! Pure logic of the People, Recruit and Outreach screens: filtering people, the criteria
//! builder that writes the screener grammar, and which board column an invitation is in.
import type { Participation, PersonSummary } from "../../lib/bindings.gen";

export const ROLES = ["service", "operations", "automation", "test", "observer"] as const;
export const TIERS = ["power", "regular", "occasional", "dormant"] as const;
export const CONTACT_STATUSES = ["free", "opted-out", "do-not-contact", "blocklist"] as const;
export const CHANNELS = ["slack", "email", "word-of-mouth", "other"] as const;
export const OUTREACH_STATUSES = ["contacted", "followed-up", "scheduled", "declined", "no-response", "done"] as const;

/** The words the app shows for an observed role. */
export function roleLabel(role: string | null | undefined): string {
  switch (role) {
    case "operations":
      return "operations & reliability";
    case null:
    case undefined:
      return "—";
    default:
      return role;
  }
}

export type PeopleFilter = { text: string; role: string; tier: string; contact: string };

/** People matching every filter: words in name/email/team/role/location, and the three menus ("" is any). */
export function filterPeople(people: PersonSummary[], f: PeopleFilter): PersonSummary[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return people.filter((p) => {
    if (f.role && (p.observed_role ?? "none") !== f.role) return false;
    if (f.tier && (p.tier ?? "none") !== f.tier) return false;
    if (f.contact && p.contact_status !== f.contact) return false;
    const hay = [p.name, p.email, p.team, p.role, p.location, p.observed_role, p.tier]
      .filter((x): x is string => !!x)
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** One row of the criteria builder. */
export type Criterion = { field: string; op: string; value: string };

/** The fields the builder offers, with the operators that make sense for each. */
export const BUILDER_FIELDS: { field: string; label: string; ops: string[]; hint: string }[] = [
  { field: "observed_role", label: "Observed role", ops: ["in", "not in", "=", "!="], hint: "operations, service" },
  { field: "tier", label: "Tier", ops: ["in", "not in", "=", "!="], hint: "power, regular" },
  { field: "role", label: "Directory role", ops: ["=", "!=", "~", "in"], hint: "sre" },
  { field: "team", label: "Team", ops: ["=", "!=", "~", "in", "not in"], hint: "platform" },
  { field: "location", label: "Location", ops: ["=", "!=", "~", "in"], hint: "Lisbon" },
  { field: "last_seen", label: "Last seen within", ops: ["<=", ">"], hint: "14d" },
  { field: "events", label: "Events", ops: [">=", "<=", ">", "<", "="], hint: "10" },
  { field: "count_action", label: "Times an action was done (30 days)", ops: [">=", ">", "=", "<"], hint: "create pods/exec = 3" },
];

const BARE = /^[\p{L}\p{N}\-_.@/:+]+$/u;

/** A value as the grammar reads it: bare when it is one word, else quoted. */
export function quote(value: string): string {
  const v = value.trim();
  if (BARE.test(v) && !["and", "or", "not", "in"].includes(v.toLowerCase())) return v;
  return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One criterion as screener text; null when it is not filled in. */
export function criterionText(c: Criterion): string | null {
  const value = c.value.trim();
  if (!c.field || !c.op || value === "") return null;
  if (c.field === "count_action") {
    // "create pods/exec = 3": the action, then the count after the last "=".
    const at = value.lastIndexOf("=");
    const action = (at >= 0 ? value.slice(0, at) : value).trim();
    const n = at >= 0 ? value.slice(at + 1).trim() : "1";
    if (!action || !/^\d+$/.test(n)) return null;
    return `count(action=${quote(action)}, within=30d) ${c.op} ${n}`;
  }
  if (c.op === "in" || c.op === "not in") {
    const items = value.split(",").map((v) => v.trim()).filter(Boolean).map(quote);
    if (items.length === 0) return null;
    return `${c.field} ${c.op} (${items.join(", ")})`;
  }
  return `${c.field} ${c.op} ${quote(value)}`;
}

/** The builder's rows joined with "and" (rows not filled in are left out). */
export function criteriaText(rows: Criterion[]): string {
  return rows.map(criterionText).filter((t): t is string => t !== null).join(" and ");
}

/** The board's columns, in order. */
export const BOARD_COLUMNS = ["invited", "contacted", "followed-up", "scheduled", "closed"] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

/** Where an invitation sits on the board: what was agreed first, else its latest contact. */
export function boardColumn(p: Participation): BoardColumn {
  if (["attended", "declined", "no-show", "cancelled"].includes(p.status)) return "closed";
  if (p.status === "scheduled" || p.last_contact === "scheduled") return "scheduled";
  switch (p.last_contact) {
    case "contacted":
      return "contacted";
    case "followed-up":
      return "followed-up";
    case "declined":
    case "no-response":
    case "done":
      return "closed";
    default:
      return "invited";
  }
}

/** A `datetime-local` value (local time, no zone) as an RFC 3339 UTC time; null when empty or invalid. */
export function localToUtc(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
