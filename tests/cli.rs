//! The CLI contract: commands, `--json` shapes, exit codes and one-line errors.

use crate::util::*;

#[test]
fn demo_then_study_list_json_shows_the_demo_study_with_its_counts() {
    let (_tmp, ws) = demo_workspace();
    let studies = rapport_json(&ws, &["study", "list"]);
    let list = studies.as_array().expect("a JSON array");
    let demo = list.iter().find(|s| s["name"] == "New deploy system").expect("the demo study is listed");
    assert!(demo["id"].as_i64().is_some(), "id is a number: {demo}");
    assert_eq!(demo["sessions"], 3, "the demo has three sessions: {demo}");
    assert_eq!(demo["people"], 3, "three different people were interviewed: {demo}");
    assert_eq!(demo["findings"], 3, "the demo has three findings: {demo}");
    assert!(demo["highlights"].as_i64().unwrap() >= 10, "the demo has highlights: {demo}");
}

#[test]
fn session_list_reports_recording_and_transcript_per_session() {
    let (_tmp, ws) = demo_workspace();
    let sessions = rapport_json(&ws, &["session", "list", "--study", "New deploy system"]);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    for s in sessions {
        for key in ["id", "study", "person_email", "at", "has_recording", "has_transcript"] {
            assert!(s.get(key).is_some(), "session lacks {key}: {s}");
        }
        assert_eq!(s["has_transcript"], true, "every demo session has a transcript: {s}");
    }
    let with_recording = sessions.iter().filter(|s| s["has_recording"] == true).count();
    assert_eq!(with_recording, 1, "exactly one demo session has a recording");
}

#[test]
fn study_create_prints_the_new_id_and_refuses_a_duplicate_name() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let created = rapport_json(&ws, &["study", "create", "Onboarding"]);
    let id = created["id"].as_i64().expect("{\"id\": n}");
    let plain = rapport_ok(&ws, &["study", "create", "Second"]);
    assert_eq!(plain.trim().parse::<i64>().unwrap(), id + 1, "plain output is the id alone");
    let dup = rapport(&ws, &["study", "create", "Onboarding"]);
    assert!(!dup.status.success());
    let err = String::from_utf8(dup.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("already exists: Onboarding"), "{err}");
}

#[test]
fn verify_passes_on_the_demo_and_names_a_media_file_changed_by_one_byte() {
    let (_tmp, ws) = demo_workspace();
    let ok = rapport(&ws, &["verify"]);
    assert!(ok.status.success(), "verify of a fresh demo: {}", String::from_utf8_lossy(&ok.stderr));

    let media: Vec<_> = std::fs::read_dir(ws.join("media")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(media.len(), 1, "the demo stores one recording: {media:?}");
    let mut bytes = std::fs::read(&media[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&media[0], bytes).unwrap();

    let bad = rapport(&ws, &["verify"]);
    assert!(!bad.status.success(), "verify must fail after a byte changed");
    let err = String::from_utf8(bad.stderr).unwrap();
    let name = media[0].file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name) && err.contains("content changed"), "the message names the file: {err}");
}

#[test]
fn verify_reports_a_missing_media_file() {
    let (_tmp, ws) = demo_workspace();
    let media: Vec<_> = std::fs::read_dir(ws.join("media")).unwrap().map(|e| e.unwrap().path()).collect();
    std::fs::remove_file(&media[0]).unwrap();
    let bad = rapport(&ws, &["verify"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing"));
}

#[test]
fn a_database_newer_than_the_app_is_refused_and_left_byte_for_byte_unchanged() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let db = ws.join("rapport.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", 9999).unwrap();
    }
    let before = sha256_file(&db);
    for args in [&["study", "list"][..], &["verify"], &["demo"], &["init"]] {
        let out = rapport(&ws, args);
        assert!(!out.status.success(), "rapport {args:?} must refuse a newer database");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("schema version 9999") && err.contains("newer"),
            "message about the version: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert_eq!(sha256_file(&db), before, "the newer database must not be touched");
    assert!(!ws.join("rapport.db-wal").exists(), "no WAL file was created next to it");
}

#[test]
fn a_folder_that_is_not_a_workspace_gives_one_clear_line() {
    let tmp = TempDir::new();
    let out = rapport(tmp.path(), &["study", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not a Rapport workspace") && err.contains("rapport init"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn json_errors_carry_the_stable_code() {
    let (_tmp, ws) = demo_workspace();
    let out = rapport(&ws, &["session", "list", "--study", "No such study", "--json"]);
    assert!(!out.status.success());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error object");
    assert_eq!(err["error"]["code"], "not_found");
    assert_eq!(err["error"]["message"], "study not found: No such study");
}

#[test]
fn loading_the_demo_twice_fails_and_keeps_the_first_copy() {
    let (_tmp, ws) = demo_workspace();
    let again = rapport(&ws, &["demo"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists: New deploy system"));
    let studies = rapport_json(&ws, &["study", "list"]);
    assert_eq!(studies.as_array().unwrap().len(), 1);
    assert_eq!(studies[0]["sessions"], 3, "the first copy is whole");
}

#[test]
fn demo_from_a_folder_with_a_bad_line_imports_nothing() {
    let tmp = TempDir::new();
    let src = tmp.path().join("demo");
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo"), &src);
    let mut nps = String::from("respondent,email,score,comment,submitted_at,team\n");
    for i in 1..=4 {
        nps.push_str(&format!("r{i},,9,\"Fast, calm deploys\",2026-01-0{i}T10:00:00Z,payments\n"));
    }
    nps.push_str("r5,,11,Too high to be a score,2026-01-05T10:00:00Z,payments\n");
    std::fs::write(src.join("nps.csv"), nps).unwrap();

    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let out = rapport(&ws, &["demo", "--from", src.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("nps.csv:6") && err.contains("score") && err.contains("0 to 10"),
        "names file, line and field: {err}"
    );
    let studies = rapport_json(&ws, &["study", "list"]);
    assert_eq!(studies.as_array().unwrap().len(), 0, "all or nothing: no study was kept");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
