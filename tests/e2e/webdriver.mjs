// A tiny W3C WebDriver client for the end-to-end tests: just the endpoints they use.
// No dependencies: Node 20's fetch. Talks to tauri-driver (or any W3C WebDriver server).

/** The key under which W3C WebDriver returns an element reference. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** W3C WebDriver codes of special keys, for Session.type and Session.pressKeys. */
export const Keys = Object.freeze({ ENTER: "\uE007", ESCAPE: "\uE00C", SPACE: " ", CONTROL: "\uE009" });

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    const detail = value && typeof value === "object" ? `${value.error}: ${value.message}` : JSON.stringify(value);
    super(`WebDriver ${method} ${path} failed (HTTP ${status}): ${detail}`);
    this.name = "WebDriverError";
    this.status = status;
    /** The W3C error code ("no such element", "stale element reference", …), when the server gave one. */
    this.code = value && typeof value === "object" ? value.error : undefined;
  }
}

async function request(baseUrl, method, path, body) {
  let res;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
    throw new Error(`could not reach the WebDriver server at ${baseUrl} for ${method} ${path}${cause} (is tauri-driver running?)`);
  }
  const text = await res.text();
  let json;
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new WebDriverError(method, path, res.status, text.slice(0, 500));
  }
  if (!res.ok || (json.value && typeof json.value === "object" && typeof json.value.error === "string")) {
    throw new WebDriverError(method, path, res.status, json.value);
  }
  return json.value;
}

export class Session {
  /** @param {string} baseUrl @param {string} id */
  constructor(baseUrl, id) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.id = id;
  }

  /** Starts a session with the given W3C capabilities object ({capabilities: {alwaysMatch: …}}). */
  static async create(baseUrl, capabilities) {
    const base = baseUrl.replace(/\/+$/, "");
    const value = await request(base, "POST", "/session", capabilities);
    const id = value?.sessionId;
    if (typeof id !== "string") throw new Error(`WebDriver POST /session returned no sessionId: ${JSON.stringify(value)}`);
    return new Session(base, id);
  }

  #call(method, path, body) {
    return request(this.baseUrl, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await this.#call("DELETE", "");
  }

  async navigate(url) {
    await this.#call("POST", "/url", { url });
  }

  /** Sets the session's timeouts in ms ({script, pageLoad, implicit}). */
  async setTimeouts(timeouts) {
    await this.#call("POST", "/timeouts", timeouts);
  }

  async setWindowRect(rect) {
    return this.#call("POST", "/window/rect", rect);
  }

  /** The first element matching a CSS selector, or null when none does (no throwing for "not there yet"). */
  async find(css) {
    try {
      const value = await this.#call("POST", "/element", { using: "css selector", value: css });
      return value[ELEMENT];
    } catch (e) {
      if (e instanceof WebDriverError && e.code === "no such element") return null;
      throw e;
    }
  }

  /** The first element inside `elementId` matching a CSS selector, or null. */
  async findIn(elementId, css) {
    try {
      const value = await this.#call("POST", `/element/${elementId}/element`, { using: "css selector", value: css });
      return value[ELEMENT];
    } catch (e) {
      if (e instanceof WebDriverError && e.code === "no such element") return null;
      throw e;
    }
  }

  /** Every element matching a CSS selector (maybe none). */
  async findAll(css) {
    const value = await this.#call("POST", "/elements", { using: "css selector", value: css });
    return value.map((el) => el[ELEMENT]);
  }

  /** The rendered text of an element. */
  async text(elementId) {
    return this.#call("GET", `/element/${elementId}/text`);
  }

  async click(elementId) {
    await this.#call("POST", `/element/${elementId}/click`, {});
  }

  /** Types text into an element (W3C key codes for special keys: Keys.ENTER, Keys.ESCAPE). */
  async type(elementId, text) {
    await this.#call("POST", `/element/${elementId}/value`, { text });
  }

  /** Empties an input or textarea. */
  async clear(elementId) {
    await this.#call("POST", `/element/${elementId}/clear`, {});
  }

  /**
   * Presses and releases each key in turn, as the keyboard does, wherever the focus is
   * (for shortcuts handled by the page). `keys` is a string of characters or Keys values.
   */
  async pressKeys(keys) {
    const actions = [];
    for (const key of keys) actions.push({ type: "keyDown", value: key }, { type: "keyUp", value: key });
    await this.#call("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.#call("DELETE", "/actions");
  }

  /** Holds `modifier` (Keys.CONTROL) while pressing `key`: a shortcut like Ctrl+K. */
  async pressChord(modifier, key) {
    const actions = [
      { type: "keyDown", value: modifier },
      { type: "keyDown", value: key },
      { type: "keyUp", value: key },
      { type: "keyUp", value: modifier },
    ];
    await this.#call("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.#call("DELETE", "/actions");
  }

  /** A PNG of the current window. */
  async screenshot() {
    const b64 = await this.#call("GET", "/screenshot");
    return Buffer.from(b64, "base64");
  }

  /** Runs a script in the page and returns its result (reading state such as a player's currentTime). */
  async execute(script, args = []) {
    return this.#call("POST", "/execute/sync", { script, args });
  }

  /**
   * Runs an asynchronous script: it gets a callback as its last argument (`arguments[arguments.length - 1]`)
   * and the result is what it passes to it (a promise's outcome, such as an IPC call's).
   */
  async executeAsync(script, args = []) {
    return this.#call("POST", "/execute/async", { script, args });
  }
}

/**
 * Polls `probe` every `interval` ms until it returns something other than undefined, null
 * or false, and returns that. After `timeout` ms it throws, naming what was awaited and
 * the last thing the probe said or threw. Errors like "stale element" mid-render are retried.
 */
export async function waitFor(what, probe, { timeout = 20_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last = "nothing yet";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = `probe returned ${JSON.stringify(value)}`;
    } catch (e) {
      last = `probe threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${last})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
