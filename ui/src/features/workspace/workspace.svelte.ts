//! The open workspace: its info (path, counts, whether the demo was just made), switching to
//! another folder, and a generation number that the app uses to reload every view after a switch.
import { commands, type WorkspaceInfo } from "../../lib/bindings.gen";
import { firstPaint, markStartup, toUiError, type UiError } from "../../lib/api";
import { takeBoot } from "../../lib/boot";
import { router } from "../../lib/router.svelte";

class Workspace {
  info: WorkspaceInfo | null = $state(null);
  /** Why the workspace could not be read (the app shows this instead of the views). */
  loadError: UiError | null = $state(null);
  /** Why the last switch failed (shown above the current view). */
  actionError: UiError | null = $state(null);
  loading = $state(false);
  switching = $state(false);
  bannerDismissed = $state(false);
  /** Goes up on every switch; views are keyed on it so they load again. */
  generation = $state(0);

  get showDemoBanner(): boolean {
    return this.info?.demo_created === true && !this.bannerDismissed;
  }

  #started: Promise<void> | null = null;

  /** The first load: started once (main.ts starts it before the app mounts), awaited by anyone. */
  start(): Promise<void> {
    this.#started ??= this.load();
    return this.#started;
  }

  async load(): Promise<void> {
    // At launch the shell has put the answer on the page: paint from it, ask again once painted.
    const boot = takeBoot("info");
    if (boot) {
      this.info = boot;
      markStartup("workspace_info");
      void firstPaint.then(() => this.refresh());
      return;
    }
    this.loading = true;
    this.loadError = null;
    try {
      this.info = await commands.workspaceInfo();
      markStartup("workspace_info");
    } catch (e) {
      this.loadError = toUiError(e);
    } finally {
      this.loading = false;
    }
  }

  /** Asks for the info again (after painting from the launch's snapshot); on an error the
   *  snapshot stays, and the next command shows what is wrong. */
  async refresh(): Promise<void> {
    const generation = this.generation;
    try {
      const info = await commands.workspaceInfo();
      if (generation === this.generation && !this.switching) this.info = info;
    } catch {
      // Kept: what the launch read.
    }
  }

  /** Picks a folder and makes a new, empty workspace there. */
  startEmpty(): Promise<void> {
    return this.#switch(commands.workspaceCreateEmpty);
  }

  /** Picks a folder and opens the workspace in it. */
  openOther(): Promise<void> {
    return this.#switch(commands.workspaceOpen);
  }

  /** Opens the workspace in a folder the shell's folder picker returned before (a restore's). */
  openPath(path: string): Promise<void> {
    return this.#switchTo(commands.workspaceOpen, path);
  }

  /** The folder comes from the shell's own picker: it takes only paths its dialogs returned. */
  async #switch(command: (path: string) => Promise<WorkspaceInfo>): Promise<void> {
    if (this.switching) return;
    this.actionError = null;
    let picked: string | null;
    try {
      picked = await commands.dialogOpen("workspace_folder");
    } catch (e) {
      this.actionError = toUiError(e);
      return;
    }
    if (picked === null) return; // the user cancelled the picker
    await this.#switchTo(command, picked);
  }

  async #switchTo(command: (path: string) => Promise<WorkspaceInfo>, picked: string): Promise<void> {
    if (this.switching) return;
    this.actionError = null;
    this.switching = true;
    try {
      this.info = await command(picked);
      this.loadError = null;
      this.bannerDismissed = false;
      router.reset("studies");
      this.generation += 1;
    } catch (e) {
      this.actionError = toUiError(e);
    } finally {
      this.switching = false;
    }
  }
}

export const workspace = new Workspace();
