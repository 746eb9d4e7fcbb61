//! Evidence beyond interviews: highlights on NPS comments and feedback items. The table
//! rebuild that allows them (schema-8 data survives it, foreign keys stay whole), the CLI
//! (`highlight add --nps/--feedback`, `highlight list --source`), findings citing them,
//! every export format carrying them (REFI-QDA as TextSources valid against the XSD,
//! redacted like the rest), search, and deleting or re-importing the items.

use std::path::Path;
use std::process::Command;

use rapport::import::xml;
use rapport::{store, Workspace};
use rusqlite::Connection;
use serde_json::Value;

use crate::synthesis::{export, shared, unzip};
use crate::util::{demo_workspace, rapport, rapport_json, rapport_ok, TempDir};

/// Writes a database of the released schema 8 at `db` with a study, a session, a note,
/// two transcript highlights and one note highlight (tagged), a finding citing two of them,
/// and one NPS response.
fn schema_8_database(db: &Path) {
    let mut conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    store::migrations().to_version(&mut conn, 8).unwrap();
    conn.execute_batch(
        "INSERT INTO studies (id, name, created_at) VALUES (1, 'Released in schema 8', '2026-01-01T00:00:00Z');
         INSERT INTO people (id, email, name, role, created_at) VALUES (1, 'ola@example.com', 'Ola', 'SRE', 'x');
         INSERT INTO sessions (id, study_id, person_id, at, created_at) VALUES (1, 1, 1, '2026-01-02T10:00:00Z', 'x');
         INSERT INTO notes (id, session_id, at_ms, text, created_at) VALUES (1, 1, 5000, 'Gate blocked twice', 'x');
         INSERT INTO tags (id, name, path) VALUES (1, 'Gates', 'Gates'), (2, 'Pain', 'Pain');
         INSERT INTO highlights (id, session_id, note_id, start_ms, end_ms, text, comment, created_at) VALUES
            (10, 1, NULL, 1000, 4000, 'the gate blocked us', 'key quote', 'x'),
            (11, 1, NULL, 6000, 9000, 'rollback took an hour', NULL, 'x'),
            (12, 1, 1, 5000, 5000, 'blocked twice', NULL, 'x');
         INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (10, 1), (10, 2), (11, 2), (12, 1);
         INSERT INTO findings (id, study_id, title, created_at, status) VALUES (1, 1, 'Gates block', 'x', 'reviewed');
         INSERT INTO finding_evidence (finding_id, highlight_id) VALUES (1, 10), (1, 12);
         INSERT INTO nps_responses (id, score, comment, submitted_at) VALUES (1, 3, 'Gates are slow', '2026-01-03T00:00:00Z');",
    )
    .unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 8, "the fixture is schema 8");
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// What must survive the rebuild: highlights (with their source), tags, evidence.
fn assert_schema_8_data_whole(conn: &Connection) {
    assert_eq!(count(conn, "SELECT count(*) FROM highlights"), 3, "every highlight");
    assert_eq!(count(conn, "SELECT count(*) FROM highlight_tags"), 4, "every highlight's tags");
    assert_eq!(count(conn, "SELECT count(*) FROM finding_evidence"), 2, "every piece of evidence");
    let sources: Vec<(i64, String, Option<i64>)> = conn
        .prepare("SELECT id, source, note_id FROM highlights ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        sources,
        vec![(10, "session".into(), None), (11, "session".into(), None), (12, "note".into(), Some(1))],
        "ids kept, the note's highlight is a note highlight"
    );
    let comment: Option<String> =
        conn.query_row("SELECT comment FROM highlights WHERE id = 10", [], |r| r.get(0)).unwrap();
    assert_eq!(comment.as_deref(), Some("key quote"));
}

#[test]
fn a_schema_8_database_keeps_every_highlight_its_tags_and_evidence_through_the_rebuild() {
    let tmp = TempDir::new();
    let ws_dir = tmp.ws();
    std::fs::create_dir_all(&ws_dir).unwrap();
    schema_8_database(&ws_dir.join("rapport.db"));
    let ws = Workspace::open(&ws_dir).expect("the store migrates schema 8");
    let conn = ws.conn();
    assert_eq!(count(conn, "PRAGMA user_version"), store::SCHEMA_VERSION);
    assert_schema_8_data_whole(conn);
    assert_eq!(count(conn, "PRAGMA foreign_keys"), 1, "foreign keys are back on after migrating");
    assert_eq!(count(conn, "SELECT count(*) FROM pragma_foreign_key_check"), 0, "no dangling reference");
    // The rebuilt table enforces its references and its per-source columns.
    let orphan = conn.execute(
        "INSERT INTO highlights (source, nps_id, start_char, end_char, text, created_at) VALUES ('nps', 99, 0, 3, 'abc', 'x')",
        [],
    );
    assert!(orphan.is_err(), "a highlight of a missing NPS response is refused");
    let mixed = conn.execute(
        "INSERT INTO highlights (source, session_id, nps_id, start_char, end_char, text, created_at) VALUES ('nps', 1, 1, 0, 3, 'Gat', 'x')",
        [],
    );
    assert!(mixed.is_err(), "an NPS highlight with a session is refused by the CHECK");
    // The change log still works for old and new highlights.
    let finding = rapport::finding::get(conn, 1).unwrap();
    assert_eq!(finding.evidence.len(), 2);
    assert_eq!(finding.people, 1);
    let index = rapport::search::SearchIndex::open(&ws).unwrap();
    assert_eq!(
        index.search("blocked", &Default::default()).unwrap().total,
        4,
        "the note, both highlights with blocked and the finding \"Gates block\" (stemmed) are indexed"
    );
}

#[test]
fn migrating_with_foreign_keys_on_would_cascade_away_the_tags_which_the_store_prevents() {
    // The hazard the store's migrate() exists for: with foreign keys on, the DROP TABLE of the
    // rebuild deletes the highlights' children through ON DELETE CASCADE.
    let tmp = TempDir::new();
    std::fs::create_dir_all(tmp.path().join("naive")).unwrap();
    let naive = tmp.path().join("naive/rapport.db");
    schema_8_database(&naive);
    let mut conn = Connection::open(&naive).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    store::migrations().to_latest(&mut conn).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM highlight_tags"), 0, "the naive run lost the tags");
    assert_eq!(count(&conn, "SELECT count(*) FROM finding_evidence"), 0, "and the evidence");

    let careful = tmp.path().join("careful.db");
    schema_8_database(&careful);
    let mut conn = Connection::open(&careful).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    store::migrate(&mut conn, &careful).unwrap();
    assert_schema_8_data_whole(&conn);
}

#[test]
fn the_released_schema_8_fixture_upgrades_with_its_highlights_tags_and_evidence() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v8.db");
    let tmp = TempDir::new();
    let ws_dir = tmp.ws();
    std::fs::create_dir_all(&ws_dir).unwrap();
    std::fs::copy(&fixture, ws_dir.join("rapport.db"))
        .expect("tests/fixtures/schema-v8.db is in the repository");
    let before = Connection::open(ws_dir.join("rapport.db")).unwrap();
    assert_eq!(count(&before, "PRAGMA user_version"), 8);
    let counts = |c: &Connection| {
        (
            count(c, "SELECT count(*) FROM highlights"),
            count(c, "SELECT count(*) FROM highlight_tags"),
            count(c, "SELECT count(*) FROM finding_evidence"),
            count(c, "SELECT count(*) FROM highlights WHERE note_id IS NOT NULL"),
        )
    };
    let was = counts(&before);
    let tagged: Vec<(i64, i64)> = before
        .prepare("SELECT highlight_id, tag_id FROM highlight_tags ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    drop(before);
    let ws = Workspace::open(&ws_dir).expect("schema 8 migrates");
    let conn = ws.conn();
    assert_eq!(count(conn, "PRAGMA user_version"), store::SCHEMA_VERSION);
    assert_eq!(counts(conn), was, "highlights, tags, evidence and note highlights all survive");
    let after: Vec<(i64, i64)> = conn
        .prepare("SELECT highlight_id, tag_id FROM highlight_tags ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(after, tagged, "each highlight keeps exactly its tags");
    assert_eq!(count(conn, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_eq!(
        count(conn, "SELECT count(*) FROM highlights WHERE source NOT IN ('session', 'note')"),
        0,
        "old highlights are session or note highlights"
    );
}

/// The demo workspace with a feedback item whose text has accents, guillemets and an
/// emoji (code points ≠ UTF-16 units ≠ bytes); returns its id.
fn with_non_ascii_feedback(tmp: &TempDir, ws: &Path) -> (i64, String) {
    let csv = tmp.path().join("fb.csv");
    let text = "Déploiement bloqué — la porte «sécurité» 🚦 nous a bloqués deux fois";
    std::fs::write(
        &csv,
        format!("id,source,submitted_at,email,text\nfx1,in-app,2026-03-01T10:00:00Z,hannah.kim@example.com,{text}\n"),
    )
    .unwrap();
    rapport_ok(ws, &["feedback", "import", csv.to_str().unwrap()]);
    let list = rapport_json(ws, &["feedback", "list", "--contains", "sécurité"]);
    (list[0]["id"].as_i64().unwrap(), text.to_string())
}

fn nps_comment(ws: &Path, words: &str) -> (i64, String) {
    let list = rapport_json(ws, &["nps", "comments", "--contains", words]);
    let c = &list.as_array().expect("a list")[0];
    (c["id"].as_i64().unwrap(), c["comment"].as_str().unwrap().to_string())
}

fn error_code(ws: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--json");
    let out = rapport(ws, &all);
    assert!(!out.status.success(), "rapport {args:?} should fail");
    let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    err["error"]["code"].as_str().unwrap().to_string()
}

#[test]
fn nps_comments_and_feedback_are_highlighted_by_words_or_code_points_and_listed_by_source() {
    let (tmp, ws) = demo_workspace();
    let (nps, comment) = nps_comment(&ws, "more confidence, but pods stuck");
    let words = "pods stuck in CrashLoopBackOff";
    let h = rapport_json(
        &ws,
        &["highlight", "add", "--nps", &nps.to_string(), "--text", words, "--tag", "Deploy/Timeouts"],
    );
    let nps_h = h["id"].as_i64().unwrap();

    let (fb, text) = with_non_ascii_feedback(&tmp, &ws);
    let from = text.chars().position(|c| c == '«').unwrap();
    let to = from + "«sécurité» 🚦".chars().count();
    let h = rapport_json(
        &ws,
        &[
            "highlight",
            "add",
            "--feedback",
            &fb.to_string(),
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
            "--tag",
            "Deploy/Gates",
            "--tag",
            "Deploy/Timeouts",
            "--note",
            "the gate again",
        ],
    );
    let fb_h = h["id"].as_i64().unwrap();

    let listed = rapport_json(&ws, &["highlight", "list", "--source", "nps"]);
    let row = listed.as_array().unwrap().iter().find(|r| r["id"] == nps_h).expect("listed under nps");
    assert_eq!(row["source"], "nps");
    assert_eq!(row["nps_id"], nps);
    assert!(row["session_id"].is_null() && row["start_ms"].is_null(), "no session, no time: {row}");
    let (a, b) = (row["start_char"].as_u64().unwrap() as usize, row["end_char"].as_u64().unwrap() as usize);
    assert_eq!(comment.chars().skip(a).take(b - a).collect::<String>(), words, "the span is the words");
    assert_eq!(row["score"], 7);
    assert_eq!(row["person_name"], "Hannah Kim", "the respondent from the directory");
    assert!(row["segments"].as_array().unwrap().iter().any(|s| s == "role: ops"), "{row}");
    assert!(
        listed.as_array().unwrap().iter().all(|r| r["source"] == "nps"),
        "--source nps lists only NPS highlights"
    );

    let fb_rows = rapport_json(&ws, &["highlight", "list", "--source", "feedback"]);
    let row = &fb_rows.as_array().unwrap().iter().find(|r| r["id"] == fb_h).unwrap();
    assert_eq!(row["text"], "«sécurité» 🚦", "offsets are code points: {row}");
    assert_eq!(row["feedback_id"], fb);
    assert_eq!(row["channel"], "in-app");
    assert_eq!(row["comment"], "the gate again");
    assert_eq!(row["tags"], serde_json::json!(["Deploy/Gates", "Deploy/Timeouts"]));
    let sessions = rapport_json(&ws, &["highlight", "list", "--source", "session"]);
    assert!(!sessions.as_array().unwrap().is_empty());
    assert!(sessions
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["source"] == "session" && r["session_id"].is_i64()));

    // The lists show each item's marks.
    let fb_list = rapport_json(&ws, &["feedback", "list", "--highlighted"]);
    assert_eq!(fb_list.as_array().unwrap().len(), 1);
    assert_eq!(fb_list[0]["highlights"][0]["start_char"], from as i64);

    // Bad spans and words are refused with their code, and nothing is stored.
    let before = rapport_json(&ws, &["highlight", "list"]).as_array().unwrap().len();
    let nps_s = nps.to_string();
    assert_eq!(
        error_code(&ws, &["highlight", "add", "--nps", &nps_s, "--from", "9", "--to", "3"]),
        "invalid_input"
    );
    assert_eq!(
        error_code(&ws, &["highlight", "add", "--nps", &nps_s, "--from", "0", "--to", "100000"]),
        "invalid_input"
    );
    assert_eq!(
        error_code(&ws, &["highlight", "add", "--nps", &nps_s, "--text", "never said this"]),
        "invalid_input"
    );
    assert_eq!(
        error_code(&ws, &["highlight", "add", "--nps", &nps_s, "--from", "0", "--to", "3", "--text", "xyz"]),
        "invalid_input"
    );
    assert_eq!(error_code(&ws, &["highlight", "add", "--feedback", "99999", "--text", "x"]), "not_found");
    assert!(!rapport(&ws, &["highlight", "add", "--nps", &nps_s, "--session", "1", "--text", "x"])
        .status
        .success());
    assert_eq!(rapport_json(&ws, &["highlight", "list"]).as_array().unwrap().len(), before);

    // Counts per tag and per person include them.
    let t = rapport_json(&ws, &["tag", "show", "Deploy/Timeouts"]);
    assert_eq!(t["tag"]["highlights"], 2);
    assert!(t["by_person"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["label"] == "Hannah Kim" && p["highlights"] == 2));
}

/// A finding of the demo study citing an NPS and a feedback highlight; returns the ids.
fn finding_with_text_evidence(tmp: &TempDir, ws: &Path) -> (i64, i64, i64) {
    let (nps, _) = nps_comment(ws, "more confidence, but pods stuck");
    let nps_h = rapport_json(
        ws,
        &[
            "highlight",
            "add",
            "--nps",
            &nps.to_string(),
            "--text",
            "pods stuck in CrashLoopBackOff",
            "--tag",
            "Deploy/Timeouts",
        ],
    )["id"]
        .as_i64()
        .unwrap();
    let (fb, _) = with_non_ascii_feedback(tmp, ws);
    let fb_h = rapport_json(
        ws,
        &[
            "highlight",
            "add",
            "--feedback",
            &fb.to_string(),
            "--text",
            "«sécurité» 🚦",
            "--tag",
            "Deploy/Gates",
        ],
    )["id"]
        .as_i64()
        .unwrap();
    let f = rapport_json(
        ws,
        &[
            "finding",
            "add",
            "--study",
            "New deploy system",
            "--title",
            "Timeouts push people away",
            "--evidence",
            &nps_h.to_string(),
            "--status",
            "reviewed",
            "--severity",
            "high",
        ],
    )["id"]
        .as_i64()
        .unwrap();
    rapport_ok(ws, &["finding", "evidence", &f.to_string(), "--add", &fb_h.to_string()]);
    (f, nps_h, fb_h)
}

#[test]
fn a_finding_cites_nps_and_feedback_highlights_with_score_segment_channel_and_user() {
    let (tmp, ws) = demo_workspace();
    let (f, nps_h, fb_h) = finding_with_text_evidence(&tmp, &ws);
    let shown = rapport_json(&ws, &["finding", "show", &f.to_string()]);
    let ev = shown["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 2);
    let n = ev.iter().find(|e| e["highlight_id"] == nps_h).unwrap();
    assert_eq!(n["source"], "nps");
    assert_eq!(n["score"], 7);
    assert!(n["start_ms"].is_null(), "nothing to play");
    assert!(n["segments"].as_array().unwrap().iter().any(|s| s == "team: mobile"));
    let b = ev.iter().find(|e| e["highlight_id"] == fb_h).unwrap();
    assert_eq!(b["source"], "feedback");
    assert_eq!(b["channel"], "in-app");
    assert_eq!(b["person_name"], "Hannah Kim");
    assert_eq!(shown["people"], 1, "the same person behind both");
    // The study's highlight list now holds them (its findings cite them); the board offers all.
    let study = rapport_json(&ws, &["highlight", "list", "--study", "New deploy system", "--source", "nps"]);
    assert_eq!(study.as_array().unwrap().len(), 1);
    let text = rapport_ok(&ws, &["finding", "show", &f.to_string()]);
    assert!(text.contains("NPS response") && text.contains("score 7"), "{text}");
}

#[test]
fn every_export_carries_nps_and_feedback_evidence_and_the_qdpx_validates() {
    let (tmp, ws) = demo_workspace();
    let (_f, nps_h, fb_h) = finding_with_text_evidence(&tmp, &ws);
    let out = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let md = std::fs::read_to_string(export(&ws, &["--format", "md", "--out", &out("r.md")])).unwrap();
    assert!(
        md.contains("pods stuck in CrashLoopBackOff") && md.contains("NPS 7"),
        "md quotes with the score"
    );
    assert!(
        md.contains("«sécurité» 🚦") && md.contains("feedback (in-app)"),
        "md quotes feedback with its channel"
    );
    let html = std::fs::read_to_string(export(&ws, &["--format", "html", "--out", &out("r.html")])).unwrap();
    assert!(html.contains("NPS 7") && html.contains("feedback (in-app)"));
    let slides =
        std::fs::read_to_string(export(&ws, &["--format", "html", "--slides", "--out", &out("s.html")]))
            .unwrap();
    assert!(slides.contains("pods stuck in CrashLoopBackOff"));
    let jira = std::fs::read_to_string(export(&ws, &["--format", "jira", "--out", &out("j.csv")])).unwrap();
    assert!(jira.contains("Timeouts push people away") && jira.contains("NPS 7"));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(export(&ws, &["--format", "json", "--out", &out("r.json")])).unwrap(),
    )
    .unwrap();
    let sources = json["text_sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "the NPS comment and the feedback item, whole");
    assert!(json["highlights"].as_array().unwrap().iter().any(|h| h["id"] == nps_h && h["source"] == "nps"));
    let csv = unzip(&export(&ws, &["--format", "csv", "--out", &out("r.zip")]));
    let rows = String::from_utf8(csv["highlights.csv"].clone()).unwrap();
    assert!(rows.lines().next().unwrap().starts_with("id,source,session_id,nps_id,feedback_id"));
    assert!(rows.lines().any(|l| l.starts_with(&format!("{fb_h},feedback,,,"))), "{rows}");

    // REFI-QDA: each text is a TextSource, its selection at the words, coded, valid.
    let files = unzip(&export(&ws, &["--format", "qdpx", "--out", &out("p.qdpx")]));
    let qde_path = tmp.path().join("project.qde");
    std::fs::write(&qde_path, &files["project.qde"]).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("refi-qda/Project-mrt2019.xsd"))
        .arg(&qde_path)
        .output()
        .expect("xmllint runs");
    assert!(lint.status.success(), "valid against the XSD: {}", String::from_utf8_lossy(&lint.stderr));
    let qde = String::from_utf8(files["project.qde"].clone()).unwrap();
    let root = xml::parse("project.qde", &qde).unwrap();
    let mut found = Vec::new();
    for src in root.first("Sources").unwrap().all("TextSource") {
        let name = src.attr("name").unwrap();
        if !(name.starts_with("NPS response") || name.starts_with("Feedback")) {
            continue;
        }
        let file = src.attr("plainTextPath").unwrap().strip_prefix("internal://").unwrap();
        let text = String::from_utf8(files[&format!("Sources/{file}")].clone()).unwrap();
        for sel in src.all("PlainTextSelection") {
            let a: usize = sel.attr("startPosition").unwrap().parse().unwrap();
            let b: usize = sel.attr("endPosition").unwrap().parse().unwrap();
            assert_eq!(sel.all("Coding").count(), 1, "coded");
            found.push((name.to_string(), text.chars().skip(a).take(b - a).collect::<String>()));
        }
    }
    found.sort();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].0.starts_with("Feedback") && found[0].1 == "«sécurité» 🚦", "{found:?}");
    assert!(
        found[1].0.starts_with("NPS response") && found[1].1 == "pods stuck in CrashLoopBackOff",
        "{found:?}"
    );

    // Imported back, the texts and their coded spans come in.
    let tmp2 = TempDir::new();
    rapport_ok(&tmp2.ws(), &["init"]);
    rapport_ok(&tmp2.ws(), &["import", "qdpx", tmp.path().join("p.qdpx").to_str().unwrap()]);
    let back = rapport_json(&tmp2.ws(), &["highlight", "list"]);
    assert!(back.as_array().unwrap().iter().any(|h| h["text"] == "«sécurité» 🚦"));

    // Redacted: the respondent's and user's name and email are gone from every format.
    for fmt in ["md", "json", "jira"] {
        let p = export(&ws, &["--format", fmt, "--redact", "--out", &out(&format!("red.{fmt}"))]);
        let text = std::fs::read_to_string(p).unwrap();
        assert!(
            !text.contains("Hannah Kim") && !text.to_lowercase().contains("hannah.kim@example.com"),
            "{fmt}"
        );
        assert!(text.contains("pods stuck in CrashLoopBackOff"), "{fmt} keeps the words");
    }
    let red = unzip(&export(&ws, &["--format", "qdpx", "--redact", "--out", &out("red.qdpx")]));
    for (name, bytes) in red {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Hannah Kim") && !text.contains("hannah.kim@"), "{name}");
    }
}

#[test]
fn search_finds_nps_and_feedback_highlights_and_their_tags() {
    let (tmp, ws) = demo_workspace();
    let (_f, nps_h, _fb_h) = finding_with_text_evidence(&tmp, &ws);
    let r = rapport_json(&ws, &["search", "kind:highlight sécurité"]);
    assert_eq!(r["total"], 1, "{r}");
    let r = rapport_json(&ws, &["search", "kind:highlight CrashLoopBackOff"]);
    assert!(r["hits"].as_array().unwrap().iter().any(|h| h["id"] == nps_h), "{r}");
    let r = rapport_json(&ws, &["search", "kind:nps tag:Deploy/Timeouts"]);
    assert_eq!(r["total"], 1, "the highlighted comment carries its highlight's tag: {r}");
}

#[test]
fn deleting_an_item_removes_its_highlights_and_evidence_and_reimporting_keeps_them() {
    let (tmp, ws) = demo_workspace();
    let (f, nps_h, fb_h) = finding_with_text_evidence(&tmp, &ws);
    // Importing the same files again adds nothing and keeps the highlights.
    let demo_nps = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/nps.csv");
    let again = rapport_json(&ws, &["nps", "import", demo_nps.to_str().unwrap()]);
    assert_eq!(again["added"], 0);
    assert_eq!(
        rapport_json(&ws, &["finding", "show", &f.to_string()])["evidence"].as_array().unwrap().len(),
        2
    );

    let nps = rapport_json(&ws, &["highlight", "list", "--source", "nps"])[0]["nps_id"].as_i64().unwrap();
    let plan = rapport_json(&ws, &["nps", "delete", &nps.to_string()]);
    assert_eq!(
        (plan["highlights"].as_i64(), plan["findings"].as_i64(), plan["deleted"].as_bool()),
        (Some(1), Some(1), Some(false))
    );
    assert!(
        rapport_json(&ws, &["highlight", "list", "--source", "nps"]).as_array().unwrap().len() == 1,
        "a plan deletes nothing"
    );
    rapport_json(&ws, &["nps", "delete", &nps.to_string(), "--yes"]);
    assert!(rapport_json(&ws, &["highlight", "list", "--source", "nps"]).as_array().unwrap().is_empty());
    let ev = rapport_json(&ws, &["finding", "show", &f.to_string()])["evidence"].clone();
    assert_eq!(ev.as_array().unwrap().len(), 1, "the finding keeps its other evidence");
    assert_eq!(ev[0]["highlight_id"], fb_h);
    assert_eq!(error_code(&ws, &["highlight", "edit", &nps_h.to_string(), "--note", "x"]), "not_found");

    let fb =
        rapport_json(&ws, &["highlight", "list", "--source", "feedback"])[0]["feedback_id"].as_i64().unwrap();
    rapport_json(&ws, &["feedback", "delete", &fb.to_string(), "--yes"]);
    assert!(rapport_json(&ws, &["finding", "show", &f.to_string()])["evidence"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(rapport_json(&ws, &["search", "sécurité"])["total"], 0, "the index forgot them");
    assert_eq!(error_code(&ws, &["nps", "delete", &nps.to_string()]), "not_found");
}
