// End-to-end test of diarization on the session page, on the demo workspace: Priya Raman's
// session has a real recording (two espeak-ng voices, the interviewer's and Priya's) and a
// transcript. In the window: tell the speakers apart (the strip under the player shows both
// voices, the interviewer is labelled and Priya's voice is linked to her), move the rest of
// a segment from a word to another speaker, run again asking for three speakers, remember a
// voice and see its name suggested, and mark the recording as one person's track. Needs the
// Silero VAD model (scripts/fetch-model); runs like app.test.mjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "./webdriver.mjs";
import { findWithText, invoke, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let session = 0;

const segmentCount = async () => (await s.findAll("[data-testid=segment]")).length;

/** Sets a form control's value as a person would, firing the event Svelte listens to. */
async function setValue(css, value, event = "input") {
  const ok = await s.execute(
    `const el = document.querySelector(arguments[0]);
     if (!el) return false;
     el.value = arguments[1];
     el.dispatchEvent(new Event(arguments[2], { bubbles: true }));
     return true;`,
    [css, value, event],
  );
  assert.ok(ok, `${css} is on the page`);
}

/** Opens the panel's section whose summary reads `summaryText` (as a click on it does). */
async function openDetails(summaryText) {
  await waitFor(`the "${summaryText}" section`, () =>
    s.execute(
      `const sum = [...document.querySelectorAll("[data-testid=diarize-panel] summary")]
         .find((x) => x.textContent.includes(arguments[0]));
       if (!sum) return false;
       sum.parentElement.open = true;
       return true;`,
      [summaryText],
    ),
  );
}

async function speakerNames() {
  const chips = await s.findAll("[data-testid=speaker-chip]");
  const names = [];
  for (const c of chips) names.push((await s.text(c)).replace(/\s*\d+\s*$/, "").trim());
  return names;
}

async function runDiarize() {
  const before = await s.execute(`return document.querySelector("[data-testid=diarize-done]")?.textContent ?? "";`);
  await s.click(await waitFor("the diarize button", () => s.find("[data-testid=diarize-start]")));
  return waitFor(
    "the run to finish",
    async () => {
      const err = await s.find("[data-testid=diarize-error]");
      if (err) throw new Error(`diarization failed: ${await s.text(err)}`);
      const done = await s.find("[data-testid=diarize-done]");
      const text = done ? await s.text(done) : "";
      return text && text !== before ? text : null;
    },
    { timeout: 120_000 },
  );
}

describe("Telling the speakers of Priya Raman's interview apart in the window", () => {
  before(async () => {
    s = await launch();
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session row", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    await waitFor("the speakers panel", () => s.find("[data-testid=diarize-panel]"));
    const r = await invoke(s, "session_list", { studyId: null });
    session = r.value.find((x) => x.person_name === "Priya Raman").id;
  });

  after(async () => {
    await quit(s);
  });

  test("a run finds two voices, labels the interviewer, links Priya and colours the strip", async () => {
    const text = await runDiarize();
    assert.match(text, /Interviewer asks the questions/, text);
    await waitFor("the new speaker chips", async () => {
      const n = await speakerNames();
      return n.includes("Interviewer") && n.includes("Priya Raman") ? n : null;
    });
    // The recording is the first 36 s of the transcript: the speakers heard in it get a role;
    // the segments after its end keep the speakers the transcript gave them.
    const speakers = (await invoke(s, "diarized_speakers", { sessionId: session })).value;
    const heard = speakers.filter((x) => x.role !== null);
    assert.deepEqual(heard.map((x) => x.name).sort(), ["Interviewer", "Priya Raman"], JSON.stringify(speakers));
    assert.equal(heard.find((x) => x.name === "Priya Raman").role, "participant");
    assert.equal(heard.find((x) => x.name === "Interviewer").role, "interviewer");
    assert.equal((await s.findAll("[data-testid=speaker-role]")).length, 2);
    const segs = (await invoke(s, "transcript_segments", { sessionId: session })).value;
    const early = segs.filter((g) => g.end_ms <= 36_000);
    assert.ok(early.every((g) => g.speaker === "Interviewer" || g.speaker === "Priya Raman"), JSON.stringify(early));
    // The strip under the player shows both voices, in the transcript's colours.
    const who = await waitFor("the speaker strip", async () => {
      const list = await s.execute(
        `return [...document.querySelectorAll("[data-testid=timeline-block]")].map((b) => b.dataset.speaker);`,
      );
      const set = new Set(list);
      return set.size >= 2 ? set : null;
    });
    assert.ok(who.has("Interviewer") && who.has("Priya Raman"), [...who].join(", "));
    await screenshot(s, "diarize.png");
  });

  test("the rest of a segment from a word moves to another speaker", async () => {
    const before = await segmentCount();
    const segs = (await invoke(s, "transcript_segments", { sessionId: session })).value;
    const first = segs.find((g) => g.speaker === "Interviewer" && g.text.split(/\s+/).length >= 4);
    assert.ok(first, "the interviewer has a segment of four words or more");
    await openDetails("Move a segment");
    await setValue("[data-testid=move-segment]", String(first.id), "change");
    await waitFor("the words of that segment", async () => (await s.findAll("[data-testid=move-from-word] option")).length > 3);
    await setValue("[data-testid=move-from-word]", "2", "change");
    await setValue("[data-testid=move-to]", "Priya Raman");
    await s.click(await s.find("[data-testid=move-submit]"));
    await waitFor("one segment more", async () => (await segmentCount()) === before + 1);
    const after = (await invoke(s, "transcript_segments", { sessionId: session })).value;
    const head = after.find((g) => g.id === first.id);
    const rest = after.find((g) => g.start_ms >= head.end_ms && g.id !== first.id && g.speaker === "Priya Raman");
    assert.equal(head.speaker, "Interviewer", "the first two words stay");
    assert.equal(head.text.split(/\s+/).length, 2);
    assert.ok(rest && first.text.endsWith(rest.text), `the rest moved: ${JSON.stringify(rest)}`);
  });

  test("running again with three speakers asked for merges or flags the extra one", async () => {
    await setValue("[data-testid=diarize-count]", "3");
    const text = await runDiarize();
    assert.match(text, /asked for 3/, text);
    const speakers = (await invoke(s, "diarized_speakers", { sessionId: session })).value;
    const clear = speakers.filter((x) => x.role !== null && !x.flagged);
    assert.ok(clear.length <= 2, `no more than the two voices heard unflagged: ${JSON.stringify(speakers)}`);
    assert.ok(speakers.some((x) => x.name === "Interviewer"));
  });

  test("a remembered voice is suggested for the speaker with that voice", async () => {
    const speakers = (await invoke(s, "diarized_speakers", { sessionId: session })).value;
    const iv = speakers.find((x) => x.name === "Interviewer");
    await openDetails("Remember a voice");
    await setValue("[data-testid=remember-speaker]", String(iv.id), "change");
    await s.click(await s.find("[data-testid=remember-submit]"));
    const list = await waitFor("the voice in the list", async () => {
      const r = await invoke(s, "voice_list", {});
      return r.ok && r.value.length > 0 ? r.value : null;
    });
    assert.equal(list[0].name, "Interviewer");
    const suggestion = await waitFor("the suggestion", () => findWithText(s, "[data-testid=voice-suggestion]", "Interviewer"));
    assert.match(await s.text(suggestion), /sounds like Interviewer/);
  });

  test("a remembered voice is listed and can be forgotten, after a confirm", async () => {
    const row = await waitFor("the voice listed", () => findWithText(s, "[data-testid=voice-row]", "Interviewer"));
    assert.match(await s.text(row), /1 session/);
    await s.click(await s.find("[data-testid=voice-forget]"));
    // Nothing goes before the confirm.
    assert.equal((await invoke(s, "voice_list", {})).value.length, 1);
    await s.click(await s.find("[data-testid=voice-forget-yes]"));
    await waitFor("the voice gone", async () => (await invoke(s, "voice_list", {})).value.length === 0);
    await waitFor("the list and the suggestion gone", async () =>
      (await s.find("[data-testid=voice-row]")) === null && (await s.find("[data-testid=voice-suggestion]")) === null,
    );
  });

  test("the recording can be marked as one person's track with an offset, and back", async () => {
    await openDetails("Tracks");
    await setValue("[data-testid=track-name]", "Priya");
    await setValue("[data-testid=track-offset]", "250");
    await s.click(await s.find("[data-testid=track-save]"));
    const rec = await waitFor("the track stored", async () => {
      const d = await invoke(s, "session_detail", { id: session });
      const r = d.value.recordings[0];
      return r.track === "Priya" ? r : null;
    });
    assert.equal(rec.offset_ms, 250);
    await setValue("[data-testid=track-name]", "");
    await setValue("[data-testid=track-offset]", "0");
    await s.click(await s.find("[data-testid=track-save]"));
    await waitFor("the track cleared", async () => {
      const d = await invoke(s, "session_detail", { id: session });
      return d.value.recordings[0].track === null;
    });
  });

  test("a speaker merged into another from its chip hands over all its segments", async () => {
    const before = (await invoke(s, "diarized_speakers", { sessionId: session })).value;
    assert.ok(before.length >= 2, JSON.stringify(before));
    const into = before.find((x) => x.name === "Interviewer");
    const from = before.find((x) => x.id !== into.id);
    const chip = await waitFor(`${from.name}'s chip`, () => findWithText(s, "[data-testid=speaker-chip]", from.name));
    await s.click(chip);
    await waitFor("the speaker's panel", () => s.find("[data-testid=speaker-panel]"));
    await setValue("[data-testid=speaker-merge-into]", String(into.id), "change");
    await s.click(await waitFor("an enabled Merge", () =>
      s.execute(`const b = document.querySelector("[data-testid=speaker-merge]"); return b && !b.disabled;`).then((ok) => (ok ? s.find("[data-testid=speaker-merge]") : null)),
    ));
    const after = await waitFor("the merge done", async () => {
      const v = (await invoke(s, "diarized_speakers", { sessionId: session })).value;
      return v.length === before.length - 1 ? v : null;
    });
    assert.equal(after.find((x) => x.id === from.id), undefined, "the merged speaker is gone");
    assert.equal(after.find((x) => x.id === into.id).segments, into.segments + from.segments);
    let names = [];
    await waitFor("the chips follow", async () => {
      names = await speakerNames();
      return names.length === after.length;
    }).catch((e) => assert.fail(`${e.message}: chips ${JSON.stringify(names)}, speakers ${JSON.stringify(after)}, merged ${JSON.stringify(from)}`));
  });
});
