// End-to-end test of the session page on the demo workspace: the player loads the recording,
// j/k move the current segment (and the playhead), space plays and pauses, e edits a segment
// in place, and renaming a speaker chip renames them everywhere in the transcript. Runs like
// app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Keys, waitFor } from "./webdriver.mjs";
import { findWithText, launch, mediaState, openNav, screenshot, waitForMedia, quit } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

async function currentSegmentText() {
  const el = await waitFor("a current segment", () => s.find("[data-testid=segment][data-current=true]"));
  return s.text(el);
}

async function speakersShown() {
  return s.execute("return [...document.querySelectorAll('[data-testid=segment-speaker]')].map((e) => e.textContent.trim());");
}

describe("The session page of Priya Raman's recorded interview", () => {
  before(async () => {
    s = await launch();
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session row", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    // WebKit's WebDriver cannot click a <tr>: click the row's button.
    const open = await s.findIn(row, "button");
    assert.ok(open, "a session row should hold a button that opens the session");
    await s.click(open);
    await waitFor("the session title", () => s.find("[data-testid=session-title]"));
  });

  after(async () => {
    await quit(s);
  });

  test("the player loads the recording's metadata and starts at the first segment", async () => {
    // (It streams from the shell's media URL, which answers Range requests.)
    const m = await waitForMedia(s, "the recording's metadata", (st) => st.readyState >= 1 && st.duration > 30);
    assert.ok(m.paused, "nothing plays before the user asks");
    assert.match(await currentSegmentText(), /Thanks for making time today/);
  });

  test("j and k move the current segment and the playhead", async () => {
    await s.pressKeys("j");
    await waitFor("segment 2 to be current", async () => /that's fine/.test(await currentSegmentText()));
    await s.pressKeys("j");
    await waitFor("segment 3 to be current", async () => /To start, could you tell me/.test(await currentSegmentText()));
    await s.pressKeys("k");
    await waitFor("segment 2 to be current again", async () => /that's fine/.test(await currentSegmentText()));
    const m = await mediaState(s);
    assert.ok(Math.abs(m.currentTime - 6.429) < 0.5, `the playhead should be at segment 2 (6.429 s), is at ${m.currentTime}`);
  });

  test("space plays and pauses", async () => {
    const start = await mediaState(s);
    assert.equal(start.paused, true);
    await s.pressKeys(Keys.SPACE);
    await waitForMedia(s, "the recording to play", (st) => !st.paused, 10_000);
    // Playing means time goes on (under Xvfb GStreamer plays into a silent fake sink; see scripts/e2e).
    await waitForMedia(s, "the playhead to move", (st) => st.currentTime > start.currentTime + 0.3, 10_000);
    await s.pressKeys(Keys.SPACE);
    await waitForMedia(s, "the recording to pause", (st) => st.paused, 10_000);

    // With the focus on the player's own button, space toggles once (not once more on keyup).
    await s.click(await s.find("[data-testid=player-toggle]"));
    await waitForMedia(s, "the recording to play again", (st) => !st.paused, 10_000);
    // Count the play requests from here on: a second toggle on keyup would make one.
    await s.execute(`window.__plays = 0; document.querySelector("audio, video").addEventListener("play", () => window.__plays++);`);
    await s.pressKeys(Keys.SPACE);
    await waitForMedia(s, "the recording to pause again", (st) => st.paused, 10_000);
    // Two painted frames after the keys were dispatched: every event they queued has run.
    await s.executeAsync(`const done = arguments[arguments.length - 1];
      requestAnimationFrame(() => requestAnimationFrame(() => done(null)));`);
    assert.equal(await s.execute("return window.__plays;"), 0, "one space is one toggle: nothing played it again");
    assert.equal((await mediaState(s)).paused, true, "one space is one toggle");
  });

  test("e edits the current segment in place: Esc cancels, Enter saves", async () => {
    const before = await currentSegmentText();
    await s.pressKeys("e");
    const editor = await waitFor("the segment editor", () => s.find("[data-testid=segment-editor]"));
    await s.type(editor, Keys.ESCAPE);
    await waitFor("the editor to close", async () => (await s.find("[data-testid=segment-editor]")) === null);
    assert.equal(await currentSegmentText(), before, "Esc changes nothing");

    await s.pressKeys("e");
    const again = await waitFor("the segment editor", () => s.find("[data-testid=segment-editor]"));
    await s.type(again, " Edited in the window.");
    await s.type(again, Keys.ENTER);
    await waitFor("the saved text in the transcript", async () =>
      /Edited in the window\./.test(await currentSegmentText()),
    );
  });

  test("renaming a speaker chip renames them everywhere in the transcript", async () => {
    const chip = await waitFor("Maya Lindqvist's speaker chip", () =>
      findWithText(s, "[data-testid=speaker-chip]", "Maya Lindqvist"),
    );
    const mayaSegments = (await speakersShown()).filter((n) => n === "Maya Lindqvist").length;
    assert.ok(mayaSegments > 3, "Maya speaks in several segments");
    await s.click(chip);
    const input = await waitFor("the rename box", () => s.find("[data-testid=speaker-name-input]"));
    await s.clear(input);
    await s.type(input, "Maya (UX research)");
    await s.click(await s.find("[data-testid=speaker-rename-save]"));
    await waitFor("every one of Maya's segments to show the new name", async () => {
      const names = await speakersShown();
      return !names.includes("Maya Lindqvist") && names.filter((n) => n === "Maya (UX research)").length === mayaSegments;
    });
    await waitFor("the chip to show the new name", () => findWithText(s, "[data-testid=speaker-chip]", "Maya (UX research)"));
    await screenshot(s, "session-player.png");
  });
});
