//! Trustworthy with people's data: forgetting a person and deleting sessions reach everywhere
//! (store, index, media, exports) and are logged without the person; two processes write one
//! workspace at once and lose nothing; backups restore to a workspace that verifies, even when
//! taken while another process writes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use rusqlite::Connection;
use serde_json::Value;

use crate::synthesis::unzip;
use crate::util::{demo_workspace, rapport, rapport_json, rapport_ok};

const PRIYA: &str = "priya.raman@example.com";

fn db(ws: &Path) -> Connection {
    Connection::open(ws.join("rapport.db")).expect("open the store")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

fn search_total(ws: &Path, query: &str) -> i64 {
    rapport_json(ws, &["search", query, "--limit", "1000"])["total"].as_i64().expect("total")
}

/// Every byte of the workspace's database files, lower-cased, as text.
fn store_bytes(ws: &Path) -> String {
    let mut all = Vec::new();
    for name in ["rapport.db", "rapport.db-wal"] {
        if let Ok(bytes) = std::fs::read(ws.join(name)) {
            all.extend(bytes);
        }
    }
    String::from_utf8_lossy(&all).to_lowercase()
}

/// Every export of the study, each file's text (zips unpacked), lower-cased.
fn exports_text(ws: &Path, out: &Path) -> Vec<(String, String)> {
    let study = rapport_json(ws, &["study", "list"])[0]["id"].as_i64().expect("a study").to_string();
    let mut texts = Vec::new();
    for format in ["md", "html", "json", "csv", "qdpx"] {
        let path = out.join(format!("export.{format}"));
        rapport_ok(ws, &["export", "--study", &study, "--format", format, "--out", path.to_str().unwrap()]);
        if matches!(format, "csv" | "qdpx") {
            for (name, bytes) in unzip(&path) {
                texts.push((format!("{format}:{name}"), String::from_utf8_lossy(&bytes).to_lowercase()));
            }
        } else {
            texts.push((format.to_string(), std::fs::read_to_string(&path).expect("export").to_lowercase()));
        }
    }
    texts
}

/// Priya's longest words in her own session (the demo's session with the recording).
fn priya_phrase(conn: &Connection) -> String {
    let text: String = conn
        .query_row(
            "SELECT g.text FROM segments g JOIN transcripts t ON t.id = g.transcript_id
             JOIN sessions s ON s.id = t.session_id JOIN people p ON p.id = s.person_id
             JOIN speakers sp ON sp.id = g.speaker_id
             WHERE p.email = ?1 AND sp.label NOT LIKE 'Maya%' ORDER BY length(g.text) DESC LIMIT 1",
            [PRIYA],
            |r| r.get(0),
        )
        .expect("Priya speaks in her session");
    // Six words from the middle of it: hers, and not said elsewhere.
    let words: Vec<&str> = text.split_whitespace().collect();
    let mid = words.len() / 2;
    words[mid.saturating_sub(3)..(mid + 3).min(words.len())]
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

#[test]
fn forgetting_a_person_leaves_nothing_of_them_in_the_store_index_media_or_exports() {
    let (tmp, ws) = demo_workspace();
    let conn = db(&ws);
    let person: i64 =
        conn.query_row("SELECT id FROM people WHERE email = ?1", [PRIYA], |r| r.get(0)).unwrap();
    let phrase = priya_phrase(&conn);
    // More of her: an audit event by her email (matched or not), a voice profile, a catalog
    // user, a saved search naming her, and an NPS response and feedback by her email.
    let audit = tmp.path().join("audit.jsonl");
    std::fs::write(
        &audit,
        format!(
            "{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\",\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"user\":{{\"username\":\"oidc:{PRIYA}\"}},\"objectRef\":{{\"resource\":\"deployments\",\"namespace\":\"checkout\",\"name\":\"api\"}},\"responseStatus\":{{\"code\":201}},\"requestReceivedTimestamp\":\"2026-05-01T10:00:00Z\",\"stageTimestamp\":\"2026-05-01T10:00:01Z\"}}\n"
        ),
    )
    .unwrap();
    rapport_ok(&ws, &["audit", "import", audit.to_str().unwrap()]);
    conn.execute(
        "INSERT INTO voice_profiles (name, person_id, voice, updated_at) VALUES ('Priya R', ?1, '{}', '2026-01-01T00:00:00Z')",
        [person],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO catalog_entities (kind, name, email, source) VALUES ('user', 'priya', ?1, 'test')",
        [PRIYA],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO saved_searches (name, query, created_at) VALUES ('hers', 'person:priya.raman@example.com', '2026-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO nps_responses (respondent, email, score, comment, submitted_at) VALUES ('r-p', ?1, 3, 'quartzvole canary', '2026-05-02T00:00:00Z')",
        [PRIYA],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO feedback_items (source, email, text) VALUES ('slack', ?1, 'quartzvole feedback')",
        [PRIYA],
    )
    .unwrap();
    rapport_ok(&ws, &["index", "rebuild"]);
    assert!(search_total(&ws, &format!("\"{phrase}\"")) > 0, "her words are searchable before");
    assert_eq!(search_total(&ws, "quartzvole"), 2, "her NPS comment and feedback are searchable before");
    let media_before: Vec<PathBuf> =
        std::fs::read_dir(ws.join("media")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(media_before.len(), 1, "the demo has one recording, hers");
    let findings_backed: i64 = count(
        &conn,
        "SELECT count(DISTINCT fe.finding_id) FROM finding_evidence fe JOIN highlights h ON h.id = fe.highlight_id
         JOIN sessions s ON s.id = h.session_id JOIN people p ON p.id = s.person_id WHERE p.email = 'priya.raman@example.com'",
    );
    assert!(findings_backed > 0, "the demo's findings use her words");
    let findings_before = count(&conn, "SELECT count(*) FROM findings");

    // Without --yes it only says what would go.
    let plan = rapport_json(&ws, &["people", "forget", PRIYA]);
    assert_eq!(plan["deleted"], false);
    assert_eq!(plan["sessions"]["sessions"], 1);
    assert_eq!(count(&conn, "SELECT count(*) FROM people WHERE email = 'priya.raman@example.com'"), 1);

    let report = rapport_json(&ws, &["people", "forget", PRIYA, "--yes"]);
    assert_eq!(report["deleted"], true);
    assert_eq!(report["audit_events"], 1, "the event by her email as actor: {report}");
    assert_eq!(report["nps_responses"], 1);
    assert!(report["feedback_items"].as_i64().unwrap() >= 1, "{report}");
    assert_eq!(report["voice_profiles"], 1);
    assert_eq!(report["catalog_users"], 1);
    assert_eq!(report["saved_searches"], 1);
    assert_eq!(report["sessions"]["files_removed"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings_losing_evidence"], findings_backed);

    // The store: no row and no byte of her email or words (secure delete, WAL checkpointed).
    let bytes = store_bytes(&ws);
    assert!(!bytes.contains(PRIYA), "her email is still in the database files");
    assert!(!bytes.contains(&phrase.to_lowercase()), "her words {phrase:?} are still in the database files");
    assert!(!bytes.contains("quartzvole"), "her NPS comment or feedback is still in the database files");
    assert_eq!(count(&conn, "SELECT count(*) FROM people WHERE email = 'priya.raman@example.com'"), 0);
    // Findings keep their text and say what they lost.
    assert_eq!(count(&conn, "SELECT count(*) FROM findings"), findings_before, "findings keep their text");
    assert_eq!(count(&conn, "SELECT count(*) FROM findings WHERE evidence_removed > 0"), findings_backed);
    // The index: nothing finds her.
    assert_eq!(search_total(&ws, &format!("\"{phrase}\"")), 0, "her words are still found");
    assert_eq!(search_total(&ws, "quartzvole"), 0);
    assert_eq!(search_total(&ws, "person:priya"), 0);
    assert_eq!(search_total(&ws, "person:raman"), 0);
    // Media: her recording's file is gone.
    assert_eq!(std::fs::read_dir(ws.join("media")).unwrap().count(), 0, "her recording is still in media/");
    // A new export of every format holds none of it.
    let out = tmp.path().join("exports");
    std::fs::create_dir_all(&out).unwrap();
    for (name, text) in exports_text(&ws, &out) {
        assert!(!text.contains(PRIYA), "{name} holds her email");
        assert!(!text.contains(&phrase.to_lowercase()), "{name} holds her words {phrase:?}");
        assert!(!text.contains("priya raman"), "{name} holds her name");
    }
    let md = std::fs::read_to_string(out.join("export.md")).unwrap();
    assert!(
        md.contains("evidence were removed when their data was deleted"),
        "the report says what was lost"
    );
    // The workspace is whole, and the forget is logged without her.
    assert_eq!(rapport_json(&ws, &["verify"])["ok"], true);
    let log = rapport_json(&ws, &["people", "deletions"]);
    assert_eq!(log[0]["what"], "person");
    assert_eq!(log[0]["counts"]["people"], 1);
    assert!(log[0]["actor"].as_str().is_some_and(|a| !a.is_empty()));
    assert!(!log.to_string().to_lowercase().contains("priya"), "the log names her: {log}");
}

#[test]
fn forgetting_a_speaker_in_someone_elses_session_removes_their_words_there_too() {
    let (_tmp, ws) = demo_workspace();
    let conn = db(&ws);
    // Tomasz speaks in Adaeze's session too: link one of its speakers to him.
    let tomasz: i64 = conn
        .query_row("SELECT id FROM people WHERE email = 'tomasz.kowalski@example.com'", [], |r| r.get(0))
        .unwrap();
    let (session, speaker): (i64, i64) = conn
        .query_row(
            "SELECT s.id, sp.id FROM sessions s JOIN people p ON p.id = s.person_id JOIN speakers sp ON sp.session_id = s.id
             WHERE p.email = 'adaeze.okafor@example.com' AND sp.label NOT LIKE 'Maya%' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute("UPDATE speakers SET person_id = ?1 WHERE id = ?2", [tomasz, speaker]).unwrap();
    let spoken = count(&conn, &format!("SELECT count(*) FROM segments WHERE speaker_id = {speaker}"));
    assert!(spoken > 0);
    let before = count(&conn, "SELECT count(*) FROM segments");
    let report = rapport_json(&ws, &["people", "forget", "tomasz.kowalski@example.com", "--yes"]);
    assert_eq!(report["segments_elsewhere"], spoken, "{report}");
    let own = report["sessions"]["segments"].as_i64().unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM segments"), before - own - spoken);
    assert_eq!(count(&conn, &format!("SELECT count(*) FROM speakers WHERE id = {speaker}")), 0);
    assert_eq!(
        count(&conn, &format!("SELECT count(*) FROM sessions WHERE id = {session}")),
        1,
        "her session stays"
    );
    assert_eq!(rapport_json(&ws, &["verify"])["ok"], true);
}

#[test]
fn deleting_a_session_or_a_study_goes_through_the_same_core_and_is_logged() {
    let (_tmp, ws) = demo_workspace();
    let conn = db(&ws);
    let session: i64 = conn
        .query_row(
            "SELECT s.id FROM sessions s JOIN people p ON p.id = s.person_id WHERE p.email = 'tomasz.kowalski@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let phrase: String = conn
        .query_row(
            "SELECT g.text FROM segments g JOIN transcripts t ON t.id = g.transcript_id WHERE t.session_id = ?1
             ORDER BY length(g.text) DESC LIMIT 1",
            [session],
            |r| r.get(0),
        )
        .unwrap();
    let phrase: String = phrase.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
    let phrase = phrase.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    assert!(search_total(&ws, &format!("\"{phrase}\"")) > 0);
    let plan = rapport_json(&ws, &["session", "delete", &session.to_string(), "--yes"]);
    assert_eq!(plan["deleted"], true);
    assert_eq!(search_total(&ws, &format!("\"{phrase}\"")), 0, "the session's words are still found");
    assert!(
        count(&conn, "SELECT count(*) FROM findings WHERE evidence_removed > 0") > 0,
        "findings say they lost evidence"
    );
    assert!(
        !store_bytes(&ws).contains(&phrase.to_lowercase()),
        "the session's words stay in the database files"
    );
    let study = rapport_json(&ws, &["study", "list"])[0]["id"].as_i64().unwrap().to_string();
    rapport_ok(&ws, &["study", "delete", &study, "--yes"]);
    assert_eq!(search_total(&ws, "kind:segment"), 0);
    assert_eq!(std::fs::read_dir(ws.join("media")).unwrap().count(), 0);
    let log = rapport_json(&ws, &["people", "deletions"]);
    let whats: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["what"].as_str().unwrap()).collect();
    assert_eq!(whats, ["study", "session"], "newest first");
    assert_eq!(log[1]["counts"]["sessions"], 1);
    assert_eq!(rapport_json(&ws, &["verify"])["ok"], true);
}

/// `rapport note add` in a loop, in its own process: `n` notes with the word `tag` and a number.
fn note_loop(ws: &Path, session: i64, tag: &str, n: usize) -> Child {
    let script = format!(
        "for i in $(seq 1 {n}); do \"$0\" --workspace \"$1\" note add --session {session} --at $i \"{tag} number $i\" >/dev/null || exit 1; done"
    );
    Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_rapport"), ws.to_str().unwrap()])
        .env_remove("RAPPORT_WORKSPACE")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a writer")
}

#[test]
fn two_processes_writing_one_workspace_at_once_lose_nothing_and_both_searches_see_everything() {
    let (_tmp, ws) = demo_workspace();
    let session = rapport_json(&ws, &["session", "list"])[0]["id"].as_i64().unwrap();
    // A long-lived "app": its own connection and index reader, open the whole time.
    let app = rapport::Workspace::open(&ws).unwrap();
    let app_index = rapport::search::SearchIndex::open(&app).unwrap();
    const N: usize = 25;
    let a = note_loop(&ws, session, "alphawriter", N);
    let b = note_loop(&ws, session, "betawriter", N);
    // Meanwhile the app writes too, and syncs its index after each write.
    for i in 0..N {
        rapport::session::add_note(app.conn(), session, i as i64, &format!("gammawriter number {i}"))
            .unwrap();
        app_index.sync(app.conn(), &rapport::progress::NoProgress).unwrap();
    }
    for (name, child) in [("alpha", a), ("beta", b)] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "writer {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let conn = db(&ws);
    for word in ["alphawriter", "betawriter", "gammawriter"] {
        let stored = count(&conn, &format!("SELECT count(*) FROM notes WHERE text LIKE '{word} number %'"));
        assert_eq!(stored, N as i64, "{word}: writes were lost");
        // The CLI's search (a new process) sees every write…
        assert_eq!(search_total(&ws, word), N as i64, "{word}: the CLI's search misses writes");
        // …and so does the app's long-lived index after its next sync.
        app_index.sync(app.conn(), &rapport::progress::NoProgress).unwrap();
        let hits = app_index
            .search(word, &rapport::search::SearchOptions { limit: 100, ..Default::default() })
            .unwrap();
        assert_eq!(hits.total, N as i64, "{word}: the app's search misses writes");
    }
    assert_eq!(rapport_json(&ws, &["verify"])["ok"], true);
}

#[test]
fn a_backup_restores_into_an_empty_folder_with_every_hash_checked() {
    let (tmp, ws) = demo_workspace();
    let archive = tmp.path().join("ws.rapport-backup");
    let report = rapport_json(&ws, &["backup", "--out", archive.to_str().unwrap()]);
    assert_eq!(report["media_files"], 1);
    let files = report["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "rapport.db"));
    let to = tmp.path().join("restored");
    let restored = rapport_json(&ws, &["restore", archive.to_str().unwrap(), "--to", to.to_str().unwrap()]);
    assert_eq!(restored["verify"]["ok"], true);
    let counts = |dir: &Path| rapport_json(dir, &["init"])["counts"].clone();
    assert_eq!(counts(&to), counts(&ws), "the restored workspace holds the same");
    assert_eq!(
        search_total(&to, "deploy"),
        search_total(&ws, "deploy"),
        "the index is rebuilt from the store"
    );
    // A folder that is not empty is refused and left alone.
    let out = rapport(&ws, &["restore", archive.to_str().unwrap(), "--to", to.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "invalid_input");
    // A damaged archive (one byte of the recording changed) is refused, and nothing stays.
    let mut bytes = std::fs::read(&archive).unwrap();
    let sha = files.iter().find(|f| f["path"] != "rapport.db").unwrap()["path"].as_str().unwrap().to_string();
    let at = bytes.windows(sha.len()).position(|w| w == sha.as_bytes()).unwrap() + sha.len() + 200;
    bytes[at] ^= 0xff;
    let damaged = tmp.path().join("damaged.zip");
    std::fs::write(&damaged, bytes).unwrap();
    let to2 = tmp.path().join("restored-2");
    let out = rapport(&ws, &["restore", damaged.to_str().unwrap(), "--to", to2.to_str().unwrap()]);
    assert!(!out.status.success(), "a damaged backup restored");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&sha) && (said.contains("sha256") || said.contains("checksum")), "{said}");
    assert!(!to2.exists(), "a failed restore leaves its folder behind");
}

#[test]
fn a_backup_taken_while_another_process_writes_is_consistent() {
    let (tmp, ws) = demo_workspace();
    let session = rapport_json(&ws, &["session", "list"])[0]["id"].as_i64().unwrap();
    let notes_before = count(&db(&ws), "SELECT count(*) FROM notes");
    const N: usize = 30;
    let writer = note_loop(&ws, session, "backupwriter", N);
    let mut seen = Vec::new();
    for i in 0..3 {
        let archive = tmp.path().join(format!("b{i}.zip"));
        rapport_ok(&ws, &["backup", "--out", archive.to_str().unwrap()]);
        let to = tmp.path().join(format!("r{i}"));
        let restored =
            rapport_json(&ws, &["restore", archive.to_str().unwrap(), "--to", to.to_str().unwrap()]);
        assert_eq!(restored["verify"]["ok"], true, "backup {i} does not verify");
        let notes = count(&db(&to), "SELECT count(*) FROM notes");
        let written = count(&db(&to), "SELECT count(*) FROM notes WHERE text LIKE 'backupwriter number %'");
        assert_eq!(notes, notes_before + written, "backup {i}: a note half there");
        seen.push(written);
    }
    let out = writer.wait_with_output().unwrap();
    assert!(out.status.success(), "the writer failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "later backups hold at least as much: {seen:?}");
    assert_eq!(
        count(&db(&ws), "SELECT count(*) FROM notes WHERE text LIKE 'backupwriter number %'"),
        N as i64
    );
}

/// The desktop shell's files, read from the source tree.
fn shell_file(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_window_csp_allows_no_eval_no_remote_source_and_sets_base_uri_and_form_action() {
    let conf: Value = serde_json::from_str(&shell_file("tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP string");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let directives: Vec<(&str, Vec<&str>)> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut parts = d.split_whitespace();
            (parts.next().unwrap(), parts.collect())
        })
        .collect();
    let get = |name: &str| directives.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    assert_eq!(get("base-uri"), Some(vec!["'none'"]), "{csp}");
    assert_eq!(get("form-action"), Some(vec!["'none'"]), "{csp}");
    assert_eq!(get("object-src"), Some(vec!["'none'"]), "{csp}");
    // Sources are the app itself, its IPC, inline data images, and (for media only) the
    // loopback media server; nothing remote, no wildcard host.
    for (name, sources) in &directives {
        for s in sources {
            let ok = matches!(
                *s,
                "'self'" | "'none'" | "'unsafe-inline'" | "ipc:" | "http://ipc.localhost" | "data:"
            ) || (*name == "media-src" && *s == "http://127.0.0.1:*");
            assert!(ok, "{name} allows {s}: {csp}");
        }
        if *name == "style-src" {
            continue;
        }
        assert!(!sources.contains(&"'unsafe-inline'"), "{name} allows inline code: {csp}");
    }
    assert!(get("connect-src").is_some_and(|v| !v.iter().any(|s| s.contains("127.0.0.1"))), "{csp}");
}

/// The commands of the `commands!` table (rows `module::name(args) -> Type;`).
fn table_commands() -> std::collections::BTreeSet<String> {
    let table = shell_file("src/commands/mod.rs");
    table
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (module, rest) = l.split_once("::")?;
            let name = rest.split_once('(')?.0;
            (module.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()))
            .then(|| name.to_string())
        })
        .collect()
}

/// Every command the UI uses through the generated bindings (`commands.name`, called or passed
/// on), as the Rust name.
fn ui_commands() -> std::collections::BTreeSet<String> {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src");
    let mut used = std::collections::BTreeSet::new();
    let mut stack = vec![ui];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ts" || x == "svelte")
                && !p.ends_with("bindings.gen.ts")
            {
                let text = std::fs::read_to_string(&p).unwrap();
                for (at, _) in text.match_indices("commands.") {
                    // `commands.` itself, not the end of another name (`x.commands.`, `subcommands.`).
                    if text[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                        continue;
                    }
                    let name: String = text[at + "commands.".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if !name.is_empty() {
                        // camelCase in TypeScript, snake_case in Rust.
                        let snake: String = name
                            .chars()
                            .flat_map(|c| {
                                if c.is_ascii_uppercase() {
                                    vec!['_', c.to_ascii_lowercase()]
                                } else {
                                    vec![c]
                                }
                            })
                            .collect();
                        used.insert(snake);
                    }
                }
            }
        }
    }
    used
}

#[test]
fn the_capability_grants_exactly_the_commands_the_ui_uses_and_no_plugin() {
    let cap: Value = serde_json::from_str(&shell_file("capabilities/default.json")).unwrap();
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    assert!(cap.get("remote").is_none(), "no remote URL may use the IPC");
    let granted: std::collections::BTreeSet<String> =
        cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let used = ui_commands();
    assert!(used.len() > 50, "the UI's calls were not found: {used:?}");
    let table = table_commands();
    let unknown: Vec<&String> = used.difference(&table).collect();
    assert!(unknown.is_empty(), "the UI calls commands outside the table: {unknown:?}");
    // core:default (events, window basics), then one allow-<command> per command the UI uses:
    // no plugin's permission, no command the UI does not use.
    let mut want: std::collections::BTreeSet<String> =
        used.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    want.insert("core:default".to_string());
    let extra: Vec<&String> = granted.difference(&want).collect();
    let missing: Vec<&String> = want.difference(&granted).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "capability grants {extra:?} beyond the UI's use, lacks {missing:?}"
    );
    // The app's commands are under the ACL at all only because build.rs gives tauri-build the
    // table as the app manifest; the e2e capability is read only by the e2e build.
    let build = shell_file("build.rs");
    assert!(build.contains("AppManifest::new().commands(commands)"), "build.rs declares the app's commands");
    assert!(build.contains(r#"if e2e { "./capabilities/**/*.json" } else { "./capabilities/*.json" }"#));
    let e2e: Value = serde_json::from_str(&shell_file("capabilities/e2e/seam.json")).unwrap();
    for p in e2e["permissions"].as_array().unwrap() {
        let name = p.as_str().unwrap().strip_prefix("allow-").expect("an app command").replace('-', "_");
        assert!(name == "e2e_dialog_answer" || table.contains(&name), "{name}");
    }
}

/// Every file under `dir`, as lossy text.
fn all_text_under(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn a_prometheus_token_never_reaches_the_workspace_the_output_or_an_export() {
    use std::io::Write;
    let (tmp, ws) = demo_workspace();
    let token_file = tmp.path().join("tokens.json");
    let token = format!("sekrit-{}", std::process::id());
    // A server nobody listens on (loopback, a closed port).
    let url = "http://127.0.0.1:9";
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .arg("--workspace")
            .arg(&ws)
            .args(args)
            .env_remove("RAPPORT_WORKSPACE")
            .env_remove("RAPPORT_PROMETHEUS_TOKEN")
            .env("RAPPORT_TOKEN_FILE", &token_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let set = run(&["metrics", "token", "set", "--url", url, "--json"], Some(&format!("{token}\n")));
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let kept: Value = serde_json::from_slice(&set.stdout).unwrap();
    if kept["keyring"] == false {
        // No keyring service here: the owner-only file, and a warning that says so.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the fallback token file is readable by others");
        assert!(String::from_utf8_lossy(&set.stderr).contains("warning"));
    }
    let show = run(&["metrics", "token", "show", "--url", url, "--json"], None);
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(shown["stored"], true, "{shown}");
    let pull = run(
        &[
            "metrics",
            "pull",
            "--url",
            url,
            "--query",
            "up",
            "--name",
            "up",
            "--from=-1h",
            "--to",
            "now",
            "--step",
            "1m",
        ],
        None,
    );
    assert!(!pull.status.success(), "nobody listens on {url}");
    let study = rapport_json(&ws, &["study", "list"])[0]["id"].as_i64().unwrap().to_string();
    for format in ["json", "md", "html", "csv"] {
        rapport_ok(&ws, &["export", "--study", &study, "--format", format]);
    }
    let outputs = [&set, &show, &pull]
        .iter()
        .map(|o| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
        .collect::<String>();
    assert!(!outputs.contains(&token), "the token was printed");
    assert!(
        !all_text_under(&ws).contains(&token),
        "the token is in the workspace (database, logs or exports)"
    );
    let deleted = run(&["metrics", "token", "delete", "--url", url, "--json"], None);
    let deleted: Value = serde_json::from_slice(&deleted.stdout).unwrap();
    assert_eq!(deleted["deleted"], true, "{deleted}");
    assert!(!std::fs::read_to_string(&token_file).unwrap_or_default().contains(&token));
}
