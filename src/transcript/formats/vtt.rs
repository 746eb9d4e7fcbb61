//! WebVTT: the `WEBVTT` header (and its header lines), `NOTE`/`STYLE`/`REGION` blocks, cues
//! with an optional identifier, a timing line with optional settings, and a payload whose
//! speaker is a `<v Name>` voice tag (Teams, YouTube) or a `Name: ` prefix (Zoom).

use super::{decode_entities, finish, lines_of, strip_markup, Draft, ImportWarning};
use crate::error::{Error, Result};
use crate::transcript::{parse_timestamp, Cue};

/// Parses a WebVTT file. `source` names the file in errors.
pub fn parse_vtt(text: &str, source: &str) -> Result<Vec<Cue>> {
    parse_vtt_warn(text, source, &mut Vec::new())
}

/// Parses a WebVTT file; a block without a timing line in its first two lines is skipped, as
/// the WebVTT parsing algorithm does, and reported in `warnings`. A timing line that is there
/// but wrong (a bad or out-of-range time, an end before the start) is an error: its words
/// would be lost without a word.
pub(super) fn parse_vtt_warn(
    text: &str,
    source: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<Cue>> {
    let lines = lines_of(text);
    let header = lines.first().map(|l| l.trim_end()).unwrap_or("");
    let header_ok =
        header.strip_prefix("WEBVTT").is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !header_ok {
        return Err(Error::invalid(format!("{source}:1"), "expected the `WEBVTT` header on the first line"));
    }
    // Header lines (`Kind: captions`, `Language: en`) run up to the first blank line.
    let mut i = 1;
    while i < lines.len() && !lines[i].trim().is_empty() {
        if lines[i].contains("-->") {
            return Err(Error::invalid(
                format!("{source}:{}", i + 1),
                "expected a blank line between the `WEBVTT` header and the first cue",
            ));
        }
        i += 1;
    }
    let mut drafts = Vec::new();
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() {
            i += 1;
            continue;
        }
        let keyword = line.split([' ', '\t']).next().unwrap_or("");
        if matches!(keyword, "NOTE" | "STYLE" | "REGION") {
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
            continue;
        }
        // A cue: an optional identifier line, then the timing line.
        let timing_idx = if line.contains("-->") {
            i
        } else if lines.get(i + 1).is_some_and(|l| l.contains("-->")) {
            i + 1
        } else {
            warnings.push(ImportWarning {
                line: i + 1,
                reason: format!(
                    "skipped a block without a cue timing line like `00:00:01.000 --> 00:00:04.000` (it starts {:?})",
                    super::excerpt(line)
                ),
            });
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
            continue;
        };
        let line_no = timing_idx + 1;
        let (start_ms, end_ms) = parse_timing(&lines[timing_idx], source, line_no, "00:01:02.500")?;
        i = timing_idx + 1;
        let mut payload = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && !lines[i].contains("-->") {
            payload.push(lines[i].trim());
            i += 1;
        }
        let (speaker, text) = voice_and_text(&payload.join("\n"));
        let mut draft = Draft::new(line_no, start_ms, Some(end_ms));
        draft.speaker = speaker;
        draft.push_text(&text);
        drafts.push(draft);
    }
    finish(drafts, source, "cue", true)
}

/// Parses a `start --> end [settings]` line of WebVTT or SRT. `example` shows a good time.
pub(crate) fn parse_timing(line: &str, source: &str, line_no: usize, example: &str) -> Result<(i64, i64)> {
    let at = format!("{source}:{line_no}");
    let (start, rest) = line.split_once("-->").expect("the caller checked for -->");
    let end = rest.split_whitespace().next().unwrap_or("");
    let start_ms = parse_timestamp(start).ok_or_else(|| {
        Error::invalid(&at, format!("expected a start time like {example}, found {:?}", start.trim()))
    })?;
    let end_ms = parse_timestamp(end)
        .ok_or_else(|| Error::invalid(&at, format!("expected an end time like {example}, found {end:?}")))?;
    if end_ms < start_ms {
        return Err(Error::invalid(
            &at,
            format!(
                "expected the cue to end after it starts; it ends at {} before its start {}",
                end.trim(),
                start.trim()
            ),
        ));
    }
    Ok((start_ms, end_ms))
}

/// The speaker of a `<v Name>` (or `<v.class Name>`) voice tag, and the text without markup.
fn voice_and_text(payload: &str) -> (Option<String>, String) {
    let mut speaker = None;
    let mut rest = payload;
    while let Some(open) = rest.find("<v") {
        let tag_end = rest[open..].find('>').map(|c| open + c);
        let Some(close) = tag_end else { break };
        let tag = &rest[open + 2..close];
        if tag.starts_with([' ', '.', '\t']) {
            let name = tag.trim_start_matches(|c: char| c != ' ' && c != '\t').trim();
            if !name.is_empty() {
                speaker = Some(decode_entities(name));
                break;
            }
        }
        rest = &rest[close..];
    }
    (speaker, decode_entities(&strip_markup(payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_voice_tags_zoom_names_and_skips_notes_and_header_lines() {
        let vtt = "WEBVTT - interview\nKind: captions\nLanguage: en\n\nNOTE a comment\nspanning\n\n1\n00:00:01.000 --> 00:00:03.500 align:start\n<v.loud Maya Lindqvist>Hi &amp; <i>welcome</i></v>\n\n00:04.000 --> 00:06.000\nJonas Berg: Thanks, glad to\nbe here.\n";
        let cues = parse_vtt(vtt, "t.vtt").unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0], Cue::new(1000, 3500, Some("Maya Lindqvist"), "Hi & welcome"));
        assert_eq!(cues[1], Cue::new(4000, 6000, Some("Jonas Berg"), "Thanks, glad to be here."));
    }

    #[test]
    fn a_bad_timing_line_names_file_and_line() {
        let err = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:0x:03.000\nhello\n", "t.vtt").unwrap_err();
        assert!(err.to_string().starts_with("t.vtt:3: expected an end time"), "{err}");
    }

    #[test]
    fn a_block_without_timing_is_skipped_with_a_warning_naming_its_line() {
        let vtt = "WEBVTT\n\n1\n00:00:01.000 -> 00:00:03.000\nhello\n\n00:00:04.000 --> 00:00:05.000\nkept\n";
        let mut warnings = Vec::new();
        let cues = parse_vtt_warn(vtt, "t.vtt", &mut warnings).unwrap();
        assert_eq!(cues, [Cue::new(4000, 5000, None, "kept")]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, 3);
        assert!(warnings[0].reason.contains("without a cue timing line"), "{warnings:?}");
    }

    #[test]
    fn only_blocks_without_timing_is_refused() {
        let err = parse_vtt("WEBVTT\n\n1\nhello\n", "t.vtt").unwrap_err();
        assert!(err.to_string().starts_with("t.vtt: expected at least one cue"), "{err}");
    }

    #[test]
    fn a_time_past_a_thousand_hours_names_its_line_instead_of_overflowing() {
        let err =
            parse_vtt("WEBVTT\n\n99999999999999999:00:00.000 --> 99999999999999999:00:01.000\nhi\n", "t.vtt")
                .unwrap_err();
        assert!(err.to_string().starts_with("t.vtt:3: expected a start time"), "{err}");
    }

    #[test]
    fn a_missing_header_is_refused() {
        let err = parse_vtt("WEBVTTX\n\n00:01.000 --> 00:02.000\nhi\n", "t.vtt").unwrap_err();
        assert!(err.to_string().starts_with("t.vtt:1: expected the `WEBVTT` header"), "{err}");
    }
}
