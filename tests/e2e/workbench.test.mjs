// End-to-end test of the window as a workbench, from an empty workspace: create a study and
// a session for a new person, add a recording and import a VTT transcript (through the dialog
// seam of the e2e build), play from a segment, export SRT, then delete the session and see it,
// its transcript and its search hits gone; rename, archive, unarchive and delete the study; and
// `rapport verify` passes. Also: every command that takes a path refuses one that no dialog
// returned. Runs like app.test.mjs (see there for the set-up); needs RAPPORT_CLI and espeak-ng
// (scripts/e2e provides both).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keys, waitFor } from "./webdriver.mjs";
import {
  answerNextDialog,
  channelArg,
  cli,
  findWithText,
  invoke,
  launch,
  openNav,
  quit,
  screenshot,
  waitForMedia,
} from "./helpers.mjs";

const STUDY = "Workbench study";
const PERSON = "Sam Tester";
const EMAIL = "sam.tester@example.com";
// The cues of the transcript: two speakers, named with <v> tags. "marmalade" is said nowhere else.
const CUES = [
  { start: "00:00:00.500", end: "00:00:02.000", speaker: "Alex Moderator", text: "Welcome to the workbench interview." },
  { start: "00:00:02.500", end: "00:00:04.000", speaker: PERSON, text: "Deploys with marmalade pipelines take too long." },
  { start: "00:00:04.500", end: "00:00:06.000", speaker: "Alex Moderator", text: "What slows them down the most?" },
  { start: "00:00:06.500", end: "00:00:08.500", speaker: PERSON, text: "The flaky canary checks, mostly." },
];
const WORD = "marmalade";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
/** The fixtures' folder (outside the workspace). */
let fx = "";
const fixture = (name) => join(fx, name);

function vtt() {
  return `WEBVTT\n\n${CUES.map((c) => `${c.start} --> ${c.end}\n<v ${c.speaker}>${c.text}`).join("\n\n")}\n`;
}

async function el(css, what = css) {
  return waitFor(what, () => s.find(css));
}

async function click(css, what = css) {
  await s.click(await el(css, what));
}

async function typeInto(css, text) {
  const input = await el(css);
  await s.clear(input);
  await s.type(input, text);
}

/** The first whole number in an element's text. */
async function numberIn(css) {
  const text = await s.text(await el(css));
  const m = /-?\d[\d,]*/.exec(text);
  assert.ok(m, `${css} should show a number, but reads ${JSON.stringify(text)}`);
  return Number(m[0].replaceAll(",", ""));
}

const segmentCount = async () => (await s.findAll("[data-testid=segment]")).length;

async function searchFor(query) {
  await openNav(s, "search");
  await typeInto("[data-testid=search-input]", query);
  await s.type(await el("[data-testid=search-input]"), Keys.ENTER);
}

async function sessionId() {
  const r = await invoke(s, "session_list", { studyId: null });
  assert.ok(r.ok, `session_list failed: ${r.message}`);
  const found = r.value.find((x) => x.person_name === PERSON);
  assert.ok(found, `a session of ${PERSON} should exist, the sessions are ${JSON.stringify(r.value)}`);
  return found.id;
}

describe("The window as a workbench, from an empty workspace", () => {
  before(async () => {
    fx = await mkdtemp(join(tmpdir(), "rapport-e2e-fixtures-"));
    await writeFile(fixture("interview.vtt"), vtt());
    await writeFile(fixture("unpicked.vtt"), vtt());
    await writeFile(fixture("unpicked.bin"), Buffer.alloc(1024));
    const speech =
      "Thanks for joining. We are testing the workbench today. Deploys with marmalade pipelines take far too long " +
      "on Fridays, and the flaky canary checks slow everything down.";
    for (const name of ["voice.wav", "unpicked.wav"]) {
      execFileSync("espeak-ng", ["-w", fixture(name), speech], { stdio: ["ignore", "ignore", "pipe"] });
    }
    s = await launch({ workspace: "empty" });
  });

  after(async () => {
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("the empty study list leads to New study, which creates one and opens it", async () => {
    await click("[data-testid=study-new-empty]", "the empty state's New study button");
    await typeInto("[data-testid=study-form-name]", STUDY);
    await typeInto("[data-testid=study-form-goal]", "Find out why deploys are slow.");
    await click("[data-testid=study-form-save]");
    await waitFor(`the study page of "${STUDY}"`, async () => {
      const t = await s.find("[data-testid=study-title]");
      return t !== null && (await s.text(t)).trim() === STUDY;
    });
    assert.equal(await s.find("[data-testid=study-form]"), null, "the form has closed");
    assert.equal(await numberIn("[data-testid=stat-sessions]"), 0);
  });

  test("New session for someone new opens the new session's page", async () => {
    await click("[data-testid=session-new]");
    // The directory is empty: the form asks for a new person's name and email.
    await typeInto("[data-testid=session-form-name]", PERSON);
    await typeInto("[data-testid=session-form-email]", EMAIL);
    await click("[data-testid=session-form-save]");
    await waitFor(`the session page of ${PERSON}`, async () => {
      const t = await s.find("[data-testid=session-title]");
      return t !== null && (await s.text(t)).includes(PERSON);
    });
    assert.equal(await s.find("[data-testid=player-media]"), null, "no recording yet");
  });

  test("Add recording takes the file the dialog returns, shows it added, and the player loads it", async () => {
    // A cancelled dialog does nothing.
    await answerNextDialog(s, null);
    await click("[data-testid=recording-add]");
    await answerNextDialog(s, fixture("voice.wav"));
    await click("[data-testid=recording-add]");
    await waitFor("the recording to be added", () => s.find("[data-testid=recording-added]"), { timeout: 60_000 });
    // (textContent: WebKit's WebDriver leaves a text-overflow: ellipsis line out of an element's text.)
    await waitFor("voice.wav in the recordings", () =>
      s.execute(
        "return [...document.querySelectorAll('[data-testid=recording-row]')].some((r) => r.textContent.includes('voice.wav'));",
      ),
    );
    await waitForMedia(s, "the recording's metadata", (m) => m.readyState >= 1 && m.duration > 6);
  });

  test("a file that is not a recording gets the CLI's clear message and nothing is stored", async () => {
    await writeFile(fixture("notes.wav"), "these are my notes, not audio\n");
    const rows = () => s.execute("return document.querySelectorAll('[data-testid=recording-row]').length;");
    const before = await rows();
    await answerNextDialog(s, fixture("notes.wav"));
    await click("[data-testid=recording-add]");
    const error = await waitFor("the error", () => s.find("[data-testid=recording-error]"), { timeout: 30_000 });
    const text = await s.execute("return arguments[0].textContent;", [{ "element-6066-11e4-a52e-4f735466cecf": error }]);
    assert.match(text, /notes\.wav: not a recording/, `the message names the file as the CLI does: ${text}`);
    assert.equal(await rows(), before, "nothing was added");
    const run = spawnSync(cli(), ["--workspace", s.workspace, "recording", "add", fixture("notes.wav"), "--session", String(await sessionId())], {
      encoding: "utf8",
    });
    assert.notEqual(run.status, 0, "the CLI refuses it too");
    assert.match(run.stderr, /notes\.wav: not a recording/, `the CLI says the same: ${run.stderr}`);
  });

  test("Import transcript previews the VTT file before storing it, then imports it", async () => {
    await answerNextDialog(s, fixture("interview.vtt"));
    await click("[data-testid=transcript-import]");
    const preview = await el("[data-testid=import-preview]", "the import preview");
    await waitFor("the preview's cues", async () => (await s.findAll("[data-testid=import-preview-cue]")).length === CUES.length);
    assert.match(await s.text(await el("[data-testid=import-preview-format]")), /WebVTT/);
    assert.equal((await s.text(await el("[data-testid=import-preview-count]"))).trim(), String(CUES.length));
    assert.match(await s.text(await el("[data-testid=import-preview-duration]")), /00:0[78]/, "the cues end at 8.5 s");
    const speakers = await s.text(await el("[data-testid=import-preview-speakers]"));
    assert.match(speakers, /Alex Moderator/);
    assert.match(speakers, new RegExp(PERSON));
    const first = (await s.findAll("[data-testid=import-preview-cue]"))[0];
    assert.match(await s.text(first), /00:00[\s\S]*Alex Moderator[\s\S]*Welcome to the workbench interview\./);
    assert.equal(await s.find("[data-testid=import-replaces]"), null, "there is no transcript to replace");
    assert.equal(await segmentCount(), 0, "nothing is stored before Import");
    assert.ok(preview);
    await screenshot(s, "workbench-import-preview.png");
    await click("[data-testid=import-confirm]");
    await waitFor("the imported segments", async () => (await segmentCount()) === CUES.length);
    assert.equal(await s.find("[data-testid=import-preview]"), null, "the preview has closed");
  });

  test("every command that takes a path refuses one that no dialog returned", async () => {
    const id = await sessionId();
    const calls = [
      ["workspace_open", { path: "/etc" }],
      ["workspace_open", { path: fx }],
      ["workspace_create_empty", { path: fixture("new-workspace") }],
      ["model_import", { path: fixture("unpicked.bin") }],
      ["recording_add_start", { sessionId: id, path: fixture("unpicked.wav"), onEvent: await channelArg(s) }],
      ["transcript_preview", { path: fixture("unpicked.vtt") }],
      ["transcript_import", { sessionId: id, path: fixture("unpicked.vtt") }],
      ["transcript_export", { sessionId: id, format: "srt", path: fixture("unpicked-export.srt") }],
      ["backup_start", { path: fixture("unpicked-backup.zip"), onEvent: await channelArg(s) }],
      ["restore_start", { archive: fixture("unpicked-backup.zip"), to: fixture("unpicked-restore"), onEvent: await channelArg(s) }],
    ];
    for (const [command, args] of calls) {
      const r = await invoke(s, command, args);
      assert.equal(r.ok, false, `${command}(${JSON.stringify(args)}) should be refused, it returned ${JSON.stringify(r.value)}`);
      assert.equal(r.code, "path_not_allowed", `${command} should refuse with path_not_allowed, got ${r.code}: ${r.message}`);
    }
    assert.equal(existsSync(fixture("new-workspace")), false, "no workspace was made");
    assert.equal(existsSync(fixture("unpicked-export.srt")), false, "nothing was exported");
    assert.equal(existsSync(fixture("unpicked-backup.zip")), false, "no backup was written");
    assert.equal(existsSync(fixture("unpicked-restore")), false, "nothing was restored");
    const detail = await invoke(s, "session_detail", { id });
    assert.ok(detail.ok, detail.message);
    assert.equal(detail.value.recordings.length, 1, "no recording was added");
    assert.equal(await segmentCount(), CUES.length, "the transcript is as it was");
  });

  test("clicking a segment's time moves the playhead there, and it plays from there", async () => {
    const times = await waitFor("the segments' times", async () => {
      const found = await s.findAll("[data-testid=segment-seek]");
      return found.length === CUES.length ? found : null;
    });
    await s.click(times[2]);
    await waitForMedia(s, "the playhead at the third segment (4.5 s)", (m) => Math.abs(m.currentTime - 4.5) < 0.3);
    await waitFor("the third segment to be current", async () => {
      const cur = await s.find("[data-testid=segment][data-current=true]");
      return cur !== null && /What slows them down/.test(await s.text(cur));
    });
    await click("[data-testid=player-toggle]");
    await waitForMedia(s, "the recording to play from there", (m) => !m.paused && m.currentTime > 4.7, 10_000);
    await click("[data-testid=player-toggle]");
    await waitForMedia(s, "the recording to pause", (m) => m.paused, 10_000);
    await screenshot(s, "workbench-session.png");
  });

  test("Export → SRT saves where the save dialog says, with the cues' texts", async () => {
    const out = fixture(`${PERSON} export.srt`);
    await answerNextDialog(s, out);
    await click("[data-testid=transcript-export]");
    await click("[data-testid=export-srt]");
    const saved = await el("[data-testid=export-saved]", "the saved notice");
    assert.ok((await s.text(saved)).includes(out), `the notice names ${out}`);
    const srt = await readFile(out, "utf8");
    assert.match(srt, /^1\r?\n00:00:00,500 --> 00:00:02,000\r?\n/, `SRT starts with cue 1, reads ${JSON.stringify(srt.slice(0, 80))}`);
    assert.match(srt, /\r?\n4\r?\n00:00:06,500 --> 00:00:08,500\r?\n/, "cue 4 is there with its times");
    for (const c of CUES) assert.ok(srt.includes(c.text), `the SRT holds "${c.text}"`);
  });

  test("Search finds the transcript's words", async () => {
    await searchFor(WORD);
    const hit = await waitFor(`a hit for "${WORD}"`, () => findWithText(s, "[data-testid=search-hit]", WORD));
    assert.match(await s.text(hit), new RegExp(PERSON));
  });

  test("deleting the session says what goes, goes back to the study, and takes its transcript and hits with it", async () => {
    await openNav(s, "sessions");
    const row = await waitFor(`${PERSON}'s session row`, () => findWithText(s, "[data-testid=session-row]", PERSON));
    await s.click(await s.findIn(row, "button"));
    await click("[data-testid=session-delete]");
    const plan = await el("[data-testid=delete-plan]", "what the delete takes");
    const text = await s.text(plan);
    assert.match(text, /the transcript \(4 segments\)/);
    assert.match(text, /1 recording/);
    assert.match(text, /voice\.wav leaves media\//);
    await screenshot(s, "workbench-delete.png");
    await click("[data-testid=delete-confirm]");
    await waitFor(`the study page of "${STUDY}"`, async () => {
      const t = await s.find("[data-testid=study-title]");
      return t !== null && (await s.text(t)).trim() === STUDY;
    });
    assert.equal(await numberIn("[data-testid=stat-sessions]"), 0, "the study has no session left");
    assert.equal(await s.find("[data-testid=session-row]"), null, "the study lists no session");

    await openNav(s, "sessions");
    await waitFor("the Sessions page to say there are none", async () =>
      (await findWithText(s, "main h2", "No sessions yet")) !== null,
    );
    const r = await invoke(s, "session_list", { studyId: null });
    assert.ok(r.ok);
    assert.equal(r.value.length, 0);

    await searchFor(WORD);
    await el("[data-testid=no-results]", `no hits for "${WORD}"`);
    assert.equal((await s.findAll("[data-testid=search-hit]")).length, 0);
  });

  test("the study can be renamed, archived, brought back and deleted", async () => {
    await openNav(s, "studies");
    const card = await waitFor(`the "${STUDY}" card`, () => findWithText(s, "[data-testid=study-card]", STUDY));
    await s.click(await s.findIn(card, "button"));
    await click("[data-testid=study-edit]");
    await typeInto("[data-testid=study-form-name]", `${STUDY} (renamed)`);
    await click("[data-testid=study-form-save]");
    await waitFor("the new name", async () => (await s.text(await el("[data-testid=study-title]"))).trim() === `${STUDY} (renamed)`);

    await click("[data-testid=study-archive]");
    await el("[data-testid=study-archived]", "the page saying the study is archived");
    await openNav(s, "studies");
    const toggle = await el("[data-testid=archived-toggle]", "the Archived (1) toggle");
    assert.match(await s.text(toggle), /Archived \(1\)/);
    assert.equal(await s.find("[data-testid=study-card][data-archived=false]"), null, "no active study is listed");
    await s.click(toggle);
    const archived = await el("[data-testid=study-card][data-archived=true]", "the archived study's card");
    await s.click(await s.findIn(archived, "button"));
    await click("[data-testid=study-unarchive]");
    await waitFor("the archived note to go", async () => (await s.find("[data-testid=study-archived]")) === null);

    await click("[data-testid=study-delete]");
    const plan = await el("[data-testid=delete-plan]", "what the delete takes");
    assert.match(await s.text(plan), new RegExp(`${STUDY} \\(renamed\\)`));
    await click("[data-testid=delete-confirm]");
    await el("[data-testid=study-new-empty]", "the empty study list");
    assert.equal((await s.findAll("[data-testid=study-card]")).length, 0);
  });

  test("rapport verify passes on the workspace", () => {
    let out = "";
    try {
      out = execFileSync(cli(), ["--workspace", s.workspace, "verify"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      assert.fail(`rapport verify exited with ${e.status}: ${e.stderr || ""}${e.stdout || ""}`);
    }
    assert.ok(out !== undefined);
  });
});
