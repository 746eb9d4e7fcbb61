//! rapport:// links in the window: copying one, and opening one (checked by the core first).
import { listen } from "@tauri-apps/api/event";
import { commands, type Note, type RecordingView } from "../../lib/bindings.gen";
import { router } from "../../lib/router.svelte";

export function studyLink(id: number): string {
  return `rapport://study/${id}`;
}

export function sessionLink(id: number, tMs?: number | null): string {
  return tMs == null ? `rapport://session/${id}` : `rapport://session/${id}?t=${Math.floor(Math.max(0, tMs) / 1000)}`;
}

export function findingLink(id: number): string {
  return `rapport://finding/${id}`;
}

/**
 * Where a note plays in the recording being played: its session time less that recording's
 * start offset (the core's `play_ms` is for the main recording, the first of the list).
 */
export function notePlayMs(n: Note, recordings: RecordingView[], playing: number | null): number {
  const rec = recordings.find((r) => r.id === playing);
  return rec === undefined ? n.play_ms : Math.max(0, n.at_ms - rec.offset_ms);
}

/** Opens the place a link points at; rejects with the core's error when it points nowhere. */
export async function openLink(url: string): Promise<void> {
  const t = await commands.linkResolve(url);
  if (t.kind === "study") router.navigate("study", { id: t.id });
  else if (t.kind === "session") router.navigate("session", t.t_ms === null ? { id: t.id } : { id: t.id, t: t.t_ms });
  else {
    // A finding is shown on its study's page: go there and bring its card into view.
    router.navigate("study", { id: t.study_id, finding: t.id });
    const until = Date.now() + 5000;
    const reveal = () => {
      const card = document.getElementById(`finding-${t.id}`);
      if (card) card.scrollIntoView({ block: "center" });
      else if (Date.now() < until) setTimeout(reveal, 100);
    };
    reveal();
  }
}

/** Opens the link the app was started with (`rapport open URL`), if any. */
export async function openLaunchLink(): Promise<void> {
  const url = await commands.launchLink();
  if (url) await openLink(url);
}

/**
 * Opens each link a later launch of the app hands over (a rapport:// link clicked elsewhere, or
 * `rapport open URL`, while this window has the workspace open: the Rust side's `instance`
 * module emits "open-link"); `onerror` gets the core's error for a link that points nowhere.
 */
export function listenForLinks(onerror: (e: unknown) => void): Promise<() => void> {
  return listen<string>("open-link", (event) => {
    openLink(event.payload).catch(onerror);
  });
}

/** Copies text to the clipboard; false when the clipboard is not available. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
