//! Pure helpers of the session player: which segment is playing, which element plays a
//! recording, and the live lines of a transcription. Unit-tested in player.test.ts.

type Timed = { start_ms: number; end_ms: number };

/**
 * The index of the segment playing at `ms`: the last segment that started at or before it
 * (so a gap between segments keeps the previous one current). -1 before the first segment.
 * Segments are in time order.
 */
export function segmentAt(segments: readonly Timed[], ms: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const seg = segments[mid];
    if (seg !== undefined && seg.start_ms <= ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The index of the word playing at `ms` inside one segment's words; -1 when none is. */
export function wordAt(words: readonly Timed[], ms: number): number {
  const i = segmentAt(words, ms);
  const w = i >= 0 ? words[i] : undefined;
  return w !== undefined && ms < w.end_ms ? i : -1;
}

/** The index `step` segments away from `current`, kept inside the list (j/k). */
export function stepSegment(count: number, current: number, step: number): number {
  if (count === 0) return -1;
  if (current < 0) return step > 0 ? 0 : 0;
  return Math.min(count - 1, Math.max(0, current + step));
}

const VIDEO_EXTENSIONS = new Set(["mp4", "m4v", "mov", "webm", "mkv"]);

/** Whether a recording's file is a video container (played in a <video>), from its name. */
export function isVideo(fileName: string): boolean {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? "";
  return VIDEO_EXTENSIONS.has(ext);
}

/** A transcribed line as the engine reports it: "[00:00:01.000 --> 00:00:04.500] text". */
export type LiveSegment = { start_ms: number; end_ms: number; text: string };

function stamp(t: string): number {
  const m = /^(\d+):(\d{2}):(\d{2})[.,](\d{3})$/.exec(t);
  if (!m) return Number.NaN;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
}

/** Reads one live line of a transcription; null when the message is not a segment. */
export function parseLiveSegment(message: string): LiveSegment | null {
  const m = /^\[([\d:.,]+) --> ([\d:.,]+)\]\s?(.*)$/s.exec(message.trim());
  if (!m) return null;
  const start_ms = stamp(m[1] ?? "");
  const end_ms = stamp(m[2] ?? "");
  if (Number.isNaN(start_ms) || Number.isNaN(end_ms)) return null;
  return { start_ms, end_ms, text: (m[3] ?? "").trim() };
}

/** Whether a key press happened in a place that takes text (where j, k, e and space type). */
export function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "range", "submit", "reset"].includes(type);
}

/**
 * What to tell the user when the media element gives up on a recording, from its
 * MediaError code (1 aborted, 2 network, 3 decode, 4 source not supported) and message.
 */
export function mediaErrorText(code: number | null, message: string): string {
  const why =
    code === 1
      ? "loading it was interrupted"
      : code === 2
        ? "reading the file broke off"
        : code === 3
          ? "its audio could not be decoded"
          : code === 4
            ? "the player cannot open its format, or the file could not be read"
            : "it could not be read";
  const detail = message.trim() !== "" ? ` (${message.trim()})` : "";
  return `The recording could not be played: ${why}${detail}.`;
}
