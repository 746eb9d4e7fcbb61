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
