// End-to-end test of guides in the real window, on the demo workspace: open the demo guide,
// see a lint flag, apply its rewrite, reorder a question and save (a new version, since the
// demo sessions follow the first), compare the versions, export through the save dialog;
// import a Markdown guide with a preview and delete it with a confirm; create a guide and add a
// question; start run mode on a
// session, check a question off, add a stamped note with a quick tag, edit it and export the
// notes through the save dialog; set where the recording started and play a note from its
// place in the recording; open the answers
// matrix and jump from a cell to that second of the recording; start the app with a
// rapport:// link and land on that moment; then, with the app running, open another link the
// way the desktop does (gio open, through the handler the app registered) and see the running
// window go there while the second launch hands its link over and exits. Runs like
// app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { Session, waitFor } from "./webdriver.mjs";
import { answerNextDialog, findWithText, invoke, launch, openNav, quit, screenshot, waitForAppGone, waitForMedia } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let fx = "";

async function el(css, what = css) {
  return waitFor(what, () => s.find(css));
}

/** Clicks the first match of css, scrolled into view first (the page scrolls inside <main>). */
async function click(css, what = css) {
  const target = await el(css, what);
  await s.execute(`document.querySelector(${JSON.stringify(css)}).scrollIntoView({ block: "center" });`);
  await s.click(target);
}

const values = (css) => s.execute(`return [...document.querySelectorAll(${JSON.stringify(css)})].map((e) => e.value);`);
const count = (css) => s.execute(`return document.querySelectorAll(${JSON.stringify(css)}).length;`);

async function openDemoGuide() {
  await openNav(s, "guides");
  const row = await waitFor("the demo guide's row", () => findWithText(s, "[data-testid=guide-row]", "New deploy system"));
  await s.click(row);
  await el("[data-testid=question-text]", "the guide's questions");
}

describe("Guides, run mode and answers in the window", () => {
  before(async () => {
    fx = await mkdtemp(join(tmpdir(), "rapport-e2e-guides-"));
    s = await launch();
  });
  after(async () => {
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("a lint flag's rewrite is applied in one click and the edit saves as a new version", async () => {
    await openDemoGuide();
    // The demo guide's probe "How often are you personally involved in a deploy?" is vague.
    const flag = await waitFor("the vague flag", async () => s.find("[data-testid=lint-flag][data-code=vague]"));
    assert.match(await s.text(flag), /often/);
    const before = await count("[data-testid=lint-flag]");
    await s.click(await s.findIn(flag, "[data-testid=lint-apply]"));
    await waitFor("the probe rewritten", async () =>
      (await values("[data-testid=probe-text]")).some((v) => v.startsWith("In the last month, how many times")),
    );
    await waitFor("the flag gone", async () => (await count("[data-testid=lint-flag]")) === before - 1);
    await screenshot(s, "guides-lint.png");

    // Reorder: the first question moves below the second.
    const [first, second] = await values("[data-testid=question-text]");
    await click("[data-testid=question-down]");
    await waitFor("the questions swapped", async () => {
      const v = await values("[data-testid=question-text]");
      return v[0] === second && v[1] === first;
    });

    await click("[data-testid=guide-save]");
    const status = await el("[data-testid=guide-status]", "the save's message");
    await waitFor("saved as version 2", async () => /Saved as version 2/.test(await s.text(status)));
    // Sessions keep version 1.
    const sessions = await invoke(s, "session_list", { studyId: null });
    assert.ok(sessions.ok);
    const v1 = sessions.value[0].guide_version_id;
    const detail = await invoke(s, "guide_version", { versionId: v1 });
    assert.equal(detail.value.version, 1, "the sessions still follow version 1");

    // Compare version 1 with version 2.
    await el("[data-testid=diff-show]");
    await el("[data-testid=diff-from]");
    await s.execute(
      `const sel = document.querySelector("[data-testid=diff-from]");
       sel.value = sel.options[sel.options.length - 1].value;
       sel.dispatchEvent(new Event("change"));`,
    );
    await click("[data-testid=diff-show]");
    const summary = await el("[data-testid=diff-summary]");
    await waitFor("the diff", async () => /1 moved/.test(await s.text(summary)));
    const moved = await waitFor("the moved question", () => findWithText(s, "[data-testid=diff-change]", "moved"));
    assert.match(await s.text(moved), /Tell me about your role/);
    assert.match(await s.text(moved), /probes/, "its probe was rewritten too");
  });

  test("the guide exports through the save dialog, and a Markdown file imports with a preview", async () => {
    const out = join(fx, "exported.md");
    await answerNextDialog(s, out);
    await click("[data-testid=guide-export]");
    await waitFor("the export's message", async () => /Exported to/.test(await s.text(await el("[data-testid=guide-status]"))));
    const md = await readFile(out, "utf8");
    assert.ok(md.startsWith("# New deploy system: interview guide\n"), md.slice(0, 80));
    assert.match(md, /In the last month, how many times were you personally involved in a deploy\?/);

    const file = join(fx, "onboarding.md");
    await writeFile(file, "# Onboarding guide\n\n## Start\n\n1. Tell me about your first day.\n   - Who helped you?\n2. Walk me through your first deploy.\n");
    await openNav(s, "guides");
    await answerNextDialog(s, file);
    await click("[data-testid=guide-import]");
    const preview = await el("[data-testid=guide-import-preview]", "the import preview");
    assert.match(await s.text(preview), /1 section, 2 questions, 1 probe/);
    await click("[data-testid=guide-import-confirm]");
    await waitFor("the imported guide in the editor", async () => (await values("[data-testid=guide-title]"))[0] === "Onboarding guide");

    await click("[data-testid=guide-delete]");
    await click("[data-testid=guide-delete-confirm]");
    await waitFor("back on the list without it", async () => {
      const rows = await s.findAll("[data-testid=guide-row]");
      if (rows.length === 0) return false;
      return (await findWithText(s, "[data-testid=guide-row]", "Onboarding guide")) === null;
    });

    // A new guide, with a question added in the editor.
    await click("[data-testid=guide-new]");
    await s.type(await el("[data-testid=guide-new-title]"), "Pilot guide");
    await click("[data-testid=guide-new-create]");
    await waitFor("the new guide in the editor", async () => (await values("[data-testid=guide-title]"))[0] === "Pilot guide");
    await click("[data-testid=question-add]");
    const texts = await s.findAll("[data-testid=question-text]");
    await s.type(texts[texts.length - 1], "Tell me about the last time you paired on a deploy.");
    await click("[data-testid=guide-save]");
    await waitFor("saved", async () => /Saved version 1/.test(await s.text(await el("[data-testid=guide-status]"))));
    const list = await invoke(s, "guide_list", { studyId: null });
    const pilot = list.value.find((g) => g.title === "Pilot guide");
    assert.equal(pilot.questions, 2, "the starting question and the one added");
  });

  test("run mode checks a question off and stamps a note with the elapsed time", async () => {
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    await click("[data-testid=session-run]");
    await click("[data-testid=run-timer]");
    const clock = await el("[data-testid=run-clock]");
    await waitFor("the timer running", async () => (await s.text(clock)) !== "00:00", { timeout: 10_000 });
    const check = await el("[data-testid=run-check]");
    await s.click(check);
    await waitFor("the question checked", () => s.execute("return document.querySelector('[data-testid=run-check]').checked;"));
    // The first section is under way: its time spent shows beside its count.
    await waitFor("the first section's time spent", async () => /1\/2 · \d\d:\d\d spent/.test(await s.text(await el("[data-testid=run-budget]"))));
    await s.type(await el("[data-testid=run-note-input]"), "Asked about the gate twice");
    const tag = await waitFor("the #pain tag", () => findWithText(s, "[data-testid=quick-tag]", "#pain"));
    await s.click(tag);
    await click("[data-testid=run-note-add]");
    const note = await waitFor("the stamped note", () => findWithText(s, "[data-testid=run-note]", "Asked about the gate twice"));
    assert.match(await s.text(note), /^\d\d:\d\d/);
    assert.match(await s.text(note), /#pain/);
    const view = await invoke(s, "run_view", { sessionId: 1 });
    assert.ok(view.ok, view.message);
    const stored = view.value.notes.find((n) => n.text.includes("Asked about the gate twice"));
    assert.ok(stored && stored.at_ms > 0, "the note is stored with the elapsed time");
    assert.equal(view.value.checks.length, 1, "the check is stored");
    await screenshot(s, "guides-run.png");

    // Edit the note, then export the notes through the save dialog.
    const notes = await s.findAll("[data-testid=run-note]");
    const last = notes[notes.length - 1];
    await s.click(await s.findIn(last, "[data-testid=run-note-edit]"));
    const input = await el("[data-testid=run-note-edit-text]");
    await s.clear(input);
    await s.type(input, "Asked about the gate three times #pain");
    await click("[data-testid=run-note-save]");
    await waitFor("the edited note", () => findWithText(s, "[data-testid=run-note]", "three times"));
    const out = join(fx, "notes.md");
    await answerNextDialog(s, out);
    await click("[data-testid=run-notes-export]");
    await waitFor("the export's message", async () => /Exported to/.test(await s.text(await el("[data-testid=run-status]"))));
    const md = await readFile(out, "utf8");
    assert.match(md, /^# Notes: Priya Raman/);
    assert.match(md, /\(rapport:\/\/session\/1\?t=\d+\) Asked about the gate three times #pain/);
  });

  test("run mode sets where the recording started, and a note plays at its stamp less that", async () => {
    // A note stamped at 0:40 of the session (as run mode would have stamped it).
    const added = await invoke(s, "note_add", { sessionId: 1, atMs: 40_000, text: "Gate came up again" });
    assert.ok(added.ok, added.message);
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    await click("[data-testid=session-run]");
    await el("[data-testid=run-recording-name]", "the session's recording in run mode");
    // The recording started 15 s into the session.
    const offset = await el("[data-testid=run-recording-offset]");
    await s.clear(offset);
    await s.type(offset, "00:15");
    await click("[data-testid=run-recording-offset-set]");
    await waitFor("the offset saved", async () => /started at 00:15/.test(await s.text(await el("[data-testid=run-recording-status]"))));
    const note = await waitFor("the note", () => findWithText(s, "[data-testid=run-note]", "Gate came up again"));
    const play = await s.findIn(note, "[data-testid=run-note-play]");
    await waitFor("the note at 0:25 of the recording", async () => (await s.text(play)).includes("00:25"));
    assert.match(await s.text(note), /^00:40/, "the stamp stays in session time");
    await screenshot(s, "guides-run-offset.png");
    await s.click(play);
    await el("[data-testid=session-title]", "the session page");
    await waitForMedia(s, "the player at 25 s", (m) => m.currentTime >= 24.5 && m.currentTime < 30);
    const stamp = await waitFor("the note on the session page", async () => {
      for (const b of await s.findAll("[data-testid=note-time]")) if ((await s.text(b)).includes("00:25")) return b;
      return null;
    });
    assert.ok(stamp);
    // Back to the recording as it was, for the tests after this one.
    const detail = await invoke(s, "session_detail", { id: 1 });
    const rec = detail.value.recordings[0];
    assert.equal(rec.offset_ms, 15_000);
    const reset = await invoke(s, "recording_set_track", { id: rec.id, track: rec.track, offsetMs: 0 });
    assert.ok(reset.ok, reset.message);
  });

  test("a cell of the answers matrix opens the session at that second", async () => {
    await openNav(s, "studies");
    const card = await waitFor("the demo study", () => findWithText(s, "[data-testid=study-card]", "New deploy system"));
    await s.click(await s.findIn(card, "button.open"));
    await click("[data-testid=study-answers]");
    await el("[data-testid=answers-matrix]", "the answers matrix");
    await el("[data-testid=answer-cell][data-session='1']", "Priya's answers");
    // Her earliest answer (the rows follow the edited guide's order).
    const start = await s.execute(`
      const cells = [...document.querySelectorAll("[data-testid=answer-cell][data-session='1']")];
      const first = cells.reduce((a, b) => (Number(b.dataset.start) < Number(a.dataset.start) ? b : a));
      first.setAttribute("data-earliest", "true");
      return Number(first.dataset.start);`);
    const cell = await el("[data-testid=answer-cell][data-earliest=true]");
    assert.ok(start > 0 && start < 36_000, `the first answer starts inside the recording (${start} ms)`);
    await screenshot(s, "guides-answers.png");
    await s.execute(`document.querySelector("[data-testid=answer-cell][data-earliest=true]").scrollIntoView({ block: "center" });`);
    await s.click(cell);
    await waitForMedia(s, `the player at ${start} ms`, (m) => m.currentTime >= start / 1000 - 0.5 && m.currentTime < start / 1000 + 5);
  });

  test("started with a rapport:// link (as `rapport open` does), the app opens at that moment", async () => {
    // The same workspace, in a new run of the app with --open (once the old one has gone).
    const { workspace, workspaceRoot } = s;
    await s.delete();
    await waitForAppGone(workspace);
    s = await Session.create(process.env.E2E_WEBDRIVER_URL || "http://127.0.0.1:4444", {
      capabilities: {
        alwaysMatch: {
          "tauri:options": { application: process.env.RAPPORT_APP, args: ["--workspace", workspace, "--open", "rapport://session/1?t=20"] },
        },
      },
    });
    s.workspace = workspace;
    s.workspaceRoot = workspaceRoot;
    const title = await el("[data-testid=session-title]", "the linked session's page");
    assert.match(await s.text(title), /Priya Raman/);
    await waitForMedia(s, "the player at 20 s", (m) => m.currentTime >= 19.5 && m.currentTime < 25);
  });

  test("a rapport:// link opened from the desktop goes to the running window, and the second launch exits", async () => {
    // The app registered itself as the handler of rapport:// links after its first paint
    // (scripts/e2e points XDG_DATA_HOME and XDG_CONFIG_HOME at its own folder).
    const dataHome = process.env.XDG_DATA_HOME;
    assert.ok(dataHome, "scripts/e2e sets XDG_DATA_HOME");
    const entry = join(dataHome, "applications", "rapport-desktop-handler.desktop");
    const text = await waitFor("the rapport:// handler's desktop entry", () => readFile(entry, "utf8").catch(() => null));
    assert.match(text, /^MimeType=x-scheme-handler\/rapport$/m);
    assert.ok(text.includes(process.env.RAPPORT_APP), `the entry runs this app: ${text}`);
    // The entry is written first, then made the default (xdg-mime default): wait for both, as
    // GLib sees them (`gio` is what GNOME's and most GTK desktops' xdg-open use to open links).
    await waitFor("the app as the default handler of rapport:// links", () =>
      execFileSync("gio", ["mime", "x-scheme-handler/rapport"], { encoding: "utf8" }).includes(
        "rapport-desktop-handler.desktop",
      ),
    );

    // Leave the session's page, then open a link to another moment of it from "outside".
    await click("[data-testid=nav-studies]");
    await waitFor("the study list", async () => (await count("[data-testid=session-title]")) === 0);
    const opener = spawn("gio", ["open", "rapport://session/1?t=30"], {
      env: { ...process.env, RAPPORT_WORKSPACE: s.workspace },
      stdio: "ignore",
    });
    const exited = new Promise((done) => opener.on("exit", (code) => done(code)));
    const title = await el("[data-testid=session-title]", "the linked session's page in the running window");
    assert.match(await s.text(title), /Priya Raman/);
    await waitForMedia(s, "the player at 30 s", (m) => m.currentTime >= 29.5 && m.currentTime < 35);
    assert.equal(await exited, 0, "gio opened the link");
    // Only the first app runs on this workspace: the second one handed its link over and left.
    const apps = async () => {
      const found = [];
      for (const pid of await readdir("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        const args = await readFile(`/proc/${pid}/cmdline`, "utf8").then((t) => t.split("\0"), () => []);
        if (args[0]?.endsWith("rapport-desktop") && (args.includes(s.workspace) || args.includes("rapport://session/1?t=30"))) found.push(pid);
      }
      return found;
    };
    await waitFor("the second launch to leave", async () => (await apps()).length === 1);
  });
});
