//! Highlights of NPS comments and feedback items: a span `[start_char, end_char)` of the
//! comment or text in Unicode code points (as REFI-QDA counts), given by offsets or found from
//! the words; the marks their lists show.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::atomically;
use super::highlights::{list, set_tags, squash, HighlightFilter, HighlightInput, HighlightSource};
use crate::error::{Error, Result};
use crate::store;

/// A highlight of an NPS comment or a feedback item as its list shows it: a span in
/// Unicode code points of the comment or text.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TextHighlightView {
    pub id: i64,
    pub source: HighlightSource,
    /// The NPS response's or feedback item's id.
    pub item_id: i64,
    pub start_char: i64,
    pub end_char: i64,
    pub text: String,
    pub tags: Vec<String>,
    /// The first tag's colour (`#rrggbb`), for the mark.
    pub color: Option<String>,
    pub comment: Option<String>,
}

/// The comment of an NPS response or the text of a feedback item.
pub fn source_text(conn: &Connection, source: HighlightSource, id: i64) -> Result<String> {
    match source {
        HighlightSource::Nps => {
            let comment: Option<Option<String>> = conn
                .query_row("SELECT comment FROM nps_responses WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            match comment {
                None => Err(Error::not_found("NPS response", id)),
                Some(c) => c.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
                    Error::invalid("--nps", format!("NPS response {id} has no comment to highlight"))
                }),
            }
        }
        HighlightSource::Feedback => conn
            .query_row("SELECT text FROM feedback_items WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found("feedback item", id)),
        _ => Err(Error::invalid("highlight", "only NPS comments and feedback items are texts")),
    }
}

/// The span `[start, end)` in code points of `text` that a highlight input names: its
/// offsets (checked against `text` when words are given too), or where its words first
/// occur (exactly, else with any run of white space matching any other), or all of it.
pub fn text_span(full: &str, input: &HighlightInput) -> Result<(usize, usize)> {
    let chars: Vec<char> = full.chars().collect();
    let words = input.text.as_deref().filter(|t| !t.trim().is_empty());
    match (input.start_char, input.end_char) {
        (Some(a), Some(b)) => {
            if a < 0 || b <= a || b as usize > chars.len() {
                return Err(Error::invalid(
                    "--to",
                    format!(
                        "the span {a}..{b} is not inside the text of {} characters (it must end after it starts)",
                        chars.len()
                    ),
                ));
            }
            let (a, b) = (a as usize, b as usize);
            let span: String = chars[a..b].iter().collect();
            if let Some(w) = words {
                if squash(w) != squash(&span) {
                    return Err(Error::invalid(
                        "text",
                        format!("characters {a}..{b} say {span:?}, not {:?}", w.trim()),
                    ));
                }
            }
            Ok((a, b))
        }
        (None, None) => match words {
            None => Ok((0, chars.len())),
            Some(w) => find_words(&chars, w.trim()).ok_or_else(|| {
                Error::invalid("text", format!("{:?} is not in the text: {full:?}", w.trim()))
            }),
        },
        _ => Err(Error::invalid("--from", "give both --from and --to, or neither")),
    }
}

/// Where `words` first occur in `chars`: exactly, or with white space runs matching any
/// white space run. In code points.
fn find_words(chars: &[char], words: &str) -> Option<(usize, usize)> {
    let needle: Vec<char> = words.chars().collect();
    if let Some(i) = chars.windows(needle.len()).position(|w| w == needle.as_slice()) {
        return Some((i, i + needle.len()));
    }
    let tokens: Vec<&str> = words.split_whitespace().collect();
    (0..chars.len()).find_map(|start| {
        let mut at = start;
        for (k, tok) in tokens.iter().enumerate() {
            if k > 0 {
                let before = at;
                while at < chars.len() && chars[at].is_whitespace() {
                    at += 1;
                }
                if at == before {
                    return None;
                }
            }
            for c in tok.chars() {
                if chars.get(at) != Some(&c) {
                    return None;
                }
                at += 1;
            }
        }
        Some((start, at))
    })
}

/// Adds a highlight of an NPS comment or a feedback item (see [`text_span`]); returns its id.
pub fn add(conn: &Connection, source: HighlightSource, item_id: i64, input: &HighlightInput) -> Result<i64> {
    if input.note_id.is_some() {
        return Err(Error::invalid(
            "--note",
            "a note belongs to a session, not to an NPS response or feedback item",
        ));
    }
    let full = source_text(conn, source, item_id)?;
    let (a, b) = text_span(&full, input)?;
    let text: String = full.chars().skip(a).take(b - a).collect();
    atomically(conn, || {
        conn.execute(
            "INSERT INTO highlights (source, nps_id, feedback_id, start_char, end_char, text, comment, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                source.as_str(),
                (source == HighlightSource::Nps).then_some(item_id),
                (source == HighlightSource::Feedback).then_some(item_id),
                a as i64,
                b as i64,
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

/// The highlights of every NPS comment (`source` nps) or feedback item (feedback), for their
/// lists' marks, with the first tag's colour.
pub fn text_highlights(conn: &Connection, source: HighlightSource) -> Result<Vec<TextHighlightView>> {
    if !source.is_text() {
        return Err(Error::invalid("--source", "only nps and feedback highlights are marks on a list"));
    }
    let rows = list(conn, &HighlightFilter { source: Some(source), ..Default::default() })?;
    let mut colors = conn.prepare_cached("SELECT color FROM tags WHERE path = ?1")?;
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let color = match h.tags.first() {
            Some(t) => colors.query_row([t], |r| r.get::<_, Option<String>>(0)).optional()?.flatten(),
            None => None,
        };
        out.push(TextHighlightView {
            id: h.id,
            source: h.source,
            item_id: h.nps_id.or(h.feedback_id).unwrap_or(0),
            start_char: h.start_char.unwrap_or(0),
            end_char: h.end_char.unwrap_or(0),
            text: h.text,
            tags: h.tags,
            color,
            comment: h.comment,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::text_span;
    use crate::coding::HighlightInput;

    fn span(full: &str, text: Option<&str>, chars: Option<(i64, i64)>) -> crate::Result<(usize, usize)> {
        let input = HighlightInput {
            text: text.map(str::to_string),
            start_char: chars.map(|c| c.0),
            end_char: chars.map(|c| c.1),
            ..Default::default()
        };
        text_span(full, &input)
    }

    #[test]
    fn a_text_span_counts_code_points_and_finds_words_across_other_white_space() {
        let full = "Zoë 🚀 said:\nthe  gate\tblocks";
        assert_eq!(span(full, Some("said"), None).unwrap(), (6, 10), "ë and 🚀 are one each");
        assert_eq!(span(full, Some("the gate blocks"), None).unwrap(), (12, 28), "runs of white space match");
        assert_eq!(span(full, None, Some((4, 5))).unwrap(), (4, 5));
        assert_eq!(
            span(full, Some("🚀"), Some((4, 5))).unwrap(),
            (4, 5),
            "words given with offsets must match"
        );
        assert!(span(full, Some("said"), Some((4, 5))).is_err());
        assert!(span(full, None, Some((5, 5))).is_err(), "empty");
        assert!(span(full, None, Some((0, 29))).is_err(), "past the end");
        assert!(span(full, Some("gates"), None).is_err());
        assert_eq!(span(full, None, None).unwrap(), (0, 28), "no words: all of it");
    }
}
