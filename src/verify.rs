//! `rapport verify`: checks that a workspace is whole.
//!
//! Runs SQLite's `integrity_check` and `foreign_key_check`, then re-hashes every recorded
//! file in `media/` against its sha256. Reads only; owns no table.

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::media;
use crate::workspace::Workspace;

/// What `verify` found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// One line per problem, naming the table or file.
    pub problems: Vec<String>,
    /// Files in `media/` that no recording refers to (left by an interrupted import); not a problem.
    pub unreferenced_media: Vec<String>,
    pub media_files_checked: i64,
}

/// Checks the database and every media file.
pub fn verify(ws: &Workspace) -> Result<VerifyReport> {
    let conn = ws.conn();
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let line = row?;
        if line != "ok" {
            problems.push(format!("rapport.db: integrity check: {line}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (table, rowid, parent) = row?;
        problems.push(format!(
            "rapport.db: table {table} row {} refers to a missing row of {parent}",
            rowid.map(|r| r.to_string()).unwrap_or_else(|| "?".into())
        ));
    }
    let media_dir = ws.media_dir();
    let files = media::files(conn)?;
    let mut known = std::collections::HashSet::new();
    for (sha, ext, size) in &files {
        let path = media::media_path(&media_dir, sha, ext);
        known.insert(path.clone());
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{}: missing (recorded with sha256 {sha})", path.display()))
            }
            Err(e) => return Err(Error::io(&path, e)),
            Ok(meta) => {
                let actual = media::sha256_file(&path)?;
                if actual != *sha {
                    problems.push(format!(
                        "{}: content changed: sha256 is {actual}, recorded {sha} ({} bytes now, {size} recorded)",
                        path.display(),
                        meta.len()
                    ));
                }
            }
        }
    }
    let mut unreferenced = Vec::new();
    let entries = std::fs::read_dir(&media_dir).map_err(|e| Error::io(&media_dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&media_dir, e))?.path();
        if path.is_file() && !known.contains(&path) {
            unreferenced.push(path.display().to_string());
        }
    }
    unreferenced.sort();
    Ok(VerifyReport {
        ok: problems.is_empty(),
        problems,
        unreferenced_media: unreferenced,
        media_files_checked: files.len() as i64,
    })
}
