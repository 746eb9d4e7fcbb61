//! The workbench's write paths in the core and the CLI: studies created, edited, archived and
//! deleted; sessions for a person of the directory or a new one; deletes that say what goes
//! and take the recording files no other session uses, and the search documents with them.

use rapport::media;
use rapport::progress::{CancelToken, NoProgress, Outcome};
use rapport::search::SearchIndex;
use rapport::session::{self, SessionInput};
use rapport::study::{self, StudyInput};
use rapport::{transcript, ErrorCode, Workspace};

use crate::media::speak;
use crate::util::*;

fn new_person(email: &str, name: &str) -> SessionInput {
    SessionInput {
        email: Some(email.into()),
        name: Some(name.into()),
        at: "2026-11-03T14:30:00+01:00".into(),
        ..SessionInput::default()
    }
}

fn vtt(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("call.vtt");
    std::fs::write(
        &path,
        format!("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>{text}\n\n00:00:05.000 --> 00:00:07.500\n<v Ben>Tell me more.\n"),
    )
    .unwrap();
    path
}

#[test]
fn a_study_is_edited_archived_unarchived_and_a_taken_name_is_refused() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let id = study::create(conn, "Onboarding", Some("Why do teams stall?"), Some("2026-11-01")).unwrap();
    study::create(conn, "Taken", None, None).unwrap();
    let input = StudyInput {
        name: "  Onboarding to CI ".into(),
        goal: Some("  ".into()),
        started_at: Some("2026-11-02".into()),
    };
    let s = study::update(conn, id, &input).unwrap();
    assert_eq!(
        (s.name.as_str(), s.goal.as_deref(), s.started_at.as_deref()),
        ("Onboarding to CI", None, Some("2026-11-02"))
    );
    let dup = study::update(conn, id, &StudyInput { name: "Taken".into(), ..input.clone() }).unwrap_err();
    assert_eq!(dup.code(), ErrorCode::AlreadyExists);
    let bad =
        study::update(conn, id, &StudyInput { started_at: Some("next week".into()), ..input }).unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput, "{bad}");
    assert!(bad.to_string().contains("start date"), "{bad}");

    let archived = study::set_archived(conn, id, true).unwrap();
    let when = archived.archived_at.clone().expect("archived");
    assert_eq!(
        study::set_archived(conn, id, true).unwrap().archived_at,
        Some(when),
        "archiving twice keeps the first time"
    );
    assert_eq!(study::set_archived(conn, id, false).unwrap().archived_at, None);
}

#[test]
fn a_session_for_a_new_email_adds_the_person_and_one_for_a_known_email_reuses_them() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let study_id = study::create(conn, "S", None, None).unwrap();
    let a = session::create_with(conn, study_id, &new_person("ana@example.com", "Ana Lima")).unwrap();
    let b = session::create_with(conn, study_id, &new_person("ANA@example.com", "Someone else")).unwrap();
    let (sa, sb) = (session::get(conn, a).unwrap(), session::get(conn, b).unwrap());
    assert_eq!(sa.person_id, sb.person_id, "the email is the person's key (case-insensitive)");
    assert_eq!(sb.person_name, "Ana Lima", "a known person keeps their name");
    assert_eq!(sa.at, "2026-11-03T13:30:00Z", "times are stored in UTC");
    let err = session::create_with(conn, study_id, &new_person("not an email", "X")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let err = session::create_with(
        conn,
        study_id,
        &SessionInput { at: "2026-11-03".into(), ..SessionInput::default() },
    )
    .unwrap_err();
    assert!(err.to_string().contains("person"), "{err}");
    let edited = session::update(
        conn,
        a,
        &SessionInput { person_id: sa.person_id, title: Some("Pilot".into()), ..new_person("", "") },
    )
    .unwrap();
    assert_eq!(edited.title.as_deref(), Some("Pilot"));
}

#[test]
fn deleting_a_session_says_what_goes_removes_its_unshared_file_and_its_search_hits() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let study_id = study::create(conn, "S", None, None).unwrap();
    let gone = session::create_with(conn, study_id, &new_person("ana@example.com", "Ana")).unwrap();
    let stays = session::create_with(conn, study_id, &new_person("ben@example.com", "Ben")).unwrap();
    let shared = tmp.path().join("shared.wav");
    let own = tmp.path().join("own.wav");
    speak("a shared recording of the call", &shared);
    speak("only this session has this one", &own);
    for (session_id, file) in [(gone, &shared), (gone, &own), (stays, &shared)] {
        media::add_recording_file(conn, &ws.media_dir(), session_id, file).unwrap();
    }
    transcript::import_file(conn, gone, &vtt(tmp.path(), "The zebracanary rollout stalled"), None).unwrap();
    session::add_note(conn, gone, 1500, "asked about canaries").unwrap();
    let index = SearchIndex::open(&ws).unwrap();
    assert_eq!(index.search("zebracanary", &Default::default()).unwrap().total, 1);

    let plan = session::delete_plan(conn, gone).unwrap();
    assert_eq!((plan.segments, plan.notes, plan.recordings, plan.files_kept), (2, 1, 2, 1), "{plan:?}");
    assert_eq!(plan.files_removed, vec!["own.wav".to_string()], "the shared file stays: {plan:?}");
    let own_stored = media::media_path(&ws.media_dir(), &sha256_file(&own), "wav");
    let shared_stored = media::media_path(&ws.media_dir(), &sha256_file(&shared), "wav");
    assert!(own_stored.is_file());

    let done = session::delete(conn, &ws.media_dir(), gone).unwrap();
    assert_eq!(done.files_removed, plan.files_removed);
    assert!(!own_stored.exists(), "the file no other session uses leaves media/");
    assert!(shared_stored.is_file(), "the file another session uses stays");
    index.sync(conn, &NoProgress).unwrap();
    assert_eq!(
        index.search("zebracanary", &Default::default()).unwrap().total,
        0,
        "its search hits are gone"
    );
    assert_eq!(session::get(conn, gone).unwrap_err().code(), ErrorCode::NotFound);
    let report = rapport::verify::verify(&ws).unwrap();
    assert!(report.problems.is_empty(), "verify passes after the delete: {report:?}");
}

#[test]
fn adding_a_recording_can_be_cancelled_and_then_stores_nothing() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let study_id = study::create(conn, "S", None, None).unwrap();
    let sid = session::create_with(conn, study_id, &new_person("ana@example.com", "Ana")).unwrap();
    let file = tmp.path().join("call.wav");
    speak("cancel me before I am stored", &file);
    let cancel = CancelToken::new();
    cancel.cancel();
    let out =
        media::add_recording_file_with(conn, &ws.media_dir(), sid, &file, &NoProgress, &cancel).unwrap();
    assert_eq!(out, Outcome::Cancelled);
    assert!(media::recordings_of_session(conn, sid).unwrap().is_empty());
    let leftovers: Vec<_> = std::fs::read_dir(ws.media_dir()).unwrap().collect();
    assert!(leftovers.is_empty(), "nothing is left in media/: {leftovers:?}");
}

#[test]
fn deleting_a_study_takes_its_sessions_findings_and_files() {
    let tmp = TempDir::new();
    let ws_dir = tmp.ws();
    rapport_ok(&ws_dir, &["demo"]);
    let ws = Workspace::open(&ws_dir).unwrap();
    let id = study::resolve(ws.conn(), "New deploy system").unwrap();
    let plan = study::delete_plan(ws.conn(), id).unwrap();
    assert_eq!((plan.what.as_str(), plan.sessions, plan.findings), ("study", 3, 3), "{plan:?}");
    assert_eq!(plan.files_removed.len(), 1, "the demo's one recording: {plan:?}");
    study::delete(ws.conn(), &ws.media_dir(), id).unwrap();
    assert!(study::list(ws.conn()).unwrap().iter().all(|s| s.id != id));
    assert_eq!(std::fs::read_dir(ws.media_dir()).unwrap().count(), 0, "its recording left media/");
    assert!(rapport::verify::verify(&ws).unwrap().problems.is_empty());
}

#[test]
fn the_cli_edits_archives_and_deletes_studies_and_sessions_with_json() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let id =
        rapport_json(&ws, &["study", "create", "Onboarding", "--goal", "Why?", "--started", "2026-11-01"])
            ["id"]
            .as_i64()
            .unwrap()
            .to_string();
    let edited = rapport_json(&ws, &["study", "edit", &id, "--name", "Onboarding to CI"]);
    assert_eq!((edited["name"].as_str(), edited["goal"].as_str()), (Some("Onboarding to CI"), Some("Why?")));
    assert!(rapport_json(&ws, &["study", "archive", &id])["archived_at"].is_string());
    assert!(rapport_json(&ws, &["study", "unarchive", &id])["archived_at"].is_null());

    let sid = rapport_json(
        &ws,
        &[
            "session",
            "create",
            "--study",
            "Onboarding to CI",
            "--person",
            "ana@example.com",
            "--name",
            "Ana Lima",
            "--at",
            "2026-11-03T10:00:00Z",
        ],
    )["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let listed = rapport_json(&ws, &["session", "list"]);
    assert_eq!(listed[0]["person_name"], "Ana Lima");
    let people = rapport_json(&ws, &["people", "list"]);
    assert_eq!(people[0]["email"], "ana@example.com", "the new person is in the directory");

    let refused = rapport(&ws, &["session", "delete", &sid]);
    assert!(!refused.status.success(), "without --yes nothing is deleted");
    assert_eq!(rapport_json(&ws, &["session", "list"]).as_array().unwrap().len(), 1);
    let deleted = rapport_json(&ws, &["session", "delete", &sid, "--yes"]);
    assert_eq!((deleted["what"].as_str(), deleted["deleted"].as_bool()), (Some("session"), Some(true)));
    assert!(rapport_json(&ws, &["session", "list"]).as_array().unwrap().is_empty());
    let deleted = rapport_json(&ws, &["study", "delete", &id, "--yes"]);
    assert_eq!(deleted["what"], "study");
    assert!(rapport_json(&ws, &["study", "list"]).as_array().unwrap().is_empty());
}

#[test]
fn models_list_neither_creates_nor_migrates_the_default_workspace() {
    let tmp = TempDir::new();
    let home = tmp.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["models", "list", "--json"])
        .env_remove("RAPPORT_WORKSPACE")
        .env("XDG_DATA_HOME", &home)
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!home.join("Rapport/workspace").exists(), "no default workspace was made");

    // An older workspace stays at its schema version.
    let ws = home.join("Rapport/workspace");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v2.db"),
        ws.join("rapport.db"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["models", "list"])
        .env_remove("RAPPORT_WORKSPACE")
        .env("XDG_DATA_HOME", &home)
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let conn = rusqlite::Connection::open(ws.join("rapport.db")).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 2, "models list did not migrate the default workspace");
}

#[test]
fn a_transcript_preview_says_what_an_import_would_store_and_stores_nothing() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let study_id = study::create(conn, "S", None, None).unwrap();
    let sid = session::create_with(conn, study_id, &new_person("ana@example.com", "Ana")).unwrap();
    let file = vtt(tmp.path(), "We waited on the canary");
    let preview = transcript::preview_file(&file).unwrap();
    assert_eq!(preview.format, transcript::Format::Vtt);
    assert_eq!((preview.total_cues, preview.duration_ms), (2, 6500));
    assert_eq!(preview.speakers, vec!["Ana".to_string(), "Ben".to_string()]);
    assert_eq!(preview.cues[0].text, "We waited on the canary");
    assert!(transcript::segments(conn, sid).unwrap().is_empty(), "a preview stores nothing");

    transcript::import_file(conn, sid, &file, None).unwrap();
    let out = tmp.path().join("out.srt");
    transcript::export_to_file(conn, sid, transcript::ExportFormat::Srt, &out).unwrap();
    let srt = std::fs::read_to_string(&out).unwrap();
    assert!(srt.starts_with("1\n00:00:01,000 --> 00:00:04,000\n"), "{srt}");
    assert!(srt.contains("We waited on the canary"), "{srt}");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("rapport-part"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left beside the export");
}
