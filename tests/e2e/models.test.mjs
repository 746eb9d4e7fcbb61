// End-to-end test of the Models screen: it lists the installed whisper models (the test
// machine has tiny.en after scripts/fetch-model) or, with none, says how to get one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "./webdriver.mjs";
import { launch, openNav, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;

describe("The Models screen", () => {
  before(async () => {
    s = await launch();
  });

  after(async () => {
    if (s) await s.delete();
  });

  test("lists the installed models, or the empty state when there are none, and the ones to download", async () => {
    await openNav(s, "models");
    const shown = await waitFor("installed models or the empty state", async () => {
      const rows = await s.findAll("[data-testid=model-row][data-installed=true]");
      if (rows.length > 0) return { rows };
      return (await s.find("[data-testid=models-empty]")) ? { rows: [] } : null;
    });
    const names = [];
    for (const row of shown.rows) {
      const name = await s.findIn(row, "[data-testid=model-name]");
      names.push((await s.text(name)).trim());
    }
    // scripts/fetch-model installs tiny.en and tiny.en-q8_0 into the models folder.
    if (names.length > 0) assert.ok(names.includes("tiny.en"), `tiny.en should be listed, found ${names.join(", ")}`);
    const downloadable = await s.findAll("[data-testid=model-row][data-installed=false]");
    assert.ok(downloadable.length > 10, "whisper.cpp's published models are offered for download");
    assert.equal((await s.findAll("[data-testid=error]")).length, 0, "no error is shown");
    await screenshot(s, "models.png");
  });
});
