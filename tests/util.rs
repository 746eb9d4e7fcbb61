//! Helpers: a temp workspace in one line, and running the CLI binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder deleted when dropped.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new() -> TempDir {
        TempDir(tempfile::Builder::new().prefix("rapport-test-").tempdir().expect("make a temp dir"))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// A workspace folder path inside this temp dir (not created).
    pub fn ws(&self) -> PathBuf {
        self.0.path().join("ws")
    }
}

/// Runs `rapport --workspace WS ARGS...` and returns its output.
pub fn rapport(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("RAPPORT_WORKSPACE")
        .output()
        .expect("run the rapport binary")
}

/// Runs the CLI and asserts it succeeded; returns stdout.
pub fn rapport_ok(ws: &Path, args: &[&str]) -> String {
    let out = rapport(ws, args);
    assert!(
        out.status.success(),
        "rapport {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Runs the CLI with `--json` and parses stdout.
pub fn rapport_json(ws: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = rapport_ok(ws, &all);
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("rapport {args:?} printed invalid JSON ({e}): {out}"))
}

/// A workspace filled with the demo study.
pub fn demo_workspace() -> (TempDir, PathBuf) {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["demo"]);
    (tmp, ws)
}

/// The sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> String {
    rapport::media::sha256_hex(&std::fs::read(path).expect("read file"))
}
