//! NPS responses and feedback items one by one: the lists the Insights screen shows (each
//! with its highlights, so words can be marked and selected there), one item by id (for a
//! search hit), and deleting one (its highlights go with it, and so leave the findings that
//! cite them).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::coding::highlights::{segment_pairs, HighlightSource};
use crate::coding::text_spans::{self, TextHighlightView};
use crate::error::{Error, Result};

/// An NPS response with a comment, as the comments list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NpsComment {
    pub id: i64,
    pub score: i64,
    /// The respondent: a directory name when the email is known, else the survey's id or email.
    pub respondent: Option<String>,
    pub email: Option<String>,
    pub person_id: Option<i64>,
    pub submitted_at: String,
    /// Segment attributes as `key: value`.
    pub segments: Vec<String>,
    pub comment: String,
    pub highlights: Vec<TextHighlightView>,
}

/// A feedback item as the feedback list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FeedbackView {
    pub id: i64,
    /// Its channel (the CSV's `source`: in-app, email, …).
    pub channel: Option<String>,
    /// The user: a directory name when known, else the email given.
    pub user: Option<String>,
    pub person_id: Option<i64>,
    pub submitted_at: Option<String>,
    pub text: String,
    pub highlights: Vec<TextHighlightView>,
}

/// Which items a list shows: words in the text (any case), newest first, up to `limit`.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ItemFilter {
    /// Only this item (a search hit's).
    #[serde(default)]
    pub id: Option<i64>,
    pub contains: Option<String>,
    /// Only highlighted items.
    #[serde(default)]
    pub highlighted: bool,
    pub limit: Option<i64>,
}

impl ItemFilter {
    /// The filter as the item queries' parameters: ?1 the words to contain (none when blank),
    /// ?2 only highlighted items, ?3 the limit, ?4 one item's id.
    fn params(&self) -> (Option<&str>, bool, i64, Option<i64>) {
        (self.contains.as_deref().filter(|c| !c.trim().is_empty()), self.highlighted, limit(self), self.id)
    }
}

fn with_highlights<T>(
    conn: &Connection,
    source: HighlightSource,
    mut items: Vec<T>,
    id: impl Fn(&T) -> i64,
    set: impl Fn(&mut T, Vec<TextHighlightView>),
) -> Result<Vec<T>> {
    let all = text_spans::text_highlights(conn, source)?;
    for item in &mut items {
        let mine = all.iter().filter(|h| h.item_id == id(item)).cloned().collect();
        set(item, mine);
    }
    Ok(items)
}

/// NPS responses that have a comment, newest first.
pub fn comments(conn: &Connection, filter: &ItemFilter) -> Result<Vec<NpsComment>> {
    let mut stmt = conn.prepare(
        "SELECT r.id, r.score, coalesce(p.name, r.respondent, r.email), r.email, r.person_id, r.submitted_at,
                r.segments, r.comment
         FROM nps_responses r LEFT JOIN people p ON p.id = r.person_id
         WHERE r.comment IS NOT NULL AND trim(r.comment) != ''
           AND (?1 IS NULL OR instr(lower(r.comment), lower(?1)) > 0)
           AND (?2 = 0 OR EXISTS (SELECT 1 FROM highlights h WHERE h.nps_id = r.id)) AND (?4 IS NULL OR r.id = ?4)
         ORDER BY r.submitted_at DESC, r.id DESC LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(filter.params(), |r| {
            let segments: Option<String> = r.get(6)?;
            Ok(NpsComment {
                id: r.get(0)?,
                score: r.get(1)?,
                respondent: r.get(2)?,
                email: r.get(3)?,
                person_id: r.get(4)?,
                submitted_at: r.get(5)?,
                segments: segment_pairs(segments.as_deref()),
                comment: r.get(7)?,
                highlights: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    with_highlights(conn, HighlightSource::Nps, rows, |c| c.id, |c, h| c.highlights = h)
}

/// Feedback items, newest first.
pub fn feedback(conn: &Connection, filter: &ItemFilter) -> Result<Vec<FeedbackView>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.source, coalesce(p.name, f.email), f.person_id, f.submitted_at, f.text
         FROM feedback_items f LEFT JOIN people p ON p.id = f.person_id
         WHERE (?1 IS NULL OR instr(lower(f.text), lower(?1)) > 0)
           AND (?2 = 0 OR EXISTS (SELECT 1 FROM highlights h WHERE h.feedback_id = f.id)) AND (?4 IS NULL OR f.id = ?4)
         ORDER BY f.submitted_at IS NULL, f.submitted_at DESC, f.id DESC LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(filter.params(), |r| {
            Ok(FeedbackView {
                id: r.get(0)?,
                channel: r.get(1)?,
                user: r.get(2)?,
                person_id: r.get(3)?,
                submitted_at: r.get(4)?,
                text: r.get(5)?,
                highlights: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    with_highlights(conn, HighlightSource::Feedback, rows, |f| f.id, |f, h| f.highlights = h)
}

fn limit(filter: &ItemFilter) -> i64 {
    filter.limit.filter(|l| *l > 0).unwrap_or(200)
}

/// What deleting an NPS response or a feedback item removes with it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ItemDeletion {
    pub highlights: i64,
    /// Findings that cited one of those highlights (they stay, with less evidence).
    pub findings: i64,
    /// Whether it was deleted (false: only the plan was asked for).
    pub deleted: bool,
}

/// Deletes an NPS response (`Nps`) or a feedback item (`Feedback`), and with it its
/// highlights (through ON DELETE CASCADE); with `commit` false, only says what would go.
pub fn delete(conn: &Connection, source: HighlightSource, id: i64, commit: bool) -> Result<ItemDeletion> {
    let (table, column, what) = match source {
        HighlightSource::Nps => ("nps_responses", "nps_id", "NPS response"),
        HighlightSource::Feedback => ("feedback_items", "feedback_id", "feedback item"),
        _ => return Err(Error::invalid("source", "only an NPS response or a feedback item is deleted here")),
    };
    let found: Option<i64> =
        conn.query_row(&format!("SELECT id FROM {table} WHERE id = ?1"), [id], |r| r.get(0)).optional()?;
    found.ok_or_else(|| Error::not_found(what, id))?;
    let (highlights, findings): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM highlights WHERE {column} = ?1),
                    (SELECT count(DISTINCT fe.finding_id) FROM finding_evidence fe JOIN highlights h ON h.id = fe.highlight_id
                     WHERE h.{column} = ?1)"
        ),
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if commit {
        conn.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
    }
    Ok(ItemDeletion { highlights, findings, deleted: commit })
}
