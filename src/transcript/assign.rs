//! Who says each segment: re-splitting segments by speaker (diarization's result) and moving a
//! segment, or the rest of it from a word, to another speaker.
//!
//! Writes `segments` and `speakers` only (this module's tables); the diarizer decides where
//! the speakers change, this module applies it. A segment cut in parts keeps its id (and its
//! history, with the change recorded) for the first part; the others are new segments.

use rusqlite::{params, Connection};

use super::edit::{record_edit, split_segment};
use super::speakers::drop_unused;
use super::{atomically, renumber, segment, speaker_for_label, words_json, Cue, SegmentDetail};
use crate::error::{Error, Result};

/// Replaces each listed segment (by id) with its parts, in one savepoint; a part's `speaker`
/// is a label of the session (made when new). Speakers left without segments are removed.
/// Returns how many segments the transcript gained.
pub fn resplit(conn: &Connection, session_id: i64, plan: &[(i64, Vec<Cue>)]) -> Result<usize> {
    atomically(conn, || {
        let transcript_id: i64 = conn
            .query_row("SELECT id FROM transcripts WHERE session_id = ?1", [session_id], |r| r.get(0))
            .map_err(|_| {
                Error::invalid(
                    format!("session {session_id}"),
                    "has no transcript: transcribe or import one first",
                )
            })?;
        let mut added = 0;
        for (id, parts) in plan {
            let row = segment(conn, *id)?;
            if row.session_id != session_id {
                return Err(Error::invalid(
                    "segment",
                    format!("segment {id} is not in session {session_id}"),
                ));
            }
            let Some((first, rest)) = parts.split_first() else { continue };
            let speaker = |cue: &Cue| -> Result<Option<i64>> {
                cue.speaker.as_deref().map(|l| speaker_for_label(conn, session_id, l)).transpose()
            };
            conn.execute(
                "UPDATE segments SET start_ms = ?2, end_ms = ?3, text = ?4, words = ?5, speaker_id = ?6 WHERE id = ?1",
                params![id, first.start_ms, first.end_ms, first.text, words_json(&first.words), speaker(first)?],
            )?;
            if first.text != row.text {
                record_edit(conn, *id, &row.text, &first.text)?;
            }
            for cue in rest {
                conn.execute(
                    "INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text, words)
                     VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6)",
                    params![transcript_id, cue.start_ms, cue.end_ms, speaker(cue)?, cue.text, words_json(&cue.words)],
                )?;
                added += 1;
            }
        }
        renumber(conn, transcript_id)?;
        drop_unused(conn, session_id)?;
        Ok(added)
    })
}

/// Moves segment `segment_id` to the session's speaker `speaker` (a label or shown name; a
/// new label makes a new speaker). With `from_word` (an index into its word timings, or into
/// its words by spaces when it has none), only the words from there on move: the segment is
/// split at that word first. Returns the segment that moved.
pub fn move_to_speaker(
    conn: &Connection,
    segment_id: i64,
    from_word: Option<usize>,
    speaker: &str,
) -> Result<SegmentDetail> {
    let speaker = speaker.trim();
    if speaker.is_empty() {
        return Err(Error::invalid("speaker", "name the speaker to move the segment to"));
    }
    atomically(conn, || {
        let row = segment(conn, segment_id)?;
        let target = match super::speakers::resolve_speaker(conn, row.session_id, speaker) {
            Ok(id) => id,
            Err(_) => speaker_for_label(conn, row.session_id, speaker)?,
        };
        let moving = match from_word {
            None | Some(0) => segment_id,
            Some(k) => {
                let count =
                    if row.words.is_empty() { row.text.split_whitespace().count() } else { row.words.len() };
                if k >= count {
                    return Err(Error::invalid(
                        "--from-word",
                        format!("segment {segment_id} has {count} words (0 to {}), found {k}", count - 1),
                    ));
                }
                let at = if row.words.is_empty() {
                    let tokens: Vec<&str> = row.text.split_whitespace().collect();
                    let before: usize = tokens[..k].iter().map(|t| t.len() + 1).sum();
                    let total = row.text.len().max(1);
                    row.start_ms + (row.end_ms - row.start_ms) * before as i64 / total as i64
                } else {
                    row.words[k].start_ms
                };
                let at = at.clamp(row.start_ms + 1, (row.end_ms - 1).max(row.start_ms + 1));
                split_segment(conn, segment_id, at)?.second.id
            }
        };
        conn.execute("UPDATE segments SET speaker_id = ?2 WHERE id = ?1", params![moving, target])?;
        drop_unused(conn, row.session_id)?;
        segment(conn, moving)
    })
}
