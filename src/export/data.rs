//! Everything of a study that an export can show, gathered once ([`gather`]) so that every
//! format (and the redaction, which rewrites this value) sees the same data. This is also the
//! `json` export's schema (documented in the README).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::coding::{self, HighlightFilter, HighlightRow, HighlightSource};
use crate::error::Result;
use crate::finding::{self, FindingSummary};
use crate::store;
use crate::study;

/// The whole study as exports see it.
#[derive(Debug, Clone, Serialize)]
pub struct StudyData {
    /// Always `rapport.study-export`.
    pub format: &'static str,
    /// The version of this layout (1).
    pub version: u32,
    pub exported_at: String,
    pub redacted: bool,
    pub study: StudyInfo,
    pub guide: Option<GuideInfo>,
    pub participants: Vec<Participant>,
    pub sessions: Vec<SessionData>,
    pub codebook: Vec<CodeData>,
    pub highlights: Vec<HighlightRow>,
    /// The NPS comments and feedback items its highlights quote, whole.
    pub text_sources: Vec<TextItemData>,
    pub findings: Vec<FindingSummary>,
    /// What the redaction replaced and how many times (empty when not redacted).
    pub redactions: Vec<RedactionCount>,
}

/// The study itself.
#[derive(Debug, Clone, Serialize)]
pub struct StudyInfo {
    pub id: i64,
    pub name: String,
    pub goal: Option<String>,
    pub started_at: Option<String>,
}

/// The guide the sessions followed (the newest version used).
#[derive(Debug, Clone, Serialize)]
pub struct GuideInfo {
    pub title: String,
    pub version: i64,
    pub questions: i64,
}

/// A person interviewed in the study.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub sessions: Vec<i64>,
}

/// One interview with its transcript, notes and recordings.
#[derive(Debug, Clone, Serialize)]
pub struct SessionData {
    pub id: i64,
    pub title: Option<String>,
    pub person_id: Option<i64>,
    pub at: String,
    pub transcript_source: Option<String>,
    pub segments: Vec<SegmentData>,
    pub notes: Vec<NoteData>,
    pub recordings: Vec<RecordingData>,
}

/// A transcript segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentData {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
}

/// A researcher's note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteData {
    pub id: i64,
    /// Session time (run mode's stamp).
    pub at_ms: i64,
    /// Its place in the session's main recording: `at_ms` less the recording's start offset.
    pub play_ms: i64,
    pub text: String,
}

/// A recording file of a session (left out of redacted exports).
#[derive(Debug, Clone, Serialize)]
pub struct RecordingData {
    pub file_name: String,
    pub sha256: String,
    pub ext: String,
    pub duration_ms: Option<i64>,
}

/// An NPS response's comment or a feedback item's text that a highlight of the study quotes
/// (the highlights' `start_char`/`end_char` are code points into `text`).
#[derive(Debug, Clone, Serialize)]
pub struct TextItemData {
    /// nps or feedback.
    pub source: HighlightSource,
    /// The NPS response's or feedback item's id.
    pub id: i64,
    pub person_id: Option<i64>,
    /// The respondent or user (a directory name when known).
    pub person_name: Option<String>,
    pub score: Option<i64>,
    pub segments: Vec<String>,
    pub channel: Option<String>,
    pub submitted_at: Option<String>,
    pub text: String,
}

impl TextItemData {
    /// A name for it: `NPS response 12` or `Feedback 4`.
    pub fn name(&self) -> String {
        match self.source {
            HighlightSource::Nps => format!("NPS response {}", self.id),
            _ => format!("Feedback {}", self.id),
        }
    }
}

/// A code of the codebook.
#[derive(Debug, Clone, Serialize)]
pub struct CodeData {
    pub path: String,
    pub name: String,
    pub description: Option<String>,
    pub color: Option<String>,
    pub highlights: i64,
}

/// One kind of thing redacted and how often.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RedactionCount {
    pub what: String,
    pub count: i64,
}

impl StudyData {
    /// The participant with this id.
    pub fn participant(&self, id: Option<i64>) -> Option<&Participant> {
        id.and_then(|id| self.participants.iter().find(|p| p.id == id))
    }

    /// The session with this id.
    pub fn session(&self, id: i64) -> Option<&SessionData> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

/// Gathers a study for export.
pub fn gather(conn: &Connection, study_id: i64) -> Result<StudyData> {
    let s = study::get(conn, study_id)?;
    let mut sessions: Vec<SessionData> = {
        let mut stmt = conn.prepare(
            "SELECT s.id, s.title, s.person_id, s.at, t.source FROM sessions s
             LEFT JOIN transcripts t ON t.session_id = s.id WHERE s.study_id = ?1 ORDER BY s.at, s.id",
        )?;
        let rows = stmt.query_map([study_id], |r| {
            Ok(SessionData {
                id: r.get(0)?,
                title: r.get(1)?,
                person_id: r.get(2)?,
                at: r.get(3)?,
                transcript_source: r.get(4)?,
                segments: Vec::new(),
                notes: Vec::new(),
                recordings: Vec::new(),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for session in &mut sessions {
        session.segments = crate::transcript::segments(conn, session.id)?
            .into_iter()
            .map(|g| SegmentData { start_ms: g.start_ms, end_ms: g.end_ms, speaker: g.speaker, text: g.text })
            .collect();
        session.notes = crate::session::notes(conn, session.id)?
            .into_iter()
            .map(|n| NoteData { id: n.id, at_ms: n.at_ms, play_ms: n.play_ms, text: n.text })
            .collect();
        let mut stmt = conn.prepare(
            "SELECT r.file_name, r.sha256, m.ext, r.duration_ms FROM recordings r
             JOIN media_files m ON m.sha256 = r.sha256 WHERE r.session_id = ?1 ORDER BY r.id",
        )?;
        session.recordings = stmt
            .query_map([session.id], |r| {
                Ok(RecordingData {
                    file_name: r.get(0)?,
                    sha256: r.get(1)?,
                    ext: r.get(2)?,
                    duration_ms: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }

    let mut by_person: HashMap<i64, Vec<i64>> = HashMap::new();
    for session in &sessions {
        if let Some(p) = session.person_id {
            by_person.entry(p).or_default().push(session.id);
        }
    }
    let mut participants = Vec::new();
    // In the order of their first session.
    let mut seen = std::collections::HashSet::new();
    for session in &sessions {
        let Some(pid) = session.person_id else { continue };
        if !seen.insert(pid) {
            continue;
        }
        let (name, email, team, role, location, attrs): (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        ) = conn.query_row(
            "SELECT name, email, team, role, location, attributes FROM people WHERE id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
        let attributes: BTreeMap<String, String> = serde_json::from_str::<serde_json::Value>(&attrs)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|o| {
                o.into_iter()
                    .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        participants.push(Participant {
            id: pid,
            name,
            email,
            team,
            role,
            location,
            attributes,
            sessions: by_person.remove(&pid).unwrap_or_default(),
        });
    }

    let guide = conn
        .query_row(
            "SELECT g.title, v.version, (SELECT count(*) FROM guide_questions q WHERE q.guide_version_id = v.id)
             FROM sessions s JOIN guide_versions v ON v.id = s.guide_version_id JOIN guides g ON g.id = v.guide_id
             WHERE s.study_id = ?1 ORDER BY v.version DESC LIMIT 1",
            params![study_id],
            |r| Ok(GuideInfo { title: r.get(0)?, version: r.get(1)?, questions: r.get(2)? }),
        )
        .ok()
        .or_else(|| {
            conn.query_row(
                "SELECT g.title, v.version, (SELECT count(*) FROM guide_questions q WHERE q.guide_version_id = v.id)
                 FROM guides g JOIN guide_versions v ON v.guide_id = g.id WHERE g.study_id = ?1
                 ORDER BY v.version DESC LIMIT 1",
                params![study_id],
                |r| Ok(GuideInfo { title: r.get(0)?, version: r.get(1)?, questions: r.get(2)? }),
            )
            .ok()
        });

    let highlights =
        coding::highlights::list(conn, &HighlightFilter { study_id: Some(study_id), ..Default::default() })?;
    let mut text_sources: Vec<TextItemData> = Vec::new();
    for h in highlights.iter().filter(|h| h.source.is_text()) {
        let id = h.nps_id.or(h.feedback_id).unwrap_or(0);
        if text_sources.iter().any(|t| t.source == h.source && t.id == id) {
            continue;
        }
        text_sources.push(TextItemData {
            source: h.source,
            id,
            person_id: h.person_id,
            person_name: h.person_name.clone(),
            score: h.score,
            segments: h.segments.clone(),
            channel: h.channel.clone(),
            submitted_at: h.submitted_at.clone(),
            text: coding::text_spans::source_text(conn, h.source, id)?,
        });
    }
    let codebook = coding::codebook::list(conn, Some(study_id))?
        .into_iter()
        .map(|t| CodeData {
            path: t.path,
            name: t.name,
            description: t.description,
            color: t.color,
            highlights: t.highlights,
        })
        .collect();
    Ok(StudyData {
        format: "rapport.study-export",
        version: 1,
        exported_at: store::now(),
        redacted: false,
        study: StudyInfo { id: s.id, name: s.name, goal: s.goal, started_at: s.started_at },
        guide,
        participants,
        sessions,
        codebook,
        highlights,
        text_sources,
        findings: finding::list(conn, Some(study_id))?,
        redactions: Vec::new(),
    })
}
