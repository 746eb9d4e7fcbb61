// Shared set-up of the end-to-end tests: starting the app in a WebDriver session, screenshots,
// and lookups by text. See app.test.mjs for the environment variables.
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";

const WEBDRIVER_URL = process.env.E2E_WEBDRIVER_URL || "http://127.0.0.1:4444";
const OUT_DIR = resolve(process.env.E2E_OUT_DIR || "target/e2e");

/** Starts the app (RAPPORT_APP) in a new WebDriver session and waits for its first screen. */
export async function launch() {
  const app = process.env.RAPPORT_APP;
  assert.ok(app, "set RAPPORT_APP to the absolute path of the built app binary");
  assert.ok(isAbsolute(app), `RAPPORT_APP must be an absolute path, got ${app}`);
  const s = await Session.create(WEBDRIVER_URL, {
    capabilities: { alwaysMatch: { "tauri:options": { application: app } } },
  });
  await waitFor("the app's navigation", () => s.find("[data-testid=nav-studies]"));
  return s;
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
