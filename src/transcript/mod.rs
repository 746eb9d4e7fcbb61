//! Transcripts: timed, speaker-labelled segments of a session, and the WebVTT reader.
//!
//! Owns `transcripts`, `speakers`, `segments` and `segment_edits`. A session has at most one
//! current transcript; storing a new one replaces the old one in the same transaction.
//! Speakers are per session, by label; a speaker can be linked to a person.

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

/// A stored transcript segment.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Segment {
    pub id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
}

/// A segment read from a file, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
}

/// Parses `HH:MM:SS.mmm` or `MM:SS.mmm` (a comma is accepted for the dot) into milliseconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (hms, frac) = text.split_once('.').unwrap_or((&text, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    let nums = nums?;
    let (h, m, s) = match nums.as_slice() {
        [h, m, s] => (*h, *m, *s),
        [m, s] => (0, *m, *s),
        _ => return None,
    };
    if m >= 60 || s >= 60 || h < 0 || m < 0 || s < 0 || frac.is_empty() || frac.len() > 3 {
        return None;
    }
    let frac_ms: i64 = format!("{frac:0<3}").parse().ok()?;
    Some(((h * 60 + m) * 60 + s) * 1000 + frac_ms)
}

/// Formats milliseconds as `HH:MM:SS.mmm`.
pub fn format_timestamp(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&")
}

/// Splits a cue payload into (speaker, text): `<v Name>` voice tags, else Zoom's `Name: text`.
fn speaker_and_text(payload: &str) -> (Option<String>, String) {
    let mut speaker = None;
    let mut text = String::new();
    let mut rest = payload;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        if let Some(voice) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '.'])) {
            let name = voice.split_once(' ').map(|(_, n)| n).unwrap_or("").trim();
            if speaker.is_none() && !name.is_empty() {
                speaker = Some(decode_entities(name));
            }
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let mut text = decode_entities(text.trim());
    if speaker.is_none() {
        if let Some((name, said)) = text.split_once(": ") {
            let words = name.split_whitespace().count();
            let looks_like_name = (1..=4).contains(&words)
                && name.chars().next().is_some_and(char::is_uppercase)
                && !name.contains(['.', '!', '?', ',']);
            if looks_like_name {
                speaker = Some(name.trim().to_string());
                text = said.trim().to_string();
            }
        }
    }
    (speaker, text)
}

/// Parses a WebVTT file. `source` names the file in errors.
pub fn parse_vtt(text: &str, source: &str) -> Result<Vec<Cue>> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let mut lines = text.lines().enumerate().peekable();
    match lines.next() {
        Some((_, first)) if first.starts_with("WEBVTT") => {}
        _ => return Err(Error::invalid(format!("{source}:1"), "expected the `WEBVTT` header")),
    }
    let mut cues = Vec::new();
    while let Some((idx, line)) = lines.next() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("NOTE") || line.starts_with("STYLE") || line.starts_with("REGION") {
            while lines.peek().is_some_and(|(_, l)| !l.trim().is_empty()) {
                lines.next();
            }
            continue;
        }
        // A cue: an optional identifier line, then the timing line.
        let (timing_idx, timing) = if line.contains("-->") {
            (idx, line.to_string())
        } else {
            match lines.next() {
                Some((i, l)) if l.contains("-->") => (i, l.trim().to_string()),
                _ => {
                    return Err(Error::invalid(
                        format!("{source}:{}", idx + 1),
                        "expected a cue timing line like `00:00:01.000 --> 00:00:04.000`",
                    ))
                }
            }
        };
        let at = format!("{source}:{}", timing_idx + 1);
        let (start, end) = timing.split_once("-->").expect("checked above");
        let end = end.split_whitespace().next().unwrap_or("");
        let start_ms = parse_timestamp(start).ok_or_else(|| {
            Error::invalid(&at, format!("expected a start time like 00:01:02.500, found {:?}", start.trim()))
        })?;
        let end_ms = parse_timestamp(end).ok_or_else(|| {
            Error::invalid(&at, format!("expected an end time like 00:01:04.000, found {end:?}"))
        })?;
        if end_ms < start_ms {
            return Err(Error::invalid(&at, "the cue ends before it starts"));
        }
        let mut payload = Vec::new();
        while let Some((_, l)) = lines.peek() {
            if l.trim().is_empty() {
                break;
            }
            payload.push(l.trim().to_string());
            lines.next();
        }
        let (speaker, text) = speaker_and_text(&payload.join(" "));
        if text.is_empty() {
            continue;
        }
        cues.push(Cue { start_ms, end_ms, speaker, text });
    }
    if cues.is_empty() {
        return Err(Error::invalid(source, "expected at least one cue with text"));
    }
    Ok(cues)
}

/// Stores `cues` as the session's transcript, replacing any previous one. Call inside a
/// transaction. Returns the transcript id.
pub fn store(conn: &Connection, session_id: i64, source: &str, cues: &[Cue]) -> Result<i64> {
    conn.execute("DELETE FROM transcripts WHERE session_id = ?1", [session_id])?;
    conn.execute(
        "INSERT INTO transcripts (session_id, source, created_at) VALUES (?1, ?2, ?3)",
        params![session_id, source, store::now()],
    )?;
    let transcript_id = conn.last_insert_rowid();
    let mut speakers: HashMap<String, i64> = HashMap::new();
    let mut insert = conn.prepare(
        "INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, cue) in cues.iter().enumerate() {
        let speaker_id = match &cue.speaker {
            None => None,
            Some(label) => Some(match speakers.get(label) {
                Some(id) => *id,
                None => {
                    conn.execute(
                        "INSERT INTO speakers (session_id, label, name) VALUES (?1, ?2, ?2)
                         ON CONFLICT(session_id, label) DO NOTHING",
                        params![session_id, label],
                    )?;
                    let id: i64 = conn.query_row(
                        "SELECT id FROM speakers WHERE session_id = ?1 AND label = ?2",
                        params![session_id, label],
                        |r| r.get(0),
                    )?;
                    speakers.insert(label.clone(), id);
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
            cue.text
        ])?;
    }
    Ok(transcript_id)
}

/// Links the session's speaker `label` to a person (same voice, same person across sessions).
pub fn link_speaker(conn: &Connection, session_id: i64, label: &str, person_id: i64) -> Result<()> {
    let changed = conn.execute(
        "UPDATE speakers SET person_id = ?3 WHERE session_id = ?1 AND label = ?2",
        params![session_id, label, person_id],
    )?;
    if changed == 0 {
        return Err(Error::not_found("speaker", format!("{label} in session {session_id}")));
    }
    Ok(())
}

/// The session's transcript segments in time order (empty when it has none).
pub fn segments(conn: &Connection, session_id: i64) -> Result<Vec<Segment>> {
    let mut stmt = conn.prepare(
        "SELECT g.id, g.start_ms, g.end_ms, coalesce(sp.name, sp.label), g.text
         FROM segments g JOIN transcripts t ON t.id = g.transcript_id LEFT JOIN speakers sp ON sp.id = g.speaker_id
         WHERE t.session_id = ?1 ORDER BY g.start_ms, g.position",
    )?;
    let rows = stmt
        .query_map([session_id], |r| {
            Ok(Segment {
                id: r.get(0)?,
                start_ms: r.get(1)?,
                end_ms: r.get(2)?,
                speaker: r.get(3)?,
                text: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_voice_tags_zoom_names_and_skips_notes() {
        let vtt = "WEBVTT\n\nNOTE a comment\nspanning\n\n1\n00:00:01.000 --> 00:00:03.500 align:start\n<v Maya Lindqvist>Hi &amp; welcome</v>\n\n00:04.000 --> 00:06.000\nJonas Berg: Thanks, glad to\nbe here.\n";
        let cues = parse_vtt(vtt, "t.vtt").unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(
            cues[0],
            Cue {
                start_ms: 1000,
                end_ms: 3500,
                speaker: Some("Maya Lindqvist".into()),
                text: "Hi & welcome".into()
            }
        );
        assert_eq!(cues[1].speaker.as_deref(), Some("Jonas Berg"));
        assert_eq!(cues[1].text, "Thanks, glad to be here.");
        assert_eq!(cues[1].start_ms, 4000);
    }

    #[test]
    fn a_bad_timing_line_names_file_and_line() {
        let err = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:0x:03.000\nhello\n", "t.vtt").unwrap_err();
        assert!(err.to_string().starts_with("t.vtt:3: expected an end time"), "{err}");
    }

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(parse_timestamp("01:02:03.045"), Some(3_723_045));
        assert_eq!(format_timestamp(3_723_045), "01:02:03.045");
        assert_eq!(parse_timestamp("00:61:00.000"), None);
    }
}
