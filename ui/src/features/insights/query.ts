//! The Insights filters as the window holds them, and the query the commands take. Pure,
//! unit-tested.
import type { ImportKind, InsightsFilters, InsightsQuery, Statistic } from "../../lib/bindings.gen";

/** What the filter bar holds ("" is "any"). */
export type FilterState = {
  service: string;
  team: string;
  /** `field=value` of an NPS segment attribute. */
  segment: string;
  period: "month" | "quarter";
  from: string;
  to: string;
};

export const emptyFilters = (): FilterState => ({ service: "", team: "", segment: "", period: "month", from: "", to: "" });

/** The command query of a filter state: empty choices are absent, a segment splits at its first `=`. */
export function toQuery(f: FilterState): InsightsQuery {
  const blank = (v: string) => (v.trim() === "" ? null : v.trim());
  let segment: [string, string] | null = null;
  const at = f.segment.indexOf("=");
  if (at > 0) segment = [f.segment.slice(0, at), f.segment.slice(at + 1)];
  return {
    service: blank(f.service),
    team: blank(f.team),
    segment,
    period: f.period,
    from: blank(f.from),
    to: blank(f.to),
    environment: null,
  };
}

/** What each import kind reads, for the import dialog. */
export const IMPORT_KINDS: { kind: ImportKind; label: string; hint: string }[] = [
  { kind: "deploys", label: "Deploys", hint: "CSV id,service,environment,time,outcome,version,commit_time; JSON Lines with gates; DevLake webhook JSON" },
  { kind: "incidents", label: "Incidents", hint: "CSV id,service,started,resolved, or JSON Lines" },
  { kind: "nps", label: "NPS responses", hint: "CSV with a score and a time (Delighted's export works as it is)" },
  { kind: "feedback", label: "Feedback", hint: "CSV time,user,text,source,rating" },
  { kind: "catalog", label: "Service catalog", hint: "Backstage catalog-info.yaml, or CSV service,owner_team,system,tier" },
];

/** A compare statistic from the form's choice (`nps`, `metric:NAME`, `dora:KEY`, `gate:NAME`). */
export function toStatistic(choice: string): Statistic | null {
  if (choice === "nps") return { kind: "nps" };
  const at = choice.indexOf(":");
  if (at < 0) return null;
  const kind = choice.slice(0, at);
  const name = choice.slice(at + 1);
  if (name === "") return null;
  if (kind === "metric" || kind === "dora" || kind === "gate") return { kind, name };
  return null;
}

/** A number for a table cell: fixed digits, or a dash when there is none. */
export function num(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

/** A rate (0..1) as a percentage, or a dash. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`;
}

/** An interval as "[lo, hi]", or "" when there is none. */
export function interval(ci: [number, number] | null | undefined, digits = 1): string {
  return ci ? `[${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : "";
}

/** The segment filter's options: every `field=value` of the NPS responses. */
export function segmentChoices(f: InsightsFilters | null): { value: string; label: string }[] {
  return (f?.segments ?? []).flatMap((s) => s.values.map((v) => ({ value: `${s.field}=${v}`, label: `${s.field}: ${v}` })));
}
