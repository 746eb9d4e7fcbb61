// End-to-end test of transcription on the session page: with an installed model (tiny.en
// after scripts/fetch-model), a cancelled run leaves the transcript as it was; a full run
// shows its progress and the segments as they are heard, then replaces the transcript, and
// its words are found by Search. Runs like app.test.mjs (see there for the set-up); the model
// must be installed (scripts/test runs scripts/fetch-model first): without it the tests fail,
// they do not skip.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Keys, waitFor } from "./webdriver.mjs";
import { findWithText, launch, openNav, screenshot, quit } from "./helpers.mjs";

const MODEL = "tiny.en";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let haveModel = false;

const segmentCount = async () => (await s.findAll("[data-testid=segment]")).length;

async function startRun() {
  await s.execute(
    `const sel = document.querySelector("[data-testid=transcribe-model]");
     sel.value = ${JSON.stringify(MODEL)};
     sel.dispatchEvent(new Event("change", { bubbles: true }));`,
  );
  await s.click(await s.find("[data-testid=transcribe-start]"));
  // The session has a transcript: the panel asks before replacing it.
  await s.click(await waitFor("the confirmation", () => s.find("[data-testid=transcribe-confirm]")));
}

describe("Transcribing Priya Raman's recording in the window", () => {
  before(async () => {
    s = await launch();
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session row", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    await waitFor("the transcribe panel", () => s.find("[data-testid=transcribe-panel]"));
    haveModel = await waitFor("the installed models in the picker", () =>
      s.execute(
        `const sel = document.querySelector("[data-testid=transcribe-model]");
         if (sel) return [...sel.options].some((o) => o.value === ${JSON.stringify(MODEL)});
         return document.querySelector("[data-testid=transcribe-panel]").textContent.includes("install a whisper model") ? "none" : null;`,
      ),
    );
    haveModel = haveModel === true;
  });

  after(async () => {
    await quit(s);
  });

  test("a cancelled run leaves the transcript as it was", async () => {
    assert.ok(haveModel, `${MODEL} is not installed (run scripts/fetch-model)`);
    const before = await segmentCount();
    const firstText = await s.text((await s.findAll("[data-testid=segment-text]"))[0]);
    await startRun();
    const cancel = await waitFor("the Cancel button, enabled", async () => {
      const b = await s.find("[data-testid=transcribe-cancel]");
      return b && (await s.execute("return !document.querySelector('[data-testid=transcribe-cancel]').disabled;")) ? b : null;
    });
    await s.click(cancel);
    await waitFor("the run to say it was cancelled", () => s.find("[data-testid=transcribe-cancelled]"), { timeout: 60_000 });
    assert.equal(await segmentCount(), before, "the segments are the same");
    assert.equal(await s.text((await s.findAll("[data-testid=segment-text]"))[0]), firstText);
  });

  test("a full run shows progress and live segments, then the new transcript, which Search finds", async () => {
    assert.ok(haveModel, `${MODEL} is not installed (run scripts/fetch-model)`);
    const before = await segmentCount();
    await startRun();
    await waitFor("the progress bar", () => s.find("[data-testid=transcribe-progress]"));
    // Segments are listed as each chunk of the audio is done; a short recording may finish
    // right after, and then the list stays, folded, beside the "done" line.
    await waitFor("segments as they are heard", async () => (await s.findAll("[data-testid=transcribe-live] li")).length > 0, {
      timeout: 180_000,
    });
    await screenshot(s, "transcribe.png");
    await waitFor("the run to finish", () => s.find("[data-testid=transcribe-done]"), { timeout: 180_000 });
    await waitFor("the new transcript", async () => {
      const n = await segmentCount();
      return n > 0 && n !== before;
    });
    const first = await s.text((await s.findAll("[data-testid=segment-text]"))[0]);
    assert.match(first, /making time/i, `whisper should hear the first line, heard ${JSON.stringify(first)}`);

    await openNav(s, "search");
    const input = await waitFor("the search box", () => s.find("[data-testid=search-input]"));
    await s.clear(input);
    await s.type(input, '"making time" kind:segment');
    await s.type(input, Keys.ENTER);
    const hit = await waitFor("the transcribed words in the results", () =>
      findWithText(s, "[data-testid=search-hit]", "making time"),
    );
    assert.match(await s.text(hit), /Priya Raman/, "the hit is in Priya's session");
  });
});
