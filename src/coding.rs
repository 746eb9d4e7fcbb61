//! Coding: the hierarchical tag codebook and highlights (tagged spans of a transcript).
//!
//! Owns `tags`, `highlights` and `highlight_tags`. A tag path is its names joined by `/`
//! (`Deploy/Gates`); making a path makes its missing parents. A highlight covers a time span
//! of a session; its text is the transcript text inside the span, kept with the highlight
//! so it survives re-transcription.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;
use crate::tabular::Table;

/// A tag and how many highlights carry it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagCount {
    pub path: String,
    pub highlights: i64,
}

/// A highlight as the session page shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HighlightView {
    pub id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

fn normalise_path(path: &str) -> Result<String> {
    let parts: Vec<&str> = path.split('/').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Error::invalid(
            "tag",
            format!("{path:?} has an empty level; write levels like `Deploy/Gates`"),
        ));
    }
    Ok(parts.join("/"))
}

/// The id of the tag at `path`, creating it and its parents when missing.
pub fn ensure_tag(conn: &Connection, path: &str, description: Option<&str>) -> Result<i64> {
    let path = normalise_path(path)?;
    let mut parent: Option<i64> = None;
    let mut so_far = String::new();
    let levels: Vec<&str> = path.split('/').collect();
    for (i, name) in levels.iter().enumerate() {
        if !so_far.is_empty() {
            so_far.push('/');
        }
        so_far.push_str(name);
        let existing: Option<i64> =
            conn.query_row("SELECT id FROM tags WHERE path = ?1", [&so_far], |r| r.get(0)).optional()?;
        let is_leaf = i + 1 == levels.len();
        let id = match existing {
            Some(id) => {
                if is_leaf && description.is_some() {
                    conn.execute("UPDATE tags SET description = ?2 WHERE id = ?1", params![id, description])?;
                }
                id
            }
            None => {
                conn.execute(
                    "INSERT INTO tags (parent_id, name, path, description) VALUES (?1, ?2, ?3, ?4)",
                    params![parent, name, so_far, if is_leaf { description } else { None }],
                )?;
                conn.last_insert_rowid()
            }
        };
        parent = Some(id);
    }
    Ok(parent.expect("a path has at least one level"))
}

/// Imports a codebook CSV with columns `path` and optional `description`.
pub fn import_codebook(conn: &Connection, table: &Table) -> Result<usize> {
    table.require_columns(&["path"])?;
    for rec in table.records() {
        let path = rec.required("path")?;
        ensure_tag(conn, path, rec.get("description")).map_err(|e| rec.error("path", e))?;
    }
    Ok(table.records().len())
}

/// Adds a highlight over `[start_ms, end_ms]` of a session's transcript with tags.
/// The text is the transcript's segments inside the span.
pub fn add_highlight(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
    tags: &[String],
    comment: Option<&str>,
) -> Result<i64> {
    if end_ms <= start_ms {
        return Err(Error::invalid(
            "--to",
            format!("the highlight must end after it starts ({start_ms} ms)"),
        ));
    }
    let mut stmt = conn.prepare(
        "SELECT g.text FROM segments g JOIN transcripts t ON t.id = g.transcript_id
         WHERE t.session_id = ?1 AND g.end_ms > ?2 AND g.start_ms < ?3 ORDER BY g.start_ms, g.position",
    )?;
    let texts = stmt
        .query_map(params![session_id, start_ms, end_ms], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if texts.is_empty() {
        return Err(Error::invalid(
            "highlight",
            format!("session {session_id} has no transcript text between {start_ms} and {end_ms} ms"),
        ));
    }
    conn.execute(
        "INSERT INTO highlights (session_id, start_ms, end_ms, text, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![session_id, start_ms, end_ms, texts.join(" "), comment.filter(|c| !c.trim().is_empty()), store::now()],
    )?;
    let id = conn.last_insert_rowid();
    for tag in tags {
        let tag_id = ensure_tag(conn, tag, None)?;
        conn.execute(
            "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id) VALUES (?1, ?2)",
            params![id, tag_id],
        )?;
    }
    Ok(id)
}

/// The highlights of a session in time order, with their tag paths.
pub fn highlights_of_session(conn: &Connection, session_id: i64) -> Result<Vec<HighlightView>> {
    let mut stmt = conn.prepare(
        "SELECT h.id, h.start_ms, h.end_ms, h.text, h.comment,
                (SELECT group_concat(t.path, char(31)) FROM (SELECT t.path FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
                  WHERE ht.highlight_id = h.id ORDER BY t.path) t)
         FROM highlights h WHERE h.session_id = ?1 ORDER BY h.start_ms, h.id",
    )?;
    let rows = stmt
        .query_map([session_id], |r| {
            let tags: Option<String> = r.get(5)?;
            Ok(HighlightView {
                id: r.get(0)?,
                start_ms: r.get(1)?,
                end_ms: r.get(2)?,
                text: r.get(3)?,
                note: r.get(4)?,
                tags: tags.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every tag with its number of highlights (within one study, or everywhere), by path.
pub fn tag_counts(conn: &Connection, study_id: Option<i64>) -> Result<Vec<TagCount>> {
    let mut stmt = conn.prepare(
        "SELECT t.path,
                (SELECT count(*) FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id
                 JOIN sessions s ON s.id = h.session_id
                 WHERE ht.tag_id = t.id AND (?1 IS NULL OR s.study_id = ?1))
         FROM tags t ORDER BY t.path",
    )?;
    let rows = stmt
        .query_map([study_id], |r| Ok(TagCount { path: r.get(0)?, highlights: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
