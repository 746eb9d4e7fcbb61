//! Deploy insights through the CLI: the catalog, deploy and incident imports, DORA's keys,
//! gates, the NPS report and charts, each against values computed by hand.

use std::path::Path;

use serde_json::Value;

use crate::util::*;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

fn close(actual: &Value, expected: f64, what: &str) {
    let a = actual.as_f64().unwrap_or_else(|| panic!("{what} is not a number: {actual}"));
    assert!((a - expected).abs() < 1e-3, "{what}: expected {expected}, found {a}");
}

const BACKSTAGE: &str = r#"# A Backstage catalog: a System, two Components, a Group, a User and an API (skipped).
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
  description: Taking money
spec:
  owner: group:default/payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-api
  title: Checkout API
  annotations:
    github.com/project-slug: acme/checkout-api
    acme.com/tier: "1"
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: system:default/payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-worker
  labels:
    tier: "2"
spec:
  type: service
  lifecycle: experimental
  owner: payments
  system: payments
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
  members: [tomasz]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: tomasz
spec:
  profile:
    email: tomasz.kowalski@example.com
  memberOf: [payments]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-openapi
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition: "openapi: 3.0.0"
"#;

#[test]
fn a_backstage_catalog_with_a_system_two_components_and_a_group_imports_with_owners() {
    let (tmp, ws) = demo_workspace();
    let file = write(tmp.path(), "catalog-info.yaml", BACKSTAGE);
    let r = rapport_json(&ws, &["catalog", "import", &file]);
    assert_eq!(
        (r["components"].as_i64(), r["systems"].as_i64(), r["groups"].as_i64(), r["users"].as_i64()),
        (Some(2), Some(1), Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["skipped"], 1, "the API document is skipped: {r}");
    let again = rapport_json(&ws, &["catalog", "import", &file]);
    assert_eq!(again["added"], 0, "importing the same catalog again adds nothing: {again}");

    // A repository folder: its CI and compose YAML are not catalog files.
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::write(repo.join(".github/workflows/ci.yml"), "on: push\njobs: {}\n").unwrap();
    std::fs::write(repo.join("deploy/compose.yaml"), "services:\n  web:\n    image: nginx\n").unwrap();
    std::fs::write(repo.join("catalog-info.yaml"), BACKSTAGE).unwrap();
    let folder = rapport_json(&ws, &["catalog", "import", repo.to_str().unwrap()]);
    assert_eq!((folder["components"].as_i64(), folder["added"].as_i64()), (Some(2), Some(0)), "{folder}");

    let list = rapport_json(&ws, &["catalog", "list"]);
    let services = list["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    let checkout = &services[0];
    assert_eq!(checkout["name"], "checkout-api");
    assert_eq!(checkout["owner_team"], "payments", "the owner reference is resolved to the group's name");
    assert_eq!(checkout["owner_title"], "Payments");
    assert_eq!(checkout["system"], "payments");
    assert_eq!(checkout["lifecycle"], "production");
    assert_eq!(checkout["tier"], "1", "the tier comes from the annotation");
    assert_eq!(checkout["annotations"]["github.com/project-slug"], "acme/checkout-api");
    let people: Vec<&str> =
        checkout["owner_people"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    // The demo directory's payments team, plus the group's member by the email of his User.
    assert_eq!(
        people,
        vec!["adaeze.okafor@example.com", "arjun.nair@example.com", "tomasz.kowalski@example.com"]
    );
    assert_eq!(services[1]["tier"], "2", "the tier comes from the label");
    assert_eq!(list["systems"][0]["name"], "payments");
    assert_eq!(list["teams"][0]["members"][0], "tomasz");
}

#[test]
fn a_catalog_csv_and_a_bad_descriptor_name_their_line() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let csv = write(
        tmp.path(),
        "services.csv",
        "service,owner_team,system,tier\nsearch-indexer,data,search,2\nbilling,payments,,\n",
    );
    let r = rapport_json(&ws, &["catalog", "import", &csv]);
    assert_eq!(r["components"], 2, "{r}");
    let list = rapport_json(&ws, &["catalog", "list"]);
    assert_eq!(list["services"][1]["owner_team"], "data");
    assert_eq!(list["services"][1]["tier"], "2");
    assert!(list["services"][0]["system"].is_null());

    let bad = write(tmp.path(), "bad.yaml", "kind: System\nmetadata:\n  name: ok\n---\nkind: Component\nmetadata:\n  name: no-owner\nspec:\n  type: service\n");
    let out = rapport(&ws, &["catalog", "import", &bad]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.yaml:4") && err.contains("spec.owner"),
        "names the document's line and the field: {err}"
    );
    let list = rapport_json(&ws, &["catalog", "list"]);
    assert!(list["systems"].as_array().unwrap().is_empty(), "nothing of a refused file is kept");
}

/// Deploys of two services with known answers (see the comments): window 2026-01-05 to
/// 2026-01-25 is ISO weeks 2, 3 (no alpha deploy: an empty week) and 4.
const ALPHA_CSV: &str = "id,service,environment,time,outcome,version,commit_time
a1,alpha,production,2026-01-05T10:00:00Z,success,1.0,2026-01-05T08:00:00Z
a2,alpha,production,2026-01-05T15:00:00Z,success,1.1,2026-01-04T15:00:00Z
a3,alpha,production,2026-01-07T09:00:00Z,failed,1.2,2026-01-07T08:00:00Z
a4,alpha,production,2026-01-08T12:00:00Z,success,1.3,
a5,alpha,production,2026-01-20T12:00:00Z,rolled_back,1.4,2026-01-20T11:00:00Z
a6,alpha,production,2026-01-21T12:00:00+00:00,success,1.5,2026-01-21T06:00:00Z
a7,alpha,staging,2026-01-14T00:00:00Z,success,1.5,2026-01-13T00:00:00Z
";

const BETA_JSONL: &str = r#"{"id": "b1", "service": "beta", "environment": "production", "time": "2026-01-12T10:00:00Z", "outcome": "success", "version": "7", "commit_time": "2026-01-12T09:00:00Z", "gates": [{"name": "canary", "result": "passed"}, {"name": "approval", "result": "passed", "by": "lee"}]}
{"id": "b2", "service": "beta", "environment": "production", "time": "2026-01-13T10:00:00Z", "outcome": "success", "version": "8", "commit_time": "2026-01-12T10:00:00Z", "gates": [{"name": "canary", "result": "overridden", "by": "ana", "reason": "known flake"}, {"name": "approval", "result": "passed"}]}

{"id": "b3", "service": "beta", "environment": "production", "time": "2026-01-14T10:00:00Z", "outcome": "success", "version": "9", "commit_time": "2026-01-14T07:00:00Z", "gates": [{"name": "canary", "result": "overridden", "by": "ana"}, {"name": "error-budget", "result": "overridden", "by": "raj"}]}
{"id": "b4", "service": "beta", "environment": "production", "time": "2026-01-14T18:00:00Z", "outcome": "failed", "version": "10", "rollback_reason": "circuit_breaker", "gates": [{"name": "canary", "result": "blocked"}]}
"#;

const INCIDENTS_CSV: &str = "id,service,started,resolved
i1,alpha,2026-01-08T13:00:00Z,2026-01-08T15:30:00Z
i2,alpha,2026-01-21T12:00:00Z,2026-01-21T13:00:00Z
";

fn deploy_workspace() -> (TempDir, std::path::PathBuf) {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let alpha = write(tmp.path(), "alpha.csv", ALPHA_CSV);
    let beta = write(tmp.path(), "beta.jsonl", BETA_JSONL);
    let incidents = write(tmp.path(), "incidents.csv", INCIDENTS_CSV);
    let r = rapport_json(&ws, &["deploys", "import", &alpha]);
    assert_eq!((r["format"].as_str(), r["added"].as_i64()), (Some("csv"), Some(7)), "{r}");
    let r = rapport_json(&ws, &["deploys", "import", &beta]);
    assert_eq!(
        (r["format"].as_str(), r["added"].as_i64(), r["gates"].as_i64()),
        (Some("jsonl"), Some(4), Some(7)),
        "{r}"
    );
    let r = rapport_json(&ws, &["incidents", "import", &incidents]);
    assert_eq!(r["added"], 2, "{r}");
    (tmp, ws)
}

#[test]
fn dora_json_equals_the_keys_computed_by_hand() {
    let (_tmp, ws) = deploy_workspace();
    let r = rapport_json(&ws, &["dora", "--from", "2026-01-05", "--to", "2026-01-25"]);
    assert_eq!(r["weeks"], 3, "{r}");
    let services = r["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    let alpha = &services[0];
    assert_eq!(alpha["service"], "alpha");
    assert_eq!(alpha["deployments"], 6, "the staging deploy is not counted");
    assert_eq!(alpha["deployment_days"], 5, "a1 and a2 share a day");
    // Weeks: 3 days, 0 (empty week), 2 → median 2.
    close(&alpha["deployment_days_per_week_median"], 2.0, "alpha days/week");
    assert_eq!(alpha["tier"], "weekly");
    // Successful deploys with a commit time: 2 h, 24 h, 6 h (a4 has none; a3 failed).
    close(&alpha["lead_time_median_hours"], 6.0, "alpha lead time");
    // a3 failed, a5 rolled back, a4 is the last deploy before i1; the last deploy before i2 is
    // a5 (a6 starts at the same second as i2, not before it), already counted: 3 of 6.
    close(&alpha["change_failure_rate"], 0.5, "alpha change failure rate");
    close(&alpha["time_to_restore_median_hours"], 1.75, "alpha time to restore (2.5 h and 1 h)");

    let beta = &services[1];
    assert_eq!(beta["deployments"], 4);
    assert_eq!(beta["deployment_days"], 3);
    // Weeks 0, 3, 0 → median 0; but January has 3 deployment days → monthly.
    close(&beta["deployment_days_per_week_median"], 0.0, "beta days/week");
    assert_eq!(beta["tier"], "monthly");
    close(&beta["lead_time_median_hours"], 3.0, "beta lead time (1, 24, 3 h)");
    close(&beta["change_failure_rate"], 0.25, "beta: one failed of four, no incidents");
    assert!(
        beta["time_to_restore_median_hours"].is_null(),
        "a service with no incidents has no time to restore"
    );

    let all = &r["overall"];
    assert!(all["service"].is_null());
    assert_eq!(all["deployments"], 10);
    assert_eq!(all["deployment_days"], 8);
    close(&all["deployment_days_per_week_median"], 3.0, "overall days/week (3, 3, 2)");
    assert_eq!(all["tier"], "on-demand");
    close(&all["lead_time_median_hours"], 4.5, "overall lead time: 1 2 3 6 24 24 → (3 + 6) / 2");
    close(&all["change_failure_rate"], 0.4, "overall change failure rate (3 + 1) / 10");
    close(&all["time_to_restore_median_hours"], 1.75, "overall time to restore");

    let one = rapport_json(&ws, &["dora", "--service", "beta", "--env", "all"]);
    assert_eq!(one["services"].as_array().unwrap().len(), 1);
    assert_eq!(one["overall"]["deployments"], 4);
    let staging = rapport_json(&ws, &["dora", "--env", "staging"]);
    assert_eq!(staging["overall"]["deployments"], 1);
}

#[test]
fn gates_json_counts_blocks_and_overrides_by_whom() {
    let (_tmp, ws) = deploy_workspace();
    let r = rapport_json(&ws, &["gates"]);
    let gates = r["gates"].as_array().unwrap();
    let names: Vec<&str> = gates.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["approval", "canary", "error-budget"]);
    let approval = &gates[0];
    assert_eq!((approval["evaluations"].as_i64(), approval["blocks"].as_i64()), (Some(2), Some(0)));
    assert!(approval["override_rate"].is_null(), "no blocks, no override rate");
    let canary = &gates[1];
    assert_eq!(canary["evaluations"], 4);
    assert_eq!(canary["passed"], 1);
    assert_eq!(canary["blocked"], 1);
    assert_eq!(canary["overridden"], 2);
    assert_eq!(canary["blocks"], 3);
    close(&canary["block_rate"], 0.75, "canary block rate");
    close(&canary["override_rate"], 2.0 / 3.0, "canary override rate");
    assert_eq!(canary["overridden_by"], serde_json::json!([{"by": "ana", "count": 2}]));
    assert_eq!(gates[2]["overridden_by"], serde_json::json!([{"by": "raj", "count": 1}]));
    let none = rapport_json(&ws, &["gates", "--service", "alpha"]);
    assert!(none["gates"].as_array().unwrap().is_empty());
    let jan13 = rapport_json(&ws, &["gates", "--from", "2026-01-13", "--to", "2026-01-13"]);
    assert_eq!(jan13["gates"][1]["evaluations"], 1, "only b2 is on that day: {jan13}");
}

#[test]
fn deploy_imports_are_idempotent_and_strict() {
    let (tmp, ws) = deploy_workspace();
    let alpha = tmp.path().join("alpha.csv").display().to_string();
    let again = rapport_json(&ws, &["deploys", "import", &alpha]);
    assert_eq!((again["added"].as_i64(), again["duplicates"].as_i64()), (Some(0), Some(7)), "{again}");
    // Same service, time and version without an id: still the same deploy.
    let no_id = write(
        tmp.path(),
        "noid.jsonl",
        r#"{"service": "alpha", "environment": "production", "time": "2026-01-05T10:00:00Z", "outcome": "success", "version": "1.0"}"#,
    );
    assert_eq!(rapport_json(&ws, &["deploys", "import", &no_id])["duplicates"], 1);
    let incidents = tmp.path().join("incidents.csv").display().to_string();
    assert_eq!(rapport_json(&ws, &["incidents", "import", &incidents])["added"], 0);

    let bad = write(
        tmp.path(),
        "bad.csv",
        "id,service,environment,time,outcome,version,commit_time\nz1,zeta,production,2026-02-01T00:00:00Z,success,1,\nz2,zeta,production,2026-02-02T00:00:00Z,exploded,2,\n",
    );
    let out = rapport(&ws, &["deploys", "import", &bad]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:3") && err.contains("outcome") && err.contains("exploded"),
        "names the line and the field: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    let dora = rapport_json(&ws, &["dora", "--service", "zeta"]);
    assert_eq!(dora["overall"]["deployments"], 0, "a refused file imports nothing");
    let skipped = rapport_json(&ws, &["deploys", "import", &bad, "--skip-invalid"]);
    assert_eq!(skipped["added"], 1);
    assert_eq!(skipped["skipped"].as_array().unwrap().len(), 1);

    let bad_time = write(tmp.path(), "t.jsonl", "{\"service\": \"x\", \"environment\": \"production\", \"time\": \"yesterday\", \"outcome\": \"success\"}\n");
    let err = String::from_utf8_lossy(&rapport(&ws, &["deploys", "import", &bad_time]).stderr).to_string();
    assert!(err.contains("t.jsonl:1") && err.contains("`time`"), "{err}");
    let bad_gate = write(tmp.path(), "g.jsonl", "\n{\"service\": \"x\", \"environment\": \"production\", \"time\": \"2026-01-01T00:00:00Z\", \"outcome\": \"success\", \"gates\": [{\"name\": \"canary\", \"result\": \"maybe\"}]}\n");
    let err = String::from_utf8_lossy(&rapport(&ws, &["deploys", "import", &bad_gate]).stderr).to_string();
    assert!(err.contains("g.jsonl:2") && err.contains("gates[0].result"), "{err}");
}

#[test]
fn devlake_webhook_deployments_import_as_deploys() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let one = write(
        tmp.path(),
        "devlake.json",
        r#"{
  "id": "deploy-42",
  "result": "FAILURE",
  "environment": "PRODUCTION",
  "start_time": "2026-02-03T10:00:00+00:00",
  "end_time": "2026-02-03T10:05:00+00:00",
  "deploymentCommits": [
    {"repo_url": "https://github.com/acme/checkout-api.git", "commit_sha": "015e3d3b480e417aede5a1293bd61de9b0fd051d", "ref_name": "main"}
  ]
}"#,
    );
    let r = rapport_json(&ws, &["deploys", "import", &one]);
    assert_eq!((r["format"].as_str(), r["added"].as_i64()), (Some("devlake"), Some(1)), "{r}");
    let many = write(
        tmp.path(),
        "many.json",
        r#"[{"pipeline_id": "p1", "commit_sha": "abc", "repo_url": "https://github.com/acme/x", "start_time": "2026-02-04T10:00:00Z"},
            {"id": "deploy-42", "result": "FAILURE", "start_time": "2026-02-03T10:00:00Z"}]"#,
    );
    let r = rapport_json(&ws, &["deploys", "import", &many, "--service", "checkout-api"]);
    assert_eq!(
        (r["added"].as_i64(), r["duplicates"].as_i64()),
        (Some(1), Some(1)),
        "the same id is stored once: {r}"
    );
    let d = rapport_json(&ws, &["dora"]);
    let checkout = d["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "checkout-api")
        .expect("named by the repository")
        .clone();
    assert_eq!(checkout["deployments"], 2);
    close(&checkout["change_failure_rate"], 0.5, "a FAILURE is a failed deploy");
}

/// P promoters, D detractors of n: the NPS and the adjusted-Wald interval, by hand.
fn by_hand(p: f64, d: f64, n: f64) -> (f64, f64, f64) {
    let ph = (p + 0.75) / (n + 3.0);
    let dh = (d + 0.75) / (n + 3.0);
    let half = 1.96 * ((ph + dh - (ph - dh).powi(2)) / (n + 3.0)).sqrt();
    (100.0 * (p - d) / n, 100.0 * (ph - dh - half), 100.0 * (ph - dh + half))
}

const DELIGHTED: &str = "Response ID,Score,Comment,Created at,Email,Name,Tags,Team,Plan
1,10,Love it,2026-01-03 10:00:00 -0800,a@example.com,A,love,payments,pro
2,9,,2026-01-04T10:00:00Z,b@example.com,B,,search,pro
3,8,ok,2026-01-05 10:00:00,c@example.com,C,,payments,free
4,3,slow deploys,2026-01-06T10:00:00Z,d@example.com,D,\"slow, ui\",search,free
5,0,too slow,2026-01-07T10:00:00Z,e@example.com,E,slow,payments,free
6,10,,2026-02-01T10:00:00Z,f@example.com,F,love,search,pro
7,10,great,2026-02-02T10:00:00Z,g@example.com,G,,search,pro
8,9,,2026-02-03T10:00:00Z,h@example.com,H,,payments,free
9,7,,2026-02-04T10:00:00Z,i@example.com,I,,payments,free
10,6,slow,2026-02-05T10:00:00Z,j@example.com,J,slow,search,free
11,10,,2026-02-06T10:00:00Z,k@example.com,K,,,pro
";

#[test]
fn nps_report_json_equals_the_score_intervals_and_tests_computed_by_hand() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let file = write(tmp.path(), "delighted.csv", DELIGHTED);
    let r = rapport_json(&ws, &["nps", "import", &file]);
    assert_eq!(r["added"], 11, "Delighted's headers are recognised without a map: {r}");
    assert_eq!(r["segments"], serde_json::json!(["Team", "Plan"]), "bookkeeping columns are dropped: {r}");
    assert_eq!(rapport_json(&ws, &["nps", "import", &file])["added"], 0, "a second import adds nothing");

    let rep = rapport_json(&ws, &["nps", "report", "--by", "Team"]);
    // 6 promoters (10 9 10 10 9 10), 3 detractors (3 0 6), 2 passives of 11.
    assert_eq!(
        (rep["n"].as_i64(), rep["promoters"].as_i64(), rep["passives"].as_i64(), rep["detractors"].as_i64()),
        (Some(11), Some(6), Some(2), Some(3))
    );
    let (nps, lo, hi) = by_hand(6.0, 3.0, 11.0);
    close(&rep["nps"], nps, "NPS");
    close(&rep["ci95"][0], lo, "interval low");
    close(&rep["ci95"][1], hi, "interval high");
    let by = rep["by"].as_array().unwrap();
    // No team (k), payments (10 8 0 9 7: P 2, D 1), search (9 3 10 10 6: P 3, D 2).
    assert!(by[0]["key"].is_null());
    assert_eq!(by[0]["n"], 1);
    assert_eq!(by[1]["key"], "payments");
    close(&by[1]["nps"], by_hand(2.0, 1.0, 5.0).0, "payments NPS");
    close(&by[1]["ci95"][0], by_hand(2.0, 1.0, 5.0).1, "payments interval");
    assert_eq!(by[2]["key"], "search");
    close(&by[2]["nps"], 20.0, "search NPS");

    let periods = rep["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{rep}");
    // The first response is 2026-01-03 18:00 UTC (−08:00). January: 10 9 8 3 0; February: 10 10 9 7 6 10.
    assert_eq!(periods[0]["period"], "2026-01");
    close(&periods[0]["nps"], 0.0, "January");
    close(&periods[1]["nps"], 50.0, "February");
    // z on the adjusted variance.
    let adj = |p: f64, d: f64, n: f64| {
        let (ph, dh) = ((p + 0.75) / (n + 3.0), (d + 0.75) / (n + 3.0));
        (ph - dh, (ph + dh - (ph - dh).powi(2)) / (n + 3.0))
    };
    let (a, va) = adj(2.0, 2.0, 5.0);
    let (b, vb) = adj(4.0, 1.0, 6.0);
    let z = (b - a) / (va + vb).sqrt();
    let change = &rep["changes"][0];
    close(&change["difference"], 50.0, "difference");
    close(&change["z"], z, "z");
    assert_eq!(change["significant"], z.abs() > 1.96);

    // Tags: slow on 3, 0 and 6 (NPS −100): impact 3 × (−100 − NPS) / (11 − 3).
    let tags = rep["tags"].as_array().unwrap();
    let slow = tags.iter().find(|t| t["tag"] == "slow").unwrap();
    assert_eq!(slow["count"], 3);
    close(&slow["nps"], -100.0, "slow NPS");
    close(&slow["impact"], 3.0 * (-100.0 - nps) / 8.0, "slow impact");
    assert!(tags.iter().any(|t| t["tag"] == "ui"), "tags split on commas");

    let q = rapport_json(&ws, &["nps", "report", "--period", "quarter"]);
    assert_eq!(q["periods"][0]["period"], "2026-Q1");
    assert_eq!(q["periods"][0]["n"], 11);

    let payments = rapport_json(&ws, &["nps", "report", "--where", "team=Payments"]);
    assert_eq!(payments["n"], 5, "segment names and values match in any case: {payments}");
    let none = rapport_json(&ws, &["nps", "report", "--where", "Team=nobody"]);
    assert_eq!(none["n"], 0);
    assert!(none["nps"].is_null() && none["ci95"].is_null(), "n = 0 has no NPS: {none}");
    assert!(none["message"].as_str().unwrap().contains("no responses"));
}

#[test]
fn nps_import_takes_a_map_and_refuses_a_score_out_of_range_naming_the_line() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let file = write(
        tmp.path(),
        "survey.csv",
        "How likely,When,Why,region\n9,2026-03-01T00:00:00Z,fast,emea\n11,2026-03-02T00:00:00Z,,emea\n",
    );
    let out = rapport(
        &ws,
        &["nps", "import", &file, "--map", "score=How likely", "--map", "time=When", "--map", "comment=Why"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("survey.csv:3") && err.contains("How likely"), "{err}");
    let rep = rapport_json(&ws, &["nps", "report"]);
    assert_eq!(rep["n"], 0, "nothing of a refused file is kept");
    let no_map = rapport(&ws, &["nps", "import", &file]);
    assert!(String::from_utf8_lossy(&no_map.stderr).contains("--map score="), "says how to name the column");
}

#[test]
fn feedback_imports_link_known_users() {
    let (tmp, ws) = demo_workspace();
    let file = write(tmp.path(), "fb.csv", "time,user,text,source,rating\n2026-03-01T10:00:00Z,priya.raman@example.com,The rollback button is hidden,in-app,2\n2026-03-02T10:00:00Z,stranger@example.com,Where are the logs?,in-app,\n");
    let r = rapport_json(&ws, &["feedback", "import", &file]);
    assert_eq!((r["added"].as_i64(), r["linked"].as_i64()), (Some(2), Some(1)), "{r}");
    let hits = rapport_json(&ws, &["search", "rollback button hidden"]);
    let hit = &hits["hits"][0];
    assert_eq!(
        (hit["kind"].as_str(), hit["person"].as_str()),
        (Some("feedback"), Some("Priya Raman")),
        "feedback is searchable, with its person: {hits}"
    );
}

fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("read png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

fn svg_parses(path: &Path) {
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(path)
        .output()
        .expect("xmllint (libxml2-utils) is installed by scripts/test");
    assert!(
        out.status.success(),
        "{} is well-formed XML: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("<svg") && text.contains("</svg>"));
}

#[test]
fn charts_render_as_svg_that_parses_and_png_of_the_asked_size() {
    let (tmp, ws) = demo_workspace();
    let alpha = write(tmp.path(), "beta.jsonl", BETA_JSONL);
    rapport_ok(&ws, &["deploys", "import", &alpha]);
    for kind in ["nps", "dora", "gates"] {
        let svg = tmp.path().join(format!("{kind}.svg"));
        rapport_ok(&ws, &["chart", kind, "--out", svg.to_str().unwrap()]);
        svg_parses(&svg);
        let png = tmp.path().join(format!("{kind}.png"));
        rapport_ok(
            &ws,
            &["chart", kind, "--out", png.to_str().unwrap(), "--width", "640", "--height", "360"],
        );
        assert_eq!(png_size(&png), (640, 360), "{kind}");
    }
    let text = std::fs::read_to_string(tmp.path().join("gates.svg")).unwrap();
    assert!(
        text.contains("canary") && text.contains("overridden"),
        "the gates chart names its gates and results"
    );
    let out = rapport(&ws, &["chart", "nps", "--out", tmp.path().join("x.gif").to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains(".svg or .png"));
}

#[test]
fn releases_link_findings_and_compare_before_and_after() {
    let (tmp, ws) = deploy_workspace();
    let _ = tmp;
    let out = rapport(
        &ws,
        &[
            "release",
            "add",
            "--service",
            "alpha",
            "--at",
            "2026-01-15T00:00:00Z",
            "--title",
            "Faster canary",
            "--finding",
            "999",
        ],
    );
    assert!(!out.status.success(), "an unknown finding is refused");
    let id = rapport_json(
        &ws,
        &["release", "add", "--service", "alpha", "--at", "2026-01-15T00:00:00Z", "--title", "Faster canary"],
    )["id"]
        .as_i64()
        .unwrap();
    let c = rapport_json(
        &ws,
        &["compare", "--release", &id.to_string(), "--dora", "deployments", "--window", "10d"],
    );
    // Before: 2026-01-05..15 (a1–a4: 4); after: 15..25 (a5, a6: 2).
    assert_eq!(
        (c["before"]["value"].as_f64(), c["after"]["value"].as_f64(), c["difference"].as_f64()),
        (Some(4.0), Some(2.0), Some(-2.0)),
        "{c}"
    );
    let cfr = rapport_json(
        &ws,
        &["compare", "--release", &id.to_string(), "--dora", "change_failure_rate", "--window", "10d"],
    );
    // Before: a3 failed, a4 is the last deploy before i1 → 2/4; after: a5 rolled back → 1/2.
    close(&cfr["before"]["value"], 0.5, "before");
    close(&cfr["after"]["value"], 0.5, "after");
    assert!(cfr["ci95"].is_array(), "a proportion has an interval");
    let list = rapport_json(&ws, &["release", "list"]);
    assert_eq!(list[0]["title"], "Faster canary");
    rapport_ok(&ws, &["release", "edit", &id.to_string(), "--title", "Canary in 5 minutes"]);
    assert_eq!(rapport_json(&ws, &["release", "list"])[0]["title"], "Canary in 5 minutes");
    rapport_ok(&ws, &["release", "delete", &id.to_string()]);
    assert!(rapport_json(&ws, &["release", "list"]).as_array().unwrap().is_empty());
}

#[test]
fn a_findings_insights_are_the_before_and_after_of_the_releases_that_shipped_for_it() {
    let (_tmp, ws) = demo_workspace();
    let finding = rapport_json(&ws, &["finding", "list"]);
    let id = finding[0]["id"].as_i64().expect("the demo has findings");
    let release = rapport_json(
        &ws,
        &[
            "release",
            "add",
            "--service",
            "checkout-api",
            "--at",
            "2026-03-01",
            "--title",
            "Retry the deploy job",
            "--finding",
            &id.to_string(),
        ],
    )["id"]
        .as_i64()
        .unwrap();
    let cli_nps = rapport_json(&ws, &["compare", "--release", &release.to_string(), "--nps"]);
    let workspace = rapport::Workspace::open(&ws).unwrap();
    let page = rapport::insights::finding_insights(workspace.conn(), id).unwrap();
    assert_eq!(page.releases.len(), 1);
    let stats: Vec<&str> = page.releases[0].comparisons.iter().map(|c| c.statistic.as_str()).collect();
    assert_eq!(stats, vec!["nps", "dora:change_failure_rate"], "no metric of the demo is in the workspace");
    assert_eq!(
        page.releases[0].comparisons[0].after.value,
        cli_nps["after"]["value"].as_f64(),
        "the same numbers as `compare`"
    );
    assert!(rapport::insights::finding_insights(workspace.conn(), 99_999).is_err());
}

#[test]
fn an_incident_after_a_failed_deploy_blames_no_earlier_success() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let deploys = write(
        tmp.path(),
        "g.csv",
        "id,service,environment,time,outcome,version,commit_time\ng1,gamma,production,2026-01-06T10:00:00Z,success,1,\ng2,gamma,production,2026-01-07T10:00:00Z,failed,2,\ng3,gamma,production,2026-01-08T10:00:00Z,success,3,\n",
    );
    let incidents = write(tmp.path(), "gi.csv", "id,service,started,resolved\ngi1,gamma,2026-01-07T12:00:00Z,2026-01-07T13:00:00Z\ngi2,gamma,2026-01-09T12:00:00Z,\n");
    rapport_ok(&ws, &["deploys", "import", &deploys]);
    rapport_ok(&ws, &["incidents", "import", &incidents]);
    let r = rapport_json(&ws, &["dora"]);
    // g2 failed (and is the last deploy before gi1); g3 is the last before gi2: 2 of 3. g1 is not blamed.
    assert_eq!(r["overall"]["failed_changes"], 2, "{r}");
    close(&r["overall"]["change_failure_rate"], 2.0 / 3.0, "gamma change failure rate");
    close(
        &r["overall"]["time_to_restore_median_hours"],
        1.0,
        "an unresolved incident has no time to restore",
    );
}
