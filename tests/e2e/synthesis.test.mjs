// End-to-end test from words to a report, on the demo workspace: select words in Priya
// Raman's transcript, tag them with a new tag made in the tag picker, see them marked, drag
// the highlight into a new finding on the findings board, export the HTML report (its
// preview first) through the save dialog; then rename the tag in the codebook, edit and
// delete the highlight, and import a REFI-QDA project after its preview. Runs like
// app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { execFileSync } from "node:child_process";
import { answerNextDialog, cli, findWithText, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

const WORDS = "could you tell me";
/** An element id as a script argument. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const el = (id) => ({ [ELEMENT]: id });

/** The item of the session page's highlight list that holds `words` (by its DOM text), or null. */
async function sideItem(words) {
  const found = await s.execute(
    `return [...document.querySelectorAll("[data-testid=highlight-item]")].find((e) => e.textContent.includes(arguments[0])) || null;`,
    [words],
  );
  return found ? found[ELEMENT] : null;
}
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
       // A person selects words they can see: bring them into view first.
       p.scrollIntoView({ block: "center" });
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
    await s.click(await findWithText(s, "[data-testid=export-dialog] button", "Close"));
  });

  test("the codebook renames the new tag, and its highlight follows", async () => {
    await openNav(s, "codebook");
    const row = await waitFor("the new tag's row", () => s.find(`[data-testid=codebook-row][data-path="${TAG}"]`));
    await s.click(await s.findIn(row, "button"));
    await s.click(await waitFor("Rename", () => findWithText(s, "[data-testid=tag-detail] button", "Rename")));
    const input = await waitFor("the name field", () => s.find("[data-testid=tag-action] input[type=text]"));
    await s.clear(input);
    await s.type(input, "Asked about roles");
    await s.click(await s.find("[data-testid=tag-action-apply]"));
    await waitFor("the renamed tag", () => s.find('[data-testid=codebook-row][data-path="E2E/Asked about roles"]'));
    const r = await s.execute(
      `return [...document.querySelectorAll('[data-testid=codebook-row]')].find((e) => e.dataset.path === "E2E/Asked about roles").textContent;`,
    );
    assert.match(r, /1/, "its highlight is still counted");
  });

  test("a highlight's tags are edited and it is deleted from the session page", async () => {
    await openNav(s, "sessions");
    const row = await waitFor("Priya Raman's session row", () => findWithText(s, "[data-testid=session-row]", "Priya Raman"));
    await s.click(await s.findIn(row, "button"));
    const item = await waitFor("the highlight in the side list", () => sideItem(WORDS));
    await s.click(await s.findIn(item, "[data-testid=highlight-edit]"));
    await waitFor("the edit dialog", () => findWithText(s, "[data-testid=highlight-dialog]", "Edit the highlight"));
    await s.type(await s.find("[data-testid=tag-search]"), "Pain point");
    await s.click(await waitFor("the Pain point option", () => findWithText(s, "[data-testid=tag-option]", "Pain point")));
    await s.click(await s.find("[data-testid=highlight-save]"));
    await waitFor("both tags on the highlight", async () => {
      const it = await sideItem(WORDS);
      const t = it ? await s.execute("return arguments[0].textContent;", [el(it)]) : "";
      return t.includes("Pain point") && t.includes("E2E/Asked about roles");
    });
    const again = await sideItem(WORDS);
    await s.click(await s.findIn(again, "[data-testid=highlight-edit]"));
    await s.click(await waitFor("Delete…", () => s.find("[data-testid=highlight-delete]")));
    await s.click(await waitFor("the confirm", () => s.find("[data-testid=highlight-delete-confirm]")));
    await waitFor("the highlight to be gone", async () => (await sideItem(WORDS)) === null && (await findWithText(s, "[data-testid=highlight-mark]", WORDS)) === null);
  });

  test("the codebook imports a REFI-QDA project after a preview of what comes in", async () => {
    // A project written by the CLI from a demo workspace of its own.
    const other = join(s.workspaceRoot, "other");
    const qdpx = join(s.workspaceRoot, "other.qdpx");
    execFileSync(cli(), ["--workspace", other, "demo"], { stdio: "ignore" });
    execFileSync(cli(), ["--workspace", other, "export", "--study", "1", "--format", "qdpx", "--out", qdpx], { stdio: "ignore" });
    await openNav(s, "codebook");
    await s.click(await waitFor("Import REFI-QDA…", () => s.find("[data-testid=refi-import-open]")));
    await answerNextDialog(s, qdpx);
    await s.click(await waitFor("Choose a file…", () => findWithText(s, "[data-testid=refi-import] button", "Choose a file")));
    const preview = await waitFor("the preview", () => findWithText(s, "[data-testid=refi-report]", "Would import"));
    assert.match(await s.text(preview), /3 sources/, "the preview says what would come in");
    await s.click(await findWithText(s, "[data-testid=refi-import] button", "Import"));
    const done = await waitFor("the import", () => findWithText(s, "[data-testid=refi-report]", "Imported"));
    assert.match(await s.text(done), /New deploy system \(imported 2\)/, "into a study of its own");
    await screenshot(s, "synthesis-import.png");
  });
});
