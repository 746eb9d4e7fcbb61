//! Small pure helpers shared by the views: turning command rejections into a displayable
//! error, and formatting times, dates, counts and rates. No Tauri, no DOM: unit-tested in
//! api.test.ts.
import { commands, type ApiError, type ErrorCode } from "./bindings.gen";

/** An error the UI can show: an ApiError from a command, or something that went wrong before it. */
export type UiError = { code: ErrorCode | "unknown"; message: string; column?: number };

/** Turns whatever a rejected command (or the dialog plugin) threw into a message to show. Never loses the text. */
export function toUiError(e: unknown): UiError {
  if (isApiError(e)) return e.column === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, column: e.column };
  if (e instanceof Error) return { code: "unknown", message: e.message || e.name };
  if (typeof e === "string" && e.trim() !== "") return { code: "unknown", message: e };
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") {
    return { code: "unknown", message: e.message };
  }
  return { code: "unknown", message: `Unexpected error: ${safeStringify(e)}` };
}

export function isApiError(e: unknown): e is ApiError {
  return (
    typeof e === "object" &&
    e !== null &&
    "code" in e &&
    "message" in e &&
    typeof e.code === "string" &&
    typeof e.message === "string"
  );
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * A position or length in milliseconds as a clock: "mm:ss" under an hour, "h:mm:ss" from an
 * hour on. Rounds down to the second; negative or non-finite input counts as 0.
 */
export function formatMs(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${ss}`;
  return `${String(m).padStart(2, "0")}:${ss}`;
}

/** A duration that may be unknown: "—" when null. */
export function formatDuration(ms: number | null | undefined): string {
  return ms == null ? "—" : formatMs(ms);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Formatters made once per kind and time zone: making an `Intl.DateTimeFormat` looks up ICU's
 * locale data each time, which a table of dates (and the first screen) would otherwise pay
 * per cell.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: "date" | "datetime", timeZone: string | undefined): Intl.DateTimeFormat {
  // The system's zone (undefined) apart from any named one (an empty name is an error, as before).
  const key = timeZone === undefined ? kind : `${kind} ${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      "en-GB",
      kind === "date"
        ? { day: "numeric", month: "short", year: "numeric", timeZone }
        : { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone },
    );
    formatters.set(key, f);
  }
  return f;
}

/**
 * A date from the store ("2024-03-12" or an RFC 3339 timestamp) as "12 Mar 2024". A date
 * without a time is shown as written, whatever the time zone; text that is not a date is
 * returned unchanged, null as "—".
 */
export function formatDate(value: string | null | undefined, timeZone?: string): string {
  if (value == null || value === "") return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const tz = DATE_ONLY.test(value) ? "UTC" : timeZone;
  return formatter("date", tz).format(d);
}

/** Like formatDate, with the time of day ("12 Mar 2024, 14:05") when the value has one. */
export function formatDateTime(value: string | null | undefined, timeZone?: string): string {
  if (value == null || value === "") return "—";
  if (DATE_ONLY.test(value)) return formatDate(value);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return formatter("datetime", timeZone).format(d);
}

/** A period key from a report ("2024-03", "2024-Q1") as a short label ("Mar 2024", "Q1 2024"). */
export function formatPeriod(period: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const idx = Number(month[2]) - 1;
    const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const name = names[idx];
    if (name) return `${name} ${month[1]}`;
  }
  const quarter = /^(\d{4})-?(Q[1-4])$/i.exec(period);
  if (quarter) return `${quarter[2]?.toUpperCase()} ${quarter[1]}`;
  return period;
}

export type NpsCategory = "promoter" | "passive" | "detractor";

/** The NPS category of one answer: 9–10 promoter, 7–8 passive, 0–6 detractor. */
export function npsCategory(score: number): NpsCategory {
  if (!Number.isInteger(score) || score < 0 || score > 10) {
    throw new RangeError(`an NPS answer is a whole number from 0 to 10, got ${score}`);
  }
  if (score >= 9) return "promoter";
  if (score >= 7) return "passive";
  return "detractor";
}

/** An NPS score (−100..100) as shown: a sign on positive scores, rounded to a whole number. */
export function formatNpsScore(score: number): string {
  const r = Math.round(score);
  return r > 0 ? `+${r}` : String(r === 0 ? 0 : r);
}

/** part / total as a whole percentage ("42%"); "—" when there is no total. */
export function percent(part: number, total: number): string {
  if (!(total > 0)) return "—";
  return `${Math.round((part / total) * 100)}%`;
}

/** Change failure rate of a service: deploys that failed or were rolled back, over all deploys. Null without deploys. */
export function failureRate(d: { total: number; failed: number; rolled_back: number }): number | null {
  if (!(d.total > 0)) return null;
  return (d.failed + d.rolled_back) / d.total;
}

/** "1 session", "3 sessions"; an irregular plural can be given. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
}

/**
 * A workspace path short enough for the sidebar: the home folder as "~", and when still
 * too long, "…/" and the last folders that fit. Works with / and \ separators.
 */
export function shortenPath(path: string, max = 36): string {
  const p = path.replace(/^\/(?:home|Users)\/[^/]+(?=\/|$)/, "~").replace(/^[A-Za-z]:\\Users\\[^\\]+(?=\\|$)/, "~");
  if (p.length <= max) return p;
  const sep = p.includes("\\") && !p.includes("/") ? "\\" : "/";
  const parts = p.split(sep).filter((s) => s !== "");
  let tail = parts.pop() ?? p;
  if (tail.length + 2 > max) return `…${tail.slice(-(max - 1))}`;
  while (parts.length > 0) {
    const next = `${parts[parts.length - 1]}${sep}${tail}`;
    if (next.length + 2 > max) break;
    tail = next;
    parts.pop();
  }
  return `…${sep}${tail}`;
}

/** Whether a transcript segment lies inside a highlighted span (both ends within it). */
export function segmentInHighlight(
  seg: { start_ms: number; end_ms: number },
  hl: { start_ms: number; end_ms: number },
): boolean {
  return seg.start_ms >= hl.start_ms && seg.end_ms <= hl.end_ms;
}

/** A stable colour slot (0..slots-1) for a speaker name, so each speaker keeps a colour. */
export function speakerSlot(speaker: string | null, slots = 6): number {
  if (!speaker) return 0;
  let h = 0;
  for (const ch of speaker.toLowerCase()) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h % slots;
}

/**
 * Colour slots for a session's speakers: the first six labels (in the order given, e.g. of
 * first words) get six different slots, so two speakers of one session never share a colour;
 * any further label falls back to its hash ([`speakerSlot`]).
 */
export function speakerTones(labels: Array<string | null | undefined>, slots = 6): (label: string | null | undefined) => number {
  const order = new Map<string, number>();
  for (const l of labels) {
    if (l && !order.has(l) && order.size < slots) order.set(l, order.size);
  }
  return (label) => (label ? (order.get(label) ?? speakerSlot(label, slots)) : 0);
}

/** Case-insensitive match of every word of a filter against any of the given fields. */
export function matchesFilter(filter: string, fields: Array<string | null | undefined>): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return true;
  const hay = fields
    .filter((f): f is string => typeof f === "string")
    .join("\u0000")
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Moments of the start-up (name, Unix time in ms), sent with `uiReady` for `scripts/bench app`. */
const startupMarks: Array<[string, number]> = [["navigation", performance.timeOrigin]];

/** Notes a moment of the start-up (the first of each name counts). */
export function markStartup(name: string): void {
  if (!readySent && !startupMarks.some(([n]) => n === name)) {
    startupMarks.push([name, performance.timeOrigin + performance.now()]);
  }
}

let readySent = false;
let painted: () => void = () => {};
/** Resolves once the first screen with data has painted (see [`markFirstPaint`]). */
export const firstPaint: Promise<void> = new Promise((resolve) => (painted = resolve));

/** Tells the shell, once, that the first screen with data has painted (two frames after render). */
export function markFirstPaint(): void {
  if (readySent) return;
  readySent = true;
  startupMarks.push(["rendered", performance.timeOrigin + performance.now()]);
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      startupMarks.push(["frames", performance.timeOrigin + performance.now()]);
      void commands.uiReady(startupMarks).catch(() => {});
      painted();
    }),
  );
}
