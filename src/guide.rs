//! Interview guides: a Markdown document of sections, questions and probes, versioned.
//!
//! Owns `guides`, `guide_versions` and `guide_questions`. The Markdown form is:
//! `# Title`, then `## Section` headings, numbered items `1. Question` and, indented under a
//! question, bullet items `- probe`. Importing a guide with the title of one the study already
//! has adds a new version; the old versions stay (sessions point at the version they used).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

/// One question and its follow-up probes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GuideQuestion {
    pub text: String,
    pub probes: Vec<String>,
}

/// A titled group of questions.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GuideSection {
    pub title: String,
    pub questions: Vec<GuideQuestion>,
}

/// A parsed guide document.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedGuide {
    pub title: String,
    pub sections: Vec<GuideSection>,
}

/// A stored guide version as the app shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideView {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub questions: i64,
    pub sections: Vec<GuideSection>,
}

/// Parses the Markdown guide format. `source_name` is used in error messages.
pub fn parse(text: &str, source_name: &str) -> Result<ParsedGuide> {
    let mut title: Option<String> = None;
    let mut sections: Vec<GuideSection> = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let at = || format!("{source_name}:{line_no}");
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(t) = trimmed.strip_prefix("# ") {
            if title.is_some() {
                return Err(Error::invalid(at(), "a second `# title` line; a guide has one title"));
            }
            title = Some(t.trim().to_string());
        } else if let Some(s) = trimmed.strip_prefix("## ") {
            sections.push(GuideSection { title: s.trim().to_string(), questions: Vec::new() });
        } else if let Some(q) = numbered_item(trimmed) {
            if raw.starts_with(' ') || raw.starts_with('\t') {
                return Err(Error::invalid(at(), "a numbered question must not be indented"));
            }
            if sections.is_empty() {
                sections.push(GuideSection { title: String::new(), questions: Vec::new() });
            }
            let section = sections.last_mut().expect("a section exists");
            section.questions.push(GuideQuestion { text: q.to_string(), probes: Vec::new() });
        } else if let Some(p) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
            let question = sections.last_mut().and_then(|s| s.questions.last_mut()).ok_or_else(|| {
                Error::invalid(at(), "a probe (`- ...`) must come under a numbered question")
            })?;
            question.probes.push(p.trim().to_string());
        }
        // Any other line is prose (an intro or a remark) and is kept only in the source.
    }
    let title = title.ok_or_else(|| Error::invalid(source_name, "expected a `# title` line"))?;
    if sections.iter().all(|s| s.questions.is_empty()) {
        return Err(Error::invalid(source_name, "expected at least one numbered question (`1. ...`)"));
    }
    Ok(ParsedGuide { title, sections })
}

fn numbered_item(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &line[digits..];
    rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")).map(str::trim)
}

/// Stores a parsed guide for a study: a new guide, or a new version of the study's guide
/// with the same title. Returns the guide version id.
pub fn store_version(
    conn: &Connection,
    study_id: Option<i64>,
    source: &str,
    guide: &ParsedGuide,
) -> Result<i64> {
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM guides WHERE title = ?1 AND study_id IS ?2",
            params![guide.title, study_id],
            |r| r.get(0),
        )
        .optional()?;
    let guide_id = match existing {
        Some(id) => id,
        None => {
            conn.execute(
                "INSERT INTO guides (study_id, title, created_at) VALUES (?1, ?2, ?3)",
                params![study_id, guide.title, store::now()],
            )?;
            conn.last_insert_rowid()
        }
    };
    let version: i64 = conn.query_row(
        "SELECT coalesce(max(version), 0) + 1 FROM guide_versions WHERE guide_id = ?1",
        [guide_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO guide_versions (guide_id, version, source, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![guide_id, version, source, store::now()],
    )?;
    let version_id = conn.last_insert_rowid();
    let mut insert = conn.prepare(
        "INSERT INTO guide_questions (guide_version_id, position, section, text, probes) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut position = 0;
    for section in &guide.sections {
        for q in &section.questions {
            position += 1;
            let probes = serde_json::to_string(&q.probes).expect("strings serialise");
            insert.execute(params![version_id, position, section.title, q.text, probes])?;
        }
    }
    Ok(version_id)
}

/// One version of one of a study's guides, for choosing which a session follows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideVersionRef {
    pub id: i64,
    pub guide_id: i64,
    pub title: String,
    pub version: i64,
    pub created_at: String,
}

/// Every version of the study's guides, the current one first.
pub fn versions_for_study(conn: &Connection, study_id: i64) -> Result<Vec<GuideVersionRef>> {
    let mut stmt = conn.prepare(
        "SELECT v.id, g.id, g.title, v.version, v.created_at FROM guide_versions v JOIN guides g ON g.id = v.guide_id
         WHERE g.study_id = ?1 ORDER BY g.created_at DESC, g.id DESC, v.version DESC",
    )?;
    let rows = stmt
        .query_map([study_id], |r| {
            Ok(GuideVersionRef {
                id: r.get(0)?,
                guide_id: r.get(1)?,
                title: r.get(2)?,
                version: r.get(3)?,
                created_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The newest version of the newest guide of a study, if it has one.
pub fn current_for_study(conn: &Connection, study_id: i64) -> Result<Option<GuideView>> {
    let row: Option<(i64, String, i64)> = conn
        .query_row(
            "SELECT v.id, g.title, v.version FROM guide_versions v JOIN guides g ON g.id = v.guide_id
             WHERE g.study_id = ?1 ORDER BY g.created_at DESC, g.id DESC, v.version DESC LIMIT 1",
            [study_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((version_id, title, version)) = row else { return Ok(None) };
    let mut stmt = conn.prepare(
        "SELECT section, text, probes FROM guide_questions WHERE guide_version_id = ?1 ORDER BY position",
    )?;
    let mut sections: Vec<GuideSection> = Vec::new();
    let mut questions = 0;
    let rows = stmt.query_map([version_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (section, text, probes) = row?;
        let probes: Vec<String> = serde_json::from_str(&probes)
            .map_err(|e| Error::Integrity(format!("guide question probes are not a JSON list: {e}")))?;
        questions += 1;
        if sections.last().map(|s| s.title != section).unwrap_or(true) {
            sections.push(GuideSection { title: section, questions: Vec::new() });
        }
        sections.last_mut().expect("pushed").questions.push(GuideQuestion { text, probes });
    }
    Ok(Some(GuideView { id: version_id, title, version, questions, sections }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_questions_and_probes() {
        let g = parse("# G\n\nIntro.\n\n## Warm-up\n1. Tell me about you?\n   - Team?\n   - Tenure?\n2. Next?\n## B\n1. Q3?\n", "g.md")
            .unwrap();
        assert_eq!(g.title, "G");
        assert_eq!(g.sections.len(), 2);
        assert_eq!(g.sections[0].questions[0].probes, vec!["Team?", "Tenure?"]);
        assert_eq!(g.sections[1].questions[0].text, "Q3?");
    }

    #[test]
    fn a_probe_before_any_question_names_its_line() {
        let err = parse("# G\n## S\n- stray\n", "g.md").unwrap_err();
        assert_eq!(err.to_string(), "g.md:3: a probe (`- ...`) must come under a numbered question");
    }

    #[test]
    fn a_guide_without_title_is_refused() {
        assert!(parse("1. Q?\n", "g.md").unwrap_err().to_string().contains("expected a `# title` line"));
    }
}
