//! Sessions: one interview of one person in a study, with timestamped notes.
//!
//! Owns `sessions` and `notes`. [`detail`] gathers the session page: transcript segments,
//! notes, highlights and recordings.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::coding::{self, HighlightView};
use crate::error::{Error, Result};
use crate::media::{self, RecordingView};
use crate::store;
use crate::transcript::{self, Segment};

/// A session as lists show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionSummary {
    pub id: i64,
    pub study_id: i64,
    pub study: String,
    pub person_email: String,
    pub person_name: String,
    pub at: String,
    pub has_recording: bool,
    pub has_transcript: bool,
    pub segments: i64,
    /// The longer of the longest recording and the end of the last transcript segment.
    pub duration_ms: Option<i64>,
}

/// A researcher's note at a moment of the session.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Note {
    pub id: i64,
    pub at_ms: i64,
    pub text: String,
}

/// Everything the session page shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionDetail {
    pub session: SessionSummary,
    pub segments: Vec<Segment>,
    pub notes: Vec<Note>,
    pub highlights: Vec<HighlightView>,
    pub recordings: Vec<RecordingView>,
}

/// Creates a session of `person_id` in `study_id` at `at` (RFC 3339).
pub fn create(conn: &Connection, study_id: i64, person_id: i64, at: &str) -> Result<i64> {
    let guide_version: Option<i64> = conn
        .query_row(
            "SELECT v.id FROM guide_versions v JOIN guides g ON g.id = v.guide_id
             WHERE g.study_id = ?1 ORDER BY g.created_at DESC, g.id DESC, v.version DESC LIMIT 1",
            [study_id],
            |r| r.get(0),
        )
        .optional()?;
    conn.execute(
        "INSERT INTO sessions (study_id, person_id, guide_version_id, at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![study_id, person_id, guide_version, at, store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Adds a note at `at_ms` into the session.
pub fn add_note(conn: &Connection, session_id: i64, at_ms: i64, text: &str) -> Result<i64> {
    ensure(conn, session_id)?;
    if at_ms < 0 {
        return Err(Error::invalid("--at", "a note's time must not be negative"));
    }
    if text.trim().is_empty() {
        return Err(Error::invalid("note", "must not be empty"));
    }
    conn.execute(
        "INSERT INTO notes (session_id, at_ms, text, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![session_id, at_ms, text.trim(), store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Deletes a session with its notes, recordings, transcript and highlights (media files stay:
/// they are content-addressed and may be shared).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM sessions WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("session", id));
    }
    Ok(())
}

/// Fails with not-found unless the session exists.
pub fn ensure(conn: &Connection, id: i64) -> Result<()> {
    let found: Option<i64> =
        conn.query_row("SELECT id FROM sessions WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    found.map(|_| ()).ok_or_else(|| Error::not_found("session", id))
}

const SUMMARY_SQL: &str = "
SELECT s.id, s.study_id, st.name, coalesce(p.email, ''), coalesce(p.name, ''), s.at,
       EXISTS (SELECT 1 FROM recordings r WHERE r.session_id = s.id),
       (SELECT count(*) FROM segments g JOIN transcripts t ON t.id = g.transcript_id WHERE t.session_id = s.id),
       nullif(max(coalesce((SELECT max(r.duration_ms) FROM recordings r WHERE r.session_id = s.id), 0),
                  coalesce((SELECT max(g.end_ms) FROM segments g JOIN transcripts t ON t.id = g.transcript_id
                            WHERE t.session_id = s.id), 0)), 0)
FROM sessions s JOIN studies st ON st.id = s.study_id LEFT JOIN people p ON p.id = s.person_id";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionSummary> {
    let segments: i64 = r.get(7)?;
    Ok(SessionSummary {
        id: r.get(0)?,
        study_id: r.get(1)?,
        study: r.get(2)?,
        person_email: r.get(3)?,
        person_name: r.get(4)?,
        at: r.get(5)?,
        has_recording: r.get(6)?,
        has_transcript: segments > 0,
        segments,
        duration_ms: r.get(8)?,
    })
}

/// Sessions, of one study or all, oldest first.
pub fn list(conn: &Connection, study_id: Option<i64>) -> Result<Vec<SessionSummary>> {
    let mut stmt =
        conn.prepare(&format!("{SUMMARY_SQL} WHERE ?1 IS NULL OR s.study_id = ?1 ORDER BY s.at, s.id"))?;
    let rows = stmt.query_map([study_id], summary_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One session's summary.
pub fn get(conn: &Connection, id: i64) -> Result<SessionSummary> {
    conn.query_row(&format!("{SUMMARY_SQL} WHERE s.id = ?1"), [id], summary_row)
        .optional()?
        .ok_or_else(|| Error::not_found("session", id))
}

/// The notes of a session in time order.
pub fn notes(conn: &Connection, session_id: i64) -> Result<Vec<Note>> {
    let mut stmt =
        conn.prepare("SELECT id, at_ms, text FROM notes WHERE session_id = ?1 ORDER BY at_ms, id")?;
    let rows = stmt
        .query_map([session_id], |r| Ok(Note { id: r.get(0)?, at_ms: r.get(1)?, text: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The session page.
pub fn detail(conn: &Connection, id: i64) -> Result<SessionDetail> {
    Ok(SessionDetail {
        session: get(conn, id)?,
        segments: transcript::segments(conn, id)?,
        notes: notes(conn, id)?,
        highlights: coding::highlights_of_session(conn, id)?,
        recordings: media::recordings_of_session(conn, id)?,
    })
}
