//! SRT (SubRip): numbered cues `1`, a timing line `00:00:01,000 --> 00:00:04,000` (a dot
//! for the comma is tolerated, as are position settings after it), then text lines up to a
//! blank line. A `Name: ` prefix is the speaker; `<i>`/`<font>` markup and `{\an8}` are removed.

use super::vtt::parse_timing;
use super::{decode_entities, finish, lines_of, strip_markup, Draft, ImportWarning};
use crate::error::Result;
use crate::transcript::Cue;

/// Whether the first cue of these (trimmed) lines looks like SRT.
pub(super) fn looks_like(lines: &[&str]) -> bool {
    let mut it = lines.iter().filter(|l| !l.is_empty());
    match (it.next(), it.next()) {
        (Some(first), Some(second)) => {
            (is_number(first) && second.contains("-->")) || (first.contains("-->") && first.contains(','))
        }
        (Some(first), None) => first.contains("-->"),
        _ => false,
    }
}

fn is_number(line: &str) -> bool {
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// Parses an SRT file. `source` names the file in errors. A block without a timing line (a
/// cue number without one, or stray text where a cue number should be) is skipped, as the
/// common SRT readers do, and reported in `warnings`; a timing line that is there but wrong
/// is an error.
pub fn parse(text: &str, source: &str, warnings: &mut Vec<ImportWarning>) -> Result<Vec<Cue>> {
    let lines = lines_of(text);
    let mut drafts = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() {
            i += 1;
            continue;
        }
        let timing_idx = if line.contains("-->") {
            Some(i)
        } else if is_number(line) && lines.get(i + 1).is_some_and(|next| next.contains("-->")) {
            Some(i + 1)
        } else {
            None
        };
        let Some(timing_idx) = timing_idx else {
            let reason = if is_number(line) {
                format!(
                    "skipped cue {line}: expected its timing line, like `00:00:01,000 --> 00:00:04,000`, found {:?}",
                    super::excerpt(lines.get(i + 1).map(|l| l.trim()).unwrap_or("the end of the file"))
                )
            } else {
                format!(
                    "skipped a block without a cue number and timing line (it starts {:?})",
                    super::excerpt(line)
                )
            };
            warnings.push(ImportWarning { line: i + 1, reason });
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
            continue;
        };
        let line_no = timing_idx + 1;
        let (start_ms, end_ms) = parse_timing(&lines[timing_idx], source, line_no, "00:01:02,500")?;
        i = timing_idx + 1;
        let mut payload = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            // A cue number followed by a timing line starts the next cue even without a blank line.
            if is_number(lines[i].trim()) && lines.get(i + 1).is_some_and(|l| l.contains("-->")) {
                break;
            }
            payload.push(lines[i].trim());
            i += 1;
        }
        let mut draft = Draft::new(line_no, start_ms, Some(end_ms));
        draft.push_text(&decode_entities(&strip_markup(&payload.join(" "))));
        drafts.push(draft);
    }
    finish(drafts, source, "cue", true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbered_cues_with_speaker_prefixes_and_markup() {
        let srt = "1\n00:00:01,000 --> 00:00:04,000\nMaya Lindqvist: <i>Hi</i>\nthere.\n\n2\n00:00:04,500 --> 00:00:06,250 X1:10\n{\\an8}Priya Raman: Hello.\n";
        let cues = parse(srt, "t.srt", &mut Vec::new()).unwrap();
        assert_eq!(
            cues,
            [
                Cue::new(1000, 4000, Some("Maya Lindqvist"), "Hi there."),
                Cue::new(4500, 6250, Some("Priya Raman"), "Hello.")
            ]
        );
    }

    #[test]
    fn a_number_without_timing_is_skipped_with_a_warning_naming_its_line() {
        let mut warnings = Vec::new();
        let cues = parse(
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:03,000 - 00:00:04,000\nho\n\n3\n00:00:05,000 --> 00:00:06,000\nhey\n",
            "t.srt",
            &mut warnings,
        )
        .unwrap();
        assert_eq!(cues.len(), 2, "cues 1 and 3 are kept: {cues:?}");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 5);
        assert!(warnings[0].reason.starts_with("skipped cue 2"), "{warnings:?}");
    }

    #[test]
    fn stray_text_where_a_cue_number_should_be_is_skipped_with_a_warning() {
        let mut warnings = Vec::new();
        let cues =
            parse("1\n00:00:01,000 --> 00:00:02,000\nhi\n\nstray words\n", "t.srt", &mut warnings).unwrap();
        assert_eq!(cues.len(), 1);
        assert_eq!(warnings[0].line, 5);
    }
}
