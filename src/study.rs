//! Studies: a research project with a goal, a guide, sessions and findings.
//!
//! Owns the `studies` table. [`overview`] gathers what the app's study page shows. A study
//! is created, edited, archived (hidden from the active list, kept whole) and unarchived, or
//! deleted with everything in it: [`delete_plan`] says what a delete removes before it runs.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::coding::{self, TagCount};
use crate::error::{Error, Result};
use crate::finding::{self, FindingSummary};
use crate::guide::{self, GuideView};
use crate::session::{self, DeletePlan, SessionSummary};
use crate::store;
use crate::timefmt;

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
    /// When the study was archived; null while it is active.
    pub archived_at: Option<String>,
}

/// A study's editable fields, as the window's form and `study edit` give them.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct StudyInput {
    pub name: String,
    pub goal: Option<String>,
    /// A date (`YYYY-MM-DD`) or an RFC 3339 time.
    pub started_at: Option<String>,
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
    let input = checked(
        conn,
        None,
        &StudyInput {
            name: name.to_string(),
            goal: goal.map(str::to_string),
            started_at: started_at.map(str::to_string),
        },
    )?;
    conn.execute(
        "INSERT INTO studies (name, goal, started_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![input.name, input.goal, input.started_at, store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a study's name, goal and start date. Returns the study as it now is.
pub fn update(conn: &Connection, id: i64, input: &StudyInput) -> Result<StudySummary> {
    get(conn, id)?;
    let input = checked(conn, Some(id), input)?;
    conn.execute(
        "UPDATE studies SET name = ?2, goal = ?3, started_at = ?4 WHERE id = ?1",
        params![id, input.name, input.goal, input.started_at],
    )?;
    get(conn, id)
}

/// Archives a study (`archived` true) or brings it back. Returns the study as it now is.
pub fn set_archived(conn: &Connection, id: i64, archived: bool) -> Result<StudySummary> {
    get(conn, id)?;
    let at = archived.then(store::now);
    conn.execute(
        "UPDATE studies SET archived_at = CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(archived_at, ?2) END WHERE id = ?1",
        params![id, at],
    )?;
    get(conn, id)
}

/// What deleting the study removes: its sessions (with their transcripts, notes, highlights
/// and recordings), its findings, and the recording files no other study's session uses.
pub fn delete_plan(conn: &Connection, id: i64) -> Result<DeletePlan> {
    let study = get(conn, id)?;
    let sessions: Vec<i64> = conn
        .prepare("SELECT id FROM sessions WHERE study_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut plan = session::plan_for(conn, "study", &study.name, &sessions)?;
    plan.findings = study.findings;
    Ok(plan)
}

/// Deletes the study and everything in it (see [`delete_plan`]) in one transaction, then the
/// recording files in `media_dir` that nothing references any more. Returns what went. Goes
/// through [`crate::deletion`], like every delete of people's data.
pub fn delete(conn: &Connection, media_dir: &Path, id: i64) -> Result<DeletePlan> {
    crate::deletion::delete_study(conn, media_dir, id)
}

/// Deletes the study's row (everything it owns goes by cascade). Writes no transaction of
/// its own: [`crate::deletion`] runs it inside its own.
pub(crate) fn delete_row(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM studies WHERE id = ?1", [id])?;
    Ok(())
}

/// Trims and checks a study's fields: a name that is not empty and not another study's, an
/// empty goal as none, a start date that is a date.
fn checked(conn: &Connection, id: Option<i64>, input: &StudyInput) -> Result<StudyInput> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("study name", "must not be empty"));
    }
    let taken: Option<i64> = conn
        .query_row("SELECT id FROM studies WHERE name = ?1 AND id IS NOT ?2", params![name, id], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(Error::AlreadyExists { what: "study", key: name.to_string() });
    }
    let trimmed =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let started_at = trimmed(&input.started_at)
        .map(|d| {
            timefmt::normalise_date(&d).ok_or_else(|| {
                Error::invalid("start date", format!("expected a date like 2026-03-01, got {d:?}"))
            })
        })
        .transpose()?;
    Ok(StudyInput { name: name.to_string(), goal: trimmed(&input.goal), started_at })
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
       (SELECT count(*) FROM highlights h JOIN sessions x ON x.id = h.session_id WHERE x.study_id = s.id),
       s.archived_at
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
        archived_at: r.get(8)?,
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
