//! Highlights: a time span of a session's transcript (or words of one of its notes) with tags
//! and a comment. A highlight keeps its exact words: the words selected in the window, or
//! the text of the segments inside the span when only times are given (the CLI; where the
//! speaker changes inside the span, the next one's name starts a new line).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{atomically, ensure_tag};
use crate::error::{Error, Result};
use crate::store;

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

/// A new highlight: a span of the session's transcript, or words of one of its notes.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct HighlightInput {
    pub session_id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Tag paths (made when missing).
    pub tags: Vec<String>,
    pub comment: Option<String>,
    /// The exact words selected; they must be in the transcript inside the span (or in the
    /// note). `None` takes the whole segments inside the span.
    pub text: Option<String>,
    /// Highlight words of this note of the session instead of the transcript.
    pub note_id: Option<i64>,
}

/// A highlight with where it comes from, as lists, the findings board and exports show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HighlightRow {
    pub id: i64,
    pub session_id: i64,
    pub study_id: i64,
    pub session_title: Option<String>,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub person_role: Option<String>,
    /// The speaker of the segment where it starts (none for a note).
    pub speaker: Option<String>,
    pub note_id: Option<i64>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
    pub tags: Vec<String>,
    pub comment: Option<String>,
    /// Findings that use it as evidence.
    pub findings: Vec<i64>,
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
    add(
        conn,
        &HighlightInput {
            session_id,
            start_ms,
            end_ms,
            tags: tags.to_vec(),
            comment: comment.map(str::to_string),
            text: None,
            note_id: None,
        },
    )
}

/// Adds a highlight; returns its id. Tags that do not exist yet are made.
pub fn add(conn: &Connection, input: &HighlightInput) -> Result<i64> {
    crate::session::ensure(conn, input.session_id)?;
    let (start_ms, end_ms, text) = match input.note_id {
        Some(note_id) => {
            let note: Option<(i64, String)> = conn
                .query_row(
                    "SELECT at_ms, text FROM notes WHERE id = ?1 AND session_id = ?2",
                    params![note_id, input.session_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (at_ms, note_text) = note.ok_or_else(|| Error::not_found("note of this session", note_id))?;
            let text = match input.text.as_deref().map(squash).filter(|t| !t.is_empty()) {
                Some(t) if squash(&note_text).contains(&t) => t,
                Some(t) => return Err(Error::invalid("text", format!("{t:?} is not in note {note_id}"))),
                None => note_text,
            };
            (at_ms, at_ms, text)
        }
        None => {
            let (start_ms, end_ms) = (input.start_ms, input.end_ms);
            if end_ms <= start_ms {
                return Err(Error::invalid(
                    "--to",
                    format!("the highlight must end after it starts ({start_ms} ms)"),
                ));
            }
            let segments = span_segments(conn, input.session_id, start_ms, end_ms)?;
            let texts: Vec<&str> = segments.iter().map(|(_, t)| t.as_str()).collect();
            if texts.is_empty() {
                return Err(Error::invalid(
                    "highlight",
                    format!(
                        "session {} has no transcript text between {start_ms} and {end_ms} ms",
                        input.session_id
                    ),
                ));
            }
            let joined = texts.join(" ");
            let text = match input.text.as_deref().map(squash).filter(|t| !t.is_empty()) {
                Some(t) if squash(&joined).contains(&t) => t,
                Some(t) => {
                    return Err(Error::invalid(
                        "text",
                        format!("{t:?} is not what the transcript says between {start_ms} and {end_ms} ms"),
                    ))
                }
                None => quote_of(&segments),
            };
            (start_ms, end_ms, text)
        }
    };
    atomically(conn, || {
        conn.execute(
            "INSERT INTO highlights (session_id, note_id, start_ms, end_ms, text, comment, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                input.session_id,
                input.note_id,
                start_ms,
                end_ms,
                text,
                input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()),
                store::now()
            ],
        )?;
        let id = conn.last_insert_rowid();
        set_tags(conn, id, &input.tags)?;
        Ok(id)
    })
}

/// Stores a highlight exactly as given (used by imports that carry their own text).
pub fn insert_raw(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
    text: &str,
    comment: Option<&str>,
    tag_ids: &[i64],
) -> Result<i64> {
    conn.execute(
        "INSERT INTO highlights (session_id, start_ms, end_ms, text, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![session_id, start_ms, end_ms.max(start_ms), text, comment, store::now()],
    )?;
    let id = conn.last_insert_rowid();
    for tag in tag_ids {
        conn.execute(
            "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id) VALUES (?1, ?2)",
            params![id, tag],
        )?;
    }
    Ok(id)
}

/// The segments inside a span: `(shown speaker, text)` in order.
fn span_segments(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<(Option<String>, String)>> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(sp.name, pp.name, sp.label), g.text FROM segments g JOIN transcripts t ON t.id = g.transcript_id
         LEFT JOIN speakers sp ON sp.id = g.speaker_id LEFT JOIN people pp ON pp.id = sp.person_id
         WHERE t.session_id = ?1 AND g.end_ms > ?2 AND g.start_ms < ?3 ORDER BY g.start_ms, g.position",
    )?;
    let rows = stmt
        .query_map(params![session_id, start_ms, end_ms], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The words of whole segments as a quote: one speaker's segments joined by spaces, and
/// where the speaker changes a new line with the next one's name (`\nMaya: …`), the way a
/// transcript reads (and the way REFI-QDA exports lay it out, so the quote is one run there).
pub fn quote_of(segments: &[(Option<String>, String)]) -> String {
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for (i, (speaker, text)) in segments.iter().enumerate() {
        let speaker = speaker.as_deref().filter(|s| !s.is_empty());
        if i > 0 {
            match speaker {
                Some(sp) if Some(sp) == previous => out.push(' '),
                Some(sp) => {
                    out.push('\n');
                    out.push_str(sp);
                    out.push_str(": ");
                }
                None => out.push('\n'),
            }
        }
        out.push_str(text);
        previous = speaker;
    }
    out
}

fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> Result<()> {
    conn.execute("DELETE FROM highlight_tags WHERE highlight_id = ?1", [id])?;
    for tag in tags.iter().filter(|t| !t.trim().is_empty()) {
        let tag_id = ensure_tag(conn, tag, None)?;
        conn.execute(
            "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id) VALUES (?1, ?2)",
            params![id, tag_id],
        )?;
    }
    Ok(())
}

/// Changes a highlight's tags (replacing them) and comment (`None` keeps what is there; an
/// empty comment removes it).
pub fn update(
    conn: &Connection,
    id: i64,
    tags: Option<&[String]>,
    comment: Option<&str>,
) -> Result<HighlightRow> {
    get(conn, id)?;
    atomically(conn, || {
        if let Some(tags) = tags {
            set_tags(conn, id, tags)?;
        }
        if let Some(c) = comment {
            let c = Some(c.trim()).filter(|c| !c.is_empty());
            conn.execute("UPDATE highlights SET comment = ?2 WHERE id = ?1", params![id, c])?;
        }
        Ok(())
    })?;
    get(conn, id)
}

/// Deletes a highlight (it leaves the findings it was evidence of).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM highlights WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("highlight", id));
    }
    Ok(())
}

/// Which highlights to list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct HighlightFilter {
    pub study_id: Option<i64>,
    pub session_id: Option<i64>,
    /// A tag path: highlights carrying it or one of its descendants.
    pub tag: Option<String>,
}

const ROW_SQL: &str = "
SELECT h.id, h.session_id, s.study_id, s.title, s.person_id, p.name, p.role, h.note_id, h.start_ms, h.end_ms,
       h.text, h.comment,
       (SELECT group_concat(path, char(31)) FROM (SELECT t.path FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
         WHERE ht.highlight_id = h.id ORDER BY t.path)),
       (SELECT group_concat(finding_id, ',') FROM finding_evidence fe WHERE fe.highlight_id = h.id),
       CASE WHEN h.note_id IS NULL THEN
       (SELECT coalesce(sp.name, pp.name, sp.label) FROM segments g JOIN transcripts tr ON tr.id = g.transcript_id
         LEFT JOIN speakers sp ON sp.id = g.speaker_id LEFT JOIN people pp ON pp.id = sp.person_id
         WHERE tr.session_id = h.session_id AND g.end_ms > h.start_ms ORDER BY g.start_ms, g.position LIMIT 1) END
FROM highlights h JOIN sessions s ON s.id = h.session_id LEFT JOIN people p ON p.id = s.person_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HighlightRow> {
    let tags: Option<String> = r.get(12)?;
    let findings: Option<String> = r.get(13)?;
    Ok(HighlightRow {
        id: r.get(0)?,
        session_id: r.get(1)?,
        study_id: r.get(2)?,
        session_title: r.get(3)?,
        person_id: r.get(4)?,
        person_name: r.get(5)?,
        person_role: r.get(6)?,
        note_id: r.get(7)?,
        start_ms: r.get(8)?,
        end_ms: r.get(9)?,
        text: r.get(10)?,
        comment: r.get(11)?,
        tags: tags.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default(),
        findings: findings
            .map(|f| {
                let mut ids: Vec<i64> = f.split(',').filter_map(|x| x.parse().ok()).collect();
                ids.sort_unstable();
                ids
            })
            .unwrap_or_default(),
        speaker: r.get(14)?,
    })
}

/// One highlight.
pub fn get(conn: &Connection, id: i64) -> Result<HighlightRow> {
    conn.query_row(&format!("{ROW_SQL} WHERE h.id = ?1"), [id], row)
        .optional()?
        .ok_or_else(|| Error::not_found("highlight", id))
}

/// Highlights matching `filter`, by session and time.
pub fn list(conn: &Connection, filter: &HighlightFilter) -> Result<Vec<HighlightRow>> {
    let tag_path = filter.tag.as_deref().map(super::normalise_path).transpose()?;
    if let Some(path) = &tag_path {
        super::resolve_tag(conn, path)?;
    }
    let mut stmt = conn.prepare(&format!(
        "{ROW_SQL} WHERE (?1 IS NULL OR s.study_id = ?1) AND (?2 IS NULL OR h.session_id = ?2)
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
                WHERE ht.highlight_id = h.id AND (t.path = ?3 COLLATE NOCASE OR t.path LIKE ?3 || '/%')))
         ORDER BY s.at, h.session_id, h.start_ms, h.id"
    ))?;
    let rows = stmt
        .query_map(params![filter.study_id, filter.session_id, tag_path], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The highlights of a session in time order, with their tag paths.
pub fn highlights_of_session(conn: &Connection, session_id: i64) -> Result<Vec<HighlightView>> {
    Ok(list(conn, &HighlightFilter { session_id: Some(session_id), ..Default::default() })?
        .into_iter()
        .map(|h| HighlightView {
            id: h.id,
            start_ms: h.start_ms,
            end_ms: h.end_ms,
            text: h.text,
            tags: h.tags,
            note: h.comment,
        })
        .collect())
}

/// The ids of the highlights of these sessions.
pub fn ids_of_sessions(conn: &Connection, sessions: &[i64]) -> Result<Vec<i64>> {
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    let mut stmt =
        conn.prepare("SELECT id FROM highlights WHERE session_id IN (SELECT value FROM json_each(?1))")?;
    let rows = stmt.query_map([ids], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The ids of the highlights of a session that overlap one of the `(session, start_ms,
/// end_ms)` spans.
pub fn ids_overlapping(conn: &Connection, spans: &[(i64, i64, i64)]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM highlights WHERE session_id = ?1 AND note_id IS NULL AND start_ms < ?3 AND end_ms > ?2",
    )?;
    let mut out = std::collections::BTreeSet::new();
    for (session, start, end) in spans {
        for id in stmt.query_map(params![session, start, end], |r| r.get::<_, i64>(0))? {
            out.insert(id?);
        }
    }
    Ok(out.into_iter().collect())
}

/// Deletes these highlights (a forget's: they leave the findings they were evidence of).
/// Writes no transaction of its own. Returns how many went.
pub fn delete_many(conn: &Connection, ids: &[i64]) -> Result<i64> {
    let ids = serde_json::to_string(ids).expect("ids serialise");
    Ok(conn.execute("DELETE FROM highlights WHERE id IN (SELECT value FROM json_each(?1))", [ids])? as i64)
}
