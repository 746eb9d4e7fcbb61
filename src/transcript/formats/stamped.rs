//! Plain text with time stamps, as transcription tools and QDA programs write it.
//!
//! A stamp is a time `h:mm:ss` or `mm:ss` with an optional fraction (`.5`, `,250`, or f4's
//! tenths `-5`) inside `[…]`, `(…)` or `#…#` anywhere in a line, or bare `hh:mm:ss[.s]` at
//! the start of a line. So these all read:
//! - `[00:01:02] Maya: text` and `[00:01:02] - text` (one turn a line; aTrain, oTranscribe);
//! - `[00:01:02]` on its own line, the text on the lines below;
//! - MAXQDA's `00:01:02.5Maya: text` (the stamp touching the speaker) and `(00:01:02)`;
//! - ATLAS.ti / f4 / f5's `#00:01:02-5#` or `#00:01:02.5#`.
//!
//! Stamps usually start a segment. f4 and f5 put them at the end of each paragraph instead,
//! where a stamp is the end of the paragraph before it and the start of the next: a file whose
//! stamps mostly close lines of text is read that way. Speakers come from `Name: ` prefixes,
//! or from a name alone on the line right above stamped lines (aTrain's `SPEAKER_00`) when
//! such names recur. Lines before the first stamp (a title) are skipped.

use std::collections::HashMap;

use super::{finish, lines_of, name_shape, Draft, NameShape};
use crate::error::{Error, Result};
use crate::transcript::{format_timestamp, parse_timestamp, Cue};

/// A stamp found in a (trimmed) line: its byte range and its time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    start: usize,
    end: usize,
    ms: i64,
}

/// Whether `s` is shaped like a time: `d+:dd(:dd)?` then an optional `[.,-]d{1,3}`.
fn time_shaped(s: &str) -> bool {
    let (clock, frac) = match s.find(['.', ',', '-']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| digits(p))
        && parts[1..].iter().all(|p| p.len() == 2)
        && frac.is_none_or(|f| digits(f) && f.len() <= 3)
}

/// The time of a stamp's content, f4's `-t` tenths included.
fn stamp_ms(content: &str) -> Option<i64> {
    time_shaped(content).then(|| parse_timestamp(&content.replace('-', "."))).flatten()
}

fn bad_stamp(source: &str, line_no: usize, found: &str) -> Error {
    Error::invalid(
        format!("{source}:{line_no}"),
        format!(
            "expected a time stamp like [00:01:02], 00:01:02.5 or #00:01:02-5# (minutes and seconds \
             below 60), found `{found}`"
        ),
    )
}

/// Finds the stamps of a trimmed line. Something stamp-like that is not a valid time (like
/// `[00:61:00]`) is an error naming the line.
fn find_stamps(line: &str, source: &str, line_no: usize) -> Result<Vec<Stamp>> {
    let mut stamps = Vec::new();
    let mut pos = 0;
    if line.starts_with(|c: char| c.is_ascii_digit()) {
        let len =
            line.find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '.' | ','))).unwrap_or(line.len());
        let token = line[..len].trim_end_matches(['.', ',']);
        if token.matches(':').count() == 2 {
            let ms = stamp_ms(token).ok_or_else(|| bad_stamp(source, line_no, token))?;
            stamps.push(Stamp { start: 0, end: token.len(), ms });
            pos = token.len();
        }
    }
    while let Some(offset) = line[pos..].find(['[', '(', '#']) {
        let open = pos + offset;
        let close_char = match line.as_bytes()[open] {
            b'[' => ']',
            b'(' => ')',
            _ => '#',
        };
        let mut window_end = (open + 16).min(line.len());
        while !line.is_char_boundary(window_end) {
            window_end -= 1;
        }
        let close = line.get(open + 1..window_end).and_then(|w| w.find(close_char)).map(|c| open + 1 + c);
        let Some(close) = close else {
            pos = open + 1;
            continue;
        };
        let content = &line[open + 1..close];
        let candidate = content.starts_with(|c: char| c.is_ascii_digit())
            && content.contains(':')
            && content.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '-'));
        if !candidate {
            pos = open + 1;
            continue;
        }
        let ms = stamp_ms(content).ok_or_else(|| bad_stamp(source, line_no, &line[open..=close]))?;
        stamps.push(Stamp { start: open, end: close + 1, ms });
        pos = close + 1;
    }
    Ok(stamps)
}

/// Whether these (trimmed) lines contain a stamp (or something that tries to be one).
pub(super) fn looks_like(lines: &[&str]) -> bool {
    lines.iter().take(200).any(|l| find_stamps(l, "", 0).map(|s| !s.is_empty()).unwrap_or(true))
}

/// Text after a stamp without aTrain's ` - ` separator.
fn after_stamp(piece: &str) -> &str {
    let piece = piece.trim_start();
    match piece.strip_prefix(['-', '–', '—']) {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest,
        _ => piece,
    }
}

struct Line {
    text: String,
    stamps: Vec<Stamp>,
}

/// Parses stamped text. `source` names the file in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<Cue>> {
    let lines: Vec<Line> = lines_of(text)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let text = l.trim().to_string();
            let stamps = find_stamps(&text, source, i + 1)?;
            Ok(Line { text, stamps })
        })
        .collect::<Result<_>>()?;
    let all = || lines.iter().flat_map(|l| l.stamps.iter().map(move |s| (l, s)));
    if all().next().is_none() {
        return Err(Error::invalid(
            source,
            "expected time stamps like [00:01:02], 00:01:02.5 (MAXQDA) or #00:01:02-5# (ATLAS.ti, f4); found none",
        ));
    }
    let leading = all().filter(|(_, s)| s.start == 0).count();
    let trailing = all().filter(|(l, s)| s.start > 0 && s.end == l.text.len()).count();
    let drafts =
        if trailing > leading { read_trailing(&lines, source)? } else { read_leading(&lines, source)? };
    finish(drafts, source, "stamped segment", true)
}

fn order_error(source: &str, line_no: usize, ms: i64, prev_ms: i64, prev_line: usize) -> Error {
    Error::invalid(
        format!("{source}:{line_no}"),
        format!(
            "expected time stamps in order; {} comes after {} (line {prev_line})",
            format_timestamp(ms),
            format_timestamp(prev_ms)
        ),
    )
}

/// Stamp-less lines that name the speaker of the stamped lines right below them, by line
/// index: names that recur, or a single one above the first stamp.
fn speaker_headings(lines: &[Line]) -> HashMap<usize, String> {
    let next_starts_stamped =
        |i: usize| lines.get(i + 1).is_some_and(|l| l.stamps.first().is_some_and(|s| s.start == 0));
    let first_stamped = lines.iter().position(|l| !l.stamps.is_empty()).unwrap_or(0);
    let candidates: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| l.stamps.is_empty() && !l.text.is_empty() && next_starts_stamped(*i))
        .filter_map(|(i, l)| {
            let name = l.text.strip_suffix(':').unwrap_or(&l.text).trim();
            (name_shape(name) == NameShape::Strong).then(|| (i, name.to_string()))
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, name) in &candidates {
        *counts.entry(name.as_str()).or_default() += 1;
    }
    let recurring = counts.values().any(|&n| n >= 2);
    candidates
        .iter()
        .filter(|(i, _)| recurring || (candidates.len() == 1 && *i < first_stamped))
        .cloned()
        .collect()
}

/// Stamps start segments; text up to the next stamp belongs to the segment.
fn read_leading(lines: &[Line], source: &str) -> Result<Vec<Draft>> {
    let headings = speaker_headings(lines);
    let mut drafts = Vec::new();
    let mut current: Option<Draft> = None;
    let mut speaker: Option<String> = None;
    let mut prev: Option<(i64, usize)> = None;
    for (idx, line) in lines.iter().enumerate() {
        if let Some(name) = headings.get(&idx) {
            speaker = Some(name.clone());
            continue;
        }
        let first = line.stamps.first().map(|s| s.start).unwrap_or(line.text.len());
        if let Some(cur) = current.as_mut() {
            cur.push_text(&line.text[..first]);
        }
        for (k, st) in line.stamps.iter().enumerate() {
            if let Some((prev_ms, prev_line)) = prev {
                if st.ms < prev_ms {
                    return Err(order_error(source, idx + 1, st.ms, prev_ms, prev_line));
                }
            }
            prev = Some((st.ms, idx + 1));
            drafts.extend(current.take());
            let mut draft = Draft::new(idx + 1, st.ms, None);
            draft.speaker = speaker.clone();
            let piece_end = line.stamps.get(k + 1).map(|s| s.start).unwrap_or(line.text.len());
            draft.push_text(after_stamp(&line.text[st.end..piece_end]));
            current = Some(draft);
        }
    }
    drafts.extend(current);
    Ok(drafts)
}

/// f4 / f5: a stamp ends the text before it, and the next segment starts there.
fn read_trailing(lines: &[Line], source: &str) -> Result<Vec<Draft>> {
    let mut drafts = Vec::new();
    let mut current = Draft::new(1, 0, None);
    let mut prev_line = 0;
    for (idx, line) in lines.iter().enumerate() {
        let mut pos = 0;
        for st in &line.stamps {
            if current.text.is_empty() {
                current.line = idx + 1;
            }
            current.push_text(&line.text[pos..st.start]);
            if st.ms < current.start_ms {
                return Err(order_error(source, idx + 1, st.ms, current.start_ms, prev_line));
            }
            current.end_ms = Some(st.ms);
            drafts.push(std::mem::replace(&mut current, Draft::new(idx + 1, st.ms, None)));
            prev_line = idx + 1;
            pos = st.end;
        }
        if current.text.is_empty() {
            current.line = idx + 1;
        }
        current.push_text(&line.text[pos..]);
    }
    drafts.push(current);
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::ESTIMATED_MS_PER_WORD;

    #[test]
    fn bracketed_stamps_with_speakers_one_turn_a_line() {
        let text = "Interview 3\n\n[00:00:01] Maya Lindqvist: Hello.\n[00:00:04] Priya Raman: Hi, nice\nto meet you.\n";
        let cues = parse(text, "t.txt").unwrap();
        assert_eq!(
            cues,
            [
                Cue::new(1000, 4000, Some("Maya Lindqvist"), "Hello."),
                Cue::new(
                    4000,
                    4000 + 5 * ESTIMATED_MS_PER_WORD,
                    Some("Priya Raman"),
                    "Hi, nice to meet you."
                )
            ]
        );
    }

    #[test]
    fn maxqda_stamps_touch_the_speaker_and_keep_tenths() {
        let text =
            "00:03:40.5Zack: What will digging this hole accomplish?\n\n00:03:44.3Jim: It will fill a gap.\n";
        let cues = parse(text, "m.txt").unwrap();
        assert_eq!(
            cues[0],
            Cue::new(220_500, 224_300, Some("Zack"), "What will digging this hole accomplish?")
        );
        assert_eq!(cues[1].speaker.as_deref(), Some("Jim"));
    }

    #[test]
    fn f4_stamps_at_paragraph_ends_are_end_times() {
        let text =
            "I: Erzählen Sie mal. #00:00:06-9#\n\nB: Gern. Also, das war so. #00:00:12-0#\n\nI: Danke.\n";
        let cues = parse(text, "f4.txt").unwrap();
        assert_eq!(cues[0], Cue::new(0, 6900, Some("I"), "Erzählen Sie mal."));
        assert_eq!(cues[1], Cue::new(6900, 12_000, Some("B"), "Gern. Also, das war so."));
        assert_eq!(cues[2], Cue::new(12_000, 12_000 + ESTIMATED_MS_PER_WORD, Some("I"), "Danke."));
    }

    #[test]
    fn atlas_ti_stamps_at_line_starts_and_stamps_on_their_own_line() {
        let cues =
            parse("#00:00:01.5# Maya: One.\n(00:00:03) Priya: Two.\n[00:00:05]\nThree\nfour.\n", "a.txt")
                .unwrap();
        let got: Vec<_> = cues.iter().map(|c| (c.start_ms, c.text.as_str())).collect();
        assert_eq!(got, [(1500, "One."), (3000, "Two."), (5000, "Three four.")]);
    }

    #[test]
    fn atrain_speaker_headings_and_inline_stamps() {
        let text = "Transcription for x\n\nSPEAKER_00\n[00:00:00] - Hello there. [00:00:02] - Second.\n\nSPEAKER_01\n[00:00:04] - Reply.\n\nSPEAKER_00\n[00:00:06] - Bye.\n";
        let cues = parse(text, "a.txt").unwrap();
        let got: Vec<_> =
            cues.iter().map(|c| (c.start_ms, c.speaker.as_deref().unwrap(), c.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (0, "SPEAKER_00", "Hello there."),
                (2000, "SPEAKER_00", "Second."),
                (4000, "SPEAKER_01", "Reply."),
                (6000, "SPEAKER_00", "Bye.")
            ]
        );
    }

    #[test]
    fn a_lone_name_line_inside_a_turn_stays_text() {
        let cues = parse("[00:00:01] Maya: we use\nJenkins\n[00:00:05] Priya: Yes.\n", "t.txt").unwrap();
        assert_eq!(cues[0].text, "we use Jenkins");
        assert_eq!(cues[1].speaker.as_deref(), Some("Priya"));
    }

    #[test]
    fn an_impossible_stamp_names_the_line() {
        let err = parse("[00:00:01] Maya: Hi.\n[00:61:02] Priya: Ho.\n", "t.txt").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:2: expected a time stamp like [00:01:02]"), "{err}");
        assert!(err.to_string().contains("`[00:61:02]`"), "{err}");
    }

    #[test]
    fn stamps_going_back_name_the_line() {
        let err = parse("[00:00:09] Maya: Hi.\n[00:00:02] Priya: Ho.\n", "t.txt").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:2: expected time stamps in order"), "{err}");
    }

    #[test]
    fn words_in_brackets_are_text() {
        let cues = parse("[00:00:01] Maya: Yes [laughs] #1 (see 3:16b)\n", "t.txt").unwrap();
        assert_eq!(cues[0].text, "Yes [laughs] #1 (see 3:16b)");
    }
}
