// End to end, NPS comments and feedback items as evidence, on a demo workspace of its own:
// select words of an NPS comment on the Insights screen and highlight them with a new tag
// (the mark is coloured by it), highlight words of a feedback item with the same picker,
// drag the NPS highlight into a new finding on the findings board (no play button: its
// score and segment instead), see it as evidence on the study page's finding, highlight a
// feedback hit straight from Search, and delete a feedback item after its confirm. Runs like
// app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "./webdriver.mjs";
import { findWithText, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const el = (id) => ({ [ELEMENT]: id });

// Hannah Kim's NPS comment (score 7, team mobile, role ops) and a feedback item of the demo.
const NPS_FILTER = "more confidence, but pods stuck";
const NPS_WORDS = "pods stuck in CrashLoopBackOff";
const FB_FILTER = "Jenkins deploy job for checkout-api";
const FB_WORDS = "times out after 30 min";
const TAG = "E2E/Stuck deploys";
const TITLE = "E2E: deploys get stuck without telling anyone";

/** Types `words` into the filter box of a list on the Insights screen. */
async function filterList(label, words) {
  const box = await waitFor(`the ${label} filter`, () => s.find(`input[aria-label="Filter ${label}"]`));
  await s.clear(box);
  await s.type(box, words);
}

/** Selects `words` inside the first element matching `css` whose text holds them, as a mouse drag does. */
async function selectWords(css, words) {
  return s.execute(
    `const [css, words] = arguments;
     const p = [...document.querySelectorAll(css)].find((e) => e.textContent.includes(words));
     if (!p) return null;
     p.scrollIntoView({ block: "center" });
     const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
     let node;
     while ((node = walker.nextNode())) { if (node.textContent.includes(words)) break; }
     if (!node) return null;
     const at = node.textContent.indexOf(words);
     const r = document.createRange();
     r.setStart(node, at);
     r.setEnd(node, at + words.length);
     const sel = window.getSelection();
     sel.removeAllRanges();
     sel.addRange(r);
     p.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
     return sel.toString();`,
    [css, words],
  );
}

/** The mark of `words` in a list item, or null. */
async function markOf(words) {
  return findWithText(s, "[data-testid=item-mark]", words);
}

describe("NPS comments and feedback items as evidence", () => {
  before(async () => {
    s = await launch();
    await openNav(s, "insights");
  });

  after(async () => {
    await quit(s);
  });

  test("words of an NPS comment are highlighted with a new tag and marked in its colour", async () => {
    await filterList("NPS comments", NPS_FILTER);
    await waitFor("Hannah's comment alone", async () => {
      const items = await s.findAll("[data-testid=nps-items] [data-testid=text-item]");
      return items.length === 1 && (await s.text(items[0])).includes(NPS_WORDS);
    });
    assert.equal(await selectWords("[data-testid=nps-items] [data-testid=item-text]", NPS_WORDS), NPS_WORDS);
    await s.click(await waitFor("the Highlight button", () => s.find("[data-testid=item-highlight-selection]")));
    const dialog = await waitFor("the highlight dialog", () => s.find("[data-testid=highlight-dialog]"));
    assert.match(await s.text(dialog), /pods stuck in CrashLoopBackOff/, "the dialog quotes the words");
    await s.type(await s.find("[data-testid=tag-search]"), TAG);
    await s.click(await waitFor("the create-tag option", () => s.find("[data-testid=tag-create]")));
    await waitFor("the picked tag chip", () => findWithText(s, "[data-testid=picked-tag]", TAG));
    await s.click(await s.find("[data-testid=highlight-save]"));
    const mark = await waitFor("the words marked in the comment", () => markOf(NPS_WORDS));
    assert.equal((await s.text(mark)).trim(), NPS_WORDS, "exactly the selected words are marked");
    const bg = await s.execute("return getComputedStyle(arguments[0]).backgroundColor;", [el(mark)]);
    assert.notEqual(bg, "rgba(0, 0, 0, 0)", "the mark is coloured by its tag");
    assert.equal(await s.execute("return arguments[0].dataset.tags;", [el(mark)]), TAG);
    await screenshot(s, "evidence-nps-highlight.png");
  });

  test("words of a feedback item are highlighted with the same tag picker", async () => {
    await filterList("Feedback", FB_FILTER);
    await waitFor("the Jenkins feedback item", () => findWithText(s, "[data-testid=feedback-items] [data-testid=text-item]", FB_WORDS));
    assert.equal(await selectWords("[data-testid=feedback-items] [data-testid=item-text]", FB_WORDS), FB_WORDS);
    await s.click(await waitFor("the Highlight button", () => s.find("[data-testid=item-highlight-selection]")));
    await waitFor("the highlight dialog", () => s.find("[data-testid=highlight-dialog]"));
    await s.type(await s.find("[data-testid=tag-search]"), "Stuck deploys");
    await s.click(await waitFor("the existing tag", () => findWithText(s, "[data-testid=tag-option]", TAG)));
    await s.click(await s.find("[data-testid=highlight-save]"));
    const mark = await waitFor("the feedback words marked", () => markOf(FB_WORDS));
    const nps = await markOf(NPS_WORDS);
    const colour = (m) => s.execute("return getComputedStyle(arguments[0]).backgroundColor;", [el(m)]);
    assert.equal(await colour(mark), await colour(nps), "one tag, one colour");
  });

  test("the NPS highlight is dragged into a new finding, shown with its score, not a play button", async () => {
    await openNav(s, "findings");
    const card = await waitFor("the NPS highlight on the board", () => findWithText(s, "[data-testid=board-highlight]", NPS_WORDS));
    const origin = await s.findIn(card, "[data-testid=board-highlight-origin]");
    assert.match(await s.text(origin), /NPS 7/, "its score");
    assert.match(await s.text(origin), /role: ops/, "its segment");
    const target = await s.find("[data-testid=new-finding-drop]");
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
    const ev = await waitFor("its evidence", () => s.findIn(finding, "[data-testid=board-evidence][data-source=nps]"));
    const text = await s.text(ev);
    assert.match(text, /pods stuck in CrashLoopBackOff/);
    assert.match(text, /NPS 7/);
    assert.doesNotMatch(text, /▶/, "nothing to play");
    assert.match(await s.text(finding), /backed by 1 person/, "Hannah backs it");
    await screenshot(s, "evidence-board.png");
  });

  test("the study page's finding shows the NPS comment as evidence", async () => {
    await openNav(s, "studies");
    const card = await waitFor("the demo study", () => findWithText(s, "[data-testid=study-card]", "New deploy system"));
    await s.click(await s.findIn(card, "button.open"));
    const finding = await waitFor("the finding", () => findWithText(s, "[data-testid=finding-card]", TITLE));
    const ev = await waitFor("its evidence", () => s.findIn(finding, "[data-testid=finding-evidence][data-source=nps]"));
    const text = await s.text(ev);
    assert.match(text, /pods stuck in CrashLoopBackOff/);
    assert.match(text, /NPS 7 · .*team: mobile/);
  });

  test("a feedback hit of a search is highlighted right from the result", async () => {
    await openNav(s, "search");
    const input = await waitFor("the search box", () => s.find("[data-testid=search-input]"));
    await s.clear(input);
    // The phrase picks the one item: other feedback says "staging" too, and their order among
    // themselves is the index's to choose.
    await s.type(input, 'kind:feedback "dry run in staging"');
    const hit = await waitFor("a feedback hit", () => findWithText(s, "[data-testid=search-hit]", "Feedback"));
    const li = await s.execute("return arguments[0].closest('li');", [el(hit)]);
    await s.click(await s.findIn(li[ELEMENT], "[data-testid=hit-highlight]"));
    const dialog = await waitFor("the item to highlight", () => s.find("[data-testid=hit-highlight-dialog] [data-testid=item-text]"));
    const words = "dry run in staging";
    assert.match(await s.text(dialog), /dry run in staging/, "the whole item to select words of");
    assert.equal(await selectWords("[data-testid=hit-highlight-dialog] [data-testid=item-text]", words), words);
    await s.click(await waitFor("the Highlight button", () => s.find("[data-testid=item-highlight-selection]")));
    await waitFor("the highlight dialog", () => s.find("[data-testid=highlight-dialog]"));
    await s.type(await s.find("[data-testid=tag-search]"), "Stuck deploys");
    await s.click(await waitFor("the tag", () => findWithText(s, "[data-testid=tag-option]", TAG)));
    await s.click(await s.find("[data-testid=highlight-save]"));
    await waitFor("the words marked in the hit's item", () => markOf(words));
    await s.click(await findWithText(s, "[data-testid=hit-highlight-dialog] button", "Done"));
  });

  test("deleting a feedback item asks first and takes its highlight with it", async () => {
    await openNav(s, "insights");
    await filterList("Feedback", FB_FILTER);
    const item = await waitFor("the Jenkins item", () => findWithText(s, "[data-testid=feedback-items] [data-testid=text-item]", FB_WORDS));
    await s.click(await findWithText(s, "[data-testid=feedback-items] [data-testid=text-item] button", "Delete…"));
    const confirm = await waitFor("the confirm", () => s.find("[data-testid=item-delete]"));
    assert.match(await s.text(confirm), /1 highlight/, "it says what goes with it");
    assert.ok(item);
    await s.click(await s.find("[data-testid=item-delete-confirm]"));
    await waitFor("the item to be gone", async () => (await findWithText(s, "[data-testid=feedback-items] [data-testid=text-item]", FB_WORDS)) === null);
  });
});
