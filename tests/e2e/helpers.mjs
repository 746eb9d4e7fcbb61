// Shared set-up of the end-to-end tests: starting the app in a WebDriver session on a
// workspace of its own, screenshots, lookups by text, calling commands and answering the file
// dialog. See app.test.mjs for the environment variables.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";

const WEBDRIVER_URL = process.env.E2E_WEBDRIVER_URL || "http://127.0.0.1:4444";
const OUT_DIR = resolve(process.env.E2E_OUT_DIR || "target/e2e");

/** The rapport CLI (RAPPORT_CLI, an absolute path; scripts/e2e sets it). */
export function cli() {
  const bin = process.env.RAPPORT_CLI;
  assert.ok(bin, "set RAPPORT_CLI to the absolute path of the built rapport CLI");
  assert.ok(isAbsolute(bin), `RAPPORT_CLI must be an absolute path, got ${bin}`);
  return bin;
}

/**
 * Starts the app (RAPPORT_APP) in a new WebDriver session on a workspace of its own, made in a
 * new temporary folder (under E2E_WORK_DIR when scripts/e2e sets it), and waits for its first screen. "demo": the app creates the workspace
 * and fills it with the demo study; "empty": `rapport init` makes an empty one first. The
 * session's `workspace` is the folder; `quit(s)` ends the session and removes it.
 */
export async function launch({ workspace = "demo" } = {}) {
  const app = process.env.RAPPORT_APP;
  assert.ok(app, "set RAPPORT_APP to the absolute path of the built app binary");
  assert.ok(isAbsolute(app), `RAPPORT_APP must be an absolute path, got ${app}`);
  assert.ok(workspace === "demo" || workspace === "empty", `launch: workspace is "demo" or "empty", got ${workspace}`);
  const root = await mkdtemp(join(process.env.E2E_WORK_DIR || tmpdir(), "rapport-e2e-ws-"));
  const dir = join(root, "workspace");
  if (workspace === "empty") execFileSync(cli(), ["--workspace", dir, "init"], { stdio: ["ignore", "ignore", "pipe"] });
  const s = await Session.create(WEBDRIVER_URL, {
    capabilities: { alwaysMatch: { "tauri:options": { application: app, args: ["--workspace", dir] } } },
  });
  s.workspace = dir;
  s.workspaceRoot = root;
  await waitFor("the app's navigation", () => s.find("[data-testid=nav-studies]"));
  return s;
}

/** Ends the app's session (if it started) and removes its workspace. */
export async function quit(s) {
  if (!s) return;
  try {
    await s.delete();
  } finally {
    if (s.workspaceRoot) await rm(s.workspaceRoot, { recursive: true, force: true });
  }
}

/**
 * Calls a command over IPC as the window would, with arguments as the command takes them
 * (camelCase). Resolves to { ok: true, value } or { ok: false, code, message }.
 */
export function invoke(s, command, args = {}) {
  return s.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
       (value) => done({ ok: true, value: value === undefined ? null : value }),
       (e) => done({ ok: false, code: e && typeof e === "object" ? e.code : null,
                     message: e && typeof e === "object" && e.message ? e.message : String(e) }));`,
    [command, args],
  );
}

/** A channel argument (`onEvent`) for a command that takes one, whose events are dropped. */
export function channelArg(s) {
  return s.execute("return '__CHANNEL__:' + window.__TAURI_INTERNALS__.transformCallback(() => {});");
}

/**
 * Answers the app's next file dialog (dialog_open or dialog_save) with `path` (absolute), or
 * with null as if it was cancelled. Only the e2e build has this seam.
 */
export async function answerNextDialog(s, path) {
  assert.ok(path === null || isAbsolute(path), `answerNextDialog takes an absolute path or null, got ${path}`);
  const r = await invoke(s, "e2e_dialog_answer", { path });
  assert.ok(r.ok, `e2e_dialog_answer failed (is this the e2e build?): ${r.code}: ${r.message}`);
}

/**
 * Saves a PNG of the window under E2E_OUT_DIR and returns its path. WebKitWebDriver's
 * screenshot waits for the page's next repaint; after media playback WebKitGTK can sit idle
 * without one (the request then hangs), so a 1-pixel, nearly transparent dot in the corner
 * flickers for a second to keep frames coming while the screenshot is taken.
 */
export async function screenshot(s, name) {
  await s.execute(`
    const dot = document.createElement("div");
    dot.style.cssText = "position:fixed;right:0;bottom:0;width:1px;height:1px;opacity:0.02;pointer-events:none;z-index:99999";
    document.body.appendChild(dot);
    const end = performance.now() + 1000;
    const tick = () => {
      dot.style.background = dot.style.background === "black" ? "white" : "black";
      if (performance.now() < end) requestAnimationFrame(tick); else dot.remove();
    };
    requestAnimationFrame(tick);
  `);
  await mkdir(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, name);
  await writeFile(file, await s.screenshot());
  return file;
}

/** The first element matching css whose text contains `text`, or null. */
export async function findWithText(s, css, text) {
  for (const el of await s.findAll(css)) {
    if ((await s.text(el)).includes(text)) return el;
  }
  return null;
}

/** Clicks a sidebar entry. */
export async function openNav(s, id) {
  const nav = await waitFor(`the ${id} navigation entry`, () => s.find(`[data-testid=nav-${id}]`));
  await s.click(nav);
}

/** The state of the page's <audio> or <video>: currentTime (s), paused, readyState, duration; null without one. */
export function mediaState(s) {
  return s.execute(
    `const m = document.querySelector("audio, video");
     return m ? { currentTime: m.currentTime, paused: m.paused, readyState: m.readyState, duration: m.duration,
                  error: m.error ? m.error.code : null, src: m.currentSrc } : null;`,
  );
}

/** Waits until the media element's state satisfies `ok`; on timeout says what the state was last. */
export async function waitForMedia(s, what, ok, timeout = 20_000) {
  let last = null;
  try {
    return await waitFor(
      what,
      async () => {
        last = await mediaState(s);
        return last && ok(last) ? last : null;
      },
      { timeout },
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}; the player was last ${JSON.stringify(last)}`);
  }
}

/**
 * Waits until no app process runs on `workspace` any more (its `--workspace DIR` in
 * /proc/PID/cmdline): a session ended with s.delete() may still be exiting, and the app keeps
 * one running window per workspace, so a new start on it would hand over to the old one.
 */
export async function waitForAppGone(workspace, timeout = 20_000) {
  const running = async () => {
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const args = await readFile(`/proc/${pid}/cmdline`, "utf8").then((t) => t.split("\0"), () => []);
      const i = args.indexOf("--workspace");
      if (i >= 0 && args[i + 1] === workspace && args[0].endsWith("rapport-desktop")) return true;
    }
    return false;
  };
  await waitFor(`the app on ${workspace} to exit`, async () => !(await running()), { timeout });
}
