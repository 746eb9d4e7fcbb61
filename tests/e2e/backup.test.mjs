// End-to-end test of backups in the real window, on a demo workspace of its own: back the
// workspace up from the Workspace menu (the save dialog answered through the e2e seam), then
// restore the zip into an empty folder, see that it verifies, open it, and find the demo study
// there; `rapport verify` agrees. Runs like app.test.mjs (see there for the set-up).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { answerNextDialog, cli, findWithText, launch, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let fx = "";

async function el(css, what = css) {
  return waitFor(what, () => s.find(css));
}
async function click(css, what = css) {
  await s.click(await el(css, what));
}
const textOf = async (css) => s.text(await el(css));

describe("Backups in the window", () => {
  before(async () => {
    fx = await mkdtemp(join(process.env.E2E_WORK_DIR || tmpdir(), "rapport-e2e-backup-"));
    s = await launch();
  });

  after(async () => {
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("the Workspace menu backs the workspace up into one zip", async () => {
    await click("[data-testid=workspace-menu]");
    await click("[data-testid=workspace-backup]");
    await el("[data-testid=backup-dialog]", "the backup dialog");
    await answerNextDialog(s, join(fx, "backup.zip"));
    await click("[data-testid=backup-start]");
    const done = await el("[data-testid=backup-done]", "the backup's report");
    assert.match(await s.text(done), /Saved backup\.zip: .+, the database and 1 media file\./);
    assert.ok(existsSync(join(fx, "backup.zip")), "the zip is where the dialog said");
    await screenshot(s, "backup-done.png");
    await click("[data-testid=backup-close]", "Close");
    await waitFor("the dialog closed", async () => (await s.find("[data-testid=backup-dialog]")) === null);
  });

  test("a backup restores into an empty folder, verifies, and opens with its study", async () => {
    const to = join(fx, "restored");
    await mkdir(to);
    await click("[data-testid=workspace-menu]");
    await click("[data-testid=workspace-restore]");
    await answerNextDialog(s, join(fx, "backup.zip"));
    await click("[data-testid=restore-pick-archive]");
    await waitFor("the archive chosen", async () => (await textOf("[data-testid=restore-archive]")) === "backup.zip");
    await answerNextDialog(s, to);
    await click("[data-testid=restore-pick-folder]");
    await waitFor("the folder chosen", async () => (await textOf("[data-testid=restore-folder]")) === to);
    await click("[data-testid=restore-start]");
    const done = await el("[data-testid=restore-done]", "the restore's report");
    assert.match(await s.text(done), /it verifies\./);
    await click("[data-testid=restore-open]");
    await waitFor("the restored workspace open", async () =>
      s.execute(`return document.querySelector("[data-testid=workspace-path]")?.title;`).then((t) => t === to),
    );
    await waitFor("the demo study in the restored workspace", () => findWithText(s, "[data-testid=study-card]", "New deploy system"));
    const report = JSON.parse(execFileSync(cli(), ["--workspace", to, "verify", "--json"], { encoding: "utf8" }));
    assert.equal(report.ok, true, JSON.stringify(report));
  });
});
