// End-to-end test of a big audit log import in the real window: the preview (a dry run) and
// the import run as jobs with a progress bar; a cancelled import changes nothing; the next one
// imports every event. On a workspace of its own (people added with the CLI first). Runs like
// app.test.mjs (scripts/e2e sets RAPPORT_APP and RAPPORT_CLI).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { answerNextDialog, cli, launch, openNav, quit } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let fx = "";
const fixture = (name) => join(fx, name);

const PEOPLE = 40;
// Two lines (RequestReceived, ResponseComplete) per request: EVENTS events counted.
const EVENTS = 120_000;
const VERBS = [["get", "pods", ""], ["list", "deployments", ""], ["patch", "deployments", ""], ["create", "pods", "exec"]];
const person = (i) => `user${i}@example.com`;

/** A Kubernetes audit log as the API server's log backend writes it: EVENTS requests, two stages each. */
async function writeAuditLog(path) {
  const out = createWriteStream(path);
  const start = Date.parse("2026-11-01T08:00:00Z");
  for (let i = 0; i < EVENTS; i++) {
    const [verb, resource, sub] = VERBS[i % VERBS.length];
    const t = new Date(start + i * 7_000).toISOString().replace("Z", "123Z");
    const objectRef = { resource, namespace: `team-${i % 5}`, name: `${resource}-${i % 17}`, apiVersion: "v1" };
    if (sub) objectRef.subresource = sub;
    const base = {
      kind: "Event", apiVersion: "audit.k8s.io/v1", level: "Metadata", auditID: `e2e-audit-${i}`, verb,
      requestURI: `/api/v1/namespaces/${objectRef.namespace}/${resource}/${objectRef.name}`,
      user: { username: person(i % PEOPLE), groups: ["system:authenticated"] },
      sourceIPs: ["10.0.0.1"], userAgent: "kubectl/v1.30.2", objectRef, requestReceivedTimestamp: t,
    };
    const received = JSON.stringify({ ...base, stage: "RequestReceived", stageTimestamp: t });
    const complete = JSON.stringify({ ...base, stage: "ResponseComplete", stageTimestamp: t, responseStatus: { metadata: {}, code: 200 } });
    if (!out.write(`${received}\n${complete}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** The workspace's events per person and in all, read with the CLI. */
function counted() {
  const people = JSON.parse(execFileSync(cli(), ["--workspace", s.workspace, "people", "list", "--json"], { encoding: "utf8" }));
  return people.reduce((sum, p) => sum + p.events, 0);
}

async function el(css, what = css) {
  return waitFor(what, () => s.find(css));
}
async function click(css, what = css) {
  await s.click(await el(css, what));
}
const textOf = async (css) => s.text(await el(css));
/** The progress bar's percent while a job runs (null when none shows or its total is unknown). */
const percent = () =>
  s.execute(
    `const bar = document.querySelector("[data-testid=import-progress] [role=progressbar]");
     const v = bar && bar.getAttribute("aria-valuenow");
     return v === null || v === undefined ? null : Number(v);`,
  );

describe("A big audit log import in the window", () => {
  before(async () => {
    fx = await mkdtemp(join(tmpdir(), "rapport-e2e-audit-"));
    await writeFile(fixture("people.csv"), `email,name\n${Array.from({ length: PEOPLE }, (_, i) => `${person(i)},User ${i}`).join("\n")}\n`);
    await writeAuditLog(fixture("audit.log"));
    s = await launch({ workspace: "empty" });
    execFileSync(cli(), ["--workspace", s.workspace, "people", "import", fixture("people.csv")], { stdio: "ignore" });
  });

  after(async () => {
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("the preview shows progress while it reads, then what an import would do", async () => {
    await openNav(s, "people");
    await click("[data-testid=audit-import]");
    await answerNextDialog(s, fixture("audit.log"));
    await click("[data-testid=import-pick]");
    const seen = await waitFor("the preview's progress part way", async () => {
      const p = await percent();
      return p !== null && p > 0 && p < 100 ? p : null;
    }, { timeout: 60_000, interval: 20 });
    assert.ok(seen > 0 && seen < 100, `a percent part way: ${seen}`);
    await waitFor("the preview", async () => /Would import:/.test((await s.find("[data-testid=import-preview]")) ? await textOf("[data-testid=import-preview]") : ""), { timeout: 120_000 });
    assert.match(await textOf("[data-testid=import-preview]"), /Would import: 120,000 events of 40 people/);
    assert.equal(counted(), 0, "a preview writes nothing");
  });

  test("a cancelled import changes nothing", async () => {
    // Confirm, then Cancel as soon as the job has an id, both inside the page: on a quiet
    // machine the whole import takes about a second, less than a few WebDriver round trips,
    // so a Cancel sent from here could arrive after the import had committed.
    const clicked = await s.executeAsync(
      `const done = arguments[arguments.length - 1];
       document.querySelector("[data-testid=import-confirm]").click();
       const start = performance.now();
       (function poll() {
         const b = document.querySelector("[data-testid=import-cancel-job]");
         if (b && !b.disabled) { b.click(); done(true); }
         else if (performance.now() - start > 60000) done(false);
         else setTimeout(poll, 1);
       })();`,
    );
    assert.equal(clicked, true, "the Cancel button was there while the import ran");
    await waitFor("the cancel", async () => (await s.find("[data-testid=import-cancelled]")) !== null, { timeout: 120_000 });
    assert.match(await textOf("[data-testid=import-cancelled]"), /nothing was imported/);
    assert.equal(counted(), 0, "no event was stored");
  });

  test("the next import stores every event", async () => {
    await answerNextDialog(s, fixture("audit.log"));
    await click("[data-testid=import-pick]");
    await waitFor("the preview again", async () => /Would import: 120,000 events/.test((await s.find("[data-testid=import-preview]")) ? await textOf("[data-testid=import-preview]") : ""), { timeout: 120_000 });
    await click("[data-testid=import-confirm]");
    await waitFor("the import", async () => /Imported: 120,000 events of 40 people/.test((await s.find("[data-testid=import-preview]")) ? await textOf("[data-testid=import-preview]") : ""), { timeout: 120_000 });
    assert.equal(counted(), EVENTS, "every event, once");
    await click("[data-testid=import-dialog] footer .btn");
    await waitFor("the people with their events", async () => {
      const rows = await s.findAll("[data-testid=person-row]");
      return rows.length === PEOPLE;
    });
  });
});
