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

/// How session notes are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotesFormat {
    /// A Markdown list: `- [00:01:35](rapport://session/ID?t=95) text`, the moment in the
    /// session's main recording (the note's session time less the recording's start offset).
    Md,
    /// CSV with a header: `session,at_ms,play_ms,clock,text`: the note's session time, its
    /// place in the main recording, and that place as `hh:mm:ss`.
    Csv,
}

fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A session's stamped notes as Markdown or CSV, each with its moment (and, in Markdown, a
/// link that opens the session there).
pub fn export_session_notes(conn: &Connection, session_id: i64, format: NotesFormat) -> Result<String> {
    let s = crate::session::get(conn, session_id)?;
    let notes = crate::session::notes(conn, session_id)?;
    Ok(match format {
        NotesFormat::Md => {
            let who = if s.person_name.is_empty() { s.person_email.clone() } else { s.person_name.clone() };
            let mut out = format!("# Notes: {who}, {}\n\n", s.at.get(..10).unwrap_or(&s.at));
            out.push_str(&format!(
                "- Study: {}\n- Session: {}\n\n",
                s.study,
                crate::links::session_url(s.id, None)
            ));
            for n in &notes {
                let url = crate::links::session_url(s.id, Some(n.play_ms));
                out.push_str(&format!(
                    "- [{}]({url}) {}\n",
                    clock(n.play_ms),
                    n.text.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
            out
        }
        NotesFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let io = |e: csv::Error| crate::error::Error::Integrity(format!("writing CSV: {e}"));
            w.write_record(["session", "at_ms", "play_ms", "clock", "text"]).map_err(io)?;
            for n in &notes {
                let row = [
                    s.id.to_string(),
                    n.at_ms.to_string(),
                    n.play_ms.to_string(),
                    clock(n.play_ms),
                    n.text.clone(),
                ];
                w.write_record(row).map_err(io)?;
            }
            String::from_utf8(w.into_inner().map_err(|e| crate::error::Error::Integrity(e.to_string()))?)
                .expect("CSV of UTF-8 text")
        }
    })
}
