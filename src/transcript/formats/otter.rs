//! Otter-style text: each turn is a speaker line — a name and the time it starts
//! (`Maya Lindqvist  0:03`, `Speaker 1  1:02:03`; a bare `0:03` when speakers are off) —
//! then the paragraph said, then a blank line. Otter's closing "Transcribed by
//! https://otter.ai" is skipped; a paragraph without a speaker line continues the turn before.

use super::{finish, lines_of, name_shape, Draft, NameShape};
use crate::error::{Error, Result};
use crate::transcript::Cue;

/// Parses `m:ss`, `mm:ss` or `h:mm:ss` (no fraction): Otter's times.
fn parse_clock(tok: &str) -> Option<i64> {
    let parts: Vec<&str> = tok.split(':').collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n = |p: &str| p.parse::<i64>().ok();
    let (h, m, s) = match parts.as_slice() {
        [m, s] if s.len() == 2 => (0, n(m)?, n(s)?),
        [h, m, s] if m.len() == 2 && s.len() == 2 => (n(h)?, n(m)?, n(s)?),
        _ => return None,
    };
    if m >= 60 || s >= 60 {
        return None;
    }
    crate::transcript::clock_ms(h, m, s, 0)
}

/// A speaker's name as Otter writes it: a name-shaped phrase whose words start with a capital
/// or a digit, except short particles (`Maya da Silva`).
fn is_speaker_name(name: &str) -> bool {
    name_shape(name) == NameShape::Strong
        && name.split_whitespace().all(|w| !w.starts_with(char::is_lowercase) || w.chars().count() <= 3)
}

/// Reads a speaker line: `None` when the line is not one; an error when it is shaped like one
/// but its time is wrong.
fn speaker_line(line: &str, source: &str, line_no: usize) -> Option<Result<(Option<String>, i64)>> {
    let (name, tok) = match line.rsplit_once(char::is_whitespace) {
        Some((name, tok)) => (name.trim(), tok),
        None => ("", line),
    };
    let time_shaped = tok.contains(':') && tok.bytes().all(|b| b.is_ascii_digit() || b == b':');
    if !time_shaped || !(name.is_empty() || is_speaker_name(name)) {
        return None;
    }
    Some(match parse_clock(tok) {
        Some(ms) => Ok(((!name.is_empty()).then(|| name.to_string()), ms)),
        None => Err(Error::invalid(
            format!("{source}:{line_no}"),
            format!(
                "expected a time like 0:03 or 1:02:03 (at most {} hours) after the speaker's name, found {tok:?}",
                crate::transcript::MAX_TIME_MS / 3_600_000
            ),
        )),
    })
}

fn is_trailer(line: &str) -> bool {
    line.to_ascii_lowercase().starts_with("transcribed by https://otter.ai")
}

/// Whether these (trimmed) lines start like an Otter transcript.
pub(super) fn looks_like(lines: &[&str]) -> bool {
    let mut it = lines.iter().skip_while(|l| l.is_empty());
    let (Some(first), Some(second)) = (it.next(), it.next()) else { return false };
    matches!(speaker_line(first, "", 0), Some(Ok(_)))
        && !second.is_empty()
        && speaker_line(second, "", 0).is_none()
}

/// Parses an Otter-style transcript. `source` names the file in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<Cue>> {
    let lines = lines_of(text);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() || is_trailer(line) {
            i += 1;
            continue;
        }
        let line_no = i + 1;
        match speaker_line(line, source, line_no) {
            Some(Err(e)) => return Err(e),
            Some(Ok((speaker, start_ms))) => {
                if let Some(prev) = drafts.last() {
                    if start_ms < prev.start_ms {
                        return Err(Error::invalid(
                            format!("{source}:{line_no}"),
                            format!(
                                "expected times in order; {} starts before the turn on line {} ({} ms < {} ms)",
                                speaker.as_deref().unwrap_or("this turn"),
                                prev.line,
                                start_ms,
                                prev.start_ms
                            ),
                        ));
                    }
                }
                let mut draft = Draft::new(line_no, start_ms, None);
                draft.speaker = speaker;
                i += 1;
                while i < lines.len() && !lines[i].trim().is_empty() && !is_trailer(lines[i].trim()) {
                    draft.push_text(&lines[i]);
                    i += 1;
                }
                if draft.text.is_empty() {
                    return Err(Error::invalid(
                        format!("{source}:{}", line_no + 1),
                        format!(
                            "expected what {} said on the line after the speaker line {line:?}",
                            draft.speaker.as_deref().unwrap_or("the speaker")
                        ),
                    ));
                }
                drafts.push(draft);
            }
            None => {
                let Some(turn) = drafts.last_mut() else {
                    return Err(Error::invalid(
                        format!("{source}:{line_no}"),
                        format!(
                            "expected a speaker line like `Maya Lindqvist  0:03` (a name, then the time), found {line:?}"
                        ),
                    ));
                };
                while i < lines.len() && !lines[i].trim().is_empty() && !is_trailer(lines[i].trim()) {
                    turn.push_text(&lines[i]);
                    i += 1;
                }
            }
        }
    }
    finish(drafts, source, "turn", true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_turns_with_times_and_skips_the_otter_trailer() {
        let text = "Maya Lindqvist  0:03\nThanks for coming.\n\nSpeaker 2  1:02:03\nGlad to be here.\nSecond line.\n\nTranscribed by https://otter.ai\n";
        let cues = parse(text, "o.txt").unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0], Cue::new(3000, 3_723_000, Some("Maya Lindqvist"), "Thanks for coming."));
        assert_eq!(cues[1].speaker.as_deref(), Some("Speaker 2"));
        assert_eq!(cues[1].text, "Glad to be here. Second line.");
        assert_eq!(cues[1].end_ms, 3_723_000 + 6 * crate::transcript::ESTIMATED_MS_PER_WORD);
    }

    #[test]
    fn a_sentence_ending_in_a_time_is_not_a_speaker_line() {
        assert!(speaker_line("We deploy at 10:30", "o", 1).is_none());
        assert!(speaker_line("Maya da Silva 10:30", "o", 1).is_some());
    }

    #[test]
    fn a_bad_time_names_the_line() {
        let err = parse("Maya  0:03\nHi.\n\nPriya  0:75\nHello.\n", "o.txt").unwrap_err();
        assert!(err.to_string().starts_with("o.txt:4: expected a time like 0:03"), "{err}");
    }

    #[test]
    fn times_going_back_are_refused() {
        let err = parse("Maya  0:13\nHi.\n\nPriya  0:05\nHello.\n", "o.txt").unwrap_err();
        assert!(err.to_string().starts_with("o.txt:4: expected times in order"), "{err}");
    }
}
