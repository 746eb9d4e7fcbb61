//! The first screen's data, put on the page by the shell before any script runs
//! (`src-tauri/src/boot.rs`): the answers of `workspace_info` and `study_list` at launch. Each
//! part is taken once; whoever takes it asks the command again after the first paint, so a
//! later load of the page never keeps a stale snapshot.
import type { StudySummary, WorkspaceInfo } from "./bindings.gen";

export type Boot = { info: WorkspaceInfo; studies: StudySummary[] };

declare global {
  interface Window {
    __RAPPORT_BOOT__?: Partial<Boot>;
  }
}

/** The launch's answer for `key`, once (later calls, and pages without one, get `undefined`). */
export function takeBoot<K extends keyof Boot>(key: K): Boot[K] | undefined {
  const boot = typeof window === "undefined" ? undefined : window.__RAPPORT_BOOT__;
  if (!boot) return undefined;
  const value = boot[key] as Boot[K] | undefined;
  delete boot[key];
  return value;
}
