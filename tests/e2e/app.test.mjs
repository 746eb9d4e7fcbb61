// End-to-end test of the Rapport desktop app on its first launch (the demo workspace).
//
// Runs with Node 20's built-in test runner and no dependencies, against tauri-driver:
//   tauri-driver &                      # listens on 127.0.0.1:4444, starts WebKitWebDriver
//   RAPPORT_APP=/abs/path/to/rapport-app node --test tests/e2e/
// Env: RAPPORT_APP (required, absolute path of the built app binary), RAPPORT_CLI (absolute
// path of the rapport CLI, to make empty workspaces), E2E_WEBDRIVER_URL (default
// http://127.0.0.1:4444), E2E_OUT_DIR (screenshots, default target/e2e).
// Each test file starts the app on a workspace of its own in a new temporary folder
// (helpers.mjs launch(): `--workspace DIR`); here a missing one, which the app creates and
// fills with the demo study.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { launch, quit } from "./helpers.mjs";

const OUT_DIR = resolve(process.env.E2E_OUT_DIR || "target/e2e");
const DEMO_STUDY = "New deploy system";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

async function screenshot(name) {
  await mkdir(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, name);
  await writeFile(file, await s.screenshot());
  return file;
}

/** The first element matching css whose text contains `text`, or null. */
async function findWithText(css, text) {
  for (const el of await s.findAll(css)) {
    if ((await s.text(el)).includes(text)) return el;
  }
  return null;
}

/** The first whole number in an element's text ("3\nSessions" → 3, "1,840" → 1840). */
async function numberIn(css) {
  const el = await waitFor(`${css} to be shown`, () => s.find(css));
  const text = await s.text(el);
  const m = /-?\d[\d,]*/.exec(text);
  assert.ok(m, `${css} should show a number, but reads ${JSON.stringify(text)}`);
  return Number(m[0].replaceAll(",", ""));
}

describe("Rapport on first launch, with the demo workspace", () => {
  before(async () => {
    s = await launch({ workspace: "demo" });
  });

  after(async () => {
    await quit(s);
  });

  test("the study list shows the demo study 'New deploy system'", async () => {
    await waitFor(`a study card containing "${DEMO_STUDY}"`, () => findWithText("[data-testid=study-card]", DEMO_STUDY));
  });

  test("the banner says Rapport created the workspace and filled it with the demo", async () => {
    const banner = await waitFor("the demo banner", () => s.find("[data-testid=demo-banner]"));
    const text = await s.text(banner);
    assert.match(text, /created a new workspace at .+ and filled it with the demo study/);
    assert.match(text, /Start an empty workspace/);
    assert.match(text, /Open another folder/);
    const errors = await s.findAll("[data-testid=error]");
    assert.equal(errors.length, 0, "no error should be shown on first launch");
  });

  test("clicking the demo study opens its overview with 3 sessions, 3 findings and the guide's questions", async () => {
    const card = await waitFor(`the "${DEMO_STUDY}" study card`, () =>
      findWithText("[data-testid=study-card]", DEMO_STUDY),
    );
    await s.click(card);
    await waitFor(`the study title to read "${DEMO_STUDY}"`, async () => {
      const title = await s.find("[data-testid=study-title]");
      return title !== null && (await s.text(title)).trim() === DEMO_STUDY;
    });

    assert.equal(await numberIn("[data-testid=stat-sessions]"), 3, "the demo study has 3 sessions");
    assert.equal(await numberIn("[data-testid=stat-findings]"), 3, "the demo study has 3 findings");
    const questions = await s.findAll("[data-testid=guide-question]");
    assert.ok(questions.length >= 10, `the demo guide should show at least 10 questions, shows ${questions.length}`);
    await screenshot("study-overview.png");
  });

  test("a session opened from the Sessions list shows its transcript", async () => {
    const nav = await waitFor("the Sessions navigation entry", () => s.find("[data-testid=nav-sessions]"));
    await s.click(nav);
    const row = await waitFor("a row in the sessions table", () => s.find("[data-testid=session-row]"));
    // WebKit's WebDriver calls a <tr> "not interactable" (its hit test skips table rows), so
    // click the row's own button, the one a keyboard user would press.
    const open = await s.findIn(row, "button");
    assert.ok(open, "a session row should hold a button that opens the session");
    await s.click(open);
    const segments = await waitFor("transcript segments on the session page", async () => {
      const found = await s.findAll("[data-testid=segment]");
      return found.length > 0 ? found : null;
    });
    assert.ok((await s.text(segments[0])).trim().length > 0, "the first transcript segment should have text");
    await screenshot("session.png");
  });
});
