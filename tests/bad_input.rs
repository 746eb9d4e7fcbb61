//! The hostile-input corpus (tests/fixtures/bad, made by scripts/gen-bad-corpus) walked
//! through the real CLI, a debug build (where an arithmetic overflow panics), one file at a
//! time: no panic, no signal, no hang; a refused file ends non-zero with one JSON error line
//! that carries a code and names the file (or the argument at fault) and leaves the workspace
//! as it was (every table's rows, `media/` and the models folder); a file with damaged blocks
//! that the format's rules skip imports the rest and lists each skipped block with its line.
//! Files of several GB where only a header is read are made here as sparse files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::util::{rapport_ok, TempDir};

/// How long one file may take before it counts as a hang (a debug build, on a loaded machine).
const PER_FILE: Duration = Duration::from_secs(60);

struct Case {
    path: String,
    verb: String,
    expect: String,
    what: String,
    names: String,
}

/// The corpus folder, written by `scripts/gen-bad-corpus` the first time it is needed (the
/// corpus is 207 MB of generated files, so it is made, not committed; the script writes the
/// same bytes every run). It is made again when the script is newer than its manifest.
fn corpus_dir() -> PathBuf {
    static MADE: std::sync::Once = std::sync::Once::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fixtures/bad");
    MADE.call_once(|| {
        let script = root.join("scripts/gen-bad-corpus");
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let manifest = modified(&dir.join("MANIFEST.tsv"));
        if manifest.is_none() || modified(&script) > manifest {
            let status = Command::new("python3").arg(&script).stdout(Stdio::null()).status();
            assert!(
                matches!(status, Ok(s) if s.success()),
                "scripts/gen-bad-corpus could not write the corpus: {status:?}"
            );
        }
    });
    dir
}

fn manifest() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("the corpus manifest");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "a manifest line has five fields: {l:?}");
            Case {
                path: f[0].into(),
                verb: f[1].into(),
                expect: f[2].into(),
                what: f[3].into(),
                names: f[4].into(),
            }
        })
        .collect()
}

/// A digest of everything a failed import must not change: each table's rows (sorted), the
/// files in `media/` and in the models folder.
fn digest(ws: &Path, models: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let conn = rusqlite::Connection::open_with_flags(
        ws.join(rapport::workspace::DB_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the workspace database read-only");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        // Each row's digest over its raw values (fast on a 10 MB text), sorted: row order
        // does not matter, contents do.
        let mut rows: Vec<[u8; 32]> = stmt
            .query_map([], |r| {
                let mut h = Sha256::new();
                for i in 0..n {
                    match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => h.update(b"N"),
                        rusqlite::types::ValueRef::Integer(v) => h.update(v.to_le_bytes()),
                        rusqlite::types::ValueRef::Real(v) => h.update(v.to_bits().to_le_bytes()),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            h.update((t.len() as u64).to_le_bytes());
                            h.update(t);
                        }
                    }
                }
                Ok(h.finalize().into())
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.sort();
        let mut h = Sha256::new();
        for row in &rows {
            h.update(row);
        }
        out.insert(format!("table {table} ({} rows)", rows.len()), format!("{:x}", h.finalize()));
    }
    for (label, dir) in [("media", ws.join("media")), ("models", models.to_path_buf())] {
        let mut files = Vec::new();
        list_files(&dir, &mut files);
        files.sort();
        let mut h = Sha256::new();
        for f in &files {
            h.update(f.display().to_string().as_bytes());
            h.update(std::fs::metadata(f).map(|m| m.len()).unwrap_or(0).to_le_bytes());
        }
        out.insert(format!("{label}/ ({} files)", files.len()), format!("{:x}", h.finalize()));
    }
    out
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            list_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

struct Run {
    status: Option<std::process::ExitStatus>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs the CLI with a deadline; a run past it is killed and reported as a hang.
fn run(ws: &Path, models: &Path, args: &[String]) -> Run {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--workspace")
        .arg(ws)
        .arg("--json")
        .args(args)
        .env_remove("RAPPORT_WORKSPACE")
        .env("RAPPORT_MODELS_DIR", models)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run the rapport binary");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for rapport") {
            break Some(status);
        }
        if started.elapsed() > PER_FILE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Run { status, stdout: read(&out_path), stderr: read(&err_path), took: started.elapsed() }
}

/// The arguments of a manifest verb for one file.
fn args_of(case: &Case, file: &Path, session: &str, study: &str) -> Vec<String> {
    let text = || std::fs::read_to_string(file).expect("an argument file is UTF-8 text");
    case.verb
        .split(' ')
        .map(|w| {
            if w == "{text}" {
                text()
            } else {
                w.replace("{file}", &file.display().to_string())
                    .replace("{session}", session)
                    .replace("{study}", study)
            }
        })
        .collect()
}

/// What is wrong with one run, if anything.
fn judge(
    case: &Case,
    r: &Run,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Option<String> {
    let Some(status) = r.status else {
        return Some(format!("hung: killed after {:?}", PER_FILE));
    };
    if r.stderr.contains("panicked at") || r.stdout.contains("panicked at") {
        return Some(format!("panicked: {}", r.stderr.trim()));
    }
    let Some(code) = status.code() else {
        return Some(format!("ended by a signal ({status}); stderr: {}", tail(&r.stderr)));
    };
    if code != 0 {
        let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.len() != 1 {
            return Some(format!("expected one error line, found {}: {}", lines.len(), tail(&r.stderr)));
        }
        let v: serde_json::Value = match serde_json::from_str(lines[0]) {
            Ok(v) => v,
            Err(e) => return Some(format!("the error line is not JSON ({e}): {}", tail(lines[0]))),
        };
        if !v["error"]["code"].is_string() {
            return Some(format!("the error has no code: {}", tail(lines[0])));
        }
        let message = v["error"]["message"].as_str().unwrap_or("");
        if !message.contains(&case.names) {
            return Some(format!("the message does not name {:?}: {}", case.names, tail(message)));
        }
        if before != after {
            let changed: Vec<&String> =
                before.keys().chain(after.keys()).filter(|k| before.get(*k) != after.get(*k)).collect();
            return Some(format!("refused, but the workspace changed: {changed:?}"));
        }
        if case.expect == "error" || case.expect == "any" {
            return None;
        }
        return Some(format!("expected {}, but it failed: {}", case.expect, tail(message)));
    }
    match case.expect.as_str() {
        "error" => Some(format!("expected an error, but it succeeded: {}", tail(&r.stdout))),
        "warn" => {
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
            let warnings = v["warnings"].as_array().cloned().unwrap_or_default();
            let well_formed =
                warnings.iter().all(|w| w["line"].as_u64().is_some() && w["reason"].is_string());
            if warnings.is_empty() || !well_formed {
                Some(format!("expected warnings [{{line, reason}}], found: {}", tail(&r.stdout)))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn tail(s: &str) -> String {
    let s = s.trim();
    if s.len() > 300 {
        let mut at = 300;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        format!("{}…", &s[..at])
    } else {
        s.to_string()
    }
}

/// A sparse file of `size` bytes that starts with `head`: several GB on disk in name only.
fn sparse(path: &Path, head: &[u8], size: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(head).unwrap();
    f.set_len(size).unwrap();
}

/// The files of several GB where only a header is read: every importer that reads a file
/// whole refuses it by its size, the streaming ones stop at their first line's limit, the
/// zip readers at the central directory that is not there.
fn sparse_cases(dir: &Path) -> Vec<(Case, PathBuf)> {
    const GB4: u64 = 4 << 30;
    let mut ggml = 0x6767_6D6Cu32.to_le_bytes().to_vec();
    for v in [51865i32, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1] {
        ggml.extend(v.to_le_bytes());
    }
    let files: [(&str, &[u8], &str); 16] = [
        (
            "big.srt",
            b"1\n00:00:01,000 --> 00:00:02,000\nhi\n",
            "transcript import {file} --session {session}",
        ),
        (
            "big.vtt",
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n",
            "transcript import {file} --session {session}",
        ),
        ("big.json", b"{\"segments\": [", "transcript import {file} --session {session}"),
        ("big-people.csv", b"email,name\na@example.com,A\n", "people import {file}"),
        ("big-slack.json", b"{\"ok\": true, \"members\": [", "people import {file} --format slack"),
        ("big-audit.log", b"{\"kind\": \"Event\"", "audit import {file} --format k8s"),
        ("big-audit.jsonl", b"{\"time\": 1}\n", "audit import {file} --format jsonl"),
        ("big-guide.md", b"# Guide\n\n## S\n\n1. Why?\n", "guide import {file} --study {study}"),
        ("big-guide.docx", b"PK\x03\x04", "guide import {file} --study {study}"),
        ("big.qdpx", b"PK\x03\x04", "import qdpx {file} --dry-run"),
        ("big.qdc", b"<?xml version=\"1.0\"?><CodeBook>", "import qdc {file} --dry-run"),
        (
            "big-catalog.yaml",
            b"apiVersion: backstage.io/v1alpha1\nkind: Component\n",
            "catalog import {file}",
        ),
        ("big-deploys.csv", b"service,environment,time,outcome\n", "deploys import {file}"),
        ("big-nps.csv", b"respondent,email,score,comment,submitted_at\n", "nps import {file}"),
        ("big.rttm", b"SPEAKER s 1 0 1 <NA> <NA> a <NA> <NA>\n", "diarize {session} --reference {file}"),
        ("ggml-big.bin", &ggml, "models import {file}"),
    ];
    files
        .iter()
        .map(|(name, head, verb)| {
            let path = dir.join(name);
            sparse(&path, head, GB4);
            let case = Case {
                path: format!("(sparse 4 GiB) {name}"),
                verb: verb.to_string(),
                expect: "error".into(),
                what: "a file of several GB where only a header is read".into(),
                names: name.to_string(),
            };
            (case, path)
        })
        .collect()
}

#[test]
fn every_file_of_the_hostile_corpus_is_refused_or_read_without_a_panic_a_hang_or_a_change() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    let models = tmp.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    rapport_ok(&ws, &["demo"]);
    let session = "1".to_string();
    let study = "1".to_string();
    let sparse_dir = tmp.path().join("sparse");
    std::fs::create_dir_all(&sparse_dir).unwrap();

    let mut cases: Vec<(Case, PathBuf)> =
        manifest().into_iter().map(|c| (corpus_dir().join(&c.path), c)).map(|(p, c)| (c, p)).collect();
    let files_in_manifest = cases.len();
    cases.extend(sparse_cases(&sparse_dir));

    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut before = digest(&ws, &models);
    let (mut refused, mut accepted, mut warned) = (0, 0, 0);
    for (case, file) in &cases {
        let args = args_of(case, file, &session, &study);
        let r = run(&ws, &models, &args);
        let after = digest(&ws, &models);
        if let Some(problem) = judge(case, &r, &before, &after) {
            failures.push(format!("{} [{}; {}]: {problem}", case.path, case.what, case.verb));
        }
        match r.status.and_then(|s| s.code()) {
            Some(0) if r.stdout.contains("\"warnings\": [\n") => warned += 1,
            Some(0) => accepted += 1,
            _ => refused += 1,
        }
        if r.took > Duration::from_secs(5) {
            eprintln!("bad input: {} took {:?}", case.path, r.took);
        }
        if r.took > slowest.0 {
            slowest = (r.took, case.path.clone());
        }
        before = after;
    }
    eprintln!(
        "bad input: {} files ({files_in_manifest} in the corpus, {} sparse): {refused} refused, {warned} imported \
         with warnings, {accepted} accepted; slowest {:?} ({})",
        cases.len(),
        cases.len() - files_in_manifest,
        slowest.0,
        slowest.1
    );
    assert!(
        files_in_manifest >= 300,
        "the corpus has {files_in_manifest} files; the issue asks for 300 or more"
    );
    assert!(
        failures.is_empty(),
        "{} of {} files went wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
