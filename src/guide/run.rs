//! Run mode and answers: a session in progress with its guide, the questions it has checked
//! off (owns `question_checks`), and the matrix of the study's questions × sessions.
//!
//! [`run_view`] gathers what the run-mode screen shows: the guide version the session
//! pinned (the study's current one when it has none), the time budget per section, the
//! checks and the session's notes. [`answers`] aligns every transcript of a study with its
//! guide (see [`align`](super::align)); a session that followed an older version is aligned
//! with that version's questions, which are then mapped to the current ones by the diff's
//! pairing, so a reworded question still lands in its row.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::align::{self, AnswerSpan, Asked};
use super::{diff, GuideDoc, GuideVersionDetail};
use crate::error::{Error, Result};
use crate::session::{self, Note};
use crate::transcript;

/// One checked-off question of a session.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QuestionCheck {
    pub question_id: i64,
    /// When it was checked, in session time.
    pub at_ms: i64,
}

/// A section's time budget and how many of its questions are checked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SectionBudget {
    pub title: String,
    pub minutes: Option<u32>,
    /// The question ids of the section, in order.
    pub question_ids: Vec<i64>,
}

/// Everything the run-mode screen shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RunView {
    pub session: session::SessionSummary,
    /// None when neither the session nor its study has a guide.
    pub guide: Option<GuideVersionDetail>,
    pub sections: Vec<SectionBudget>,
    pub checks: Vec<QuestionCheck>,
    pub notes: Vec<Note>,
    /// The session's recordings, the main one first: a note plays in it at its stamp less
    /// the recording's `offset_ms` (where the recording started in the session).
    pub recordings: Vec<crate::media::RecordingView>,
    /// The sum of the sections' budgets.
    pub total_minutes: Option<u32>,
}

/// The guide version a session follows: its own, else the study's current one.
pub fn version_of_session(conn: &Connection, session_id: i64) -> Result<Option<i64>> {
    let s = session::get(conn, session_id)?;
    if let Some(v) = s.guide_version_id {
        return Ok(Some(v));
    }
    Ok(super::current_for_study(conn, s.study_id)?.map(|g| g.id))
}

/// The run-mode view of a session.
pub fn run_view(conn: &Connection, session_id: i64) -> Result<RunView> {
    let summary = session::get(conn, session_id)?;
    let guide = version_of_session(conn, session_id)?.map(|v| super::version_detail(conn, v)).transpose()?;
    let mut sections = Vec::new();
    if let Some(g) = &guide {
        let mut ids = g.questions.iter().map(|q| q.id);
        for s in &g.doc.sections {
            sections.push(SectionBudget {
                title: s.title.clone(),
                minutes: s.minutes(),
                question_ids: ids.by_ref().take(s.questions.len()).collect(),
            });
        }
    }
    let budgets: Vec<u32> = sections.iter().filter_map(|s| s.minutes).collect();
    Ok(RunView {
        total_minutes: (!budgets.is_empty()).then(|| budgets.iter().sum()),
        session: summary,
        guide,
        sections,
        checks: checks(conn, session_id)?,
        notes: session::notes(conn, session_id)?,
        recordings: crate::media::recordings_of_session(conn, session_id)?,
    })
}

/// The questions a session has checked off.
pub fn checks(conn: &Connection, session_id: i64) -> Result<Vec<QuestionCheck>> {
    let mut stmt =
        conn.prepare("SELECT question_id, at_ms FROM question_checks WHERE session_id = ?1 ORDER BY at_ms")?;
    let rows = stmt
        .query_map([session_id], |r| Ok(QuestionCheck { question_id: r.get(0)?, at_ms: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Checks a question off (at `at_ms` of session time) or clears it. Returns the checks.
pub fn set_check(
    conn: &Connection,
    session_id: i64,
    question_id: i64,
    at_ms: i64,
    done: bool,
) -> Result<Vec<QuestionCheck>> {
    session::ensure(conn, session_id)?;
    let version: Option<i64> = conn
        .query_row("SELECT guide_version_id FROM guide_questions WHERE id = ?1", [question_id], |r| r.get(0))
        .optional()?;
    let version = version.ok_or_else(|| Error::not_found("guide question", question_id))?;
    // The session now follows the version it is being run with.
    session::pin_guide_version(conn, session_id, version)?;
    if done {
        conn.execute(
            "INSERT INTO question_checks (session_id, question_id, at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_id, question_id) DO UPDATE SET at_ms = excluded.at_ms",
            params![session_id, question_id, at_ms.max(0)],
        )?;
    } else {
        conn.execute(
            "DELETE FROM question_checks WHERE session_id = ?1 AND question_id = ?2",
            params![session_id, question_id],
        )?;
    }
    checks(conn, session_id)
}

/// One cell of the answers matrix.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Answer {
    pub session: i64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub span: AnswerSpan,
    /// The session's notes written while the question was asked and answered: those whose
    /// place in the recording (`play_ms`, the stamp less the recording's start offset) falls
    /// from `asked_ms` to `end_ms`.
    pub notes: Vec<Note>,
}

/// One row of the matrix: a question of the current guide version and its answers.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnswerRow {
    pub id: i64,
    pub section: String,
    pub text: String,
    pub answers: Vec<Answer>,
}

/// A column of the matrix.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnswerSession {
    pub id: i64,
    pub person_name: String,
    pub at: String,
    pub has_transcript: bool,
    /// How many of the guide's questions were found in the transcript.
    pub found: usize,
}

/// Questions × sessions for a study.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnswersMatrix {
    pub guide_id: Option<i64>,
    pub version_id: Option<i64>,
    pub sessions: Vec<AnswerSession>,
    pub questions: Vec<AnswerRow>,
}

fn asked_of(doc: &GuideDoc) -> Vec<Asked> {
    doc.sections
        .iter()
        .flat_map(|s| s.questions.iter().map(|q| Asked { text: q.text.clone(), probes: q.probes.clone() }))
        .collect()
}

/// Aligns every transcript of the study with its current guide (or `guide_id`).
pub fn answers(conn: &Connection, study_id: i64, guide_id: Option<i64>) -> Result<AnswersMatrix> {
    crate::study::get(conn, study_id)?;
    let version = match guide_id {
        Some(g) => Some(super::current_version(conn, g)?),
        None => super::current_for_study(conn, study_id)?.map(|g| g.id),
    };
    let Some(version) = version else {
        return Ok(AnswersMatrix {
            guide_id: None,
            version_id: None,
            sessions: Vec::new(),
            questions: Vec::new(),
        });
    };
    let guide = super::guide_of_version(conn, version)?;
    let current = super::doc(conn, version)?;
    let stored = super::questions(conn, version)?;
    let mut rows: Vec<AnswerRow> = stored
        .iter()
        .map(|q| AnswerRow {
            id: q.id,
            section: q.section.clone(),
            text: q.text.clone(),
            answers: Vec::new(),
        })
        .collect();
    let mut sessions = Vec::new();
    for s in session::list(conn, Some(study_id))? {
        let segments = transcript::segments(conn, s.id)?;
        let mut found = 0;
        if !segments.is_empty() {
            let notes = session::notes(conn, s.id)?;
            // The session's own version when it is of this guide; its questions map to rows.
            let own = s
                .guide_version_id
                .filter(|v| *v != version && super::guide_of_version(conn, *v).ok() == Some(guide));
            let (asked, to_row): (Vec<Asked>, Vec<Option<usize>>) = match own {
                Some(v) => {
                    let doc = super::doc(conn, v)?;
                    let map = diff::matching(&doc, &current);
                    (asked_of(&doc), map)
                }
                None => (asked_of(&current), (0..rows.len()).map(Some).collect()),
            };
            for (i, span) in align::align(&asked, &segments).into_iter().enumerate() {
                if let (Some(span), Some(Some(row))) = (span, to_row.get(i)) {
                    found += 1;
                    let during =
                        |n: &&Note| n.play_ms >= span.asked_ms.min(span.start_ms) && n.play_ms <= span.end_ms;
                    let notes = notes.iter().filter(during).cloned().collect();
                    rows[*row].answers.push(Answer { session: s.id, span, notes });
                }
            }
        }
        sessions.push(AnswerSession {
            id: s.id,
            person_name: s.person_name.clone(),
            at: s.at.clone(),
            has_transcript: !segments.is_empty(),
            found,
        });
    }
    Ok(AnswersMatrix { guide_id: Some(guide), version_id: Some(version), sessions, questions: rows })
}
