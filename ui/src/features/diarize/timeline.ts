// Pure helpers of the speaker timeline and the move-to-speaker form (unit-tested in
// timeline.test.ts).

/** A segment as the timeline needs it. */
export type TimedSegment = {
  id: number;
  start_ms: number;
  end_ms: number;
  speaker: string | null;
  speaker_label?: string | null;
};

/** One coloured block of the strip: a run of one speaker, as fractions of the length. */
export type Block = { left: number; width: number; speaker: string; label: string; start_ms: number; end_ms: number };

/**
 * Blocks of the strip: consecutive segments of one speaker joined (a gap under `joinMs`
 * between them does not break the block), placed as fractions of `durationMs` (else of the
 * last segment's end).
 */
export function blocks(segments: TimedSegment[], durationMs: number | null, joinMs = 1500): Block[] {
  const sorted = [...segments].sort((a, b) => a.start_ms - b.start_ms);
  const total = Math.max(durationMs ?? 0, sorted[sorted.length - 1]?.end_ms ?? 0, 1);
  const out: Block[] = [];
  for (const s of sorted) {
    const speaker = s.speaker ?? "Unknown";
    const label = s.speaker_label ?? speaker;
    const last = out[out.length - 1];
    if (last && last.label === label && s.start_ms - last.end_ms <= joinMs) {
      last.end_ms = Math.max(last.end_ms, s.end_ms);
    } else {
      out.push({ left: 0, width: 0, speaker, label, start_ms: s.start_ms, end_ms: s.end_ms });
    }
  }
  for (const b of out) {
    b.left = Math.min(1, b.start_ms / total);
    b.width = Math.max(0, Math.min(1 - b.left, (b.end_ms - b.start_ms) / total));
  }
  return out;
}

/** Share of speaking time per speaker (by label), largest first. */
export function shares(segments: TimedSegment[]): Array<{ speaker: string; label: string; ms: number; share: number }> {
  const by = new Map<string, { speaker: string; ms: number }>();
  let total = 0;
  for (const s of segments) {
    const label = s.speaker_label ?? s.speaker ?? "Unknown";
    const ms = Math.max(0, s.end_ms - s.start_ms);
    total += ms;
    const e = by.get(label) ?? { speaker: s.speaker ?? "Unknown", ms: 0 };
    e.ms += ms;
    by.set(label, e);
  }
  return [...by.entries()]
    .map(([label, e]) => ({ label, speaker: e.speaker, ms: e.ms, share: total > 0 ? e.ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

/** The words of a segment for the "from word" picker: timed words, else the text's words. */
export function wordsOf(seg: { text: string; words: Array<{ text: string }> }): string[] {
  const tokens = seg.text.split(/\s+/).filter((w) => w.length > 0);
  if (seg.words.length === 0 || seg.words.length === tokens.length) return tokens;
  return seg.words.map((w) => w.text.trim());
}

/** The number of speakers to ask for: a whole number from 1 to 20, or null (estimate). */
export function parseSpeakers(text: string): number | null | "invalid" {
  const t = text.trim();
  if (t === "" || t.toLowerCase() === "auto") return null;
  if (!/^\d+$/.test(t)) return "invalid";
  const n = Number(t);
  return n >= 1 && n <= 20 ? n : "invalid";
}
