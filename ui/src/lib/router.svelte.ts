//! A tiny state router: the current view with its params, and a history stack for "Back".
//! Views are registered in src/views.ts; this module knows nothing about them.

export type Params = Readonly<Record<string, string | number>>;
export type Route = { readonly view: string; readonly params: Params };

export class Router {
  current: Route = $state({ view: "", params: {} });
  #history: Route[] = $state([]);
  #guard: (() => boolean) | null = null;
  /** A move held back by a page with unsaved work, waiting for proceed() or stay(). */
  pending: (() => void) | null = $state(null);

  constructor(initial: string) {
    this.current = { view: initial, params: {} };
  }

  get canGoBack(): boolean {
    return this.#history.length > 0;
  }

  /** Shows a view; the one shown before it is kept for back(). Showing the same route again does nothing. */
  navigate(view: string, params: Params = {}): void {
    if (sameRoute(this.current, { view, params })) return;
    this.#attempt(() => {
      this.#history.push(this.current);
      this.current = { view, params };
    });
  }

  /** Returns to the previous view; stays put when there is none. */
  back(): void {
    if (this.#history.length === 0) return;
    this.#attempt(() => {
      const prev = this.#history.pop();
      if (prev) this.current = prev;
    });
  }

  /**
   * A page with unsaved work sets a guard (and clears it with null when it goes): while the
   * guard says true, navigate() and back() wait in `pending` for the page to ask the user and
   * call proceed() (save or discard) or stay(). Leaving after a delete or a workspace switch
   * (leave(), reset()) is never held back.
   */
  setGuard(guard: (() => boolean) | null): void {
    this.#guard = guard;
    if (guard === null) this.pending = null;
  }

  /** Removes `guard` if it is still the one set (a page going away, after another came). */
  clearGuard(guard: () => boolean): void {
    if (this.#guard === guard) this.setGuard(null);
  }

  /** Carries out the move held back by the guard. */
  proceed(): void {
    const go = this.pending;
    this.pending = null;
    go?.();
  }

  /** Drops the move held back by the guard. */
  stay(): void {
    this.pending = null;
  }

  #attempt(go: () => void): void {
    if (this.#guard?.()) {
      this.pending = go;
    } else {
      this.pending = null;
      go();
    }
  }

  /**
   * Leaves pages that no longer exist (after a delete): drops the current route and every
   * route in the history for which `gone` holds, then shows `view` — by going back to it
   * when it is the page that was shown before, so Back does not lead to it twice.
   */
  leave(view: string, params: Params, gone: (route: Route) => boolean): void {
    this.pending = null;
    this.#history = this.#history.filter((r) => !gone(r));
    const target = { view, params };
    const prev = this.#history[this.#history.length - 1];
    if (prev && sameRoute(prev, target)) this.#history.pop();
    this.current = target;
  }

  /** Shows a view and forgets the history (after switching workspaces, ids no longer mean the same). */
  reset(view: string): void {
    this.pending = null;
    this.#history = [];
    this.current = { view, params: {} };
  }
}

function sameRoute(a: Route, b: Route): boolean {
  if (a.view !== b.view) return false;
  const ka = Object.keys(a.params);
  const kb = Object.keys(b.params);
  return ka.length === kb.length && ka.every((k) => a.params[k] === b.params[k]);
}

/** A numeric route param (ids); NaN when missing, so the view can say it is missing. */
export function numParam(params: Params, name: string): number {
  const v = params[name];
  return typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
}

/** The app's router. "studies" is the view the app opens on. */
export const router = new Router("studies");
