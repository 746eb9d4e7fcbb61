//! A workspace: one folder holding `rapport.db` (the truth), `index/` (derived search index),
//! `media/` (recordings, content-addressed, never modified) and `exports/`.
//!
//! [`Workspace::create`] lays the folder out; [`Workspace::open`] refuses a folder that is not
//! a workspace and a database newer than this build (see [`crate::store`]). The default
//! location is `$RAPPORT_WORKSPACE`, else `<OS data dir>/Rapport/workspace`.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

/// File name of the database inside a workspace.
pub const DB_FILE: &str = "rapport.db";
/// The sub-folders every workspace has.
pub const DIRS: [&str; 3] = ["index", "media", "exports"];

/// An open workspace: its folder and a connection to its database.
pub struct Workspace {
    root: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace").field("root", &self.root).finish()
    }
}

/// How many of each noun a workspace holds.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct Counts {
    pub studies: i64,
    pub people: i64,
    pub sessions: i64,
    pub recordings: i64,
    pub segments: i64,
    pub notes: i64,
    pub highlights: i64,
    pub tags: i64,
    pub findings: i64,
    pub nps_responses: i64,
    pub deploy_events: i64,
    pub incidents: i64,
    pub feedback_items: i64,
    pub metric_series: i64,
}

/// A summary of an open workspace, for the app's header and the CLI's `verify`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceInfo {
    pub path: String,
    /// True when this launch created the workspace and filled it with the demo data.
    pub demo_created: bool,
    pub schema_version: i64,
    pub counts: Counts,
}

impl Workspace {
    /// Creates a workspace in `dir` (made if missing), or opens it if it already is one.
    pub fn create(dir: &Path) -> Result<Workspace> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for sub in DIRS {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
        let conn = store::open(&dir.join(DB_FILE))?;
        Ok(Workspace { root: dir.to_path_buf(), conn })
    }

    /// Opens an existing workspace; a folder without `rapport.db` is refused.
    pub fn open(dir: &Path) -> Result<Workspace> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(Error::NotAWorkspace {
                path: dir.to_path_buf(),
                reason: format!("no {DB_FILE} in it (create one with `rapport init`)"),
            });
        }
        let conn = store::open(&db)?;
        for sub in DIRS {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
        Ok(Workspace { root: dir.to_path_buf(), conn })
    }

    /// True when `dir` holds a workspace database.
    pub fn exists(dir: &Path) -> bool {
        dir.join(DB_FILE).is_file()
    }

    /// The default workspace folder: `$RAPPORT_WORKSPACE`, else under the OS data dir.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("RAPPORT_WORKSPACE").filter(|v| !v.is_empty()) {
            return PathBuf::from(dir);
        }
        dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("Rapport").join("workspace")
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `media/` folder.
    pub fn media_dir(&self) -> PathBuf {
        self.root.join("media")
    }

    /// The database connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The database connection, mutably (for transactions).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Counts of every noun.
    pub fn counts(&self) -> Result<Counts> {
        let n = |table: &str| -> Result<i64> {
            Ok(self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(Counts {
            studies: n("studies")?,
            people: n("people")?,
            sessions: n("sessions")?,
            recordings: n("recordings")?,
            segments: n("segments")?,
            notes: n("notes")?,
            highlights: n("highlights")?,
            tags: n("tags")?,
            findings: n("findings")?,
            nps_responses: n("nps_responses")?,
            deploy_events: n("deploy_events")?,
            incidents: n("incidents")?,
            feedback_items: n("feedback_items")?,
            metric_series: n("metric_series")?,
        })
    }

    /// A summary of this workspace.
    pub fn info(&self, demo_created: bool) -> Result<WorkspaceInfo> {
        Ok(WorkspaceInfo {
            path: self.root.display().to_string(),
            demo_created,
            schema_version: store::SCHEMA_VERSION,
            counts: self.counts()?,
        })
    }
}
