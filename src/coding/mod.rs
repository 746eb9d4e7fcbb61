//! Coding: the hierarchical tag codebook and highlights (tagged spans of a transcript, a
//! note, an NPS response's comment or a feedback item's text).
//!
//! Owns `tags`, `highlights` and `highlight_tags`. A tag path is its names joined by `/`
//! (`Deploy/Gates`); making a path makes its missing parents. `codebook.rs` holds the
//! codebook's verbs (add, edit, rename, move, merge, delete with its plan, counts per tag,
//! session and person); `highlights.rs` the highlights (a time span of a session, words of a
//! note, or a span in code points of an NPS comment or feedback text, with their exact words
//! kept so they survive re-transcription); `text_spans.rs` the spans of NPS comments and
//! feedback texts (code points) and their marks. NPS and feedback highlights belong to no study:
//! a study counts those its findings cite.

pub mod codebook;
pub mod highlights;
pub mod text_spans;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::Table;

pub use codebook::{TagDeletePlan, TagInput, TagMerge, TagUsage, TagView};
pub use highlights::{
    add_highlight, highlights_of_session, HighlightFilter, HighlightInput, HighlightRow, HighlightSource,
    HighlightView,
};
pub use text_spans::TextHighlightView;

/// A tag and how many highlights carry it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagCount {
    pub path: String,
    pub highlights: i64,
}

/// A tag path with its levels trimmed, refusing empty levels.
pub fn normalise_path(path: &str) -> Result<String> {
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

/// The id of a tag given by id or path.
pub fn resolve_tag(conn: &Connection, key: &str) -> Result<i64> {
    if let Ok(id) = key.trim().parse::<i64>() {
        let found: Option<i64> =
            conn.query_row("SELECT id FROM tags WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
    }
    let path = normalise_path(key)?;
    conn.query_row("SELECT id FROM tags WHERE path = ?1 COLLATE NOCASE", [&path], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("tag", key))
}

/// Imports a codebook CSV with columns `path` and optional `description` and `color`.
pub fn import_codebook(conn: &Connection, table: &Table) -> Result<usize> {
    table.require_columns(&["path"])?;
    for rec in table.records() {
        let path = rec.required("path")?;
        let id = ensure_tag(conn, path, rec.get("description")).map_err(|e| rec.error("path", e))?;
        if let Some(color) = rec.get("color").filter(|c| !c.trim().is_empty()) {
            let color = codebook::normalise_color(color).map_err(|e| rec.error("color", e))?;
            conn.execute("UPDATE tags SET color = ?2 WHERE id = ?1", params![id, color])?;
        }
    }
    Ok(table.records().len())
}

/// Every tag with its number of highlights (within one study, or everywhere), by path.
pub fn tag_counts(conn: &Connection, study_id: Option<i64>) -> Result<Vec<TagCount>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.path,
                (SELECT count(*) FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id
                 WHERE ht.tag_id = t.id AND {})
         FROM tags t ORDER BY t.path",
        highlights::in_study_sql(1)
    ))?;
    let rows = stmt
        .query_map([study_id], |r| Ok(TagCount { path: r.get(0)?, highlights: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Runs `f` inside a savepoint: all of it is written, or none of it.
pub(crate) fn atomically<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::store::savepoint(conn, "rapport_coding", true, f)
}
