//! The store: migrations, workspace layout, the demo's content.

use rapport::{demo, store, study, Workspace};

use crate::util::TempDir;

#[test]
fn migrations_are_valid() {
    store::migrations().validate().expect("every migration applies cleanly");
}

#[test]
fn schema_version_matches_the_number_of_migrations() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let v: i64 = ws.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION);
}

#[test]
fn create_lays_out_the_workspace_folders_in_wal_mode_with_foreign_keys() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    for sub in ["index", "media", "exports"] {
        assert!(tmp.ws().join(sub).is_dir(), "{sub}/ exists");
    }
    let mode: String = ws.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = ws.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn the_demo_fills_every_part_of_the_loop() {
    let tmp = TempDir::new();
    let mut ws = Workspace::create(&tmp.ws()).unwrap();
    demo::load(&mut ws, &demo::Source::Embedded).unwrap();
    let c = ws.counts().unwrap();
    assert!(c.people >= 8, "8+ people: {c:?}");
    assert_eq!(c.sessions, 3);
    assert_eq!(c.recordings, 1);
    assert!(c.segments >= 100, "three real transcripts: {c:?}");
    assert!(c.nps_responses >= 200, "200+ NPS responses: {c:?}");
    assert!(c.deploy_events >= 500, "500+ deploy events: {c:?}");
    assert_eq!(c.findings, 3);
    let id = study::resolve(ws.conn(), demo::DEMO_STUDY).unwrap();
    let overview = study::overview(ws.conn(), id).unwrap();
    let guide = overview.guide.expect("the demo study has a guide");
    assert!((12..=20).contains(&guide.questions), "about 15 questions: {}", guide.questions);
    assert!(overview.findings.iter().all(|f| f.evidence.len() >= 2), "every finding has evidence");
    let roles: std::collections::BTreeSet<String> =
        rapport::people::list(ws.conn()).unwrap().into_iter().filter_map(|p| p.role).collect();
    for role in ["service engineer", "ops", "SRE", "automation", "test", "product"] {
        assert!(roles.contains(role), "role {role} among {roles:?}");
    }
    let insights = rapport::insights::summary(ws.conn()).unwrap();
    let deploys = insights.deploys.unwrap();
    assert_eq!(deploys.services.len(), 4);
    assert!(
        deploys.services.iter().all(|s| s.failed + s.rolled_back > 0),
        "failures and rollbacks per service"
    );
    let nps = insights.nps.unwrap();
    assert!(nps.by_month.len() >= 6, "six months of NPS: {:?}", nps.by_month);
}

#[test]
fn the_demo_recording_is_stored_under_its_sha256_with_its_duration() {
    let tmp = TempDir::new();
    let mut ws = Workspace::create(&tmp.ws()).unwrap();
    demo::load(&mut ws, &demo::Source::Embedded).unwrap();
    let sessions = rapport::session::list(ws.conn(), None).unwrap();
    let with = sessions.iter().find(|s| s.has_recording).unwrap();
    let detail = rapport::session::detail(ws.conn(), with.id).unwrap();
    let rec = &detail.recordings[0];
    let path = rapport::media::media_path(&ws.media_dir(), &rec.sha256, "flac");
    assert_eq!(rapport::media::sha256_hex(&std::fs::read(path).unwrap()), rec.sha256);
    let ms = rec.duration_ms.expect("the FLAC header gives a duration");
    assert!((10_000..=90_000).contains(&ms), "a short recording: {ms} ms");
    assert_eq!(rec.sample_rate, Some(16000));
}

/// Opens (and so upgrades) a workspace whose database is a copy of a released schema's fixture.
fn open_fixture(tmp: &TempDir, fixture: &str) -> Workspace {
    let ws_dir = tmp.ws();
    std::fs::create_dir_all(&ws_dir).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture),
        ws_dir.join("rapport.db"),
    )
    .unwrap();
    Workspace::open(&ws_dir).unwrap()
}

#[test]
fn a_database_of_schema_1_upgrades_keeps_its_data_and_becomes_searchable() {
    let tmp = TempDir::new();
    let ws = open_fixture(&tmp, "schema-v1.db");
    let v: i64 = ws.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION, "migrated to the current schema");
    let studies = study::list(ws.conn()).unwrap();
    assert_eq!(studies[0].name, "Released in schema 1");
    assert_eq!(studies[0].sessions, 1);
    let index = rapport::search::SearchIndex::open(&ws).unwrap();
    let r = index.search("canary speaker:ola", &Default::default()).unwrap();
    assert_eq!(r.total, 1, "rows written before the change log existed are indexed by the first rebuild");
}

#[test]
fn a_database_of_schema_2_upgrades_to_archivable_studies_and_keeps_its_transcript() {
    let tmp = TempDir::new();
    let ws = open_fixture(&tmp, "schema-v2.db");
    let v: i64 = ws.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION, "migrated to the current schema");
    let studies = study::list(ws.conn()).unwrap();
    assert_eq!(studies[0].name, "Released in schema 2");
    assert_eq!(studies[0].archived_at, None, "a study of schema 2 starts active");
    let index = rapport::search::SearchIndex::open(&ws).unwrap();
    assert_eq!(index.search("rollback", &Default::default()).unwrap().total, 1);
}

#[test]
fn a_database_of_schema_3_upgrades_and_keeps_its_archived_study_and_transcript() {
    let tmp = TempDir::new();
    let ws = open_fixture(&tmp, "schema-v3.db");
    let v: i64 = ws.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION, "migrated to the current schema");
    let studies = study::list(ws.conn()).unwrap();
    assert_eq!(studies[0].name, "Released in schema 3");
    assert!(studies[0].archived_at.is_some(), "the archive mark of schema 3 is kept");
    let segments: i64 = ws.conn().query_row("SELECT count(*) FROM segments", [], |r| r.get(0)).unwrap();
    assert_eq!(segments, 3);
}

/// Schema 8 is the last one released before the highlights' sources, backups and the rest of
/// this session's migrations: the demo workspace as schema 8 wrote it (made with
/// `rapport demo` at commit bc7f5d2) must come through every later migration whole.
#[test]
fn a_database_of_schema_8_upgrades_and_keeps_highlights_tags_evidence_and_insights() {
    let tmp = TempDir::new();
    let ws = open_fixture(&tmp, "schema-v8.db");
    let v: i64 = ws.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, store::SCHEMA_VERSION, "migrated to the current schema");
    let count = |table: &str| -> i64 {
        ws.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    };
    for (table, expected) in [
        ("highlights", 24),
        ("highlight_tags", 56),
        ("finding_evidence", 11),
        ("nps_responses", 272),
        ("feedback_items", 30),
        ("segments", 183),
        ("recordings", 1),
    ] {
        assert_eq!(count(table), expected, "{table}: every row of schema 8 is kept");
    }
    let broken: i64 =
        ws.conn().query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(broken, 0, "no row points at a row that is gone");
}

/// Schema 12 kept a row per audit event (`audit_events`); schema 13 packs them in batches.
/// The fixture (made at commit 14d3947: the test directory, then a Kubernetes log and a GitHub
/// JSON Lines export matched by the `github` attribute) must come through with every event,
/// its fields, its person and its dedup key: importing the same files again adds nothing.
#[test]
fn a_database_of_schema_12_moves_its_audit_events_into_batches_whole() {
    let tmp = TempDir::new();
    let ws = open_fixture(&tmp, "schema-v12.db");
    let conn = ws.conn();
    let old_table: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'audit_events'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(old_table, 0, "the table of rows is gone");
    let mut events = Vec::new();
    rapport::audit::events::each(conn, |e| {
        events.push(format!(
            "{} {} {} {:?} {:?} {:?} {:?}",
            e.actor,
            e.at_text(),
            e.action,
            e.resource,
            e.namespace,
            e.name,
            e.code
        ))
    })
    .unwrap();
    assert_eq!(
        events,
        [
            r#"ana.silva@example.com 2026-11-02T09:15:00Z create pods/exec Some("pods") Some("checkout") Some("web-1") Some(101)"#,
            r#"oidc:bo.chen@example.com 2026-11-03T10:00:00Z patch deployments/scale Some("deployments") Some("payments") Some("api") Some(200)"#,
            r#"stranger@example.org 2026-11-04T11:30:00Z get Some("secrets") Some("kube-system") Some("token") Some(403)"#,
            r#"ana.silva@example.com 2026-11-05T08:00:00Z list Some("pods") Some("checkout") None Some(200)"#,
            r#"bochen 2025-11-03T09:00:00Z repo.push Some("platform/deployer") None None None"#,
            r#"anasilva 2025-11-04T09:00:00Z pull_request.merge Some("shop/checkout") None None None"#,
            r#"ghost 2025-11-04T09:00:00Z repo.push Some("x/y") None None None"#,
        ]
    );
    let actors = rapport::audit::events::actors(conn).unwrap();
    let person = |actor: &str| actors[actor].person;
    assert_eq!(actors["ana.silva@example.com"].events, 2);
    assert_eq!(person("ana.silva@example.com"), person("anasilva"), "one person, two actors");
    assert_eq!(person("oidc:bo.chen@example.com"), person("bochen"));
    assert!(person("ana.silva@example.com").is_some() && person("bochen").is_some());
    assert_eq!((person("stranger@example.org"), person("ghost")), (None, None));

    // The keys came along: the same Kubernetes events imported again are duplicates.
    let log = tmp.path().join("k8s.log");
    std::fs::write(&log, SCHEMA_12_K8S_LOG).unwrap();
    let r = rapport::audit::import_file(
        conn,
        &log,
        &Default::default(),
        &rapport::progress::NoProgress,
        &rapport::progress::CancelToken::new(),
    )
    .unwrap();
    let rapport::progress::Outcome::Done(r) = r else { panic!("not cancelled") };
    assert_eq!((r.events, r.duplicates), (0, 4));
}

/// The Kubernetes log the schema 12 fixture imported.
const SCHEMA_12_K8S_LOG: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-1","stage":"ResponseComplete","verb":"create","user":{"username":"ana.silva@example.com"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"checkout","name":"web-1"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-11-02T09:15:00.123Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-2","stage":"ResponseComplete","verb":"patch","user":{"username":"oidc:bo.chen@example.com"},"objectRef":{"resource":"deployments","subresource":"scale","namespace":"payments","name":"api"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-11-03T10:00:00Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-3","stage":"ResponseComplete","verb":"get","user":{"username":"stranger@example.org"},"objectRef":{"resource":"secrets","namespace":"kube-system","name":"token"},"responseStatus":{"code":403},"requestReceivedTimestamp":"2026-11-04T11:30:00Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-4","stage":"ResponseComplete","verb":"list","user":{"username":"ana.silva@example.com"},"objectRef":{"resource":"pods","namespace":"checkout"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-11-05T08:00:00Z"}
"#;

/// Rows of one actor could name two people in schema 12 (imports with different match
/// rules); migration 13 gives the actor the person most of its rows had, and counts the
/// activity again, so the profile and a screener's count agree.
#[test]
fn schema_12_rows_of_one_actor_with_two_people_go_to_the_person_of_most_of_them() {
    let tmp = TempDir::new();
    let ws_dir = tmp.ws();
    std::fs::create_dir_all(&ws_dir).unwrap();
    let db = ws_dir.join("rapport.db");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v12.db"), &db)
        .unwrap();
    {
        // Two more rows of `bochen` (Bo's by the github attribute), these for Ana (person 1).
        let raw = rusqlite::Connection::open(&db).unwrap();
        for at in ["2025-11-05T09:00:00Z", "2025-11-06T09:00:00Z"] {
            raw.execute(
                "INSERT INTO audit_events (person_id, actor, at, action, source) VALUES (1, 'bochen', ?1, 'repo.push', 'x')",
                [at],
            )
            .unwrap();
        }
    }
    let ws = Workspace::open(&ws_dir).unwrap();
    let actors = rapport::audit::events::actors(ws.conn()).unwrap();
    let ana = actors["ana.silva@example.com"].person;
    assert_eq!(actors["bochen"].person, ana, "two rows of three were Ana's");
    assert_eq!(actors["bochen"].events, 3);
    let events: i64 = ws
        .conn()
        .query_row("SELECT events FROM activity WHERE person_id = ?1", [ana.unwrap()], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 2 + 1 + 3, "Ana's k8s events, anasilva's and bochen's, counted again");
}
