//! The codebook's verbs: add, edit (description, colour), rename, move, merge (highlights
//! follow), delete (with a plan of what it removes), and counts of each tag per session and
//! per person. Paths of a tag's descendants follow every rename and move.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{atomically, normalise_path};
use crate::error::{Error, Result};

/// A tag of the codebook with how much it is used (in one study, or everywhere).
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub color: Option<String>,
    /// Highlights carrying this tag itself.
    pub highlights: i64,
    /// Sessions with at least one of them.
    pub sessions: i64,
    /// People behind them (interviewed, or who answered the survey or gave the feedback).
    pub people: i64,
}

/// A new tag, or the fields to change of one.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct TagInput {
    pub path: String,
    pub description: Option<String>,
    pub color: Option<String>,
}

/// Counts of one tag's highlights per session and per person.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagUsage {
    pub tag: TagView,
    pub by_session: Vec<UsageRow>,
    pub by_person: Vec<UsageRow>,
}

/// One row of [`TagUsage`].
#[derive(Debug, Clone, Serialize, TS)]
pub struct UsageRow {
    pub id: i64,
    pub label: String,
    pub highlights: i64,
}

/// What deleting a tag removes.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagDeletePlan {
    pub path: String,
    /// The tag and its descendants.
    pub tags: Vec<String>,
    /// Tag marks taken off highlights.
    pub codings: i64,
    /// Highlights left with no tag at all (they are kept).
    pub highlights_left_untagged: i64,
}

/// What a merge did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TagMerge {
    pub from: String,
    pub into: String,
    /// Highlights that now carry `into` instead of `from`.
    pub highlights: i64,
    /// Child tags moved under `into`.
    pub children: i64,
}

fn view_sql() -> String {
    format!(
        "SELECT t.id, t.parent_id, t.name, t.path, t.description, t.color,
       count(DISTINCT h.id), count(DISTINCT h.session_id),
       count(DISTINCT coalesce(s.person_id, r.person_id, fb.person_id))
FROM tags t
LEFT JOIN highlight_tags ht ON ht.tag_id = t.id
LEFT JOIN highlights h ON h.id = ht.highlight_id AND {}
LEFT JOIN sessions s ON s.id = h.session_id
LEFT JOIN nps_responses r ON r.id = h.nps_id LEFT JOIN feedback_items fb ON fb.id = h.feedback_id",
        super::highlights::in_study_sql(1)
    )
}

fn view_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TagView> {
    Ok(TagView {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        name: r.get(2)?,
        path: r.get(3)?,
        description: r.get(4)?,
        color: r.get(5)?,
        highlights: r.get(6)?,
        sessions: r.get(7)?,
        people: r.get(8)?,
    })
}

/// The codebook in path order (parents before children), counted within a study or all.
pub fn list(conn: &Connection, study_id: Option<i64>) -> Result<Vec<TagView>> {
    let mut stmt = conn.prepare(&format!("{} GROUP BY t.id ORDER BY t.path", view_sql()))?;
    let rows = stmt.query_map([study_id], view_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One tag, counted everywhere.
pub fn get(conn: &Connection, id: i64) -> Result<TagView> {
    let mut stmt = conn.prepare(&format!("{} WHERE t.id = ?2 GROUP BY t.id", view_sql()))?;
    stmt.query_row(params![Option::<i64>::None, id], view_row)
        .optional()?
        .ok_or_else(|| Error::not_found("tag", id))
}

/// A colour as `#rrggbb` (from `#rgb`, `#rrggbb`, either case).
pub fn normalise_color(color: &str) -> Result<String> {
    let c = color.trim().trim_start_matches('#');
    let full = match c.len() {
        3 => c.chars().flat_map(|ch| [ch, ch]).collect::<String>(),
        6 => c.to_string(),
        _ => String::new(),
    };
    if full.len() != 6 || !full.chars().all(|ch| ch.is_ascii_hexdigit()) {
        return Err(Error::invalid("--color", format!("{color:?} is not a colour like #e07a5f")));
    }
    Ok(format!("#{}", full.to_ascii_lowercase()))
}

/// Adds a tag (and its missing parents); an existing path is `already_exists`.
pub fn add(conn: &Connection, input: &TagInput) -> Result<TagView> {
    let path = normalise_path(&input.path)?;
    let exists: Option<i64> =
        conn.query_row("SELECT id FROM tags WHERE path = ?1", [&path], |r| r.get(0)).optional()?;
    if exists.is_some() {
        return Err(Error::AlreadyExists { what: "tag", key: path });
    }
    let color = input.color.as_deref().filter(|c| !c.trim().is_empty()).map(normalise_color).transpose()?;
    atomically(conn, || {
        let description = input.description.as_deref().filter(|d| !d.trim().is_empty());
        let id = super::ensure_tag(conn, &path, description)?;
        conn.execute("UPDATE tags SET color = ?2 WHERE id = ?1", params![id, color])?;
        get(conn, id)
    })
}

/// Changes a tag's description and colour (`None` keeps it, an empty string removes it).
pub fn edit(conn: &Connection, id: i64, description: Option<&str>, color: Option<&str>) -> Result<TagView> {
    get(conn, id)?;
    if let Some(d) = description {
        let d = Some(d.trim()).filter(|d| !d.is_empty());
        conn.execute("UPDATE tags SET description = ?2 WHERE id = ?1", params![id, d])?;
    }
    if let Some(c) = color {
        let c = if c.trim().is_empty() { None } else { Some(normalise_color(c)?) };
        conn.execute("UPDATE tags SET color = ?2 WHERE id = ?1", params![id, c])?;
    }
    get(conn, id)
}

/// Gives a tag and all its descendants the path prefix `new_path` (instead of `old_path`).
fn repath(conn: &Connection, old_path: &str, new_path: &str) -> Result<()> {
    conn.execute(
        "UPDATE tags SET path = ?2 || substr(path, length(?1) + 1)
         WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'",
        params![old_path, new_path],
    )?;
    Ok(())
}

fn path_taken(conn: &Connection, path: &str) -> Result<bool> {
    Ok(conn.query_row("SELECT count(*) FROM tags WHERE path = ?1", [path], |r| r.get::<_, i64>(0))? > 0)
}

/// Renames a tag's own level (`Deploy/Gates` renamed `Checks` is `Deploy/Checks`); its
/// children follow.
pub fn rename(conn: &Connection, id: i64, new_name: &str) -> Result<TagView> {
    let tag = get(conn, id)?;
    let name = new_name.trim();
    if name.is_empty() || name.contains('/') {
        return Err(Error::invalid("name", format!("{new_name:?}: a tag name is one level, without `/`")));
    }
    let new_path = match tag.path.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/{name}"),
        None => name.to_string(),
    };
    if new_path == tag.path {
        return Ok(tag);
    }
    if path_taken(conn, &new_path)? && !new_path.eq_ignore_ascii_case(&tag.path) {
        return Err(Error::AlreadyExists { what: "tag", key: new_path });
    }
    atomically(conn, || {
        conn.execute("UPDATE tags SET name = ?2 WHERE id = ?1", params![id, name])?;
        repath(conn, &tag.path, &new_path)?;
        get(conn, id)
    })
}

/// Moves a tag (with its children) under `parent`, or to the top level when `None`.
pub fn move_to(conn: &Connection, id: i64, parent: Option<i64>) -> Result<TagView> {
    let tag = get(conn, id)?;
    let new_path = match parent {
        Some(pid) => {
            let p = get(conn, pid)?;
            if p.id == tag.id || p.path.starts_with(&format!("{}/", tag.path)) {
                return Err(Error::invalid(
                    "parent",
                    format!(
                        "cannot move {:?} under itself or one of its own children ({:?})",
                        tag.path, p.path
                    ),
                ));
            }
            format!("{}/{}", p.path, tag.name)
        }
        None => tag.name.clone(),
    };
    if new_path == tag.path {
        return Ok(tag);
    }
    if path_taken(conn, &new_path)? {
        return Err(Error::AlreadyExists { what: "tag", key: format!("{new_path} (merge the two instead)") });
    }
    atomically(conn, || {
        conn.execute("UPDATE tags SET parent_id = ?2 WHERE id = ?1", params![id, parent])?;
        repath(conn, &tag.path, &new_path)?;
        get(conn, id)
    })
}

/// Merges tag `from` into `into`: every highlight of `from` carries `into` instead, the
/// children of `from` move under `into` (merged with a child of the same name), and `from`
/// is removed.
pub fn merge(conn: &Connection, from: i64, into: i64) -> Result<TagMerge> {
    let a = get(conn, from)?;
    let b = get(conn, into)?;
    if a.id == b.id || b.path.starts_with(&format!("{}/", a.path)) {
        return Err(Error::invalid(
            "into",
            format!("cannot merge {:?} into itself or one of its children ({:?})", a.path, b.path),
        ));
    }
    atomically(conn, || {
        let mut report = TagMerge { from: a.path.clone(), into: b.path.clone(), highlights: 0, children: 0 };
        merge_inner(conn, from, into, &mut report)?;
        Ok(report)
    })
}

fn merge_inner(conn: &Connection, from: i64, into: i64, report: &mut TagMerge) -> Result<()> {
    report.highlights += conn.execute(
        "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id)
         SELECT highlight_id, ?2 FROM highlight_tags WHERE tag_id = ?1",
        params![from, into],
    )? as i64;
    let children: Vec<(i64, String)> = {
        let mut stmt = conn.prepare("SELECT id, name FROM tags WHERE parent_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let into_path: String = conn.query_row("SELECT path FROM tags WHERE id = ?1", [into], |r| r.get(0))?;
    for (child, name) in children {
        report.children += 1;
        let target: Option<i64> = conn
            .query_row("SELECT id FROM tags WHERE parent_id = ?1 AND name = ?2", params![into, name], |r| {
                r.get(0)
            })
            .optional()?;
        match target {
            Some(t) => merge_inner(conn, child, t, report)?,
            None => {
                let old: String =
                    conn.query_row("SELECT path FROM tags WHERE id = ?1", [child], |r| r.get(0))?;
                conn.execute("UPDATE tags SET parent_id = ?2 WHERE id = ?1", params![child, into])?;
                repath(conn, &old, &format!("{into_path}/{name}"))?;
            }
        }
    }
    // Descriptions and colours the target lacks come from the merged tag.
    conn.execute(
        "UPDATE tags SET description = coalesce(description, (SELECT description FROM tags WHERE id = ?1)),
                         color = coalesce(color, (SELECT color FROM tags WHERE id = ?1)) WHERE id = ?2",
        params![from, into],
    )?;
    conn.execute("DELETE FROM tags WHERE id = ?1", [from])?;
    Ok(())
}

/// What deleting a tag (with its descendants) would remove; highlights themselves stay.
pub fn delete_plan(conn: &Connection, id: i64) -> Result<TagDeletePlan> {
    let tag = get(conn, id)?;
    let mut stmt = conn.prepare(
        "SELECT id, path FROM tags WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/' ORDER BY path",
    )?;
    let tags: Vec<(i64, String)> =
        stmt.query_map([&tag.path], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let ids = serde_json::to_string(&tags.iter().map(|t| t.0).collect::<Vec<_>>()).expect("ids serialise");
    let codings: i64 = conn.query_row(
        "SELECT count(*) FROM highlight_tags WHERE tag_id IN (SELECT value FROM json_each(?1))",
        [&ids],
        |r| r.get(0),
    )?;
    let untagged: i64 = conn.query_row(
        "SELECT count(*) FROM highlights h
         WHERE EXISTS (SELECT 1 FROM highlight_tags ht WHERE ht.highlight_id = h.id
                       AND ht.tag_id IN (SELECT value FROM json_each(?1)))
           AND NOT EXISTS (SELECT 1 FROM highlight_tags ht WHERE ht.highlight_id = h.id
                       AND ht.tag_id NOT IN (SELECT value FROM json_each(?1)))",
        [&ids],
        |r| r.get(0),
    )?;
    Ok(TagDeletePlan {
        path: tag.path,
        tags: tags.into_iter().map(|t| t.1).collect(),
        codings,
        highlights_left_untagged: untagged,
    })
}

/// Deletes a tag and its descendants, taking them off every highlight; returns what went.
pub fn delete(conn: &Connection, id: i64) -> Result<TagDeletePlan> {
    let plan = delete_plan(conn, id)?;
    atomically(conn, || {
        for path in plan.tags.iter().rev() {
            conn.execute("DELETE FROM tags WHERE path = ?1", [path])?;
        }
        Ok(())
    })?;
    Ok(plan)
}

/// How often a tag is used in each session and by each person (within a study, or all).
pub fn usage(conn: &Connection, id: i64, study_id: Option<i64>) -> Result<TagUsage> {
    let tag = get(conn, id)?;
    let rows = |sql: &str| -> Result<Vec<UsageRow>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map(params![id, study_id], |r| {
                Ok(UsageRow { id: r.get(0)?, label: r.get(1)?, highlights: r.get(2)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let by_session = rows(
        "SELECT s.id, coalesce(s.title, p.name, 'session ' || s.id), count(*)
         FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id JOIN sessions s ON s.id = h.session_id
         LEFT JOIN people p ON p.id = s.person_id
         WHERE ht.tag_id = ?1 AND (?2 IS NULL OR s.study_id = ?2) GROUP BY s.id ORDER BY count(*) DESC, s.id",
    )?;
    let by_person = rows(&format!(
        "SELECT p.id, p.name, count(*)
         FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id LEFT JOIN sessions s ON s.id = h.session_id
         LEFT JOIN nps_responses r ON r.id = h.nps_id LEFT JOIN feedback_items fb ON fb.id = h.feedback_id
         JOIN people p ON p.id = coalesce(s.person_id, r.person_id, fb.person_id)
         WHERE ht.tag_id = ?1 AND {} GROUP BY p.id ORDER BY count(*) DESC, p.name",
        super::highlights::in_study_sql(2)
    ))?;
    Ok(TagUsage { tag, by_session, by_person })
}
