//! Interview guides: a document of sections, questions and probes, versioned.
//!
//! Owns `guides`, `guide_versions`, `guide_questions` and (through [`run`]) `question_checks`.
//! A guide has a title, an intro and sections of questions; a question has a text, a kind,
//! probes, an interviewer note and a time budget. Each version keeps its canonical Markdown
//! (`source`, see [`format`]) and one row per question (their ids are what answers point at).
//! Saving an edit makes a new version when a session has used the current one (sessions pin the
//! version they followed), and otherwise replaces the unused current version; importing a guide
//! with the title of one the study already has adds a version. [`diff`] compares two versions,
//! [`lint`] checks the questions (its rules in `rules.rs`, their vocabulary in `words.rs`, the
//! suggested rewrites in `rewrite.rs`), [`docx`] reads Word documents, [`align`] finds the
//! questions in transcripts and [`run`] serves run mode and the answers matrix.

pub mod align;
pub mod diff;
pub mod docx;
pub mod format;
pub mod lint;
mod rewrite;
mod rules;
pub mod run;
mod words;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

pub use format::parse;

/// What a question asks for; lint rules treat them differently (a `closed` one may be yes/no).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    #[default]
    Open,
    Closed,
    Task,
    Rating,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Open => "open",
            QuestionKind::Closed => "closed",
            QuestionKind::Task => "task",
            QuestionKind::Rating => "rating",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Some(QuestionKind::Open),
            "closed" => Some(QuestionKind::Closed),
            "task" => Some(QuestionKind::Task),
            "rating" => Some(QuestionKind::Rating),
            _ => None,
        }
    }
}

/// One question with its follow-up probes, interviewer note and time budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct GuideQuestion {
    pub text: String,
    #[serde(default)]
    pub kind: QuestionKind,
    #[serde(default)]
    pub probes: Vec<String>,
    /// A note for the interviewer, not read out.
    #[serde(default)]
    pub note: Option<String>,
    /// The time budget in minutes.
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// A titled group of questions, with an optional paragraph about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct GuideSection {
    pub title: String,
    #[serde(default)]
    pub note: String,
    pub questions: Vec<GuideQuestion>,
}

impl GuideSection {
    /// The section's time budget: the sum of its questions' minutes, if any has one.
    pub fn minutes(&self) -> Option<u32> {
        let m: Vec<u32> = self.questions.iter().filter_map(|q| q.minutes).collect();
        (!m.is_empty()).then(|| m.iter().sum())
    }
}

/// A guide document: what the editor edits, the formats read and write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct GuideDoc {
    pub title: String,
    #[serde(default)]
    pub intro: String,
    pub sections: Vec<GuideSection>,
}

impl GuideDoc {
    /// Checks what every stored guide must have: a title, a question, no empty texts.
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::invalid("title", "a guide needs a title"));
        }
        if self.sections.iter().all(|s| s.questions.is_empty()) {
            return Err(Error::invalid("questions", "a guide needs at least one question"));
        }
        for (i, s) in self.sections.iter().enumerate() {
            if i > 0 && s.title.trim().is_empty() {
                return Err(Error::invalid(format!("section {}", i + 1), "a section needs a title"));
            }
            for (j, q) in s.questions.iter().enumerate() {
                if q.text.trim().is_empty() {
                    return Err(Error::invalid(
                        format!("section {}, question {}", i + 1, j + 1),
                        "a question needs a text",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The number of questions.
    pub fn question_count(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }
}

/// A stored guide version as the study page shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideView {
    pub id: i64,
    pub guide_id: i64,
    pub title: String,
    pub version: i64,
    pub questions: i64,
    pub intro: String,
    pub sections: Vec<GuideSection>,
}

/// One version of one of a study's guides, for choosing which a session follows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideVersionRef {
    pub id: i64,
    pub guide_id: i64,
    pub title: String,
    pub version: i64,
    pub created_at: String,
    /// How many sessions follow this version.
    pub sessions: i64,
}

/// A guide as lists show it: its newest version.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideSummary {
    pub id: i64,
    pub study_id: Option<i64>,
    pub title: String,
    pub current_version_id: i64,
    pub version: i64,
    pub versions: i64,
    pub questions: i64,
    /// Sessions following any version of the guide.
    pub sessions: i64,
}

/// A stored question of a version: its id is what answers and run mode point at.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StoredQuestion {
    pub id: i64,
    pub position: i64,
    pub section: String,
    pub text: String,
    pub probes: Vec<String>,
}

/// One version in full: the document, its questions' ids, and who used it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideVersionDetail {
    pub id: i64,
    pub guide_id: i64,
    pub study_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub doc: GuideDoc,
    pub questions: Vec<StoredQuestion>,
    pub sessions: i64,
    /// Every version of the guide, newest first.
    pub versions: Vec<GuideVersionRef>,
}

/// What a save did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SaveOutcome {
    pub version_id: i64,
    pub version: i64,
    /// True when the save made a new version (the one before is pinned by a session).
    pub new_version: bool,
}

/// Stores a parsed guide for a study: a new guide, or a new version of the study's guide
/// with the same title (none when the newest version already says exactly this). Returns
/// the guide version id.
pub fn store_version(conn: &Connection, study_id: Option<i64>, guide: &GuideDoc) -> Result<i64> {
    guide.validate()?;
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM guides WHERE title = ?1 AND study_id IS ?2 ORDER BY id DESC LIMIT 1",
            params![guide.title.trim(), study_id],
            |r| r.get(0),
        )
        .optional()?;
    in_transaction(conn, |tx| {
        let guide_id = match existing {
            Some(id) => {
                let (latest, source) = latest_version(tx, id)?;
                if source == format::write(guide) {
                    return Ok(latest);
                }
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO guides (study_id, title, created_at) VALUES (?1, ?2, ?3)",
                    params![study_id, guide.title.trim(), store::now()],
                )?;
                tx.last_insert_rowid()
            }
        };
        insert_version(tx, guide_id, guide)
    })
}

/// Runs `f` in a transaction of its own, or in the caller's when one is open (the demo
/// fills a workspace in one).
fn in_transaction<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return f(conn);
    }
    let tx = conn.unchecked_transaction()?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Imports a guide file (`.md`, `.markdown`, `.txt` or `.docx`) into a study. Returns the
/// version id.
pub fn import_file(conn: &Connection, study_id: Option<i64>, path: &std::path::Path) -> Result<i64> {
    let doc = read_file(path)?;
    store_version(conn, study_id, &doc)
}

/// Reads a guide file by its extension: `.docx` through [`docx`], anything else as Markdown.
pub fn read_file(path: &std::path::Path) -> Result<GuideDoc> {
    let name = path.display().to_string();
    let bytes = crate::limits::read(path, crate::limits::GUIDE, "guide")?;
    let is_docx = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if is_docx || bytes.starts_with(b"PK\x03\x04") {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("Guide");
        return docx::parse(&bytes, &name, stem);
    }
    let text = crate::limits::utf8(bytes, &name)?;
    crate::limits::check_lines(&text, &name)?;
    format::parse(&text, &name)
}

/// Creates a new guide in a study with one section and one question to start from.
pub fn create(conn: &Connection, study_id: i64, title: &str) -> Result<i64> {
    crate::study::get(conn, study_id)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::invalid("title", "a guide needs a title"));
    }
    let taken: Option<i64> = conn
        .query_row(
            "SELECT id FROM guides WHERE title = ?1 AND study_id = ?2",
            params![title, study_id],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(Error::AlreadyExists { what: "guide", key: title.to_string() });
    }
    let doc = GuideDoc {
        title: title.to_string(),
        intro: String::new(),
        sections: vec![GuideSection {
            title: "Warm-up".into(),
            note: String::new(),
            questions: vec![GuideQuestion {
                text: "Tell me about your role and what you work on day to day.".into(),
                ..GuideQuestion::default()
            }],
        }],
    };
    let version = store_version(conn, Some(study_id), &doc)?;
    guide_of_version(conn, version)
}

/// Saves an edit of a guide: a new version when a session has used the newest one,
/// otherwise the newest version is replaced. Nothing changes when the text is the same.
pub fn save(conn: &Connection, guide_id: i64, doc: &GuideDoc) -> Result<SaveOutcome> {
    doc.validate()?;
    let tx = conn.unchecked_transaction()?;
    let (latest, source) = latest_version(&tx, guide_id)?;
    let version_no = |id: i64| -> Result<i64> {
        Ok(tx.query_row("SELECT version FROM guide_versions WHERE id = ?1", [id], |r| r.get(0))?)
    };
    let canonical = format::write(doc);
    if canonical == source {
        let version = version_no(latest)?;
        return Ok(SaveOutcome { version_id: latest, version, new_version: false });
    }
    tx.execute("UPDATE guides SET title = ?2 WHERE id = ?1", params![guide_id, doc.title.trim()])?;
    let used: i64 =
        tx.query_row("SELECT count(*) FROM sessions WHERE guide_version_id = ?1", [latest], |r| r.get(0))?;
    let outcome = if used > 0 {
        let id = insert_version(&tx, guide_id, doc)?;
        SaveOutcome { version_id: id, version: version_no(id)?, new_version: true }
    } else {
        tx.execute("UPDATE guide_versions SET source = ?2 WHERE id = ?1", params![latest, canonical])?;
        tx.execute("DELETE FROM guide_questions WHERE guide_version_id = ?1", [latest])?;
        insert_questions(&tx, latest, doc)?;
        SaveOutcome { version_id: latest, version: version_no(latest)?, new_version: false }
    };
    tx.commit()?;
    Ok(outcome)
}

/// Deletes a guide with all its versions; sessions that followed it keep everything else
/// and follow no guide any more. Returns how many sessions that was.
pub fn delete(conn: &Connection, guide_id: i64) -> Result<i64> {
    latest_version(conn, guide_id)?;
    let tx = conn.unchecked_transaction()?;
    let sessions: i64 = tx.query_row(
        "SELECT count(*) FROM sessions WHERE guide_version_id IN (SELECT id FROM guide_versions WHERE guide_id = ?1)",
        [guide_id],
        |r| r.get(0),
    )?;
    tx.execute("DELETE FROM guides WHERE id = ?1", [guide_id])?;
    tx.commit()?;
    Ok(sessions)
}

fn latest_version(conn: &Connection, guide_id: i64) -> Result<(i64, String)> {
    conn.query_row(
        "SELECT id, source FROM guide_versions WHERE guide_id = ?1 ORDER BY version DESC LIMIT 1",
        [guide_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::not_found("guide", guide_id))
}

fn insert_version(conn: &Connection, guide_id: i64, doc: &GuideDoc) -> Result<i64> {
    let version: i64 = conn.query_row(
        "SELECT coalesce(max(version), 0) + 1 FROM guide_versions WHERE guide_id = ?1",
        [guide_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO guide_versions (guide_id, version, source, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![guide_id, version, format::write(doc), store::now()],
    )?;
    let version_id = conn.last_insert_rowid();
    insert_questions(conn, version_id, doc)?;
    Ok(version_id)
}

fn insert_questions(conn: &Connection, version_id: i64, doc: &GuideDoc) -> Result<()> {
    let mut insert = conn.prepare(
        "INSERT INTO guide_questions (guide_version_id, position, section, text, probes, kind, note, minutes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut position = 0;
    for section in &doc.sections {
        for q in &section.questions {
            position += 1;
            let probes = serde_json::to_string(&q.probes).expect("strings serialise");
            insert.execute(params![
                version_id,
                position,
                section.title,
                q.text.trim(),
                probes,
                q.kind.as_str(),
                q.note,
                q.minutes
            ])?;
        }
    }
    Ok(())
}

/// The guide a version belongs to.
pub fn guide_of_version(conn: &Connection, version_id: i64) -> Result<i64> {
    conn.query_row("SELECT guide_id FROM guide_versions WHERE id = ?1", [version_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("guide version", version_id))
}

/// The newest version of a guide.
pub fn current_version(conn: &Connection, guide_id: i64) -> Result<i64> {
    Ok(latest_version(conn, guide_id)?.0)
}

/// A version's document, read back from its canonical Markdown.
pub fn doc(conn: &Connection, version_id: i64) -> Result<GuideDoc> {
    let source: String = conn
        .query_row("SELECT source FROM guide_versions WHERE id = ?1", [version_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("guide version", version_id))?;
    format::parse(&source, &format!("guide version {version_id}"))
}

/// The canonical Markdown of a guide's newest version (what `guide export` prints).
pub fn export(conn: &Connection, guide_id: i64) -> Result<String> {
    let v = current_version(conn, guide_id)?;
    Ok(format::write(&doc(conn, v)?))
}

/// The stored questions of a version, in order.
pub fn questions(conn: &Connection, version_id: i64) -> Result<Vec<StoredQuestion>> {
    let mut stmt = conn.prepare(
        "SELECT id, position, section, text, probes FROM guide_questions WHERE guide_version_id = ?1 ORDER BY position",
    )?;
    let rows = stmt
        .query_map([version_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
        })?
        .collect::<rusqlite::Result<Vec<(i64, i64, String, String, String)>>>()?;
    rows.into_iter()
        .map(|(id, position, section, text, probes)| {
            let probes = serde_json::from_str(&probes).map_err(|e| {
                Error::Integrity(format!("guide question {id}: probes are not a JSON list: {e}"))
            })?;
            Ok(StoredQuestion { id, position, section, text, probes })
        })
        .collect()
}

/// One version in full, with the list of the guide's versions.
pub fn version_detail(conn: &Connection, version_id: i64) -> Result<GuideVersionDetail> {
    let (guide_id, study_id, version, created_at): (i64, Option<i64>, i64, String) = conn
        .query_row(
            "SELECT v.guide_id, g.study_id, v.version, v.created_at FROM guide_versions v JOIN guides g ON g.id = v.guide_id
             WHERE v.id = ?1",
            [version_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found("guide version", version_id))?;
    let sessions =
        conn.query_row("SELECT count(*) FROM sessions WHERE guide_version_id = ?1", [version_id], |r| {
            r.get(0)
        })?;
    Ok(GuideVersionDetail {
        id: version_id,
        guide_id,
        study_id,
        version,
        created_at,
        doc: doc(conn, version_id)?,
        questions: questions(conn, version_id)?,
        sessions,
        versions: versions_of_guide(conn, guide_id)?,
    })
}

const VERSION_REF_SQL: &str = "SELECT v.id, g.id, g.title, v.version, v.created_at,
    (SELECT count(*) FROM sessions s WHERE s.guide_version_id = v.id)
    FROM guide_versions v JOIN guides g ON g.id = v.guide_id";

fn version_ref(r: &rusqlite::Row<'_>) -> rusqlite::Result<GuideVersionRef> {
    Ok(GuideVersionRef {
        id: r.get(0)?,
        guide_id: r.get(1)?,
        title: r.get(2)?,
        version: r.get(3)?,
        created_at: r.get(4)?,
        sessions: r.get(5)?,
    })
}

/// Every version of one guide, newest first.
pub fn versions_of_guide(conn: &Connection, guide_id: i64) -> Result<Vec<GuideVersionRef>> {
    let mut stmt = conn.prepare(&format!("{VERSION_REF_SQL} WHERE g.id = ?1 ORDER BY v.version DESC"))?;
    let rows = stmt.query_map([guide_id], version_ref)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every version of the study's guides, the current one first.
pub fn versions_for_study(conn: &Connection, study_id: i64) -> Result<Vec<GuideVersionRef>> {
    let mut stmt = conn.prepare(&format!(
        "{VERSION_REF_SQL} WHERE g.study_id = ?1 ORDER BY g.created_at DESC, g.id DESC, v.version DESC"
    ))?;
    let rows = stmt.query_map([study_id], version_ref)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The guides of a study (or of every study), newest first.
pub fn list(conn: &Connection, study_id: Option<i64>) -> Result<Vec<GuideSummary>> {
    let mut stmt = conn.prepare(
        "SELECT g.id, g.study_id, g.title, v.id, v.version,
                (SELECT count(*) FROM guide_versions x WHERE x.guide_id = g.id),
                (SELECT count(*) FROM guide_questions q WHERE q.guide_version_id = v.id),
                (SELECT count(*) FROM sessions s JOIN guide_versions x ON x.id = s.guide_version_id WHERE x.guide_id = g.id)
         FROM guides g JOIN guide_versions v ON v.guide_id = g.id
         WHERE v.version = (SELECT max(version) FROM guide_versions x WHERE x.guide_id = g.id)
           AND (?1 IS NULL OR g.study_id = ?1)
         ORDER BY g.created_at DESC, g.id DESC",
    )?;
    let rows = stmt
        .query_map([study_id], |r| {
            Ok(GuideSummary {
                id: r.get(0)?,
                study_id: r.get(1)?,
                title: r.get(2)?,
                current_version_id: r.get(3)?,
                version: r.get(4)?,
                versions: r.get(5)?,
                questions: r.get(6)?,
                sessions: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The newest version of the newest guide of a study, if it has one.
pub fn current_for_study(conn: &Connection, study_id: i64) -> Result<Option<GuideView>> {
    let row: Option<(i64, i64, String, i64)> = conn
        .query_row(
            "SELECT v.id, g.id, g.title, v.version FROM guide_versions v JOIN guides g ON g.id = v.guide_id
             WHERE g.study_id = ?1 ORDER BY g.created_at DESC, g.id DESC, v.version DESC LIMIT 1",
            [study_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((version_id, guide_id, title, version)) = row else { return Ok(None) };
    let doc = doc(conn, version_id)?;
    Ok(Some(GuideView {
        id: version_id,
        guide_id,
        title,
        version,
        questions: doc.question_count() as i64,
        intro: doc.intro,
        sections: doc.sections,
    }))
}

/// Resolves a guide given as an id or a title (of any study).
pub fn resolve(conn: &Connection, key: &str) -> Result<i64> {
    if let Ok(id) = key.trim().parse::<i64>() {
        latest_version(conn, id)?;
        return Ok(id);
    }
    conn.query_row("SELECT id FROM guides WHERE title = ?1 ORDER BY id DESC LIMIT 1", [key.trim()], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| Error::not_found("guide", key))
}
