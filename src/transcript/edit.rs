//! Editing a transcript: a segment's text, splitting and merging segments, and replacing one
//! time span with new cues (re-transcribing it).
//!
//! Every change of a segment's text keeps the text before it in `segment_edits` (with the
//! time), so nothing typed or transcribed is lost; merging moves the second segment's history
//! to the merged one. Highlights are not touched: they keep their own text and times.
//! Word timings follow the text where they can: an edit that keeps the number of words keeps
//! them (with the new spellings), any other edit drops them; splits and merges divide and join
//! them.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::formats::collapse_whitespace;
use super::{
    atomically, renumber, segment, speaker_for_label, speakers, words_json, Cue, SegmentDetail, Word,
};
use crate::error::{Error, Result};
use crate::store;

/// An earlier text of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SegmentEdit {
    pub id: i64,
    pub segment_id: i64,
    pub old_text: String,
    pub new_text: String,
    pub at: String,
}

/// The two segments a split made: `first` keeps the id (and the history).
#[derive(Debug, Clone, Serialize, TS)]
pub struct SplitResult {
    pub first: SegmentDetail,
    pub second: SegmentDetail,
}

/// A segment row with what editing needs and views do not show.
struct Row {
    id: i64,
    transcript_id: i64,
    position: i64,
    start_ms: i64,
    end_ms: i64,
    speaker_id: Option<i64>,
    text: String,
    words: Vec<Word>,
}

fn load(conn: &Connection, id: i64) -> Result<Row> {
    let row = conn
        .query_row(
            "SELECT id, transcript_id, position, start_ms, end_ms, speaker_id, text FROM segments WHERE id = ?1",
            [id],
            |r| {
                Ok(Row {
                    id: r.get(0)?,
                    transcript_id: r.get(1)?,
                    position: r.get(2)?,
                    start_ms: r.get(3)?,
                    end_ms: r.get(4)?,
                    speaker_id: r.get(5)?,
                    text: r.get(6)?,
                    words: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| Error::not_found("segment", id))?;
    // The stored words are validated by `segment`, which reads the same column.
    Ok(Row { words: segment(conn, id)?.words, ..row })
}

pub(crate) fn record_edit(conn: &Connection, segment_id: i64, old_text: &str, new_text: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO segment_edits (segment_id, old_text, new_text, at) VALUES (?1, ?2, ?3, ?4)",
        params![segment_id, old_text, new_text, store::now()],
    )?;
    Ok(())
}

/// Replaces a segment's text, keeping the old text in its history. Returns the segment.
pub fn edit_segment(conn: &Connection, segment_id: i64, text: &str) -> Result<SegmentDetail> {
    let text = collapse_whitespace(text);
    if text.is_empty() {
        return Err(Error::invalid(
            "--text",
            "a segment's text must not be empty; to drop a segment, merge it into its neighbour",
        ));
    }
    atomically(conn, || {
        let row = load(conn, segment_id)?;
        if row.text == text {
            return segment(conn, segment_id);
        }
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let words: Vec<Word> = if row.words.len() == tokens.len() {
            row.words.iter().zip(&tokens).map(|(w, t)| Word { text: t.to_string(), ..w.clone() }).collect()
        } else {
            Vec::new()
        };
        conn.execute(
            "UPDATE segments SET text = ?2, words = ?3 WHERE id = ?1",
            params![segment_id, text, words_json(&words)],
        )?;
        record_edit(conn, segment_id, &row.text, &text)?;
        segment(conn, segment_id)
    })
}

/// The earlier texts of a segment, oldest first.
pub fn segment_history(conn: &Connection, segment_id: i64) -> Result<Vec<SegmentEdit>> {
    load(conn, segment_id)?;
    let mut stmt = conn.prepare(
        "SELECT id, segment_id, old_text, new_text, at FROM segment_edits WHERE segment_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([segment_id], |r| {
            Ok(SegmentEdit {
                id: r.get(0)?,
                segment_id: r.get(1)?,
                old_text: r.get(2)?,
                new_text: r.get(3)?,
                at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The word boundary (1..tokens.len()) whose place in the text, counted in characters, is
/// nearest to `fraction` of the text.
fn boundary_by_chars(tokens: &[&str], fraction: f64) -> usize {
    let total: usize = tokens.iter().map(|t| t.chars().count()).sum::<usize>() + tokens.len() - 1;
    let target = fraction * total as f64;
    let mut before = 0usize;
    let mut best = (1, f64::INFINITY);
    for (k, token) in tokens.iter().enumerate().take(tokens.len() - 1) {
        before += token.chars().count();
        // The boundary after token k is the space between it and the next.
        let distance = (before as f64 + 0.5 - target).abs();
        if distance < best.1 {
            best = (k + 1, distance);
        }
        before += 1;
    }
    best.0
}

/// Splits a segment in two at the word boundary nearest to `at_ms`. With word timings the
/// split is at the start of the word nearest to `at_ms` and the words are divided there;
/// without them the text is divided in proportion to the time (by characters, at a space)
/// and the split is at `at_ms`. The first part keeps the id and records the change.
pub fn split_segment(conn: &Connection, segment_id: i64, at_ms: i64) -> Result<SplitResult> {
    atomically(conn, || {
        let row = load(conn, segment_id)?;
        if !(row.start_ms < at_ms && at_ms < row.end_ms) {
            return Err(Error::invalid(
                "--at",
                format!(
                    "expected a time inside segment {segment_id} (between {} and {} ms), found {at_ms} ms",
                    row.start_ms, row.end_ms
                ),
            ));
        }
        let tokens: Vec<&str> = row.text.split_whitespace().collect();
        if tokens.len() < 2 {
            return Err(Error::invalid(
                "segment",
                format!(
                    "segment {segment_id} is one word ({:?}); there is no word boundary to split at",
                    row.text
                ),
            ));
        }
        let fraction_at = |ms: i64| (ms - row.start_ms) as f64 / (row.end_ms - row.start_ms) as f64;
        let (k, split_ms, first_words, second_words) = if row.words.len() >= 2 {
            let w = &row.words;
            let k = (1..w.len()).min_by_key(|&k| (w[k].start_ms - at_ms).abs()).expect("two words or more");
            let split_ms = w[k].start_ms.clamp(row.start_ms, row.end_ms);
            let token_k =
                if tokens.len() == w.len() { k } else { boundary_by_chars(&tokens, fraction_at(split_ms)) };
            (token_k, split_ms, w[..k].to_vec(), w[k..].to_vec())
        } else {
            (boundary_by_chars(&tokens, fraction_at(at_ms)), at_ms, Vec::new(), Vec::new())
        };
        let first_text = tokens[..k].join(" ");
        let second_text = tokens[k..].join(" ");
        conn.execute(
            "UPDATE segments SET text = ?2, end_ms = ?3, words = ?4 WHERE id = ?1",
            params![segment_id, first_text, split_ms, words_json(&first_words)],
        )?;
        record_edit(conn, segment_id, &row.text, &first_text)?;
        conn.execute(
            "INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text, words)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.transcript_id,
                row.position,
                split_ms,
                row.end_ms,
                row.speaker_id,
                second_text,
                words_json(&second_words)
            ],
        )?;
        let second_id = conn.last_insert_rowid();
        renumber(conn, row.transcript_id)?;
        Ok(SplitResult { first: segment(conn, segment_id)?, second: segment(conn, second_id)? })
    })
}

/// Merges two adjacent segments of one transcript into the earlier one: texts joined, times
/// spanned, words joined (kept only when both had them), the earlier one's speaker (else the
/// later one's). The later segment's history moves to the merged one.
pub fn merge_segments(conn: &Connection, first_id: i64, second_id: i64) -> Result<SegmentDetail> {
    if first_id == second_id {
        return Err(Error::invalid("ID2", format!("cannot merge segment {first_id} with itself")));
    }
    atomically(conn, || {
        let a = load(conn, first_id)?;
        let b = load(conn, second_id)?;
        if a.transcript_id != b.transcript_id {
            return Err(Error::invalid(
                "ID2",
                format!("segments {first_id} and {second_id} belong to different transcripts; only neighbours merge"),
            ));
        }
        let order: Vec<i64> = conn
            .prepare("SELECT id FROM segments WHERE transcript_id = ?1 ORDER BY start_ms, position, id")?
            .query_map([a.transcript_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let ia = order.iter().position(|&id| id == a.id).expect("a is in its transcript");
        let ib = order.iter().position(|&id| id == b.id).expect("b is in its transcript");
        if ia.abs_diff(ib) != 1 {
            return Err(Error::invalid(
                "ID2",
                format!(
                    "segments {first_id} and {second_id} are not neighbours ({} segment(s) lie between them); \
                     merge neighbours one pair at a time",
                    ia.abs_diff(ib) - 1
                ),
            ));
        }
        let (first, second) = if ia < ib { (a, b) } else { (b, a) };
        let text = format!("{} {}", first.text, second.text);
        let words = if first.words.is_empty() || second.words.is_empty() {
            Vec::new()
        } else {
            first.words.iter().chain(&second.words).cloned().collect()
        };
        conn.execute(
            "UPDATE segments SET text = ?2, start_ms = ?3, end_ms = ?4, speaker_id = ?5, words = ?6 WHERE id = ?1",
            params![
                first.id,
                text,
                first.start_ms.min(second.start_ms),
                first.end_ms.max(second.end_ms),
                first.speaker_id.or(second.speaker_id),
                words_json(&words)
            ],
        )?;
        conn.execute(
            "UPDATE segment_edits SET segment_id = ?1 WHERE segment_id = ?2",
            params![first.id, second.id],
        )?;
        record_edit(conn, first.id, &first.text, &text)?;
        conn.execute("DELETE FROM segments WHERE id = ?1", [second.id])?;
        renumber(conn, first.transcript_id)?;
        segment(conn, first.id)
    })
}

/// Replaces the session's segments inside `[start_ms, end_ms)` (those whose middle lies in the
/// span) with `cues`, which must lie inside the span, in absolute session time. A cue without a
/// speaker takes the speaker of the replaced segment it overlaps most. The replaced text is kept
/// in the history of the first new segment. Fails, changing nothing, when the session has no
/// transcript or a cue is outside the span.
pub fn replace_span(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
    cues: &[Cue],
) -> Result<()> {
    if start_ms < 0 || end_ms <= start_ms {
        return Err(Error::invalid(
            "span",
            format!("expected 0 <= start < end, found {start_ms}..{end_ms} ms"),
        ));
    }
    for (i, cue) in cues.iter().enumerate() {
        if cue.start_ms < start_ms || cue.end_ms > end_ms || cue.end_ms < cue.start_ms {
            return Err(Error::invalid(
                format!("cue {i}"),
                format!(
                    "expected a cue inside the span {start_ms}..{end_ms} ms, found {}..{} ms",
                    cue.start_ms, cue.end_ms
                ),
            ));
        }
        if cue.text.trim().is_empty() {
            return Err(Error::invalid(format!("cue {i}"), "expected text"));
        }
    }
    atomically(conn, || {
        let transcript_id: i64 = conn
            .query_row("SELECT id FROM transcripts WHERE session_id = ?1", [session_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found("transcript", format!("of session {session_id}")))?;
        let replaced: Vec<(i64, i64, Option<i64>, String)> = conn
            .prepare(
                "SELECT start_ms, end_ms, speaker_id, text FROM segments
                 WHERE transcript_id = ?1 AND start_ms + end_ms >= 2 * ?2 AND start_ms + end_ms < 2 * ?3
                 ORDER BY start_ms, position",
            )?
            .query_map(params![transcript_id, start_ms, end_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        conn.execute(
            "DELETE FROM segments WHERE transcript_id = ?1 AND start_ms + end_ms >= 2 * ?2 AND start_ms + end_ms < 2 * ?3",
            params![transcript_id, start_ms, end_ms],
        )?;
        let mut first_new = None;
        for cue in cues {
            let speaker_id = match cue.speaker.as_deref() {
                Some(label) => Some(speaker_for_label(conn, session_id, label)?),
                None => replaced
                    .iter()
                    .map(|(s, e, sp, _)| ((*e).min(cue.end_ms) - (*s).max(cue.start_ms), *sp))
                    .filter(|(overlap, _)| *overlap > 0)
                    .max_by_key(|(overlap, _)| *overlap)
                    .and_then(|(_, sp)| sp),
            };
            conn.execute(
                "INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text, words)
                 VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6)",
                params![
                    transcript_id,
                    cue.start_ms,
                    cue.end_ms,
                    speaker_id,
                    collapse_whitespace(&cue.text),
                    words_json(&cue.words)
                ],
            )?;
            first_new.get_or_insert(conn.last_insert_rowid());
        }
        if let (Some(id), false) = (first_new, replaced.is_empty()) {
            let old: Vec<&str> = replaced.iter().map(|(_, _, _, t)| t.as_str()).collect();
            let new: Vec<String> = cues.iter().map(|c| collapse_whitespace(&c.text)).collect();
            record_edit(conn, id, &old.join(" "), &new.join(" "))?;
        }
        renumber(conn, transcript_id)?;
        speakers::drop_unused(conn, session_id)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_char_boundary_nearest_the_fraction_wins() {
        let tokens = ["aaaa", "bb", "cccccccc"];
        assert_eq!(boundary_by_chars(&tokens, 0.0), 1);
        assert_eq!(boundary_by_chars(&tokens, 0.45), 2, "the space after `bb` is at 7.5 of 16");
        assert_eq!(boundary_by_chars(&tokens, 1.0), 2);
    }
}
