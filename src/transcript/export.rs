//! Writing a session's transcript out: SRT, WebVTT, timestamped text, JSON and Markdown.
//!
//! Every format keeps the times and the speakers (by their shown name). SRT, WebVTT, text and
//! JSON read back in with [`import`](super::import) to the same segments: JSON and the
//! subtitle formats to the millisecond (JSON with word timings), text to the second (its
//! `[hh:mm:ss] Speaker: text` lines carry start times only). Markdown is for reading: a
//! header with the study, the person and the date, then `**Speaker** [mm:ss]` paragraphs.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::formats::collapse_whitespace;
use super::{format_timestamp, segment_details, SegmentDetail, Word};
use crate::error::{Error, Result};

/// A format a transcript can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Srt,
    Vtt,
    Txt,
    Json,
    Md,
}

impl ExportFormat {
    /// Every export format.
    pub const ALL: [ExportFormat; 5] =
        [ExportFormat::Srt, ExportFormat::Vtt, ExportFormat::Txt, ExportFormat::Json, ExportFormat::Md];

    /// The name used on the command line, which is also the file extension.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Srt => "srt",
            ExportFormat::Vtt => "vtt",
            ExportFormat::Txt => "txt",
            ExportFormat::Json => "json",
            ExportFormat::Md => "md",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::invalid("--format", format!("expected one of srt, vtt, txt, json, md; found {s:?}"))
        })
    }
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    session: i64,
    segments: Vec<JsonSegment<'a>>,
}

#[derive(Serialize)]
struct JsonSegment<'a> {
    start_ms: i64,
    end_ms: i64,
    speaker: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "<[Word]>::is_empty")]
    words: &'a [Word],
}

/// Exports the session's transcript into the file at `path` (written whole through a
/// temporary file beside it, then renamed, so a failed write leaves no half file).
pub fn export_to_file(
    conn: &rusqlite::Connection,
    session_id: i64,
    format: ExportFormat,
    path: &std::path::Path,
) -> Result<()> {
    let text = export(conn, session_id, format)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.rapport-part"));
    std::fs::write(&tmp, text.as_bytes()).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// The session's transcript in `format`. Fails when the session has no transcript.
pub fn export(conn: &rusqlite::Connection, session_id: i64, format: ExportFormat) -> Result<String> {
    let session = crate::session::get(conn, session_id)?;
    let segments = segment_details(conn, session_id)?;
    if segments.is_empty() {
        return Err(Error::not_found("transcript", format!("of session {session_id}")));
    }
    Ok(match format {
        ExportFormat::Srt => srt(&segments),
        ExportFormat::Vtt => vtt(&segments),
        ExportFormat::Txt => txt(&segments),
        ExportFormat::Json => json(session_id, &segments),
        ExportFormat::Md => markdown(&session, &segments),
    })
}

fn srt(segments: &[SegmentDetail]) -> String {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        let time = |ms| format_timestamp(ms).replace('.', ",");
        let _ = writeln!(out, "{}\n{} --> {}", i + 1, time(s.start_ms), time(s.end_ms));
        let _ = writeln!(out, "{}\n", with_speaker(s));
    }
    out
}

fn escape_vtt(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn vtt(segments: &[SegmentDetail]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for (i, s) in segments.iter().enumerate() {
        let _ =
            writeln!(out, "{}\n{} --> {}", i + 1, format_timestamp(s.start_ms), format_timestamp(s.end_ms));
        let text = escape_vtt(&collapse_whitespace(&s.text));
        match &s.speaker {
            Some(name) => {
                let _ = writeln!(out, "<v {}>{text}\n", escape_vtt(&collapse_whitespace(name)));
            }
            None => {
                let _ = writeln!(out, "{text}\n");
            }
        }
    }
    out
}

/// `Speaker: text`, or the text alone.
fn with_speaker(s: &SegmentDetail) -> String {
    let text = collapse_whitespace(&s.text);
    match &s.speaker {
        Some(name) => format!("{}: {text}", collapse_whitespace(name)),
        None => text,
    }
}

fn txt(segments: &[SegmentDetail]) -> String {
    let mut out = String::new();
    for s in segments {
        let secs = s.start_ms.max(0) / 1000;
        let _ =
            writeln!(out, "[{:02}:{:02}:{:02}] {}", secs / 3600, secs / 60 % 60, secs % 60, with_speaker(s));
    }
    out
}

fn json(session_id: i64, segments: &[SegmentDetail]) -> String {
    let doc = JsonDoc {
        session: session_id,
        segments: segments
            .iter()
            .map(|s| JsonSegment {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                speaker: s.speaker.as_deref(),
                text: &s.text,
                words: &s.words,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("a transcript serialises");
    out.push('\n');
    out
}

/// `mm:ss`, or `h:mm:ss` from an hour on.
fn clock(ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

fn markdown(session: &crate::session::SessionSummary, segments: &[SegmentDetail]) -> String {
    let who = if session.person_name.is_empty() { &session.person_email } else { &session.person_name };
    let mut out = String::new();
    if who.is_empty() {
        let _ = writeln!(out, "# Session {}\n", session.id);
    } else {
        let _ = writeln!(out, "# Interview with {who}\n");
    }
    let _ = writeln!(out, "- Study: {}", session.study);
    if !session.person_email.is_empty() {
        let _ = writeln!(out, "- Person: {} <{}>", session.person_name, session.person_email);
    }
    let _ = writeln!(out, "- Date: {}", session.at.get(..10).unwrap_or(&session.at));
    let _ = writeln!(out, "- Session: {}\n", session.id);
    for s in segments {
        match &s.speaker {
            Some(name) => {
                let _ = writeln!(out, "**{}** [{}]", collapse_whitespace(name), clock(s.start_ms));
            }
            None => {
                let _ = writeln!(out, "[{}]", clock(s.start_ms));
            }
        }
        let _ = writeln!(out, "{}\n", collapse_whitespace(&s.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_ms: i64, end_ms: i64, speaker: Option<&str>, text: &str) -> SegmentDetail {
        SegmentDetail {
            id: 1,
            session_id: 1,
            start_ms,
            end_ms,
            speaker_id: None,
            speaker_label: speaker.map(String::from),
            speaker: speaker.map(String::from),
            text: text.into(),
            words: Vec::new(),
            edits: 0,
        }
    }

    #[test]
    fn subtitle_formats_carry_times_and_speakers() {
        let segs =
            [seg(1000, 3_723_045, Some("Maya"), "a < b & c"), seg(3_724_000, 3_725_000, None, "plain")];
        assert_eq!(
            srt(&segs),
            "1\n00:00:01,000 --> 01:02:03,045\nMaya: a < b & c\n\n2\n01:02:04,000 --> 01:02:05,000\nplain\n\n"
        );
        assert_eq!(
            vtt(&segs),
            "WEBVTT\n\n1\n00:00:01.000 --> 01:02:03.045\n<v Maya>a &lt; b &amp; c\n\n2\n01:02:04.000 --> 01:02:05.000\nplain\n\n"
        );
        assert_eq!(txt(&segs), "[00:00:01] Maya: a < b & c\n[01:02:04] plain\n");
    }

    #[test]
    fn markdown_clocks_grow_an_hour_field_only_when_needed() {
        assert_eq!(clock(65_999), "01:05");
        assert_eq!(clock(3_723_045), "1:02:03");
    }
}
