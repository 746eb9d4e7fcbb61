//! Pure helpers of highlighting and the findings board: tag colours, the span a text
//! selection covers, the marked pieces of a segment's text, a finding's draft title.

const PALETTE = ["#f4a261", "#8ecae6", "#b5e48c", "#f28482", "#cdb4db", "#ffd166", "#90dbf4", "#f7b267"];

/** A tag's colour: its own, else its nearest ancestor's, else one from a palette by name. */
export function tagColor(path: string, colors: ReadonlyMap<string, string | null>): string {
  let p = path;
  for (;;) {
    const c = colors.get(p);
    if (c) return c;
    const cut = p.lastIndexOf("/");
    if (cut < 0) break;
    p = p.slice(0, cut);
  }
  let h = 0;
  for (const ch of path.split("/")[0] ?? "") h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length] ?? "#ddd";
}

export type SegSpan = { start_ms: number; end_ms: number };

/**
 * What a selection from `startOffset` in segment `from` to `endOffset` in segment `to`
 * covers: the segments' time span and the exact words (the shown texts, joined by spaces).
 * Null when nothing but whitespace is selected.
 */
export function selectionSpan(
  segments: readonly SegSpan[],
  texts: readonly string[],
  from: number,
  startOffset: number,
  to: number,
  endOffset: number,
): { start_ms: number; end_ms: number; text: string } | null {
  if (from > to || (from === to && startOffset >= endOffset)) return null;
  const parts: string[] = [];
  for (let i = from; i <= to; i++) {
    const t = texts[i] ?? "";
    const a = i === from ? startOffset : 0;
    const b = i === to ? endOffset : t.length;
    parts.push(t.slice(a, b));
  }
  const text = parts.join(" ").replace(/\s+/g, " ").trim();
  const a = segments[from];
  const b = segments[to];
  if (text === "" || !a || !b) return null;
  return { start_ms: a.start_ms, end_ms: Math.max(b.end_ms, a.start_ms + 1), text };
}

export type Piece = { text: string; tags: string[]; id: number | null };

/** A segment's text cut into pieces, the words of highlights inside it marked with their tags. */
export function markPieces(
  text: string,
  highlights: ReadonlyArray<{ id: number; text: string; tags: string[] }>,
): Piece[] {
  type Mark = { a: number; b: number; tags: string[]; id: number };
  const marks: Mark[] = [];
  for (const h of highlights) {
    const t = h.text.trim();
    if (t === "" || t.length >= text.length) continue;
    const a = text.indexOf(t);
    if (a < 0) continue;
    if (marks.some((m) => a < m.b && a + t.length > m.a)) continue;
    marks.push({ a, b: a + t.length, tags: h.tags, id: h.id });
  }
  marks.sort((x, y) => x.a - y.a);
  const out: Piece[] = [];
  let at = 0;
  for (const m of marks) {
    if (m.a > at) out.push({ text: text.slice(at, m.a), tags: [], id: null });
    out.push({ text: text.slice(m.a, m.b), tags: m.tags, id: m.id });
    at = m.b;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), tags: [], id: null });
  return out;
}

/** A first title for a finding made from a highlight: its first words. */
export function draftTitle(text: string, words = 8): string {
  const w = text.replace(/\s+/g, " ").trim().split(" ");
  return w.length <= words ? w.join(" ") : `${w.slice(0, words).join(" ")}…`;
}

/** Tags whose path contains every word of the query (any case), shortest path first. */
export function searchTags<T extends { path: string }>(tags: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return tags
    .filter((t) => words.every((w) => t.path.toLowerCase().includes(w)))
    .sort((a, b) => a.path.length - b.path.length || a.path.localeCompare(b.path));
}

/** The code-point offset of UTF-16 index `i` of `text` (Rust and REFI-QDA count code points). */
export function codePointOffset(text: string, i: number): number {
  return Array.from(text.slice(0, i)).length;
}

/** The UTF-16 index of code-point offset `cp` of `text`. */
export function utf16Index(text: string, cp: number): number {
  return Array.from(text).slice(0, Math.max(0, cp)).join("").length;
}

export type CharSpan = { start_char: number; end_char: number; text: string };

/**
 * What a selection from UTF-16 offset `a` to `b` of `text` covers: its words without the
 * white space around them, as a span in code points. Null when only white space is selected.
 */
export function textSelection(text: string, a: number, b: number): CharSpan | null {
  let [x, y] = a <= b ? [a, b] : [b, a];
  x = Math.max(0, x);
  y = Math.min(text.length, y);
  while (x < y && /\s/.test(text.charAt(x))) x++;
  while (y > x && /\s/.test(text.charAt(y - 1))) y--;
  if (x >= y) return null;
  return { start_char: codePointOffset(text, x), end_char: codePointOffset(text, y), text: text.slice(x, y) };
}

/**
 * A text cut into pieces at its highlights' spans (code points `[start_char, end_char)`), the
 * highlighted pieces marked with their tags and id. Where spans overlap the earlier one wins.
 */
export function markSpans(
  text: string,
  highlights: ReadonlyArray<{ id: number; start_char: number; end_char: number; tags: string[] }>,
): Piece[] {
  const chars = Array.from(text);
  const sorted = [...highlights]
    .filter((h) => h.end_char > h.start_char && h.start_char >= 0 && h.end_char <= chars.length)
    .sort((p, q) => p.start_char - q.start_char || q.end_char - p.end_char);
  const out: Piece[] = [];
  let at = 0;
  for (const h of sorted) {
    if (h.start_char < at) continue;
    if (h.start_char > at) out.push({ text: chars.slice(at, h.start_char).join(""), tags: [], id: null });
    out.push({ text: chars.slice(h.start_char, h.end_char).join(""), tags: h.tags, id: h.id });
    at = h.end_char;
  }
  if (at < chars.length || out.length === 0) out.push({ text: chars.slice(at).join(""), tags: [], id: null });
  return out;
}

/** Where a piece of evidence that is not from a session comes from, in a few words. */
export function textOrigin(e: {
  source: string;
  score: number | null;
  segments: string[];
  channel: string | null;
  person_name: string | null;
}): string {
  const who = e.person_name ? ` · ${e.person_name}` : "";
  if (e.source === "nps") {
    const seg = e.segments.length > 0 ? ` · ${e.segments.join(", ")}` : "";
    return `NPS ${e.score ?? ""}${seg}${who}`;
  }
  return `Feedback${e.channel ? ` · ${e.channel}` : ""}${who}`;
}
