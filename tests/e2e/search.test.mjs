// End-to-end test of Search on the demo workspace: the syntax-teaching empty state, inline
// query errors, results as you type with marked snippets, and a click on a hit that opens the
// session at that second and plays it. Runs like app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Keys, waitFor } from "./webdriver.mjs";
import { findWithText, launch, openNav, screenshot, waitForMedia, quit } from "./helpers.mjs";

// Said by Priya Raman in session s1 at 00:00:29.413 (assets/demo/sessions/s1.vtt, sixth cue,
// inside the part of s1 that has a recording).
const PHRASE = '"old Jenkins pipeline"';
const PHRASE_AT_S = 29.413;

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

async function searchFor(query) {
  const input = await waitFor("the search box", () => s.find("[data-testid=search-input]"));
  await s.clear(input);
  await s.type(input, query);
  return input;
}

describe("Search on the demo workspace", () => {
  before(async () => {
    s = await launch();
  });

  after(async () => {
    await quit(s);
  });

  test("Ctrl+K focuses the search box in the sidebar from another screen", async () => {
    await openNav(s, "people");
    await s.pressChord(Keys.CONTROL, "k");
    await waitFor("the sidebar search box to have the focus", () =>
      s.execute("return document.activeElement?.dataset?.testid === 'sidebar-search';"),
    );
  });

  test("the empty Search view teaches the syntax, and an example runs when clicked", async () => {
    await openNav(s, "search");
    const examples = await waitFor("syntax examples", async () => {
      const found = await s.findAll("[data-testid=search-example]");
      return found.length >= 4 ? found : null;
    });
    await screenshot(s, "search-empty.png");
    await s.click(examples[0]);
    await waitFor("hits of the first example", async () => (await s.findAll("[data-testid=search-hit]")).length > 0);
  });

  test("a malformed query is explained under the box with its column, and nothing crashes", async () => {
    await searchFor("gates colour:red");
    const err = await waitFor("the query error under the box", () => s.find("[data-testid=query-error]"));
    const text = await s.text(err);
    assert.match(text, /column 7/i, `the error should name column 7, reads ${JSON.stringify(text)}`);
    assert.match(text, /unknown filter/);
    assert.equal((await s.findAll("[data-testid=error]")).length, 0, "a query error is not a failure banner");
  });

  test("a phrase said in session 1 is found with the speaker, a marked snippet and filter chips", async () => {
    await searchFor(PHRASE);
    const hit = await waitFor("a hit for the phrase", () => findWithText(s, "[data-testid=search-hit]", "Jenkins"));
    const text = await s.text(hit);
    assert.match(text, /Priya Raman/, `the hit should name the speaker, reads ${JSON.stringify(text)}`);
    assert.match(text, /00:29/, "the hit should show its time in the recording");
    const marked = await s.execute(
      "return [...document.querySelectorAll('[data-testid=hit-snippet] mark')].map((m) => m.textContent.toLowerCase());",
    );
    for (const word of ["old", "jenkins", "pipeline"]) {
      assert.ok(marked.includes(word), `"${word}" should be marked in the snippet, marks are ${JSON.stringify(marked)}`);
    }
    const chips = await s.findAll("[data-testid=filter-chip]");
    assert.ok(chips.length >= 3, "study, kind and speaker chips should be offered");
    await screenshot(s, "search.png");
  });

  test("a click on the hit opens Priya's session at that second and plays it", async () => {
    const hit = await waitFor("the hit", () => findWithText(s, "[data-testid=search-hit]", "Jenkins"));
    await s.click(hit);
    await waitFor("the session title to read Priya Raman", async () => {
      const title = await s.find("[data-testid=session-title]");
      return title !== null && (await s.text(title)).trim() === "Priya Raman";
    });
    const at = await waitForMedia(
      s,
      `the player at ${PHRASE_AT_S} s (±1 s)`,
      (m) => m.readyState >= 1 && Math.abs(m.currentTime - PHRASE_AT_S) <= 1,
    );
    assert.ok(Math.abs(at.currentTime - PHRASE_AT_S) <= 1, `currentTime is ${at.currentTime}`);
    await waitForMedia(s, "the recording to play", (m) => !m.paused, 10_000);
    const current = await waitFor("the segment playing to be marked", () => s.find("[data-testid=segment][data-current=true]"));
    assert.match(await s.text(current), /Jenkins pipeline/);
  });

  test("a saved search is kept with the study, listed on the study page, and runs when clicked", async () => {
    await openNav(s, "search");
    await searchFor(PHRASE);
    await waitFor("the hit", () => findWithText(s, "[data-testid=search-hit]", "Jenkins"));
    await s.click(await s.find("[data-testid=save-search]"));
    const name = await waitFor("the name box", () => s.find("[data-testid=save-name]"));
    await s.clear(name);
    await s.type(name, "Jenkins memories");
    await s.click(await s.find("[data-testid=save-confirm]"));
    await waitFor("the saved search on the Search page", () => findWithText(s, "[data-testid=saved-search]", "Jenkins memories"));

    await searchFor("rollback");
    await openNav(s, "studies");
    const card = await waitFor("the demo study card", () => findWithText(s, "[data-testid=study-card]", "New deploy system"));
    await s.click(card);
    const saved = await waitFor("the saved search on the study page", () =>
      findWithText(s, "[data-testid=saved-search]", "Jenkins memories"),
    );
    await s.click(saved);
    await waitFor("the saved query to run on the Search page", async () => {
      const input = await s.find("[data-testid=search-input]");
      return input !== null && (await s.execute("return document.querySelector('[data-testid=search-input]').value;")) === PHRASE;
    });
    await waitFor("its hit", () => findWithText(s, "[data-testid=search-hit]", "Jenkins"));
  });
});
