//! Sessions: one interview of one person in a study, with timestamped notes.
//!
//! Owns `sessions` and `notes`. [`detail`] gathers the session page: transcript segments,
//! notes, highlights and recordings. A session is created for a person of the directory or
//! a new one ([`create_with`]), edited, and deleted with everything in it; [`delete_plan`]
//! says beforehand what a delete removes, down to the recording files that leave `media/`.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::coding::{self, HighlightView};
use crate::error::{Error, Result};
use crate::media::{self, RecordingView};
use crate::people;
use crate::store;
use crate::timefmt;
use crate::transcript::{self, Segment};

/// A session as lists show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionSummary {
    pub id: i64,
    pub study_id: i64,
    pub study: String,
    pub person_id: Option<i64>,
    pub title: Option<String>,
    pub guide_version_id: Option<i64>,
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
    /// When it was written, in session time (run mode's elapsed time, or `note add --at`).
    pub at_ms: i64,
    /// Where that moment is in the session's main recording: `at_ms` less the recording's
    /// start offset (`at_ms` when the session has no recording). Seeks, links and exports use it.
    pub play_ms: i64,
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

/// A session's fields as the window's form and `session create`/`edit` give them: the person
/// by id (one of the directory), or by email and name (added to the directory when new).
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct SessionInput {
    pub person_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    /// When the interview is (RFC 3339, or a `YYYY-MM-DD` date).
    pub at: String,
    pub title: Option<String>,
    /// The guide version the interview follows; none when the study has no guide.
    pub guide_version_id: Option<i64>,
}

/// What deleting a session (or a study) removes, said before it is done and returned after.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct DeletePlan {
    /// "study", "session" or "person" (a forget's sessions).
    pub what: String,
    /// The study's name, or the session's person and date.
    pub name: String,
    pub sessions: i64,
    pub segments: i64,
    pub highlights: i64,
    pub notes: i64,
    pub recordings: i64,
    pub findings: i64,
    /// Recording file names whose stored copy leaves `media/` (no other session uses it).
    pub files_removed: Vec<String>,
    /// Recordings whose file stays because another session uses it too.
    pub files_kept: i64,
    /// The bytes the removed files take in `media/`.
    pub bytes_freed: i64,
}

/// Creates a session in `study_id` from the form's fields; a person given by email who is
/// not in the directory is added to it. Returns the session id.
pub fn create_with(conn: &Connection, study_id: i64, input: &SessionInput) -> Result<i64> {
    crate::study::get(conn, study_id)?;
    let tx = conn.unchecked_transaction()?;
    let f = checked(&tx, study_id, input)?;
    tx.execute(
        "INSERT INTO sessions (study_id, person_id, guide_version_id, at, title, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![study_id, f.person_id, f.guide_version_id, f.at, f.title, store::now()],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

/// Replaces a session's person, time, title and guide version. Returns it as it now is.
pub fn update(conn: &Connection, id: i64, input: &SessionInput) -> Result<SessionSummary> {
    let before = get(conn, id)?;
    let tx = conn.unchecked_transaction()?;
    let f = checked(&tx, before.study_id, input)?;
    tx.execute(
        "UPDATE sessions SET person_id = ?2, guide_version_id = ?3, at = ?4, title = ?5 WHERE id = ?1",
        params![id, f.person_id, f.guide_version_id, f.at, f.title],
    )?;
    tx.commit()?;
    get(conn, id)
}

/// A session's fields, checked and resolved.
struct Checked {
    person_id: i64,
    guide_version_id: Option<i64>,
    at: String,
    title: Option<String>,
}

fn checked(conn: &Connection, study_id: i64, input: &SessionInput) -> Result<Checked> {
    let person_id = match (input.person_id, input.email.as_deref().map(str::trim).filter(|e| !e.is_empty())) {
        (Some(id), _) => people::get(conn, id)?.id,
        (None, Some(email)) => people::ensure(conn, email, input.name.as_deref())?,
        (None, None) => return Err(Error::invalid("person", "choose a person or give a new person's email")),
    };
    let at = timefmt::normalise_typed(&input.at).ok_or_else(|| {
        Error::invalid(
            "session time",
            format!(
                "expected a time like 2026-03-04T14:30:00Z or 2026-03-04 14:30 (local), got {:?}",
                input.at
            ),
        )
    })?;
    if let Some(v) = input.guide_version_id {
        let of_study: Option<i64> = conn
            .query_row(
                "SELECT g.study_id FROM guide_versions v JOIN guides g ON g.id = v.guide_id WHERE v.id = ?1",
                [v],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if of_study != Some(study_id) {
            return Err(Error::invalid(
                "guide version",
                format!("guide version {v} is not one of this study's guides"),
            ));
        }
    }
    let title = input.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    Ok(Checked { person_id, guide_version_id: input.guide_version_id, at, title })
}

/// What deleting the session removes.
pub fn delete_plan(conn: &Connection, id: i64) -> Result<DeletePlan> {
    let s = get(conn, id)?;
    let who = if s.person_name.is_empty() { "no one".to_string() } else { s.person_name.clone() };
    plan_for(conn, "session", &format!("{who}, {}", &s.at[..s.at.len().min(10)]), &[id])
}

/// What deleting these sessions removes (for a session's or a whole study's delete).
pub(crate) fn plan_for(conn: &Connection, what: &str, name: &str, sessions: &[i64]) -> Result<DeletePlan> {
    let mut plan = DeletePlan { what: what.to_string(), name: name.to_string(), ..DeletePlan::default() };
    plan.sessions = sessions.len() as i64;
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [&ids], |r| r.get(0))?) };
    plan.segments = count(
        "SELECT count(*) FROM segments g JOIN transcripts t ON t.id = g.transcript_id
         WHERE t.session_id IN (SELECT value FROM json_each(?1))",
    )?;
    plan.highlights =
        count("SELECT count(*) FROM highlights WHERE session_id IN (SELECT value FROM json_each(?1))")?;
    plan.notes = count("SELECT count(*) FROM notes WHERE session_id IN (SELECT value FROM json_each(?1))")?;
    plan.recordings =
        count("SELECT count(*) FROM recordings WHERE session_id IN (SELECT value FROM json_each(?1))")?;
    let files = media::files_only_in(conn, sessions)?;
    plan.bytes_freed = files.iter().map(|f| f.1).sum();
    plan.files_removed = files.into_iter().map(|f| f.0).collect();
    plan.files_kept = count(
        "SELECT count(*) FROM recordings r WHERE r.session_id IN (SELECT value FROM json_each(?1))
         AND EXISTS (SELECT 1 FROM recordings o WHERE o.sha256 = r.sha256
                     AND o.session_id NOT IN (SELECT value FROM json_each(?1)))",
    )?;
    Ok(plan)
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

/// Creates a session brought in by an import (REFI-QDA): a person when the source names one,
/// a time and a title, with no guide. Writes no transaction of its own, so it can run inside
/// the import's. Returns the session id.
pub fn create_imported(
    conn: &Connection,
    study_id: i64,
    person_id: Option<i64>,
    at: &str,
    title: Option<&str>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO sessions (study_id, person_id, at, title, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![study_id, person_id, at, title, store::now()],
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

/// Deletes a session with its notes, recordings, transcript and highlights in one
/// transaction, then the recording files in `media_dir` that no other session uses. Returns
/// what went (see [`delete_plan`]). Goes through [`crate::deletion`], like every delete of
/// people's data.
pub fn delete(conn: &Connection, media_dir: &Path, id: i64) -> Result<DeletePlan> {
    crate::deletion::delete_session(conn, media_dir, id)
}

/// Deletes the rows of these sessions (everything in them goes by cascade). Writes no
/// transaction of its own: [`crate::deletion`] runs it inside its own.
pub(crate) fn delete_rows(conn: &Connection, sessions: &[i64]) -> Result<()> {
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    conn.execute("DELETE FROM sessions WHERE id IN (SELECT value FROM json_each(?1))", [ids])?;
    Ok(())
}

/// Fails with not-found unless the session exists.
pub fn ensure(conn: &Connection, id: i64) -> Result<()> {
    let found: Option<i64> =
        conn.query_row("SELECT id FROM sessions WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    found.map(|_| ()).ok_or_else(|| Error::not_found("session", id))
}

const SUMMARY_SQL: &str = "
SELECT s.id, s.study_id, st.name, coalesce(p.email, ''), coalesce(p.name, ''), s.at, s.person_id, s.title,
       s.guide_version_id,
       EXISTS (SELECT 1 FROM recordings r WHERE r.session_id = s.id),
       (SELECT count(*) FROM segments g JOIN transcripts t ON t.id = g.transcript_id WHERE t.session_id = s.id),
       nullif(max(coalesce((SELECT max(r.duration_ms) FROM recordings r WHERE r.session_id = s.id), 0),
                  coalesce((SELECT max(g.end_ms) FROM segments g JOIN transcripts t ON t.id = g.transcript_id
                            WHERE t.session_id = s.id), 0)), 0)
FROM sessions s JOIN studies st ON st.id = s.study_id LEFT JOIN people p ON p.id = s.person_id";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionSummary> {
    let segments: i64 = r.get(10)?;
    Ok(SessionSummary {
        id: r.get(0)?,
        study_id: r.get(1)?,
        study: r.get(2)?,
        person_email: r.get(3)?,
        person_name: r.get(4)?,
        at: r.get(5)?,
        person_id: r.get(6)?,
        title: r.get(7)?,
        guide_version_id: r.get(8)?,
        has_recording: r.get(9)?,
        has_transcript: segments > 0,
        segments,
        duration_ms: r.get(11)?,
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

/// The notes of a session in time order, each with its place in the main recording.
pub fn notes(conn: &Connection, session_id: i64) -> Result<Vec<Note>> {
    let offset = media::main_offset_ms(conn, session_id)?;
    let mut stmt =
        conn.prepare("SELECT id, at_ms, text FROM notes WHERE session_id = ?1 ORDER BY at_ms, id")?;
    let rows = stmt
        .query_map([session_id], |r| {
            let at_ms: i64 = r.get(1)?;
            Ok(Note { id: r.get(0)?, at_ms, play_ms: media::play_ms(at_ms, offset), text: r.get(2)? })
        })?
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

/// Changes a note's time and text. Returns the session's notes.
pub fn update_note(conn: &Connection, note_id: i64, at_ms: i64, text: &str) -> Result<Vec<Note>> {
    let session_id = note_session(conn, note_id)?;
    if at_ms < 0 {
        return Err(Error::invalid("--at", "a note's time must not be negative"));
    }
    if text.trim().is_empty() {
        return Err(Error::invalid("note", "must not be empty"));
    }
    conn.execute(
        "UPDATE notes SET at_ms = ?2, text = ?3 WHERE id = ?1",
        params![note_id, at_ms, text.trim()],
    )?;
    notes(conn, session_id)
}

/// Deletes a note. Returns the session's notes.
pub fn delete_note(conn: &Connection, note_id: i64) -> Result<Vec<Note>> {
    let session_id = note_session(conn, note_id)?;
    conn.execute("DELETE FROM notes WHERE id = ?1", [note_id])?;
    notes(conn, session_id)
}

fn note_session(conn: &Connection, note_id: i64) -> Result<i64> {
    conn.query_row("SELECT session_id FROM notes WHERE id = ?1", [note_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("note", note_id))
}

/// Pins the guide version a session follows when it follows none yet (run mode pins the
/// version it shows on the first check). Returns whether it was pinned now.
pub fn pin_guide_version(conn: &Connection, session_id: i64, version_id: i64) -> Result<bool> {
    let s = get(conn, session_id)?;
    if s.guide_version_id.is_some() {
        return Ok(false);
    }
    let of_study: Option<i64> = conn
        .query_row(
            "SELECT g.study_id FROM guide_versions v JOIN guides g ON g.id = v.guide_id WHERE v.id = ?1",
            [version_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if of_study != Some(s.study_id) {
        return Ok(false);
    }
    conn.execute(
        "UPDATE sessions SET guide_version_id = ?2 WHERE id = ?1 AND guide_version_id IS NULL",
        params![session_id, version_id],
    )?;
    Ok(true)
}
