// End-to-end test of the Insights screen from an empty workspace: import deploys (with gates),
// NPS responses and a Backstage catalog through the import flow (file dialog → preview →
// import, the dialog answered through the e2e seam), see the charts drawn (SVG in the page),
// filter by team, save a chart as PNG through the save dialog, add, edit, compare and delete
// a release, and remove a service from the catalog with a confirm.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keys, waitFor } from "./webdriver.mjs";
import { answerNextDialog, invoke, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let fx = "";
/** A Prometheus started by this file (Debian's prometheus, on a free loopback port). */
let prometheus = null;
const fixture = (name) => join(fx, name);

const DEPLOYS = [
  { id: "e1", service: "checkout-api", environment: "production", time: "2026-01-05T10:00:00Z", outcome: "success", version: "1", commit_time: "2026-01-05T08:00:00Z", gates: [{ name: "canary", result: "passed" }] },
  { id: "e2", service: "checkout-api", environment: "production", time: "2026-01-12T10:00:00Z", outcome: "failed", version: "2", gates: [{ name: "canary", result: "blocked" }] },
  { id: "e3", service: "checkout-api", environment: "production", time: "2026-01-19T10:00:00Z", outcome: "success", version: "3", gates: [{ name: "canary", result: "overridden", by: "ana" }] },
  { id: "e4", service: "search-indexer", environment: "production", time: "2026-01-20T10:00:00Z", outcome: "success", version: "9" },
];

const NPS = `Score,Comment,Created at,Email,Team
10,Great,2026-01-03T10:00:00Z,a@example.com,payments
3,Slow canary,2026-01-10T10:00:00Z,b@example.com,search
9,,2026-02-03T10:00:00Z,c@example.com,payments
8,,2026-02-10T10:00:00Z,d@example.com,search
`;

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-api
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: shop
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search-indexer
spec:
  type: service
  lifecycle: production
  owner: search
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments
  children: []
`;

async function el(css, what = css) {
  return waitFor(what, () => s.find(css));
}

async function click(css, what = css) {
  await s.click(await el(css, what));
}

async function textOf(css) {
  return s.text(await el(css));
}

/** Chooses an option of a <select> as a person would (the change event Svelte listens to). */
async function choose(css, value) {
  await el(css);
  await s.execute(
    `const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event("change", { bubbles: true }));`,
    [css, value],
  );
}

async function typeInto(css, text) {
  const input = await el(css);
  await s.clear(input);
  await s.type(input, text);
}

/** Runs the import flow for one file; `firstRow` is text the preview's first sample line shows. */
async function importFile(kind, file, expectRows, firstRow) {
  await click("[data-testid=insights-import-open]");
  await choose("[data-testid=insights-import-kind]", kind);
  await answerNextDialog(s, file);
  await click("[data-testid=insights-import-pick]");
  const rows = await waitFor(`the preview of ${file}`, async () => {
    const e = await s.find("[data-testid=insights-import-rows]");
    return e ? s.text(e) : null;
  });
  assert.equal(Number(rows), expectRows, "the preview counts the file's rows");
  assert.match(await textOf("[data-testid=insights-import-sample]"), firstRow, "the preview shows the first rows as read");
  await click("[data-testid=insights-import-commit]");
  await waitFor("the import dialog to close", async () => (await s.find("[data-testid=insights-import]")) === null);
}

/** The chart's SVG once it shows `expected` (charts are redrawn when the data changes). */
async function svgOf(testid, expected) {
  let last = null;
  try {
    return await waitFor(`the ${testid} chart showing ${expected}`, async () => {
      last = await s.execute(
        `const e = document.querySelector(arguments[0]); return e ? e.innerHTML : null;`,
        [`[data-testid=${testid}-svg]`],
      );
      return last && last.includes("<svg") && expected.test(last) ? last : null;
    });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}; the chart was ${last}`);
  }
}

describe("The Insights screen", () => {
  before(async () => {
    fx = await mkdtemp(join(tmpdir(), "rapport-e2e-insights-"));
    await writeFile(fixture("deploys.jsonl"), DEPLOYS.map((d) => JSON.stringify(d)).join("\n") + "\n");
    await writeFile(fixture("nps.csv"), NPS);
    await writeFile(fixture("catalog-info.yaml"), CATALOG);
    s = await launch({ workspace: "empty" });
    await openNav(s, "insights");
  });

  after(async () => {
    if (prometheus) prometheus.kill();
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("an empty workspace draws the charts with what they lack", async () => {
    await svgOf("chart-nps", /No NPS responses/);
    assert.match(await textOf("[data-testid=nps-empty]"), /no responses/);
  });

  test("deploys with gates import through the dialog and a preview, and the gates show", async () => {
    await importFile("deploys", fixture("deploys.jsonl"), 4, /2026-01-05T10:00:00Z checkout-api production success 1 \(gates: canary passed\)/);
    await waitFor("four deploys counted", async () => (await textOf("[data-testid=stat-deploys]")).includes("4"));
    const gates = await waitFor("the gates table", () => s.find("[data-testid=gates-table]"));
    const text = await s.text(gates);
    assert.match(text, /canary/);
    assert.match(text, /ana ×1/, "who overrode the block");
    const svg = await svgOf("chart-gates", /canary/);
    assert.match(svg, /overridden/);
    assert.match(await textOf("[data-testid=dora-table]"), /checkout-api/);
  });

  test("NPS responses import and the score, its interval and the chart show", async () => {
    await importFile("nps", fixture("nps.csv"), 4, /10 · 2026-01-03T10:00:00Z · Great/);
    const headline = await waitFor("the NPS headline", async () => {
      const e = await s.find("[data-testid=nps-headline]");
      return e ? s.text(e) : null;
    });
    // 2 promoters, 1 detractor of 4: NPS 25.
    assert.match(headline, /25/);
    assert.match(headline, /95% interval \[/);
    const svg = await svgOf("chart-nps", /2026-01/);
    assert.match(svg, /95% interval/);
    assert.match(svg, /2026-02/);
  });

  test("a Backstage catalog imports with owners and the team filter narrows DORA to its services", async () => {
    await importFile("catalog", fixture("catalog-info.yaml"), 4, /component checkout-api, owner payments/);
    const row = await el("[data-testid=catalog-service-checkout-api]");
    assert.match(await s.text(row), /Payments/, "the owner group's title");
    await choose("[data-testid=filter-team]", "payments");
    await waitFor("DORA of the payments team only", async () => {
      const t = await textOf("[data-testid=dora-table]");
      return t.includes("checkout-api") && !t.includes("search-indexer");
    });
    await choose("[data-testid=filter-team]", "");
    await waitFor("DORA of every service again", async () => (await textOf("[data-testid=dora-table]")).includes("search-indexer"));
    await screenshot(s, "insights.png");
  });

  test("a chart saves as PNG of its size through the save dialog", async () => {
    const out = fixture("gates.png");
    await answerNextDialog(s, out);
    await click("[data-testid=chart-gates-save]");
    await waitFor("the chart saved", () => s.find("[data-testid=chart-gates-saved]"));
    const png = await readFile(out);
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    assert.equal(png.readUInt32BE(16), 900, "width");
    assert.equal(png.readUInt32BE(20), 340, "height");
  });

  test("a release is added, edited, compared before and after, and deleted with a confirm", async () => {
    await click("[data-testid=release-new]");
    await typeInto("[data-testid=release-service]", "checkout-api");
    await typeInto("[data-testid=release-at]", "2026-01-15");
    await typeInto("[data-testid=release-title]", "Faster canary");
    await click("[data-testid=release-save]");
    const timeline = await waitFor("the release on the timeline", async () => {
      const t = await s.find("[data-testid=release-timeline]");
      return t && (await s.text(t)).includes("Faster canary") ? t : null;
    });
    assert.ok(timeline);
    const list = await invoke(s, "release_list");
    assert.ok(list.ok, list.message);
    const id = list.value[0].id;

    await click(`[data-testid=release-edit-${id}]`);
    await typeInto("[data-testid=release-title]", "Canary in five minutes");
    await click("[data-testid=release-save]");
    await waitFor("the new title", async () => (await textOf("[data-testid=release-timeline]")).includes("Canary in five minutes"));

    await click(`[data-testid=release-compare-${id}]`);
    await choose("[data-testid=compare-statistic]", "dora:deployments");
    await click("[data-testid=compare-run]");
    const result = await waitFor("the comparison", async () => {
      const e = await s.find("[data-testid=compare-difference]");
      return e ? s.text(e) : null;
    });
    // 30 days before 15 January: e1, e2 (2); after: e3 (1) of checkout-api.
    assert.match(result, /Difference -1\.00/);
    await s.pressKeys([Keys.ESCAPE]);
    await waitFor("the comparison closed", async () => (await s.find("[data-testid=release-comparison]")) === null);

    await click(`[data-testid=release-delete-${id}]`);
    await click("[data-testid=release-confirm-delete]");
    await waitFor("the release gone", async () => (await s.find(`[data-testid=release-${id}]`)) === null);
  });

  test("a service leaves the catalog after a confirm", async () => {
    await click("[data-testid=catalog-delete-search-indexer]");
    await click("[data-testid=catalog-confirm-delete]");
    await waitFor("search-indexer gone from the catalog", async () => (await s.find("[data-testid=catalog-service-search-indexer]")) === null);
    const c = await invoke(s, "catalog_list");
    assert.deepEqual(c.value.services.map((x) => x.name), ["checkout-api"]);
  });

  test("metrics pulled from a real Prometheus draw with the releases as markers, and delete with a confirm", async () => {
    // Three hours of a gauge of two services ending an hour ago, backfilled into a TSDB.
    const t0 = Math.floor((Date.now() / 1000 - 4 * 3600) / 60) * 60;
    let om = "# TYPE rapport_e2e_gauge gauge\n";
    for (let i = 0; i < 720; i++) {
      om += `rapport_e2e_gauge{service="a"} ${i} ${t0 + 15 * i}\nrapport_e2e_gauge{service="b"} ${2 * i} ${t0 + 15 * i}\n`;
    }
    await writeFile(fixture("data.om"), om + "# EOF\n");
    const tsdb = fixture("tsdb");
    await mkdir(tsdb);
    execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", fixture("data.om"), tsdb], { stdio: "pipe" });
    await writeFile(fixture("prometheus.yml"), "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    const port = await new Promise((done) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = srv.address().port;
        srv.close(() => done(p));
      });
    });
    prometheus = spawn("prometheus", [
      `--config.file=${fixture("prometheus.yml")}`,
      `--storage.tsdb.path=${tsdb}`,
      "--storage.tsdb.retention.time=10y",
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: "ignore" });
    const url = `http://127.0.0.1:${port}`;
    await waitFor("Prometheus to be ready", async () => {
      try {
        return (await fetch(`${url}/-/ready`)).ok;
      } catch {
        return false;
      }
    }, { timeout: 60_000 });

    await typeInto("[data-testid=metric-url]", url);
    await typeInto("[data-testid=metric-query]", "rapport_e2e_gauge");
    await typeInto("[data-testid=metric-name]", "gauge");
    await typeInto("[data-testid=metric-from]", String(t0));
    await typeInto("[data-testid=metric-to]", String(t0 + 3 * 3600));
    await typeInto("[data-testid=metric-step]", "60");
    await click("[data-testid=metric-pull]");
    const message = await waitFor("the pull's result", async () => {
      const e = await s.find("[data-testid=metric-pull-message]");
      return e ? s.text(e) : null;
    }, { timeout: 30_000 });
    // 3 hours at 60 s: 181 steps for each of the two label sets.
    assert.match(message, /gauge: 2 series, 362 points/);

    const at = new Date((t0 + 90 * 60) * 1000).toISOString().replace(".000", "");
    await click("[data-testid=release-new]");
    await typeInto("[data-testid=release-service]", "checkout-api");
    await typeInto("[data-testid=release-at]", at);
    await typeInto("[data-testid=release-title]", "Bigger batch");
    await click("[data-testid=release-save]");
    const svg = await svgOf("chart-metric", /Bigger batch/);
    assert.match(svg, /service=a/);
    assert.match(svg, /service=b/);

    await click("[data-testid=metric-delete-gauge]");
    await click("[data-testid=metric-confirm-delete]");
    await waitFor("the metric gone", async () => (await s.find("[data-testid=chart-metric]")) === null);
    const list = await invoke(s, "metric_list");
    assert.deepEqual(list.value, []);
  });
});
