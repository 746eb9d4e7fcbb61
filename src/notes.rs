//! A study's notes page: one free-text document per study (owns `study_notes`).
//!
//! Session notes (stamped with a moment of the interview) belong to the session module;
//! this page is where a researcher keeps what spans the study: hypotheses, logistics, links.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store;

/// A study's notes page.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StudyNotes {
    pub study_id: i64,
    pub text: String,
    /// When it was last saved; none when it never was.
    pub updated_at: Option<String>,
}

/// The notes page of a study (empty when none was written).
pub fn get(conn: &Connection, study_id: i64) -> Result<StudyNotes> {
    crate::study::get(conn, study_id)?;
    let row: Option<(String, String)> = conn
        .query_row("SELECT text, updated_at FROM study_notes WHERE study_id = ?1", [study_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match row {
        Some((text, at)) => StudyNotes { study_id, text, updated_at: Some(at) },
        None => StudyNotes { study_id, text: String::new(), updated_at: None },
    })
}

/// Replaces the notes page of a study.
pub fn set(conn: &Connection, study_id: i64, text: &str) -> Result<StudyNotes> {
    crate::study::get(conn, study_id)?;
    conn.execute(
        "INSERT INTO study_notes (study_id, text, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (study_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
        params![study_id, text, store::now()],
    )?;
    get(conn, study_id)
}
