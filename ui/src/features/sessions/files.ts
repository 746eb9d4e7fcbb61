//! Files going into and out of a session, as pure functions: what a dropped file is, the
//! name an export suggests, and how a recording's progress reads. Tested in files.test.ts.
import type { ExportFormat } from "../../lib/bindings.gen";
import { formatBytes } from "../../lib/jobs";

/** The transcript formats the export menu offers, in its order, with what each is for. */
export const EXPORT_FORMATS: ReadonlyArray<{ format: ExportFormat; label: string }> = [
  { format: "srt", label: "SubRip subtitles (.srt)" },
  { format: "vtt", label: "WebVTT subtitles (.vtt)" },
  { format: "txt", label: "Plain text (.txt)" },
  { format: "json", label: "Rapport JSON (.json)" },
  { format: "md", label: "Markdown (.md)" },
];

const TRANSCRIPT_EXTENSIONS = new Set(["vtt", "webvtt", "srt", "txt", "json"]);

/** The last part of a path (either separator). */
export function baseName(path: string): string {
  return path.split(/[/\\]/).filter((p) => p !== "").pop() ?? path;
}

/** Whether a dropped file is a transcript to import (by extension) rather than a recording to add. */
export function isTranscriptFile(path: string): boolean {
  const ext = /\.([A-Za-z0-9]+)$/.exec(baseName(path))?.[1]?.toLowerCase() ?? "";
  return TRANSCRIPT_EXTENSIONS.has(ext);
}

/**
 * The file name an export suggests: "<person> <date>.<ext>" (the date of the session, local),
 * without characters that file systems refuse.
 */
export function exportFileName(person: string, at: string, format: ExportFormat): string {
  const d = new Date(at);
  const date = Number.isNaN(d.getTime())
    ? ""
    : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const who = person.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, " ").replace(/\s+/g, " ").trim() || "transcript";
  return `${[who, date].filter((x) => x !== "").join(" ")}.${format}`;
}

/**
 * What adding a recording is doing: first "decoding" (the whole file is read, so a corrupt or
 * unsupported one is refused before anything is stored), then "copying" it into media/ while
 * its hash is taken; both count bytes of the file. ("hashing" is read as copying.)
 */
export function addProgressText(phase: string, done: number, total: number | null): string {
  const of = `${formatBytes(done)}${total !== null ? ` of ${formatBytes(total)}` : ""}`;
  if (phase === "decoding") return `Checking the audio: ${of}`;
  if (phase === "copying" || phase === "hashing") return `Copying it into the workspace: ${of}`;
  return phase === "" ? "Starting…" : phase;
}

/** Files dropped on a session page, sorted: transcripts to import, the rest recordings to add. */
export function sortDrop(paths: readonly string[]): { transcripts: string[]; recordings: string[] } {
  return {
    transcripts: paths.filter((p) => isTranscriptFile(p)),
    recordings: paths.filter((p) => !isTranscriptFile(p)),
  };
}
