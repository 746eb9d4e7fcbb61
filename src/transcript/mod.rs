//! Transcripts: timed, speaker-labelled segments of a session; reading them from files,
//! writing them out, and editing them.
//!
//! Owns `transcripts`, `speakers`, `segments` and `segment_edits`. A session has at most one
//! current transcript; storing a new one replaces the old one atomically. Speakers are per
//! session, keyed by the label the file or the engine gave them; a speaker has an optional
//! new name (a rename) and an optional person (a link), and shows as the rename, else the
//! linked person's name, else the label.
//!
//! - [`formats`] reads WebVTT, SRT, Otter text, text with `[hh:mm:ss]` / MAXQDA / ATLAS.ti
//!   stamps and Rapport's JSON into [`Cue`]s; [`import`] stores them in one step.
//! - [`export`](mod@export) writes a session's transcript as SRT, WebVTT, text, JSON or Markdown.
//! - [`speakers`] lists, renames, merges and links speakers.
//! - [`edit`] edits, splits and merges segments (keeping every old text in `segment_edits`)
//!   and replaces one time span with new cues (re-transcription).
//!
//! Every public function that writes is atomic on its own (a savepoint), so it is safe both
//! inside a caller's transaction and without one.

pub mod assign;
pub mod edit;
pub mod export;
pub mod formats;
pub mod speakers;

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

pub use edit::{
    edit_segment, merge_segments, replace_span, segment_history, split_segment, SegmentEdit, SplitResult,
};
pub use export::{export, export_to_file, ExportFormat};
pub use formats::{detect, parse, parse_vtt, parse_with_warnings, Format, ImportWarning};
pub use speakers::{link_speaker, list_speakers, merge_speakers, rename_speaker, SpeakerView};

/// Where a format gives only start times, the last segment is assumed to last this long per
/// word (150 words a minute, an ordinary speaking rate); the others end where the next starts.
pub const ESTIMATED_MS_PER_WORD: i64 = 400;

/// A stored transcript segment, as the session page shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Segment {
    pub id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
}

/// One timed word of a segment (from a transcription engine or a JSON import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Word {
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
}

/// A segment read from a file or produced by a transcription engine, before it is stored.
/// `speaker` is the label as the source gave it; `words` is empty when there are no word
/// timings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Cue {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
    pub words: Vec<Word>,
}

impl Cue {
    /// A cue without word timings.
    pub fn new(start_ms: i64, end_ms: i64, speaker: Option<&str>, text: &str) -> Cue {
        Cue {
            start_ms,
            end_ms,
            speaker: speaker.map(str::to_string),
            text: text.to_string(),
            words: Vec::new(),
        }
    }
}

/// A stored segment with everything the editing verbs and exporters need.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SegmentDetail {
    pub id: i64,
    pub session_id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker_id: Option<i64>,
    /// The label the source gave the speaker.
    pub speaker_label: Option<String>,
    /// The name to show: the rename, else the linked person's name, else the label.
    pub speaker: Option<String>,
    pub text: String,
    pub words: Vec<Word>,
    /// How many earlier texts `segment_edits` keeps for this segment.
    pub edits: i64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportReport {
    pub session_id: i64,
    pub transcript_id: i64,
    pub format: Format,
    pub segments: usize,
    /// The speakers' labels, in order of first appearance.
    pub speakers: Vec<String>,
    /// Whether the session had a transcript that this one replaced.
    pub replaced: bool,
    /// The damaged blocks that the format's rules skip (a WebVTT or SRT block without a
    /// timing line), each with its line; the rest was imported.
    pub warnings: Vec<ImportWarning>,
}

/// Parses `HH:MM:SS.mmm` or `MM:SS.mmm` (a comma is accepted for the dot) into milliseconds.
/// A time past [`MAX_TIME_MS`] (`99999999999999999:00:00`) is not a time: `None`.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (hms, frac) = text.split_once('.').unwrap_or((&text, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    let (h, m, s) = match nums?.as_slice() {
        [h, m, s] => (*h, *m, *s),
        [m, s] => (0, *m, *s),
        _ => return None,
    };
    if m >= 60 || s >= 60 || frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_ms: i64 = format!("{frac:0<3}").parse().ok()?;
    clock_ms(h, m, s, frac_ms)
}

/// The latest time a transcript may name: 1,000 hours. A longer time is a damaged file (it
/// would overflow the arithmetic on times, or wrap), and is refused like any bad time.
pub const MAX_TIME_MS: i64 = 1_000 * 3_600_000;

/// `h:m:s.ms` in milliseconds, or `None` past [`MAX_TIME_MS`] (checked, never overflowing).
pub(crate) fn clock_ms(h: i64, m: i64, s: i64, frac_ms: i64) -> Option<i64> {
    let ms = h
        .checked_mul(60)?
        .checked_add(m)?
        .checked_mul(60)?
        .checked_add(s)?
        .checked_mul(1000)?
        .checked_add(frac_ms)?;
    (0..=MAX_TIME_MS).contains(&ms).then_some(ms)
}

/// Formats milliseconds as `HH:MM:SS.mmm`.
pub fn format_timestamp(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// Runs `f` inside a savepoint: everything it wrote is kept if it succeeds and undone if it
/// fails. Works inside a caller's transaction (nested) and without one.
pub(crate) fn atomically<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::store::savepoint(conn, "rapport_transcript", true, f)
}

/// The id of the session's speaker `label`, creating the speaker when missing.
pub(crate) fn speaker_for_label(conn: &Connection, session_id: i64, label: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO speakers (session_id, label) VALUES (?1, ?2) ON CONFLICT(session_id, label) DO NOTHING",
        params![session_id, label],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM speakers WHERE session_id = ?1 AND label = ?2",
        params![session_id, label],
        |r| r.get(0),
    )?)
}

/// Serialises word timings for the `segments.words` column (NULL when there are none).
pub(crate) fn words_json(words: &[Word]) -> Option<String> {
    (!words.is_empty()).then(|| serde_json::to_string(words).expect("words serialise"))
}

/// Gives the segments of a transcript consecutive positions in time order.
pub(crate) fn renumber(conn: &Connection, transcript_id: i64) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM segments WHERE transcript_id = ?1 ORDER BY start_ms, position, id")?
        .query_map([transcript_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE segments SET position = ?2 WHERE id = ?1")?;
    for (position, id) in ids.iter().enumerate() {
        update.execute(params![id, position as i64])?;
    }
    Ok(())
}

/// Stores `cues` as the session's transcript, replacing any previous one (and its segment
/// history). Speakers whose label reappears keep their rename and link; speakers left without
/// segments are removed; a speaker whose label is the interviewee's name is linked to them.
/// Returns the transcript id.
pub fn store(conn: &Connection, session_id: i64, source: &str, cues: &[Cue]) -> Result<i64> {
    atomically(conn, || {
        conn.execute("DELETE FROM transcripts WHERE session_id = ?1", [session_id])?;
        conn.execute(
            "INSERT INTO transcripts (session_id, source, created_at) VALUES (?1, ?2, ?3)",
            params![session_id, source, store::now()],
        )?;
        let transcript_id = conn.last_insert_rowid();
        let mut speakers: HashMap<&str, i64> = HashMap::new();
        let mut insert = conn.prepare(
            "INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text, words)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (position, cue) in cues.iter().enumerate() {
            let speaker_id = match cue.speaker.as_deref() {
                None => None,
                Some(label) => Some(match speakers.get(label) {
                    Some(id) => *id,
                    None => {
                        let id = speaker_for_label(conn, session_id, label)?;
                        speakers.insert(label, id);
                        id
                    }
                }),
            };
            insert.execute(params![
                transcript_id,
                position as i64,
                cue.start_ms,
                cue.end_ms,
                speaker_id,
                cue.text,
                words_json(&cue.words)
            ])?;
        }
        drop(insert);
        renumber(conn, transcript_id)?;
        speakers::drop_unused(conn, session_id)?;
        speakers::link_interviewee(conn, session_id)?;
        Ok(transcript_id)
    })
}

/// Parses `text` (from the file `source`) in `format`, or the detected format when `None`,
/// and stores it as the session's transcript. Nothing is written when the file is bad.
pub fn import(
    conn: &Connection,
    session_id: i64,
    text: &str,
    source: &str,
    format: Option<Format>,
) -> Result<ImportReport> {
    crate::session::ensure(conn, session_id)?;
    let format = match format {
        Some(f) => f,
        None => detect(text, source)?,
    };
    let (cues, warnings) = formats::parse_with_warnings(text, source, format)?;
    let replaced: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM transcripts WHERE session_id = ?1)",
        [session_id],
        |r| r.get(0),
    )?;
    let transcript_id = store(conn, session_id, source, &cues)?;
    let speakers = speaker_labels(&cues);
    Ok(ImportReport { session_id, transcript_id, format, segments: cues.len(), speakers, replaced, warnings })
}

/// What an import of a file would store, shown before anything is: the format found, the
/// first cues, the speakers and the length.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportPreview {
    pub file_name: String,
    pub format: Format,
    /// The first cues (at most [`PREVIEW_CUES`]).
    pub cues: Vec<Cue>,
    pub total_cues: usize,
    /// The speakers' labels, in order of first appearance.
    pub speakers: Vec<String>,
    /// From the first cue's start to the last cue's end.
    pub duration_ms: i64,
    /// The damaged blocks that the format's rules skip, each with its line.
    pub warnings: Vec<ImportWarning>,
}

/// How many cues a preview shows.
pub const PREVIEW_CUES: usize = 10;

/// Reads and parses the transcript file at `path` as [`import_file`] would, without storing
/// anything. A file that would not import fails here with the same message.
pub fn preview_file(path: &Path) -> Result<ImportPreview> {
    let (text, source) = read_file(path)?;
    let format = detect(&text, &source)?;
    let (cues, warnings) = formats::parse_with_warnings(&text, &source, format)?;
    let start = cues.iter().map(|c| c.start_ms).min().unwrap_or(0);
    let end = cues.iter().map(|c| c.end_ms).max().unwrap_or(0);
    Ok(ImportPreview {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(source),
        format,
        total_cues: cues.len(),
        speakers: speaker_labels(&cues),
        duration_ms: end - start,
        cues: cues.into_iter().take(PREVIEW_CUES).collect(),
        warnings,
    })
}

/// The speakers' labels of `cues`, in order of first appearance.
fn speaker_labels(cues: &[Cue]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for label in cues.iter().filter_map(|c| c.speaker.as_ref()) {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    labels
}

/// Reads the file at `path` (UTF-8, or UTF-16 with a byte-order mark) and [`import`]s it.
pub fn import_file(
    conn: &Connection,
    session_id: i64,
    path: &Path,
    format: Option<Format>,
) -> Result<ImportReport> {
    let (text, source) = read_file(path)?;
    import(conn, session_id, &text, &source, format)
}

/// Reads a transcript file within [`crate::limits::TRANSCRIPT`], decoded, with no line past
/// [`crate::limits::FIELD`]; returns the text and the file's name for messages.
fn read_file(path: &Path) -> Result<(String, String)> {
    let bytes = crate::limits::read(path, crate::limits::TRANSCRIPT, "transcript")?;
    let source = path.display().to_string();
    let text = decode_text(&bytes, &source)?;
    crate::limits::check_lines(&text, &source)?;
    Ok((text, source))
}

/// Decodes a text file: UTF-8 (with or without a BOM) or UTF-16 with a BOM. Invalid UTF-8 is
/// an error naming the line.
pub(crate) fn decode_text(bytes: &[u8], source: &str) -> Result<String> {
    let utf16 = |be: bool| -> Result<String> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| {
            Error::invalid(source, "expected UTF-16 text after the byte-order mark; found invalid data")
        })
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::invalid(
                format!("{source}:{line}"),
                format!("expected UTF-8 text; byte {at} is not (save the file as UTF-8)"),
            )
        }),
    }
}

/// The session's transcript segments in time order (empty when it has none).
pub fn segments(conn: &Connection, session_id: i64) -> Result<Vec<Segment>> {
    Ok(segment_details(conn, session_id)?
        .into_iter()
        .map(|d| Segment {
            id: d.id,
            start_ms: d.start_ms,
            end_ms: d.end_ms,
            speaker: d.speaker,
            text: d.text,
        })
        .collect())
}

const DETAIL_SQL: &str = "
SELECT g.id, t.session_id, g.start_ms, g.end_ms, g.speaker_id, sp.label, coalesce(sp.name, pp.name, sp.label),
       g.text, g.words, (SELECT count(*) FROM segment_edits e WHERE e.segment_id = g.id)
FROM segments g JOIN transcripts t ON t.id = g.transcript_id
LEFT JOIN speakers sp ON sp.id = g.speaker_id LEFT JOIN people pp ON pp.id = sp.person_id";

fn detail_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(SegmentDetail, Option<String>)> {
    Ok((
        SegmentDetail {
            id: r.get(0)?,
            session_id: r.get(1)?,
            start_ms: r.get(2)?,
            end_ms: r.get(3)?,
            speaker_id: r.get(4)?,
            speaker_label: r.get(5)?,
            speaker: r.get(6)?,
            text: r.get(7)?,
            words: Vec::new(),
            edits: r.get(9)?,
        },
        r.get(8)?,
    ))
}

fn with_words((mut detail, words): (SegmentDetail, Option<String>)) -> Result<SegmentDetail> {
    if let Some(json) = words {
        detail.words = serde_json::from_str(&json).map_err(|e| {
            Error::Integrity(format!("segment {}: the stored word timings are not valid: {e}", detail.id))
        })?;
    }
    Ok(detail)
}

/// The session's segments with speaker ids, labels and word timings, in time order.
pub fn segment_details(conn: &Connection, session_id: i64) -> Result<Vec<SegmentDetail>> {
    let mut stmt =
        conn.prepare(&format!("{DETAIL_SQL} WHERE t.session_id = ?1 ORDER BY g.start_ms, g.position"))?;
    let rows = stmt.query_map([session_id], detail_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(with_words).collect()
}

/// One segment by id.
pub fn segment(conn: &Connection, id: i64) -> Result<SegmentDetail> {
    let row = conn
        .query_row(&format!("{DETAIL_SQL} WHERE g.id = ?1"), [id], detail_row)
        .optional()?
        .ok_or_else(|| Error::not_found("segment", id))?;
    with_words(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(parse_timestamp("01:02:03.045"), Some(3_723_045));
        assert_eq!(format_timestamp(3_723_045), "01:02:03.045");
        assert_eq!(parse_timestamp("00:61:00.000"), None);
        assert_eq!(parse_timestamp("02:03,5"), Some(123_500), "mm:ss with a comma and one digit");
        assert_eq!(parse_timestamp("00:0x:03.000"), None);
        assert_eq!(parse_timestamp("00:01:02.-5"), None, "a sign is not a digit");
    }

    fn db_with_session() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        store::migrations().to_latest(&mut conn).unwrap();
        conn.execute("INSERT INTO studies (id, name, created_at) VALUES (1, 'S', 'now')", []).unwrap();
        conn.execute("INSERT INTO sessions (id, study_id, at, created_at) VALUES (1, 1, 'now', 'now')", [])
            .unwrap();
        conn
    }

    #[test]
    fn a_store_that_fails_half_way_leaves_the_previous_transcript_whole() {
        let conn = db_with_session();
        store(&conn, 1, "first", &[Cue::new(0, 10, Some("A"), "kept")]).unwrap();
        // The second cue breaks the CHECK (end_ms >= start_ms) after the first was written.
        let bad = [Cue::new(0, 10, Some("B"), "new"), Cue::new(20, 10, Some("B"), "broken")];
        assert!(matches!(store(&conn, 1, "second", &bad), Err(Error::Database(_))));
        let texts: Vec<String> = segments(&conn, 1).unwrap().into_iter().map(|s| s.text).collect();
        assert_eq!(texts, ["kept"]);
        let labels: Vec<String> =
            speakers::list_speakers(&conn, 1).unwrap().into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["A"], "the speaker B made by the failed store is gone too");
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_and_bad_utf8_names_its_line() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "WEBVTT\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes, "t.vtt").unwrap(), "WEBVTT\n");
        let err = decode_text(b"ok\nstill ok\n\xff bad\n", "t.txt").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:3: expected UTF-8 text"), "{err}");
    }
}
