// End-to-end test from words to a report, on the demo workspace: select words in Priya
// Raman's transcript, tag them with a new tag made in the tag picker, see them marked, drag
// the highlight into a new finding on the findings board, and export the HTML report (its
// preview first) through the save dialog. Runs like app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { answerNextDialog, findWithText, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

const WORDS = "could you tell me";
/** An element id as a script argument. */
const el = (id) => ({ "element-6066-11e4-a52e-4f735466cecf": id });
const TAG = "E2E/Asked about the role";
const TITLE = "E2E: interviews open by asking about the role";

describe("From selected words to a finding and an HTML report", () => {
  before(async () => {
    s = await launch();
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session row", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    await waitFor("the transcript", () => findWithText(s, "[data-testid=segment-text]", WORDS));
  });

  after(async () => {
    await quit(s);
  });

  test("selecting words offers Highlight, and the tag picker creates a tag for them", async () => {
    // Select the words with a DOM range (what a mouse drag makes) and release the mouse.
    const selected = await s.execute(
      `const words = arguments[0];
       const p = [...document.querySelectorAll("[data-testid=segment-text]")].find((e) => e.textContent.includes(words));
       const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
       let node;
       while ((node = walker.nextNode())) { if (node.textContent.includes(words)) break; }
       const at = node.textContent.indexOf(words);
       const r = document.createRange();
       r.setStart(node, at);
       r.setEnd(node, at + words.length);
       const sel = window.getSelection();
       sel.removeAllRanges();
       sel.addRange(r);
       p.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
       return sel.toString();`,
      [WORDS],
    );
    assert.equal(selected, WORDS);
    await s.click(await waitFor("the Highlight button", () => s.find("[data-testid=highlight-selection]")));
    await waitFor("the highlight dialog", () => s.find("[data-testid=highlight-dialog]"));
    await s.type(await s.find("[data-testid=tag-search]"), TAG);
    await s.click(await waitFor("the create-tag option", () => s.find("[data-testid=tag-create]")));
    await waitFor("the picked tag chip", () => findWithText(s, "[data-testid=picked-tag]", TAG));
    await s.type(await s.find("[data-testid=highlight-comment]"), "Opening question");
    await s.click(await s.find("[data-testid=highlight-save]"));
    const mark = await waitFor("the words marked in the transcript", () => findWithText(s, "[data-testid=highlight-mark]", WORDS));
    assert.equal((await s.text(mark)).trim(), WORDS, "exactly the selected words are marked");
    const bg = await s.execute("return getComputedStyle(arguments[0]).backgroundColor;", [el(mark)]);
    assert.notEqual(bg, "rgba(0, 0, 0, 0)", "the mark is coloured by its tag");
    await screenshot(s, "synthesis-highlight.png");
  });

  test("dragging the highlight onto New finding makes a finding with it as evidence", async () => {
    await openNav(s, "findings");
    const card = await waitFor("the highlight on the board", () => findWithText(s, "[data-testid=board-highlight]", WORDS));
    const target = await s.find("[data-testid=new-finding-drop]");
    // WebDriver cannot drive HTML drag and drop: dispatch the drag events the browser would.
    await s.execute(
      `const [src, dst] = arguments;
       const dt = new DataTransfer();
       src.dispatchEvent(new DragEvent("dragstart", { bubbles: true, cancelable: true, dataTransfer: dt }));
       dst.dispatchEvent(new DragEvent("dragenter", { bubbles: true, cancelable: true, dataTransfer: dt }));
       dst.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
       dst.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
       src.dispatchEvent(new DragEvent("dragend", { bubbles: true, dataTransfer: dt }));`,
      [el(card), el(target)],
    );
    const title = await waitFor("the new finding's title field", () => s.find("[data-testid=new-finding-title]"));
    await s.clear(title);
    await s.type(title, TITLE);
    await s.click(await s.find("[data-testid=new-finding-create]"));
    const finding = await waitFor("the new finding on the board", () => findWithText(s, "[data-testid=board-finding]", TITLE));
    const text = await s.text(finding);
    assert.match(text, /could you tell me/, "the dragged highlight is its evidence");
    assert.match(text, /backed by 1 person/, "it says how many people back it");
    await screenshot(s, "synthesis-board.png");
  });

  test("the export dialog previews the HTML report and saves it through the save dialog", async () => {
    await s.click(await s.find("[data-testid=export-open]"));
    await s.click(await waitFor("the HTML report choice", () => s.find("[data-testid=export-format-html]")));
    const frame = await waitFor("the report's preview", () => s.find("[data-testid=export-preview]"));
    const srcdoc = await s.execute("return arguments[0].getAttribute('srcdoc');", [el(frame)]);
    assert.ok(srcdoc.includes(TITLE), "the preview shows the new finding");
    assert.ok(srcdoc.includes("<svg"), "the preview has its charts");
    const out = join(s.workspaceRoot, "report.html");
    await answerNextDialog(s, out);
    await s.click(await s.find("[data-testid=export-save]"));
    const done = await waitFor("the export to finish", () => findWithText(s, "[data-testid=export-done]", "report.html"));
    assert.ok(done);
    const html = await readFile(out, "utf8");
    assert.ok(html.includes(TITLE), "the saved report holds the finding");
    assert.ok(html.includes(WORDS), "with its quote");
    assert.ok(html.includes("<svg"), "and inline SVG charts");
    await screenshot(s, "synthesis-export.png");
  });
});
