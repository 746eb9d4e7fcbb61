//! People, audit logs, activity, recruiting and outreach, through the CLI (and the core
//! where a test needs a time other than now).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::util::{rapport, rapport_json, rapport_ok, TempDir};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/people").join(name)
}

/// A fresh empty workspace.
fn workspace() -> (TempDir, PathBuf) {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    (tmp, ws)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write a test file");
    p
}

/// A small deterministic generator, so logs are the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

/// One generated event and what it should count as.
struct Gen {
    user: String,
    action: String,
    resource: String,
    namespace: String,
    day: String,
}

/// Writes a Kubernetes audit log (both stages, system users, an impersonation, repeated
/// lines) of `n` requests over the last 60 days; returns the events that should count.
fn k8s_log(path: &Path, n: usize, users: &[&str]) -> Vec<Gen> {
    let mut rng = Lcg(42);
    let verbs = [
        ("get", "pods", ""),
        ("list", "deployments", ""),
        ("create", "pods", "exec"),
        ("patch", "deployments", "scale"),
        ("patch", "deployments", ""),
        ("create", "jobs", ""),
        ("delete", "pods", ""),
        ("watch", "configmaps", ""),
    ];
    let namespaces = ["checkout", "payments", "ci-e2e", "platform"];
    let now = Utc::now();
    let mut out = Vec::new();
    let mut f = std::fs::File::create(path).expect("create the log");
    for i in 0..n {
        let (verb, resource, sub) = *rng.pick(&verbs);
        let ns = *rng.pick(&namespaces);
        // Working hours, so people do not look like machines.
        let at =
            now - Duration::days((rng.next() % 60) as i64) - Duration::minutes((rng.next() % 480) as i64);
        let ts = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let system = i % 10 == 0;
        let mut user = json!({"username": if system { "system:serviceaccount:kube-system:replicaset-controller" } else { *rng.pick(users) }, "groups": ["system:authenticated"]});
        let mut impersonated = None;
        if !system && i % 17 == 0 {
            impersonated = Some(json!({"username": users[0]}));
            user = json!({"username": "admin@example.com"});
        }
        let mut object_ref = json!({"resource": resource, "namespace": ns, "name": format!("obj-{}", i % 7), "apiVersion": "v1"});
        if !sub.is_empty() {
            object_ref["subresource"] = json!(sub);
        }
        for stage in ["RequestReceived", "ResponseComplete"] {
            let mut ev = json!({
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": format!("a-{i}"),
                "stage": stage, "requestURI": format!("/api/v1/namespaces/{ns}/{resource}"), "verb": verb,
                "user": user, "sourceIPs": ["10.0.0.1"], "userAgent": "kubectl/v1.30.0",
                "objectRef": object_ref, "requestReceivedTimestamp": ts, "stageTimestamp": ts,
                "annotations": {"authorization.k8s.io/decision": "allow"}
            });
            if let Some(imp) = &impersonated {
                ev["impersonatedUser"] = imp.clone();
            }
            if stage == "ResponseComplete" {
                ev["responseStatus"] = json!({"metadata": {}, "code": 200});
            }
            writeln!(f, "{ev}").unwrap();
            // The API server can write an event twice (a restart); it counts once.
            if stage == "ResponseComplete" && i % 23 == 0 {
                writeln!(f, "{ev}").unwrap();
            }
        }
        if !system {
            let actor = impersonated
                .as_ref()
                .map(|_| users[0].to_string())
                .unwrap_or_else(|| user["username"].as_str().unwrap().to_string());
            let action = if sub.is_empty() { verb.to_string() } else { format!("{verb} {resource}/{sub}") };
            out.push(Gen {
                user: actor,
                action,
                resource: resource.into(),
                namespace: ns.into(),
                day: at.format("%Y-%m-%d").to_string(),
            });
        }
    }
    out
}

const PEOPLE_CSV: &str = "email,name,team,role\n\
ana.silva@example.com,Ana Silva,checkout,Software Engineer\n\
bo.chen@example.com,Bo Chen,platform,SRE\n\
carla.diaz@example.com,Carla Díaz,payments,QA\n";

fn counts<'a>(gen: impl Iterator<Item = &'a Gen>, key: impl Fn(&Gen) -> &str) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for g in gen {
        *m.entry(key(g).to_string()).or_insert(0) += 1;
    }
    m
}

fn as_counts(v: &Value) -> BTreeMap<String, i64> {
    v.as_object()
        .expect("an object of counts")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .collect()
}

#[test]
fn activity_counts_equal_a_brute_force_count_and_reimporting_changes_nothing() {
    let (tmp, ws) = workspace();
    let csv = write(tmp.path(), "people.csv", PEOPLE_CSV);
    rapport_ok(&ws, &["people", "import", csv.to_str().unwrap()]);
    let users =
        ["ana.silva@example.com", "BO.CHEN@example.com", "carla.diaz@example.com", "dave@example.com"];
    let log = tmp.path().join("audit.log");
    let gen = k8s_log(&log, 3000, &users);

    let report = rapport_json(&ws, &["audit", "import", log.to_str().unwrap()]);
    assert_eq!(
        report["events"],
        gen.len() as i64,
        "every ResponseComplete of a person counts once: {report}"
    );
    assert!(report["duplicates"].as_i64().unwrap() > 0, "the repeated lines are duplicates");
    assert_eq!(report["matched_people"], 3);
    let unmatched = report["unmatched_actors"].as_array().unwrap();
    assert_eq!(unmatched.len(), 1, "dave is not in the directory: {unmatched:?}");
    assert_eq!(unmatched[0]["actor"], "dave@example.com");
    assert_eq!(unmatched[0]["events"], gen.iter().filter(|g| g.user == "dave@example.com").count() as i64);

    let check = |ws: &Path| {
        for email in ["ana.silva@example.com", "bo.chen@example.com", "carla.diaz@example.com"] {
            let mine: Vec<&Gen> = gen.iter().filter(|g| g.user.eq_ignore_ascii_case(email)).collect();
            let profile = rapport_json(ws, &["people", "show", email]);
            let a = &profile["activity"];
            assert_eq!(a["events"], mine.len() as i64, "{email}: events");
            assert_eq!(
                as_counts(&a["by_action"]),
                counts(mine.iter().copied(), |g| &g.action),
                "{email}: by action"
            );
            assert_eq!(
                as_counts(&a["by_resource"]),
                counts(mine.iter().copied(), |g| &g.resource),
                "{email}: by resource"
            );
            assert_eq!(
                as_counts(&a["by_namespace"]),
                counts(mine.iter().copied(), |g| &g.namespace),
                "{email}: by namespace"
            );
            assert_eq!(
                a["active_days"],
                counts(mine.iter().copied(), |g| &g.day).len() as i64,
                "{email}: active days"
            );
            assert!(
                a["tier"].is_string() && profile["observed_role"].is_string(),
                "{email}: tier and role: {profile}"
            );
            assert!(!a["role_why"].as_array().unwrap().is_empty(), "{email}: the role says why");
        }
    };
    check(&ws);

    // The same file again, and gzipped: nothing new.
    let again = rapport_json(&ws, &["audit", "import", log.to_str().unwrap()]);
    assert_eq!(again["events"], 0, "re-importing adds nothing: {again}");
    let gz = tmp.path().join("audit.log.gz");
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(&log).unwrap()).unwrap();
    enc.finish().unwrap();
    let zipped = rapport_json(&ws, &["audit", "import", gz.to_str().unwrap()]);
    assert_eq!(zipped["events"], 0, "the gzipped copy is the same events: {zipped}");
    assert_eq!(
        zipped["duplicates"].as_i64().unwrap(),
        gen.len() as i64 + report["duplicates"].as_i64().unwrap(),
        "every line is a duplicate now, the repeated ones too"
    );
    check(&ws);
}

#[test]
fn a_json_array_and_an_event_list_read_like_json_lines() {
    let (tmp, ws) = workspace();
    let ev = |id: &str, user: &str| {
        json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1beta1", "auditID": id, "stage": "ResponseComplete",
               "verb": "create", "user": {"username": user},
               "objectRef": {"resource": "pods", "subresource": "exec", "namespace": "ns1", "name": "p"},
               "requestReceivedTimestamp": "2026-01-02T03:04:05.000001Z", "responseStatus": {"code": 101}})
    };
    let list = json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [ev("1", "x@example.com"), ev("2", "y@example.com")]});
    let p = write(tmp.path(), "list.json", &serde_json::to_string_pretty(&list).unwrap());
    let r = rapport_json(&ws, &["audit", "import", p.to_str().unwrap(), "--format", "k8s"]);
    assert_eq!(r["events"], 2, "{r}");
    let arr = write(
        tmp.path(),
        "arr.json",
        &json!([ev("1", "x@example.com"), ev("3", "z@example.com")]).to_string(),
    );
    let r = rapport_json(&ws, &["audit", "import", arr.to_str().unwrap()]);
    assert_eq!((r["events"].as_i64(), r["duplicates"].as_i64()), (Some(1), Some(1)), "{r}");
}

#[test]
fn other_tools_exports_come_in_through_map_with_dotted_paths_and_epoch_times() {
    let (tmp, ws) = workspace();
    let csv = write(tmp.path(), "people.csv", PEOPLE_CSV);
    rapport_ok(&ws, &["people", "import", csv.to_str().unwrap()]);
    rapport_ok(&ws, &["people", "import", fixture("directory.csv").to_str().unwrap()]);
    // GitHub's audit log export: actor login, action, epoch milliseconds.
    let now_ms = Utc::now().timestamp_millis();
    let lines: Vec<String> = (0..5)
        .map(|i| {
            json!({"@timestamp": now_ms - i * 3_600_000, "action": "repo.create", "actor": {"login": "bochen"},
                   "repo": "example/checkout", "_document_id": format!("doc-{i}")})
            .to_string()
        })
        .collect();
    let gh = write(tmp.path(), "github.jsonl", &lines.join("\n"));
    let r = rapport_json(
        &ws,
        &[
            "audit",
            "import",
            gh.to_str().unwrap(),
            "--format",
            "jsonl",
            "--map",
            "actor=actor.login",
            "--map",
            "time=@timestamp",
            "--map",
            "resource=repo",
            "--map",
            "id=_document_id",
            "--match",
            "username=attribute:github",
        ],
    );
    assert_eq!((r["events"].as_i64(), r["matched_people"].as_i64()), (Some(5), Some(1)), "{r}");
    let bo = rapport_json(&ws, &["people", "show", "bo.chen@example.com"]);
    assert_eq!(bo["activity"]["by_action"]["repo.create"], 5);

    // A CI server's CSV with epoch seconds, matched by the email's local part.
    let t = Utc::now().timestamp();
    let ci = write(
        tmp.path(),
        "ci.csv",
        &format!("when,who,what,pipeline\n{t},ana.silva,trigger,checkout-deploy\n{},ana.silva,trigger,checkout-deploy\n", t - 86_400),
    );
    let r = rapport_json(
        &ws,
        &[
            "audit",
            "import",
            ci.to_str().unwrap(),
            "--map",
            "time=when",
            "--map",
            "actor=who",
            "--map",
            "action=what",
            "--map",
            "resource=pipeline",
            "--match",
            "username=local-part",
        ],
    );
    assert_eq!((r["events"].as_i64(), r["matched_people"].as_i64()), (Some(2), Some(1)), "{r}");
    let ana = rapport_json(&ws, &["people", "show", "ana.silva@example.com"]);
    assert_eq!(ana["activity"]["active_days"], 2);
}

/// Everything a failed import could have touched.
fn state(ws: &Path) -> (Value, i64) {
    let people = rapport_json(ws, &["people", "list"]);
    let conn = rusqlite::Connection::open(ws.join("rapport.db")).unwrap();
    let events: i64 =
        conn.query_row("SELECT coalesce(sum(events), 0) FROM audit_batches", [], |r| r.get(0)).unwrap();
    (people, events)
}

fn fails_naming(ws: &Path, args: &[&str], needle: &str) {
    let out = rapport(ws, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{args:?}: the message should name {needle:?}: {err}");
}

#[test]
fn bad_files_name_the_line_or_field_and_change_nothing() {
    let (tmp, ws) = workspace();
    let csv = write(tmp.path(), "people.csv", PEOPLE_CSV);
    rapport_ok(&ws, &["people", "import", csv.to_str().unwrap()]);
    let log = tmp.path().join("audit.log");
    k8s_log(&log, 50, &["ana.silva@example.com"]);
    rapport_ok(&ws, &["audit", "import", log.to_str().unwrap()]);
    let before = state(&ws);

    // A truncated JSON line (the log was cut mid-write) after good lines.
    let mut text = std::fs::read_to_string(&log).unwrap().replace("\"a-", "\"b-");
    let lines = text.lines().count();
    text.push_str(
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"x\",\"stage\":\"Resp\n",
    );
    let bad = write(tmp.path(), "truncated.log", &text);
    fails_naming(&ws, &["audit", "import", bad.to_str().unwrap()], &format!("truncated.log:{}", lines + 1));
    assert_eq!(state(&ws), before, "a bad line imports nothing");

    // A directory CSV without the email column.
    let no_email = write(tmp.path(), "noemail.csv", "name,team\nAna,checkout\n");
    fails_naming(&ws, &["people", "import", no_email.to_str().unwrap()], "missing column(s) email");
    assert_eq!(state(&ws), before);

    // A non-UTF-8 file (Latin-1), as a directory and as an audit log.
    let mut latin = b"email,name\nana.silva@example.com,Ana\nj@example.com,Jos".to_vec();
    latin.extend([0xe9, b'\n']);
    let latin_path = tmp.path().join("latin1.csv");
    std::fs::write(&latin_path, &latin).unwrap();
    fails_naming(&ws, &["people", "import", latin_path.to_str().unwrap()], "latin1.csv:3");
    fails_naming(
        &ws,
        &[
            "audit",
            "import",
            latin_path.to_str().unwrap(),
            "--map",
            "actor=email",
            "--map",
            "action=name",
            "--map",
            "time=name",
        ],
        "latin1.csv:3",
    );
    assert_eq!(state(&ws), before);

    // An unknown --map field.
    let jl = write(tmp.path(), "x.jsonl", "{\"u\":\"ana.silva@example.com\",\"a\":\"x\",\"t\":1700000000}\n");
    fails_naming(&ws, &["audit", "import", jl.to_str().unwrap(), "--map", "user=u"], "unknown field `user`");
    assert_eq!(state(&ws), before);

    // A directory row with a bad email: nothing unless --skip-invalid.
    let one_bad = write(tmp.path(), "onebad.csv", "email,name\nnew@example.com,New\nnot-an-email,Bad\n");
    fails_naming(&ws, &["people", "import", one_bad.to_str().unwrap()], "onebad.csv:3");
    assert_eq!(state(&ws), before);
    let r = rapport_json(&ws, &["people", "import", one_bad.to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(r["created"], 1);
    assert_eq!(r["rejected"][0]["line"], 3, "{r}");
}

fn people_of(ws: &Path) -> Vec<(String, String, Option<String>, Option<String>)> {
    let list = rapport_json(ws, &["people", "list"]);
    let mut v: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["email"].as_str().unwrap().to_lowercase(),
                p["name"].as_str().unwrap().to_string(),
                p["role"].as_str().map(str::to_string),
                p["team"].as_str().map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn slack_and_scim_import_the_same_people_as_the_equivalent_csv() {
    let (_a, from_csv) = workspace();
    let (_b, from_slack) = workspace();
    let (_c, from_scim) = workspace();
    let r = rapport_json(&from_csv, &["people", "import", fixture("directory.csv").to_str().unwrap()]);
    assert_eq!(r["created"], 3);
    let r = rapport_json(
        &from_slack,
        &["people", "import", fixture("slack-users-list.json").to_str().unwrap(), "--format", "slack"],
    );
    assert_eq!(r["created"], 3, "bots, Slackbot and deleted users are skipped: {r}");
    let r = rapport_json(&from_scim, &["people", "import", fixture("scim-users.json").to_str().unwrap()]);
    assert_eq!(r["created"], 3, "inactive users are skipped: {r}");

    let csv = people_of(&from_csv);
    let strip_team = |v: &[(String, String, Option<String>, Option<String>)]| {
        v.iter().map(|(e, n, r, _)| (e.clone(), n.clone(), r.clone())).collect::<Vec<_>>()
    };
    assert_eq!(
        strip_team(&people_of(&from_slack)),
        strip_team(&csv),
        "Slack has no team; the rest is the same"
    );
    assert_eq!(people_of(&from_scim), csv, "SCIM: email, name, title and department");
    let ana = rapport_json(&from_scim, &["people", "show", "ana.silva@example.com"]);
    assert_eq!(ana["manager"], "Maria Lopez");

    // Upsert by email, case-insensitively: the CSV's `Ana.Silva@Example.com` is the same person.
    let again = rapport_json(&from_slack, &["people", "import", fixture("directory.csv").to_str().unwrap()]);
    assert_eq!((again["created"].as_i64(), again["updated"].as_i64()), (Some(0), Some(3)), "{again}");
    let carla = rapport_json(&from_slack, &["people", "show", "carla.diaz@example.com"]);
    assert_eq!(carla["contact_status"], "opted-out");
    assert_eq!(carla["attributes"]["github"], "cdiaz");
}

/// A person row for the recruiting tests.
fn directory(tmp: &Path, rows: &[(&str, &str)]) -> PathBuf {
    let mut text = String::from("email,name,group,contact_status\n");
    for (email, group) in rows {
        text.push_str(&format!("{email},{},{group},free\n", email.split('@').next().unwrap()));
    }
    write(tmp, "dir.csv", &text)
}

#[test]
fn every_stratum_is_represented_and_the_same_seed_gives_the_same_pick() {
    let (tmp, ws) = workspace();
    rapport_ok(&ws, &["study", "create", "Deploys"]);
    let mut rows = vec![("solo@example.com".to_string(), "a")];
    rows.extend((0..3).map(|i| (format!("trio{i}@example.com"), "b")));
    rows.extend((0..40).map(|i| (format!("crowd{i:02}@example.com"), "c")));
    let rows: Vec<(&str, &str)> = rows.iter().map(|(e, g)| (e.as_str(), *g)).collect();
    rapport_ok(&ws, &["people", "import", directory(tmp.path(), &rows).to_str().unwrap()]);

    let pick = |seed: &str| {
        rapport_json(
            &ws,
            &[
                "recruit",
                "--study",
                "Deploys",
                "--size",
                "6",
                "--stratify",
                "group",
                "--seed",
                seed,
                "--dry-run",
            ],
        )
    };
    let r = pick("7");
    let selected = r["selected"].as_array().unwrap();
    assert_eq!(selected.len(), 6);
    for g in ["a", "b", "c"] {
        assert!(selected.iter().any(|s| s["strata"]["group"] == g), "stratum {g} has a seat: {r}");
    }
    let strata: Vec<(String, i64, i64)> = r["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["key"]["group"].as_str().unwrap().to_string(),
                s["eligible"].as_i64().unwrap(),
                s["selected"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(strata, vec![("a".into(), 1, 1), ("b".into(), 3, 1), ("c".into(), 40, 4)]);
    let emails =
        |r: &Value| r["selected"].as_array().unwrap().iter().map(|s| s["email"].clone()).collect::<Vec<_>>();
    assert_eq!(emails(&pick("7")), emails(&r), "the same seed, the same pick");
    let others: Vec<_> = (8..14).map(|s| emails(&pick(&s.to_string()))).collect();
    assert!(others.iter().any(|o| *o != emails(&r)), "other seeds pick other people");
    assert_eq!(r["invitations"], 0, "a dry run writes nothing");

    let written = rapport_json(
        &ws,
        &["recruit", "--study", "Deploys", "--size", "6", "--stratify", "group", "--seed", "7"],
    );
    assert_eq!(written["invitations"], 6);
    let board = rapport_json(&ws, &["outreach", "list", "--study", "Deploys"]);
    assert_eq!(board.as_array().unwrap().len(), 6, "each pick is an invitation");
}

#[test]
fn each_exclusion_rule_removes_the_person_it_should_with_its_reason() {
    use rapport::recruit::{recruit, RecruitOptions};
    let (tmp, ws) = workspace();
    for s in ["Now", "Old1", "Old2", "Old3", "Recent", "Missed"] {
        rapport_ok(&ws, &["study", "create", s]);
    }
    let rows = [
        ("ok@example.com", "x"),
        ("opted@example.com", "x"),
        ("dnc@example.com", "x"),
        ("blocked@example.com", "x"),
        ("interviewed@example.com", "x"),
        ("invited@example.com", "x"),
        ("busy@example.com", "x"),
        ("noshow@example.com", "x"),
    ];
    rapport_ok(&ws, &["people", "import", directory(tmp.path(), &rows).to_str().unwrap()]);
    rapport_ok(&ws, &["people", "set", "opted@example.com", "--status", "opted-out"]);
    rapport_ok(&ws, &["people", "set", "dnc@example.com", "--status", "do-not-contact"]);
    rapport_ok(&ws, &["people", "set", "blocked@example.com", "--status", "blocklist"]);
    let ten_days_ago = (Utc::now() - Duration::days(10)).to_rfc3339();
    rapport_ok(
        &ws,
        &[
            "session",
            "create",
            "--study",
            "Recent",
            "--person",
            "interviewed@example.com",
            "--at",
            &ten_days_ago,
        ],
    );

    let mut w = rapport::Workspace::open(&ws).unwrap();
    let conn = w.conn_mut();
    let study = |name: &str| rapport::study::resolve(conn, name).unwrap();
    let invite = |study_id: i64, email: &str, days_ago: i64| {
        let opts = RecruitOptions {
            study_id,
            size: 1,
            wheres: vec![format!("email = \"{email}\"")],
            stratify: vec![],
            cooldown_days: Some(0),
            max_invites_per_year: Some(99),
            seed: Some(1),
            dry_run: false,
        };
        let r = recruit(conn, &opts, Utc::now() - Duration::days(days_ago)).unwrap();
        assert_eq!(r.invitations, 1, "set-up: {email} invited to {study_id}");
    };
    invite(study("Recent"), "invited@example.com", 20);
    for (s, days_ago) in [("Old1", 300), ("Old2", 240), ("Old3", 120)] {
        invite(study(s), "busy@example.com", days_ago);
    }
    invite(study("Missed"), "noshow@example.com", 200);
    drop(w);
    rapport_ok(&ws, &["outreach", "set", "noshow@example.com", "--study", "Missed", "--status", "no-show"]);

    let r = rapport_json(
        &ws,
        &["recruit", "--study", "Now", "--size", "8", "--where", "role != ceo", "--seed", "1"],
    );
    let reasons: BTreeMap<String, String> = r["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["email"].as_str().unwrap().to_string(), e["reason"].as_str().unwrap().to_string()))
        .collect();
    let expected: BTreeMap<String, String> = [
        ("opted@example.com", "opted-out"),
        ("dnc@example.com", "do-not-contact"),
        ("blocked@example.com", "blocklist"),
        ("interviewed@example.com", "cooldown"),
        ("invited@example.com", "cooldown"),
        ("busy@example.com", "invitation-limit"),
        ("noshow@example.com", "no-show"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(reasons, expected, "{r}");
    let picked: Vec<&str> =
        r["selected"].as_array().unwrap().iter().map(|s| s["email"].as_str().unwrap()).collect();
    assert_eq!(picked, vec!["ok@example.com"], "only the person no rule excludes");

    // A shorter cooldown lets the interviewed and invited people back; the blocklist never.
    let r = rapport_json(
        &ws,
        &[
            "recruit",
            "--study",
            "Now",
            "--size",
            "8",
            "--cooldown-days",
            "5",
            "--dry-run",
            "--where",
            "email ~ example",
        ],
    );
    let excluded: Vec<&str> =
        r["excluded"].as_array().unwrap().iter().map(|e| e["email"].as_str().unwrap()).collect();
    assert!(
        !excluded.contains(&"interviewed@example.com") && !excluded.contains(&"invited@example.com"),
        "{excluded:?}"
    );
    assert!(excluded.contains(&"blocked@example.com"));
}

#[test]
fn screener_errors_point_at_the_column_and_fields_are_checked() {
    let (tmp, ws) = workspace();
    rapport_ok(&ws, &["study", "create", "S"]);
    rapport_ok(
        &ws,
        &["people", "import", directory(tmp.path(), &[("a@example.com", "x")]).to_str().unwrap()],
    );
    fails_naming(
        &ws,
        &["recruit", "--study", "S", "--size", "1", "--where", "tier in (power regular)"],
        "column 16",
    );
    fails_naming(
        &ws,
        &["recruit", "--study", "S", "--size", "1", "--where", "rol = sre"],
        "column 1: unknown field \"rol\"",
    );
    fails_naming(
        &ws,
        &["recruit", "--study", "S", "--size", "1", "--where", "last_seen <= soon"],
        "column 1",
    );
    // A directory attribute is a field.
    let r = rapport_json(
        &ws,
        &[
            "recruit",
            "--study",
            "S",
            "--size",
            "1",
            "--where",
            "group = x and not (tier = power)",
            "--dry-run",
        ],
    );
    assert_eq!(r["selected"].as_array().unwrap().len(), 1, "{r}");
}

#[test]
fn screeners_read_activity_counts_windows_and_observed_roles() {
    let (tmp, ws) = workspace();
    rapport_ok(&ws, &["study", "create", "S"]);
    let csv = write(tmp.path(), "p.csv", "email,name,role\nops@example.com,Ops,engineer\nreader@example.com,Reader,engineer\nidle@example.com,Idle,engineer\n");
    rapport_ok(&ws, &["people", "import", csv.to_str().unwrap()]);
    let now = Utc::now();
    let mut lines = Vec::new();
    let mut add = |user: &str, verb: &str, res: &str, sub: &str, days: i64, i: usize| {
        let t = (now - Duration::days(days) - Duration::hours(1)).to_rfc3339();
        let mut obj = json!({"resource": res, "namespace": format!("ns{}", i % 6)});
        if !sub.is_empty() {
            obj["subresource"] = json!(sub);
        }
        lines.push(json!({"kind": "Event", "auditID": format!("{user}-{i}"), "stage": "ResponseComplete", "verb": verb,
            "user": {"username": user}, "objectRef": obj, "requestReceivedTimestamp": t}).to_string());
    };
    for i in 0..6 {
        add("ops@example.com", "create", "pods", "exec", i as i64 + 1, i);
    }
    for i in 0..10 {
        add("reader@example.com", "get", "pods", "", i as i64 + 1, i);
    }
    add("idle@example.com", "get", "pods", "", 100, 0);
    let p = write(tmp.path(), "a.log", &lines.join("\n"));
    rapport_ok(&ws, &["audit", "import", p.to_str().unwrap()]);

    let pick = |expr: &str| -> Vec<String> {
        let r = rapport_json(&ws, &["recruit", "--study", "S", "--size", "10", "--where", expr, "--dry-run"]);
        let mut v: Vec<String> = r["selected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["email"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(pick("count(action=\"create pods/exec\", within=30d) >= 3"), vec!["ops@example.com"]);
    assert_eq!(
        pick("count(action=\"create pods/exec\", within=3d) >= 3"),
        Vec::<String>::new(),
        "two execs in the last 3 days are fewer than 3"
    );
    assert_eq!(pick("last_seen <= 14d"), vec!["ops@example.com", "reader@example.com"]);
    assert_eq!(pick("observed_role = operations"), vec!["ops@example.com"]);
    assert_eq!(pick("observed_role in (observer)"), vec!["idle@example.com", "reader@example.com"]);
    assert_eq!(pick("tier = dormant"), vec!["idle@example.com"], "no active day in 90 days");
    let ops = rapport_json(&ws, &["people", "show", "ops@example.com"]);
    assert_eq!(
        ops["activity"]["role_why"][1]["signal"], "create pods/exec",
        "the action that decided it: {ops}"
    );
}

#[test]
fn a_contact_without_an_answer_comes_due_and_a_time_becomes_an_ics_with_a_stable_uid() {
    let (tmp, ws) = workspace();
    rapport_ok(&ws, &["study", "create", "S"]);
    rapport_ok(
        &ws,
        &[
            "people",
            "import",
            directory(tmp.path(), &[("a@example.com", "x"), ("b@example.com", "x")]).to_str().unwrap(),
        ],
    );
    rapport_ok(&ws, &["recruit", "--study", "S", "--size", "2", "--seed", "1"]);
    let six_days_ago = (Utc::now() - Duration::days(6)).to_rfc3339();
    rapport_ok(
        &ws,
        &[
            "outreach",
            "log",
            "a@example.com",
            "--channel",
            "slack",
            "--status",
            "contacted",
            "--at",
            &six_days_ago,
        ],
    );
    rapport_ok(&ws, &["outreach", "log", "b@example.com", "--channel", "email", "--status", "contacted"]);
    let due = rapport_json(&ws, &["outreach", "due"]);
    let emails: Vec<&str> = due.as_array().unwrap().iter().map(|d| d["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["a@example.com"], "only the contact older than 5 days: {due}");
    assert_eq!(due[0]["days_since"], 6);
    assert_eq!(rapport_json(&ws, &["outreach", "due", "--days", "0"]).as_array().unwrap().len(), 2);
    // A contact logged by mistake is deleted by its id (from the profile's history), with --yes.
    let b = rapport_json(&ws, &["people", "show", "b@example.com"]);
    let logged = b["history"].as_array().unwrap().iter().find(|h| h["kind"] == "outreach").unwrap().clone();
    let id = logged["outreach_id"].as_i64().unwrap().to_string();
    fails_naming(&ws, &["outreach", "delete", &id], "--yes");
    assert_eq!(
        rapport_json(&ws, &["outreach", "due", "--days", "0"]).as_array().unwrap().len(),
        2,
        "nothing deleted"
    );
    let gone = rapport_json(&ws, &["outreach", "delete", &id, "--yes"]);
    assert_eq!(gone["deleted"], true, "{gone}");
    assert_eq!(gone["entry"]["email"], "b@example.com", "{gone}");
    assert_eq!(rapport_json(&ws, &["outreach", "due", "--days", "0"]).as_array().unwrap().len(), 1);
    fails_naming(&ws, &["outreach", "delete", &id, "--yes"], "outreach entry");
    rapport_ok(&ws, &["outreach", "log", "a@example.com", "--channel", "slack", "--status", "scheduled"]);
    assert!(
        rapport_json(&ws, &["outreach", "due"]).as_array().unwrap().is_empty(),
        "a scheduled person needs no follow-up"
    );

    let m = rapport_json(
        &ws,
        &["outreach", "message", "a@example.com", "--study", "S", "--time", "2026-03-04T14:30:00Z"],
    );
    assert!(m["mailto"].as_str().unwrap().starts_with("mailto:a%40example%2Ecom?subject="), "{m}");
    assert!(m["body"].as_str().unwrap().contains("Wednesday 04 March, 14:30 UTC"), "{m}");

    let ics = tmp.path().join("a.ics");
    fails_naming(
        &ws,
        &["outreach", "ics", "a@example.com", "--study", "S", "--out", ics.to_str().unwrap()],
        "no agreed time",
    );
    rapport_ok(
        &ws,
        &[
            "outreach",
            "set",
            "a@example.com",
            "--study",
            "S",
            "--at",
            "2026-03-04T14:30:00Z",
            "--consent-form",
            "v2",
            "--consent-signed",
            "2026-03-01",
            "--incentive",
            "25",
            "--currency",
            "eur",
        ],
    );
    rapport_ok(&ws, &["outreach", "ics", "a@example.com", "--study", "S", "--out", ics.to_str().unwrap()]);
    let first = std::fs::read_to_string(&ics).unwrap();
    rapport_ok(&ws, &["outreach", "set", "a@example.com", "--study", "S", "--at", "2026-03-05T09:00:00Z"]);
    rapport_ok(&ws, &["outreach", "ics", "a@example.com", "--study", "S", "--out", ics.to_str().unwrap()]);
    let second = std::fs::read_to_string(&ics).unwrap();
    let field = |text: &str, name: &str| text.lines().find(|l| l.starts_with(name)).map(str::to_string);
    assert!(
        first.contains("\r\nBEGIN:VEVENT\r\n") && first.ends_with("END:VCALENDAR\r\n"),
        "CRLF lines: {first}"
    );
    assert_eq!(field(&first, "UID:"), field(&second, "UID:"), "the UID stays when the time changes");
    assert_eq!(field(&first, "DTSTART:").unwrap(), "DTSTART:20260304T143000Z");
    assert_eq!(field(&second, "DTSTART:").unwrap(), "DTSTART:20260305T090000Z");
    assert_eq!(
        (field(&first, "SEQUENCE:").unwrap(), field(&second, "SEQUENCE:").unwrap()),
        ("SEQUENCE:0".into(), "SEQUENCE:1".into())
    );
    let board = rapport_json(&ws, &["outreach", "list"]);
    let a = board.as_array().unwrap().iter().find(|p| p["email"] == "a@example.com").unwrap();
    assert_eq!((a["incentive_currency"].as_str(), a["consent_form"].as_str()), (Some("EUR"), Some("v2")));
}
