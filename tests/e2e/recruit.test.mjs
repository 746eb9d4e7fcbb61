// End-to-end test of recruiting in the real window, on the demo workspace: import more people
// (a directory CSV, with its preview) and an audit log through the dialog seam, filter people
// by observed role, open a profile with its activity chart, build a screener (a typed error
// points at its column), pick six, export them as CSV, log a contact dated six days ago and
// see its follow-up come due, render the invitation and save its .ics, and forget a person
// after a confirm. Runs like app.test.mjs (scripts/e2e sets RAPPORT_APP and RAPPORT_CLI).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { answerNextDialog, findWithText, invoke, launch, openNav, quit, screenshot } from "./helpers.mjs";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
let fx = "";
const fixture = (name) => join(fx, name);

// People the directory file adds: four groups of three, each with a way of working.
const NEW_PEOPLE = [
  ["olga.ops", "Olga Ops", "platform", "Engineer", "ops"],
  ["oscar.ops", "Oscar Ops", "platform", "Engineer", "ops"],
  ["otto.ops", "Otto Ops", "infra", "Engineer", "ops"],
  ["sara.svc", "Sara Service", "checkout", "Engineer", "service"],
  ["sven.svc", "Sven Service", "payments", "Engineer", "service"],
  ["sid.svc", "Sid Service", "identity", "Engineer", "service"],
  ["tara.test", "Tara Test", "checkout", "Engineer", "test"],
  ["tim.test", "Tim Test", "payments", "Engineer", "test"],
  ["tess.test", "Tess Test", "mobile", "Engineer", "test"],
  ["rita.read", "Rita Reader", "data", "Manager", "read"],
  ["rob.read", "Rob Reader", "data", "Manager", "read"],
  ["ray.read", "Ray Reader", "mobile", "Manager", "read"],
];
const email = (local) => `${local}@example.com`;

function directoryCsv() {
  return `email,name,team,role,location\n${NEW_PEOPLE.map(([l, n, t, r]) => `${email(l)},${n},${t},${r},Berlin`).join("\n")}\n`;
}

/** A Kubernetes audit log (both stages, as the API server writes it) of the last 30 days. */
function auditLog() {
  const lines = [];
  let id = 0;
  const now = Date.now();
  const add = (user, verb, resource, sub, ns, daysAgo) => {
    const t = new Date(now - daysAgo * 86_400_000);
    t.setUTCHours(9 + (id % 8), id % 60, 0, 0);
    const ts = t.toISOString().replace("Z", "000Z");
    const objectRef = { resource, namespace: ns, name: `obj-${id % 5}`, apiVersion: "v1" };
    if (sub) objectRef.subresource = sub;
    const auditID = `e2e-${id++}`;
    for (const stage of ["RequestReceived", "ResponseComplete"]) {
      const ev = {
        kind: "Event", apiVersion: "audit.k8s.io/v1", level: "Metadata", auditID, stage, verb,
        requestURI: `/api/v1/namespaces/${ns}/${resource}`, user: { username: user, groups: ["system:authenticated"] },
        objectRef, requestReceivedTimestamp: ts, stageTimestamp: ts,
      };
      if (stage === "ResponseComplete") ev.responseStatus = { metadata: {}, code: 200 };
      lines.push(JSON.stringify(ev));
    }
  };
  for (const [local, , team, , kind] of NEW_PEOPLE) {
    for (let d = 1; d <= 20; d++) {
      const ns = kind === "test" ? "ci-e2e" : team;
      if (kind === "ops") {
        add(email(local), "create", "pods", "exec", ["checkout", "payments", "identity", "mobile", "data", "platform"][d % 6], d);
        add(email(local), "patch", "deployments", "scale", team, d);
      } else if (kind === "service") {
        add(email(local), "patch", "deployments", "", ns, d);
        add(email(local), "get", "pods", "", ns, d);
      } else if (kind === "test") {
        add(email(local), "create", "jobs", "", ns, d);
        add(email(local), "get", "pods", "", ns, d);
      } else {
        add(email(local), "get", "deployments", "", ns, d);
        add(email(local), "list", "pods", "", ns, d);
      }
    }
  }
  add("system:serviceaccount:kube-system:replicaset-controller", "update", "replicasets", "", "kube-system", 1);
  add("stranger@example.com", "get", "pods", "", "default", 1);
  return `${lines.join("\n")}\n`;
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
/** Sets a <select> or an <input> the way a user's change does (Svelte listens to change/input). */
async function setValue(css, value, event = "change") {
  await el(css);
  await s.execute(
    `const e = document.querySelector(arguments[0]); e.value = arguments[1];
     e.dispatchEvent(new Event(arguments[2], { bubbles: true }));`,
    [css, value, event],
  );
}
const rows = async () => (await s.findAll("[data-testid=person-row]")).length;
const textOf = async (css) => s.text(await el(css));
/** Opens a person's profile from the People list, found by name. */
async function openProfile(name) {
  await openNav(s, "people");
  await setValue("[data-testid=filter-role]", "");
  await typeInto("#people-filter", name);
  await waitFor(name, async () => (await rows()) === 1);
  await click("[data-testid=person-open]");
}

describe("Recruiting in the window", () => {
  before(async () => {
    fx = await mkdtemp(join(tmpdir(), "rapport-e2e-recruit-"));
    await writeFile(fixture("directory.csv"), directoryCsv());
    await writeFile(fixture("audit.log"), auditLog());
    s = await launch({ workspace: "demo" });
  });

  after(async () => {
    await quit(s);
    if (fx) await rm(fx, { recursive: true, force: true });
  });

  test("people import through the dialog shows a preview first, then adds them", async () => {
    await openNav(s, "people");
    await waitFor("the demo's people", async () => (await rows()) > 0);
    const before = await rows();
    await click("[data-testid=people-import]");
    await answerNextDialog(s, fixture("directory.csv"));
    await click("[data-testid=import-pick]");
    await waitFor("the preview", async () => (await s.find("[data-testid=import-preview]")) !== null);
    assert.match(await textOf("[data-testid=import-preview]"), /Would import: 12 new people/);
    assert.equal(await rows(), before, "a preview writes nothing");
    await click("[data-testid=import-confirm]");
    await waitFor("the import", async () => /Imported:/.test(await textOf("[data-testid=import-preview]")));
    await click("[data-testid=import-dialog] footer .btn");
    await waitFor("twelve more rows", async () => (await rows()) === before + 12);
  });

  test("an audit log import gives people observed roles, and the filter finds the operations people", async () => {
    await click("[data-testid=audit-import]");
    await answerNextDialog(s, fixture("audit.log"));
    await click("[data-testid=import-pick]");
    await waitFor("the audit preview", async () => /Would import: 481 events of 12 people/.test(await textOf("[data-testid=import-preview]")));
    assert.match(await textOf("[data-testid=import-preview]"), /stranger@example\.com \(1\)/, "unmatched actors are listed");
    await click("[data-testid=import-confirm]");
    await waitFor("the audit import", async () => /Imported:/.test(await textOf("[data-testid=import-preview]")));
    await click("[data-testid=import-dialog] footer .btn");

    await setValue("[data-testid=filter-role]", "operations");
    await waitFor("three operations people", async () => (await rows()) === 3);
    for (const cell of await s.findAll("[data-testid=person-observed-role]")) {
      assert.equal((await s.text(cell)).trim(), "operations & reliability");
    }
    assert.match(await textOf("[data-testid=people-count]"), /^3 of \d+ people$/);
    await typeInto("#people-filter", "infra");
    await waitFor("one in infra", async () => (await rows()) === 1);
    await screenshot(s, "recruit-people-filtered.png");
  });

  test("a profile shows the observed role beside the title, why, and the activity chart", async () => {
    await click("[data-testid=person-open]", "Otto's name");
    await waitFor("Otto's profile", async () => (await textOf("[data-testid=person-name]")) === "Otto Ops");
    assert.match(await textOf("[data-testid=profile-observed-role]"), /operations & reliability/);
    assert.match(await textOf("[data-testid=profile-role-why]"), /create pods\/exec/);
    const bars = await s.execute(`return document.querySelectorAll("[data-testid=activity-chart] svg rect").length;`);
    assert.ok(bars > 2, `the chart draws weekly bars (found ${bars} rects)`);
    assert.match(await textOf("[data-testid=profile-activity]"), /40 events on 20 days/);
    await screenshot(s, "recruit-profile.png");
  });

  test("the recruit page builds a screener, points at a typing error's column, and invites six", async () => {
    await openNav(s, "recruit");
    await typeInto("[data-testid=recruit-expr]", "tier in (power regular)");
    // The error of the whole expression (typing shows the errors of its beginnings on the way).
    await waitFor("the parse error at column 16", async () => {
      const e = await s.find("[data-testid=recruit-parse-error]");
      return e !== null && /Column 16: expected "," or "\)" in the list, found "regular"/.test(await s.text(e));
    });
    await s.clear(await el("[data-testid=recruit-expr]"));
    await setValue("[data-testid=recruit-expr]", "", "input");

    await setValue("[data-testid=crit-field]", "observed_role");
    await setValue("[data-testid=crit-op]", "in");
    await typeInto("[data-testid=crit-value]", "operations, service, test, observer");
    await click("[data-testid=crit-add]");
    await waitFor("the screener text", async () =>
      (await s.execute(`return document.querySelector("[data-testid=recruit-expr]").value;`)) ===
      "observed_role in (operations, service, test, observer)",
    );
    await typeInto("[data-testid=recruit-size]", "6");
    await waitFor("a preview of six", async () => {
      const n = await s.find("[data-testid=recruit-selected-count]");
      return n !== null && (await s.text(n)).trim() === "6";
    });
    const strata = await textOf("[data-testid=recruit-strata]");
    for (const role of ["operations & reliability", "service", "test", "observer"]) {
      assert.ok(strata.includes(role), `the stratum ${role} is listed: ${strata}`);
    }
    await screenshot(s, "recruit-preview.png");
    await click("[data-testid=recruit-invite]");
    await waitFor("the invitations", async () => /Invited 6 people/.test(await textOf("[data-testid=recruit-invited]")));
    await answerNextDialog(s, fixture("picked.csv"));
    await click("[data-testid=recruit-export]");
    await waitFor("the export", async () => (await s.find("[data-testid=recruit-saved]")) !== null);
    const csv = await readFile(fixture("picked.csv"), "utf8");
    assert.equal(csv.trim().split("\n").length, 7, `a header and six people: ${csv}`);
  });

  test("a contact logged six days ago comes due for a follow-up on the board", async () => {
    await click("[data-testid=recruit-to-outreach]");
    await waitFor("six invitations", async () => (await s.findAll("[data-testid=outreach-card]")).length === 6);
    assert.match(await textOf("[data-testid=outreach-due-count]"), /No follow-ups due/);
    const first = (await s.findAll("[data-testid=card-log]"))[0];
    await s.click(first);
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000);
    const local = new Date(sixDaysAgo.getTime() - sixDaysAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await setValue("[data-testid=log-channel]", "slack");
    await setValue("[data-testid=log-status]", "contacted");
    await setValue("[data-testid=log-at]", local, "input");
    await click("[data-testid=log-save]");
    await waitFor("the follow-up due", async () => (await s.findAll("[data-testid=card-due]")).length === 1);
    assert.match(await textOf("[data-testid=outreach-due-count]"), /1 follow-up due/);
    const contacted = await el("[data-testid=column-contacted]");
    assert.match(await s.text(contacted), /Follow-up due/, "the card moved to Contacted, marked due");
    // Waiting longer before a follow-up: not due yet.
    await typeInto("[data-testid=outreach-days]", "10");
    await waitFor("no follow-up due at 10 days", async () => (await s.findAll("[data-testid=card-due]")).length === 0);
    const due = await invoke(s, "outreach_due", { days: 5 });
    assert.ok(due.ok && due.value.length === 1, `outreach_due agrees: ${JSON.stringify(due)}`);
    await screenshot(s, "recruit-outreach.png");
  });

  test("an invitation renders as mail and Slack text, and once scheduled saves an .ics", async () => {
    await click("[data-testid=card-open]", "the first card's name");
    const mailto = await waitFor("the mailto link", async () => {
      const a = await s.find("[data-testid=invite-mailto]");
      return a ? s.execute(`return document.querySelector("[data-testid=invite-mailto]").href;`) : null;
    });
    assert.match(mailto, /^mailto:[^?]+%40example%2Ecom\?subject=.+&body=/);
    assert.match(await textOf("[data-testid=invite-body]"), /minutes for a conversation/);
    // "Open in mail" hands the link to the system (xdg-open; scripts/e2e's BROWSER records what
    // it is given), and the window stays where it is.
    await click("[data-testid=invite-mailto]");
    const opened = await waitFor("the mail link handed to the system", async () => {
      const text = await readFile(process.env.E2E_OPENED_URLS, "utf8").catch(() => "");
      return text.split("\n").find((l) => l.startsWith("mailto:")) ?? null;
    });
    assert.equal(opened, mailto);
    assert.ok(await s.find("[data-testid=invite-body]"), "the window still shows the invitation");
    await setValue("[data-testid=invite-scheduled]", "2026-12-15T10:30", "input");
    await click("[data-testid=invite-save]");
    await waitFor("the .ics button", async () =>
      s.execute(`return !document.querySelector("[data-testid=invite-ics]").disabled;`),
    );
    await answerNextDialog(s, fixture("invite.ics"));
    await click("[data-testid=invite-ics]");
    await waitFor("the saved .ics", async () => (await s.find("[data-testid=invite-ics-saved]")) !== null);
    const ics = await readFile(fixture("invite.ics"), "utf8");
    assert.match(ics, /BEGIN:VEVENT\r\nUID:[0-9a-f]+@rapport\.local\r\n/);
    assert.match(ics, /DTSTART:20261215T\d{4}00Z/);
    await click("[data-testid=invitation-dialog] footer .btn:not(.danger)");
    await waitFor("the card scheduled", async () => /1/.test(await s.text(await el("[data-testid=column-scheduled] h2"))));
  });

  test("a contact logged on a profile can be deleted from its history, after a confirm", async () => {
    await openProfile("Otto Ops");
    await waitFor("Otto's profile", async () => (await textOf("[data-testid=person-name]")) === "Otto Ops");
    const before = (await s.findAll("[data-testid=contact-delete]")).length;
    await click("[data-testid=person-log-contact]");
    await setValue("[data-testid=log-channel]", "email");
    await setValue("[data-testid=log-status]", "declined");
    await click("[data-testid=log-save]");
    await waitFor("the contact in the history", async () => (await s.findAll("[data-testid=contact-delete]")).length === before + 1);
    assert.match(await textOf("[data-testid=profile-history]"), /declined via email/);
    await click("[data-testid=contact-delete]");
    // Nothing goes before the confirm.
    await el("[data-testid=contact-delete-confirm]");
    assert.match(await textOf("[data-testid=profile-history]"), /declined via email/);
    await click("[data-testid=contact-delete-yes]");
    await waitFor("the contact gone", async () => (await s.findAll("[data-testid=contact-delete]")).length === before);
    assert.doesNotMatch(await textOf("[data-testid=profile-history]"), /declined via email/);
    const otto = (await invoke(s, "people_list")).value.find((p) => p.name === "Otto Ops");
    const profile = await invoke(s, "person_profile", { id: otto.id });
    const contacts = profile.ok ? profile.value.history.filter((h) => h.kind === "outreach") : null;
    assert.equal(contacts?.length, before, `the store agrees: ${JSON.stringify(profile)}`);
  });

  test("forgetting a person asks first, then removes them from the list", async () => {
    await openProfile("Ray Reader");
    await click("[data-testid=person-forget]");
    await el("[data-testid=forget-dialog]");
    // The confirm lists what goes before anything does.
    const plan = await s.text(await el("[data-testid=forget-plan]"));
    assert.match(plan, /the person, their activity and their place in the search index/);
    await click("[data-testid=forget-confirm]");
    await waitFor("the people list again", async () => (await s.find("[data-testid=people-import]")) !== null);
    const list = await invoke(s, "people_list");
    assert.ok(list.ok && !list.value.some((p) => p.email === email("ray.read")), "Ray is gone");
    assert.equal(await findWithText(s, "[data-testid=person-row]", "Ray Reader"), null);
  });
});
