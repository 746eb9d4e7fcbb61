//! The audit import on its own: files bigger than a parser's block (line numbers and order
//! kept across the threads), activity added import by import equal to counting everything at
//! once, and what the `audit.k8s.io` Event schema allows in real API server logs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util::{rapport, rapport_json, rapport_ok, TempDir};

fn workspace(tmp: &TempDir, name: &str) -> PathBuf {
    let ws = tmp.path().join(name);
    rapport_ok(&ws, &["init"]);
    ws
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write a test file");
    p
}

const PEOPLE: [&str; 4] = ["ana@example.com", "bo@example.com", "cy@example.com", "di@example.com"];

/// `n` requests (two stages each) from `first`, spread over people, days, verbs, namespaces
/// and hours; each line about 500 bytes, so a few thousand lines span several blocks.
fn log(first: usize, n: usize) -> String {
    let verbs = [
        ("get", "pods", ""),
        ("create", "pods", "exec"),
        ("patch", "deployments", ""),
        ("create", "jobs", ""),
    ];
    let mut out = String::new();
    for i in first..first + n {
        let (verb, resource, sub) = verbs[i % verbs.len()];
        let day = 1 + (i * 7) % 28;
        let hour = 8 + (i * 5) % 10;
        let ts = format!("2026-10-{day:02}T{hour:02}:{:02}:{:02}.{:06}Z", i % 60, (i * 13) % 60, i % 999_999);
        let mut object_ref = json!({"resource": resource, "namespace": format!("ns-{}", i % 6), "name": format!("o-{}", i % 9)});
        if !sub.is_empty() {
            object_ref["subresource"] = json!(sub);
        }
        for stage in ["RequestReceived", "ResponseComplete"] {
            let ev = json!({
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": format!("id-{i}"),
                "stage": stage, "verb": verb, "user": {"username": PEOPLE[i % PEOPLE.len()], "groups": ["system:authenticated"]},
                "sourceIPs": ["10.0.0.1"], "userAgent": "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
                "requestURI": format!("/api/v1/namespaces/ns/{resource}"), "objectRef": object_ref,
                "requestReceivedTimestamp": ts, "stageTimestamp": ts,
                "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
            });
            writeln!(out, "{ev}").unwrap();
        }
    }
    out
}

fn people_csv(dir: &Path) -> PathBuf {
    write(dir, "people.csv", &format!("email,name\n{}\n", PEOPLE.map(|p| format!("{p},{p}")).join("\n")))
}

/// A person's activity as `people show` gives it, without the time it was written.
fn activity(ws: &Path, email: &str) -> Value {
    let mut p = rapport_json(ws, &["people", "show", email]);
    let a = p["activity"].take();
    json!({"activity": a, "observed_role": p["observed_role"]})
}

#[test]
fn activity_added_import_by_import_equals_counting_both_files_at_once() {
    let tmp = TempDir::new();
    let csv = people_csv(tmp.path());
    let (a, b) = (log(0, 3000), log(2500, 3000)); // 500 requests in both
    let fa = write(tmp.path(), "a.log", &a);
    let fb = write(tmp.path(), "b.log", &b);
    let both = write(tmp.path(), "both.log", &format!("{a}{b}"));

    let step = workspace(&tmp, "step");
    rapport_ok(&step, &["people", "import", csv.to_str().unwrap()]);
    assert_eq!(rapport_json(&step, &["audit", "import", fa.to_str().unwrap()])["events"], 3000);
    let r = rapport_json(&step, &["audit", "import", fb.to_str().unwrap()]);
    assert_eq!((r["events"].as_i64(), r["duplicates"].as_i64()), (Some(2500), Some(500)), "{r}");

    let once = workspace(&tmp, "once");
    rapport_ok(&once, &["people", "import", csv.to_str().unwrap()]);
    let r = rapport_json(&once, &["audit", "import", both.to_str().unwrap()]);
    assert_eq!((r["events"].as_i64(), r["duplicates"].as_i64()), (Some(5500), Some(500)), "{r}");

    // A workspace whose activity has no tally (as written before tallies were kept) counts
    // from the stored events on its next import.
    let old = workspace(&tmp, "old");
    rapport_ok(&old, &["people", "import", csv.to_str().unwrap()]);
    rapport_ok(&old, &["audit", "import", fa.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(old.join("rapport.db")).unwrap();
    conn.execute("UPDATE activity SET tally = NULL", []).unwrap();
    drop(conn);
    rapport_ok(&old, &["audit", "import", fb.to_str().unwrap()]);

    for email in PEOPLE {
        let whole = activity(&once, email);
        assert_eq!(whole["activity"]["events"], 5500 / 4, "{email}: {whole}");
        assert_eq!(activity(&step, email), whole, "{email}: two imports = one import of both");
        assert_eq!(activity(&old, email), whole, "{email}: counted again from the stored events");
    }
}

#[test]
fn a_bad_line_past_the_first_blocks_is_named_by_its_number_and_nothing_is_kept() {
    let tmp = TempDir::new();
    let ws = workspace(&tmp, "ws");
    let mut text = log(0, 6000); // about 6 MB: several blocks on several threads
    let lines = text.lines().count();
    assert!(text.len() > 4 << 20, "bigger than four blocks: {}", text.len());
    // A truncated ResponseComplete line near the end, then one more good request.
    let bad = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"cut","stage":"ResponseComplete","verb":"get","user":{"username":"ana@ex"#;
    text.push_str(bad);
    text.push('\n');
    text.push_str(&log(6000, 1));
    let f = write(tmp.path(), "cut.log", &text);
    let out = rapport(&ws, &["audit", "import", f.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cut.log:{}", lines + 1)), "names line {}: {err}", lines + 1);
    assert_eq!(stored(&ws), (0, 0), "a strict import that fails keeps nothing");

    let r = rapport_json(&ws, &["audit", "import", f.to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(r["events"], 6001, "every good line, the one after the bad line too: {r}");
    assert_eq!(r["rejected"][0]["line"], lines as i64 + 1, "{r}");
}

/// The stored events (the batches' counts) and actors (`audit_actors`).
fn stored(ws: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(ws.join("rapport.db")).unwrap();
    let events =
        conn.query_row("SELECT coalesce(sum(events), 0) FROM audit_batches", [], |r| r.get(0)).unwrap();
    let actors = conn.query_row("SELECT count(*) FROM audit_actors", [], |r| r.get(0)).unwrap();
    (events, actors)
}

#[test]
fn events_past_one_batch_read_back_whole_and_importing_them_again_adds_nothing() {
    let tmp = TempDir::new();
    let ws = workspace(&tmp, "ws");
    rapport_ok(&ws, &["people", "import", people_csv(tmp.path()).to_str().unwrap()]);
    // More new events than one batch holds (65,536), then a truncated line: strict fails.
    let n = 70_000;
    let mut text = log(0, n);
    text.push_str(r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"cut","stage":"Resp"#);
    text.push('\n');
    let f = write(tmp.path(), "big.log", &text);
    assert!(!rapport(&ws, &["audit", "import", f.to_str().unwrap()]).status.success());
    assert_eq!(stored(&ws), (0, 0), "a failed import keeps no batch and no actor");

    let r = rapport_json(&ws, &["audit", "import", f.to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(r["events"], n, "{r}");
    assert_eq!(stored(&ws), (n as i64, PEOPLE.len() as i64));
    // Read back from the batches, each actor has the events the log gave them.
    let conn = rapport::store::open(&ws.join("rapport.db")).unwrap();
    let by_actor = rapport::audit::events_by_actor(&conn).unwrap();
    for (k, email) in PEOPLE.iter().enumerate() {
        let expected = (0..n).filter(|i| i % PEOPLE.len() == k).count() as i64;
        assert_eq!(by_actor.get(*email).copied(), Some(expected), "{email}");
    }
    drop(conn);
    // Importing it again adds nothing, and a small import after it adds its own.
    assert_eq!(rapport_json(&ws, &["audit", "import", f.to_str().unwrap(), "--skip-invalid"])["events"], 0);
    let small = write(tmp.path(), "small.log", &log(100_000, 50));
    assert_eq!(rapport_json(&ws, &["audit", "import", small.to_str().unwrap()])["events"], 50);
    assert_eq!(stored(&ws).0, n as i64 + 50);
    for (k, email) in PEOPLE.iter().enumerate() {
        let expected = (0..n).chain(100_000..100_050).filter(|i| i % PEOPLE.len() == k).count();
        assert_eq!(activity(&ws, email)["activity"]["events"], expected, "{email}");
    }
}

#[test]
fn what_the_event_schema_allows_in_real_logs_imports() {
    let tmp = TempDir::new();
    let ws = workspace(&tmp, "ws");
    let big = "x".repeat(200_000);
    let ts = "2026-11-02T10:00:00.123456Z";
    let lines = [
        // A non-resource URL: no objectRef, a requestURI.
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "n1", "stage": "ResponseComplete",
               "requestURI": "/healthz", "verb": "get", "user": {"username": "ana@example.com", "groups": ["system:authenticated"]},
               "sourceIPs": ["10.0.0.2"], "userAgent": "curl/8.0", "responseStatus": {"metadata": {}, "code": 200},
               "requestReceivedTimestamp": ts, "stageTimestamp": ts}),
        // No responseStatus, RequestResponse level with big bodies, an impersonation, annotations.
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "n2", "stage": "ResponseComplete",
               "requestURI": "/api/v1/namespaces/shop/configmaps/big", "verb": "update",
               "user": {"username": "admin", "groups": ["system:masters"], "extra": {"k": ["v"]}},
               "impersonatedUser": {"username": "bo@example.com"},
               "objectRef": {"resource": "configmaps", "namespace": "shop", "name": "big", "apiVersion": "v1", "resourceVersion": "12"},
               "requestObject": {"data": {"blob": big}, "nested": [[1, 2, {"a": null}]]}, "responseObject": {"data": {"blob": big}},
               "annotations": {"authorization.k8s.io/decision": "allow"},
               "requestReceivedTimestamp": ts, "stageTimestamp": "2026-11-02T10:00:00.223456Z"}),
        // Stages that do not count.
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "n3", "stage": "ResponseStarted",
               "verb": "watch", "user": {"username": "ana@example.com"}, "objectRef": {"resource": "pods"}, "requestReceivedTimestamp": ts}),
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "n4", "stage": "Panic",
               "verb": "get", "user": {"username": "ana@example.com"}, "objectRef": {"resource": "pods"}, "requestReceivedTimestamp": ts}),
        // A webhook backend's batch, written as one line.
        json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": [
            {"kind": "Event", "level": "Metadata", "auditID": "w1", "stage": "ResponseComplete", "verb": "create",
             "user": {"username": "ana@example.com"}, "objectRef": {"resource": "pods", "subresource": "exec", "namespace": "shop", "name": "p"},
             "requestReceivedTimestamp": ts},
            {"kind": "Event", "level": "Metadata", "auditID": "w2", "stage": "ResponseComplete", "verb": "delete",
             "user": {"username": "system:serviceaccount:kube-system:gc"}, "objectRef": {"resource": "pods", "namespace": "shop"},
             "requestReceivedTimestamp": ts}
        ]}),
        // v1beta1, without apiVersion's v1.
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1beta1", "level": "Request", "auditID": "b1", "stage": "ResponseComplete",
               "verb": "patch", "user": {"username": "cy@example.com"}, "objectRef": {"resource": "deployments", "subresource": "scale", "namespace": "shop", "apiGroup": "apps"},
               "requestReceivedTimestamp": "2026-11-02T10:00:01Z", "responseStatus": {"code": 200}}),
    ];
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // As CloudWatch Logs exports an EKS cluster's audit log to S3: a time before each event.
    text.push_str(&format!(
        "2026-11-02T10:00:02.000Z {}\n",
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "e1", "stage": "ResponseComplete",
               "verb": "get", "user": {"username": "di@example.com"}, "objectRef": {"resource": "secrets", "namespace": "shop"},
               "requestReceivedTimestamp": "2026-11-02T10:00:01.5Z", "responseStatus": {"code": 403}})
    ));
    // A GKE audit entry as Cloud Logging exports it (an AuditLog protoPayload).
    text.push_str(&format!(
        "{}\n",
        json!({"protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                                "authenticationInfo": {"principalEmail": "di@example.com"},
                                "methodName": "io.k8s.core.v1.pods.exec.create",
                                "resourceName": "core/v1/namespaces/shop/pods/web-1/exec",
                                "serviceName": "k8s.io", "status": {"code": 0}},
               "insertId": "x1", "operation": {"id": "g1", "producer": "k8s.io", "first": true, "last": true},
               "timestamp": "2026-11-02T10:00:03.123456Z", "resource": {"type": "k8s_cluster", "labels": {"cluster_name": "c"}},
               "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity"})
    ));
    let f = write(tmp.path(), "api.log", &text);
    let r = rapport_json(&ws, &["audit", "import", f.to_str().unwrap()]);
    assert_eq!(r["events"], 6, "{r}");
    assert_eq!((r["skipped_stages"].as_i64(), r["skipped_system"].as_i64()), (Some(2), Some(1)), "{r}");
    let actors: Vec<&str> =
        r["unmatched_actors"].as_array().unwrap().iter().map(|a| a["actor"].as_str().unwrap()).collect();
    assert_eq!(actors, ["ana@example.com", "di@example.com", "bo@example.com", "cy@example.com"], "{r}");

    rapport_ok(&ws, &["people", "import", people_csv(tmp.path()).to_str().unwrap()]);
    let ana = rapport_json(&ws, &["people", "show", "ana@example.com"]);
    assert_eq!(ana["activity"]["by_action"], json!({"get": 1, "create pods/exec": 1}), "{ana}");
    let bo = rapport_json(&ws, &["people", "show", "bo@example.com"]);
    assert_eq!(bo["activity"]["by_action"], json!({"update": 1}), "the impersonated user: {bo}");
    let cy = rapport_json(&ws, &["people", "show", "cy@example.com"]);
    assert_eq!(cy["activity"]["by_action"], json!({"patch deployments/scale": 1}), "{cy}");
    let di = rapport_json(&ws, &["people", "show", "di@example.com"]);
    assert_eq!(di["activity"]["by_action"], json!({"get": 1, "create pods/exec": 1}), "EKS and GKE: {di}");
    assert_eq!(di["activity"]["by_namespace"], json!({"shop": 2}), "{di}");
    assert_eq!(
        rapport_json(&ws, &["audit", "import", f.to_str().unwrap()])["events"],
        0,
        "again: nothing new"
    );
}

#[test]
fn lines_that_are_not_plain_ascii_import_as_text_and_a_latin1_line_is_named() {
    let tmp = TempDir::new();
    let ws = workspace(&tmp, "ws");
    rapport_ok(&ws, &["people", "import", people_csv(tmp.path()).to_str().unwrap()]);
    let event = |id: &str, user: &str, name: &str, agent: &str| {
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id,
               "stage": "ResponseComplete", "verb": "get", "user": {"username": user},
               "userAgent": agent, "objectRef": {"resource": "pods", "namespace": "café", "name": name},
               "requestReceivedTimestamp": "2026-11-02T10:00:00Z", "responseStatus": {"code": 200}})
        .to_string()
    };
    // A byte-order mark before the first line; non-ASCII text in a field read, in a field
    // skipped and in an actor; a no-break space after a line; a line in CRLF.
    let text = format!(
        "\u{feff}{}\n{}\n{}\u{a0}\n{}\r\n{}\n",
        event("u1", "ana@example.com", "web", "kubectl"),
        event("u2", "bo@example.com", "naïve", "kubectl"),
        event("u3", "cy@example.com", "web", "curl/8 (Zürich)"),
        event("u4", "di@example.com", "web", "kubectl"),
        event("u5", "zoë@example.com", "web", "kubectl"),
    );
    let f = write(tmp.path(), "utf8.log", &text);
    let r = rapport_json(&ws, &["audit", "import", f.to_str().unwrap()]);
    assert_eq!(r["events"], 5, "{r}");
    assert_eq!(r["matched_people"], 4, "{r}");
    assert_eq!(r["unmatched_actors"][0]["actor"], "zoë@example.com", "{r}");
    let bo = rapport_json(&ws, &["people", "show", "bo@example.com"]);
    assert_eq!(bo["activity"]["by_namespace"]["café"], 1, "{bo}");

    // A Latin-1 byte in a skipped field of an ASCII-looking line: not UTF-8, named by its line.
    let mut bytes = format!("{}\n", event("l1", "ana@example.com", "web", "kubectl")).into_bytes();
    let mut latin = event("l2", "ana@example.com", "web", "curl/8 (Zrich)").into_bytes();
    let at = latin.windows(2).position(|w| w == b"Zr").expect("the agent") + 1;
    latin.insert(at, 0xfc); // ü in Latin-1
    bytes.extend(latin);
    bytes.push(b'\n');
    let f = tmp.path().join("latin1.log");
    std::fs::write(&f, &bytes).unwrap();
    let out = rapport(&ws, &["audit", "import", f.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("latin1.log:2") && err.contains("UTF-8"), "{err}");
}
