//! Studies: a research project with a goal, a guide, sessions and findings.
//!
//! Owns the `studies` table. [`overview`] gathers what the app's study page shows.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::coding::{self, TagCount};
use crate::error::{Error, Result};
use crate::finding::{self, FindingSummary};
use crate::guide::{self, GuideView};
use crate::session::{self, SessionSummary};
use crate::store;

/// A study with its counts, as `study list` shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StudySummary {
    pub id: i64,
    pub name: String,
    pub goal: Option<String>,
    pub started_at: Option<String>,
    pub sessions: i64,
    /// Distinct people interviewed in the study's sessions.
    pub people: i64,
    pub findings: i64,
    pub highlights: i64,
}

/// Everything the study page shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StudyOverview {
    pub study: StudySummary,
    pub guide: Option<GuideView>,
    pub sessions: Vec<SessionSummary>,
    pub findings: Vec<FindingSummary>,
    pub tags: Vec<TagCount>,
}

/// Creates a study; the name must be new.
pub fn create(conn: &Connection, name: &str, goal: Option<&str>, started_at: Option<&str>) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("study name", "must not be empty"));
    }
    let taken: Option<i64> =
        conn.query_row("SELECT id FROM studies WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    if taken.is_some() {
        return Err(Error::AlreadyExists { what: "study", key: name.to_string() });
    }
    conn.execute(
        "INSERT INTO studies (name, goal, started_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, goal, started_at, store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Finds a study by id (all digits) or exact name.
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    let found: Option<i64> = if let Ok(id) = key.parse::<i64>() {
        conn.query_row("SELECT id FROM studies WHERE id = ?1", [id], |r| r.get(0)).optional()?
    } else {
        conn.query_row("SELECT id FROM studies WHERE name = ?1", [key.trim()], |r| r.get(0)).optional()?
    };
    found.ok_or_else(|| Error::not_found("study", key))
}

const SUMMARY_SQL: &str = "
SELECT s.id, s.name, s.goal, s.started_at,
       (SELECT count(*) FROM sessions x WHERE x.study_id = s.id),
       (SELECT count(DISTINCT x.person_id) FROM sessions x WHERE x.study_id = s.id),
       (SELECT count(*) FROM findings f WHERE f.study_id = s.id),
       (SELECT count(*) FROM highlights h JOIN sessions x ON x.id = h.session_id WHERE x.study_id = s.id)
FROM studies s";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StudySummary> {
    Ok(StudySummary {
        id: r.get(0)?,
        name: r.get(1)?,
        goal: r.get(2)?,
        started_at: r.get(3)?,
        sessions: r.get(4)?,
        people: r.get(5)?,
        findings: r.get(6)?,
        highlights: r.get(7)?,
    })
}

/// All studies, newest first.
pub fn list(conn: &Connection) -> Result<Vec<StudySummary>> {
    let mut stmt = conn.prepare(&format!("{SUMMARY_SQL} ORDER BY s.created_at DESC, s.id DESC"))?;
    let rows = stmt.query_map([], summary_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One study's summary.
pub fn get(conn: &Connection, id: i64) -> Result<StudySummary> {
    conn.query_row(&format!("{SUMMARY_SQL} WHERE s.id = ?1"), [id], summary_row)
        .optional()?
        .ok_or_else(|| Error::not_found("study", id))
}

/// The study page: summary, current guide, sessions, findings and tag counts.
pub fn overview(conn: &Connection, id: i64) -> Result<StudyOverview> {
    Ok(StudyOverview {
        study: get(conn, id)?,
        guide: guide::current_for_study(conn, id)?,
        sessions: session::list(conn, Some(id))?,
        findings: finding::list(conn, Some(id))?,
        tags: coding::tag_counts(conn, Some(id))?,
    })
}
