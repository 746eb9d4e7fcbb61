//! What every verb gets: the workspace folder and whether to print JSON, with output helpers.

use std::io::Write;
use std::path::PathBuf;

use rapport::Workspace;
use serde::Serialize;

/// The parsed global options.
pub struct Ctx {
    pub dir: PathBuf,
    pub json: bool,
}

impl Ctx {
    pub fn new(workspace: Option<PathBuf>, json: bool) -> Ctx {
        Ctx { dir: workspace.unwrap_or_else(Workspace::default_dir), json }
    }

    /// Opens the workspace (it must exist).
    pub fn open(&self) -> rapport::Result<Workspace> {
        Workspace::open(&self.dir)
    }

    /// Prints a value as pretty JSON on stdout.
    pub fn print_json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        Ok(())
    }

    /// Prints a new id: the number alone, or `{"id": n}` with `--json`.
    pub fn print_id(&self, id: i64) -> anyhow::Result<()> {
        if self.json {
            self.print_json(&serde_json::json!({ "id": id }))
        } else {
            println!("{id}");
            Ok(())
        }
    }
}

/// The date part of an RFC 3339 time.
pub fn date(ts: &str) -> &str {
    ts.get(..10).unwrap_or(ts)
}

/// "yes" or "no".
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
