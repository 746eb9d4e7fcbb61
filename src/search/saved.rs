//! Saved searches: a named query kept with a study (or the workspace). Owns `saved_searches`.

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

/// A saved query.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SavedSearch {
    pub id: i64,
    pub study_id: Option<i64>,
    pub name: String,
    pub query: String,
}

/// Saves `query` under `name` (replacing a search of the same name in the same study).
pub fn save_search(conn: &Connection, study_id: Option<i64>, name: &str, query: &str) -> Result<i64> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "a saved search needs a name"));
    }
    super::query::parse(query)?;
    conn.execute(
        "INSERT INTO saved_searches (study_id, name, query, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(study_id, name) DO UPDATE SET query = excluded.query",
        params![study_id, name.trim(), query, store::now()],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM saved_searches WHERE study_id IS ?1 AND name = ?2",
        params![study_id, name.trim()],
        |r| r.get(0),
    )?)
}

/// Saved searches of a study (or all when `None`), by name.
pub fn list_saved(conn: &Connection, study_id: Option<i64>) -> Result<Vec<SavedSearch>> {
    let mut stmt = conn.prepare(
        "SELECT id, study_id, name, query FROM saved_searches WHERE ?1 IS NULL OR study_id = ?1 ORDER BY name",
    )?;
    let rows = stmt
        .query_map([study_id], |r| {
            Ok(SavedSearch { id: r.get(0)?, study_id: r.get(1)?, name: r.get(2)?, query: r.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Deletes a saved search.
pub fn delete_saved(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM saved_searches WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("saved search", id));
    }
    Ok(())
}

/// The saved searches whose query mentions one of `words` (a forgotten person's email or
/// name), ignoring case.
pub fn mentioning(conn: &Connection, words: &[&str]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM saved_searches WHERE instr(lower(query), lower(?1)) > 0")?;
    let mut ids = std::collections::BTreeSet::new();
    for w in words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        for id in stmt.query_map([w], |r| r.get::<_, i64>(0))? {
            ids.insert(id?);
        }
    }
    Ok(ids.into_iter().collect())
}
