//! The search shared by the sidebar box and the Search page: the query, its results as you
//! type (debounced, answers to older queries dropped), the sort, and a focus request for Ctrl+K.
import { commands, type SearchResults, type SortBy } from "../../lib/bindings.gen";
import { toUiError, type UiError } from "../../lib/api";
import { queryError } from "./query";

/** How long typing must pause before a search runs. */
export const DEBOUNCE_MS = 150;
/** How many hits a page shows. */
export const PAGE = 50;

class Search {
  query = $state("");
  sort: SortBy = $state("relevance");
  results: SearchResults | null = $state(null);
  /** A malformed query: the column (when the core named one) and what is wrong. Shown under the box. */
  syntaxError: { column: number | null; text: string } | null = $state(null);
  /** Any other failure. */
  error: UiError | null = $state(null);
  loading = $state(false);
  /** The query the results belong to. */
  shownQuery = $state("");
  /** Goes up when something (Ctrl+K) asks the visible search box to take the focus. */
  focusRequests = $state(0);

  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** The query changed by typing: search after a short pause. */
  type(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.run(), DEBOUNCE_MS);
  }

  /** Runs a query at once (an example, a saved search, a chip). */
  set(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    void this.run();
  }

  setSort(sort: SortBy): void {
    this.sort = sort;
    clearTimeout(this.#timer);
    void this.run();
  }

  /** Forgets everything (after a workspace switch). */
  reset(): void {
    clearTimeout(this.#timer);
    this.#seq += 1;
    this.query = "";
    this.results = null;
    this.syntaxError = null;
    this.error = null;
    this.loading = false;
    this.shownQuery = "";
  }

  requestFocus(): void {
    this.focusRequests += 1;
  }

  async run(): Promise<void> {
    const seq = ++this.#seq;
    const query = this.query.trim();
    if (query === "") {
      this.results = null;
      this.syntaxError = null;
      this.error = null;
      this.loading = false;
      this.shownQuery = "";
      return;
    }
    this.loading = true;
    try {
      const results = await commands.search(query, { limit: PAGE, offset: 0, sort: this.sort, counts: true });
      if (seq !== this.#seq) return; // a newer query was typed meanwhile
      this.results = results;
      this.shownQuery = query;
      this.syntaxError = null;
      this.error = null;
    } catch (e) {
      if (seq !== this.#seq) return;
      const err = toUiError(e);
      if (err.code === "query_syntax") {
        // Keep the last results on screen while the user finishes typing the query.
        this.syntaxError = queryError(err);
        this.error = null;
      } else {
        this.error = err;
        this.syntaxError = null;
      }
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}

export const search = new Search();
