//! Pure edits of a guide document for the editor: move, add and remove sections, questions
//! and probes, and where a lint entry belongs. Unit-tested in editing.test.ts.
import type { GuideDoc, GuideQuestion, LintEntry, LintReport } from "../../lib/bindings.gen";

/** A copy of `list` with item `i` moved by `delta` (−1 up, +1 down); unchanged at the ends. */
export function move<T>(list: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  const out = [...list];
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return out;
  const [a, b] = [out[i] as T, out[j] as T];
  out[i] = b;
  out[j] = a;
  return out;
}

export function newQuestion(text = ""): GuideQuestion {
  return { text, kind: "open", probes: [], note: null, minutes: null };
}

/** A deep copy, so the editor can change it freely. */
export function cloneDoc(doc: GuideDoc): GuideDoc {
  return JSON.parse(JSON.stringify(doc)) as GuideDoc;
}

/**
 * The lint entries of each question, keyed "section.question" (0-based), with probes
 * under their question: the report lists them in the guide's order.
 */
export function lintByQuestion(doc: GuideDoc, report: LintReport | null): Map<string, { question: LintEntry | null; probes: Map<number, LintEntry> }> {
  const out = new Map<string, { question: LintEntry | null; probes: Map<number, LintEntry> }>();
  if (!report) return out;
  const keys: string[] = [];
  doc.sections.forEach((s, i) => s.questions.forEach((_, j) => keys.push(`${i}.${j}`)));
  for (const e of report.questions) {
    const key = keys[e.question - 1];
    if (key === undefined) continue;
    const slot = out.get(key) ?? { question: null, probes: new Map<number, LintEntry>() };
    if (e.probe === null) slot.question = e;
    else slot.probes.set(e.probe - 1, e);
    out.set(key, slot);
  }
  return out;
}

/** The total time budget of a section, or null when no question has one. */
export function sectionMinutes(questions: readonly GuideQuestion[]): number | null {
  const m = questions.map((q) => q.minutes).filter((x): x is number => x !== null);
  return m.length === 0 ? null : m.reduce((a, b) => a + b, 0);
}

/**
 * A moment typed as a clock: "45" (seconds), "0:45", "12:05" (minutes and seconds) or
 * "1:02:03"; in milliseconds, or null when it is not one.
 */
export function parseClock(text: string): number | null {
  const parts = text.trim().split(":");
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const [s = 0, m = 0, h = 0] = parts.map(Number).reverse();
  if (parts.length > 1 && s >= 60) return null;
  if (parts.length > 2 && m >= 60) return null;
  return ((h * 60 + m) * 60 + s) * 1000;
}
