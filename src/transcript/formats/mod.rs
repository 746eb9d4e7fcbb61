//! Reading transcript files into [`Cue`]s, and telling their format from their content.
//!
//! | format | looks like | times |
//! |---|---|---|
//! | `vtt` | `WEBVTT` header, cues `00:01.000 --> 00:04.000`, `<v Name>` voice tags or Zoom's `Name: text` | start and end |
//! | `srt` | numbered cues, `00:00:01,000 --> 00:00:04,000`, optional `Name: text` | start and end |
//! | `otter` | `Maya Lindqvist  0:03` (a speaker line with a time), then the paragraph | start |
//! | `text` | `[00:01:02] Name: text`, stamps on their own line, MAXQDA's `00:01:02.5Name: text`, `(00:01:02)`, ATLAS.ti / f4's `#00:01:02-5#` (at a paragraph's end it is the paragraph's end time) | start (or end) |
//! | `json` | Rapport's export: `{"session", "segments": [{"start_ms", "end_ms", "speaker", "text", "words"?}]}` | start and end |
//!
//! Where a format gives only start times, a segment ends where the next one starts and the
//! last one lasts [`ESTIMATED_MS_PER_WORD`] per word. Speakers written as a `Name: ` prefix
//! are recognised per file: a prefix counts as a speaker when it recurs, or when it looks like
//! a name and at least half of the file's segments carry a prefix (so a lone "Note: …" in an
//! unlabelled transcript stays text). Every error names the file and the line and says what
//! was expected.

mod json;
mod otter;
mod srt;
mod stamped;
mod vtt;

use std::collections::HashMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use vtt::parse_vtt;

use super::{Cue, Word, ESTIMATED_MS_PER_WORD};
use crate::error::{Error, Result};

/// A transcript file format that can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Vtt,
    Srt,
    Otter,
    Text,
    Json,
}

impl Format {
    /// Every importable format.
    pub const ALL: [Format; 5] = [Format::Vtt, Format::Srt, Format::Otter, Format::Text, Format::Json];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Otter => "otter",
            Format::Text => "text",
            Format::Json => "json",
        }
    }

    /// The format a file name's extension names unambiguously (`.txt` names none: it may be
    /// Otter or stamped text).
    pub fn from_file_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "vtt" | "webvtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format> {
        Format::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::invalid("--format", format!("expected one of vtt, srt, otter, text, json; found {s:?}"))
        })
    }
}

/// Tells the format of `text` from its content; the extension of `source` decides only when
/// the content does not. Fails when neither does.
pub fn detect(text: &str, source: &str) -> Result<Format> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with("WEBVTT") {
        return Ok(Format::Vtt);
    }
    if body.starts_with('{') || (body.starts_with('[') && body[1..].trim_start().starts_with(['{', ']'])) {
        return Ok(Format::Json);
    }
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    if srt::looks_like(&lines) {
        return Ok(Format::Srt);
    }
    if otter::looks_like(&lines) {
        return Ok(Format::Otter);
    }
    if stamped::looks_like(&lines) {
        return Ok(Format::Text);
    }
    Format::from_file_name(source).ok_or_else(|| {
        Error::invalid(
            source,
            "could not tell the transcript format: expected a WebVTT file (`WEBVTT` header), SRT \
             (numbered cues with `-->`), Otter text (`Name  0:03` lines), text with `[00:01:02]` \
             stamps, or Rapport JSON; name it with --format",
        )
    })
}

/// Parses `text` (from the file `source`) as `format`.
pub fn parse(text: &str, source: &str, format: Format) -> Result<Vec<Cue>> {
    Ok(parse_with_warnings(text, source, format)?.0)
}

/// A damaged part of a file that the format's own rules say to skip, and that was skipped:
/// a WebVTT block without a cue timing line (the WebVTT parsing algorithm drops it), an SRT
/// block without a timing line (as the common SRT readers do). `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportWarning {
    pub line: usize,
    pub reason: String,
}

/// [`parse`], also returning the blocks that were skipped, each with its line.
pub fn parse_with_warnings(
    text: &str,
    source: &str,
    format: Format,
) -> Result<(Vec<Cue>, Vec<ImportWarning>)> {
    let mut warnings = Vec::new();
    let cues = match format {
        Format::Vtt => vtt::parse_vtt_warn(text, source, &mut warnings),
        Format::Srt => srt::parse(text, source, &mut warnings),
        Format::Otter => otter::parse(text, source),
        Format::Text => stamped::parse(text, source),
        Format::Json => json::parse(text, source),
    }?;
    Ok((cues, warnings))
}

/// The first 40 characters of a line, for a message that quotes it.
pub(crate) fn excerpt(line: &str) -> String {
    match line.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

/// The lines of a text file without its byte-order mark, line endings normalised.
pub(crate) fn lines_of(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(String::from)
        .collect()
}

/// A segment being read: `end_ms` is `None` when the format gave only its start.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// The 1-based line where the segment starts.
    pub line: usize,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub speaker: Option<String>,
    pub text: String,
    pub words: Vec<Word>,
}

impl Draft {
    pub fn new(line: usize, start_ms: i64, end_ms: Option<i64>) -> Draft {
        Draft { line, start_ms, end_ms, speaker: None, text: String::new(), words: Vec::new() }
    }

    /// Appends a piece of text with one space between pieces.
    pub fn push_text(&mut self, piece: &str) {
        let piece = piece.trim();
        if piece.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(piece);
    }
}

/// Turns drafts into cues: speakers from `Name: ` prefixes for drafts without one (when
/// `prefixes` says the format writes speakers that way), open ends closed (at the next start,
/// or by the word-count estimate), whitespace collapsed, empty segments dropped. Fails when
/// nothing with text is left.
pub(crate) fn finish(
    mut drafts: Vec<Draft>,
    source: &str,
    expected: &str,
    prefixes: bool,
) -> Result<Vec<Cue>> {
    if prefixes {
        apply_prefix_speakers(&mut drafts);
    }
    let starts: Vec<i64> = drafts.iter().map(|d| d.start_ms).collect();
    let mut cues = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.into_iter().enumerate() {
        let text = collapse_whitespace(&d.text);
        let end_ms = d.end_ms.unwrap_or_else(|| match starts.get(i + 1) {
            Some(next) => (*next).max(d.start_ms),
            None => d.start_ms + estimated_duration(&text),
        });
        if text.is_empty() {
            continue;
        }
        cues.push(Cue { start_ms: d.start_ms, end_ms, speaker: d.speaker, text, words: d.words });
    }
    if cues.is_empty() {
        return Err(Error::invalid(
            source,
            format!("expected at least one {expected} with text; found none"),
        ));
    }
    Ok(cues)
}

/// How long saying `text` takes by [`ESTIMATED_MS_PER_WORD`] (at least one word).
pub(crate) fn estimated_duration(text: &str) -> i64 {
    ESTIMATED_MS_PER_WORD * text.split_whitespace().count().max(1) as i64
}

/// Collapses runs of whitespace (line breaks included) into one space and trims.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the character references that subtitle files use.
pub(crate) fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Removes `<tag>` markup (keeping the text between tags) and SSA `{\an8}` overrides.
pub(crate) fn strip_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = rest.find(['<', '{']);
        let Some(open) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..open]);
        let close_char = if rest[open..].starts_with('<') { '>' } else { '}' };
        let is_markup = close_char == '>' || rest[open + 1..].starts_with('\\');
        match rest[open..].find(close_char) {
            Some(close) if is_markup => rest = &rest[open + close + 1..],
            _ => {
                out.push_str(&rest[open..open + 1]);
                rest = &rest[open + 1..];
            }
        }
    }
    out
}

/// How much a piece of text looks like a speaker's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NameShape {
    /// Not a name: too long, sentence punctuation, empty.
    No,
    /// Short and clean but starts in lower case (`interviewer`).
    Weak,
    /// Starts with a capital letter or a digit (`Maya Lindqvist`, `Speaker 1`, `P03`, `I`).
    Strong,
}

/// Judges `name` as a speaker name: one to four words, at most 40 characters, letters,
/// digits, `_ - ' ( ) & / +`, and dots only at the end of short abbreviations (`Dr.`).
pub(crate) fn name_shape(name: &str) -> NameShape {
    let name = name.trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || name.chars().count() > 40 {
        return NameShape::No;
    }
    let clean_word = |w: &str| {
        let body = match w.strip_suffix('.') {
            Some(b) if (1..=4).contains(&b.chars().count()) => b,
            _ => w,
        };
        !body.is_empty()
            && body.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, '_' | '-' | '\'' | '’' | '(' | ')' | '&' | '/' | '+')
            })
    };
    if !words.iter().all(|w| clean_word(w)) {
        return NameShape::No;
    }
    let first = name.chars().next().expect("not empty");
    if first.is_lowercase() {
        NameShape::Weak
    } else {
        NameShape::Strong
    }
}

/// Splits `Name: text` into the candidate name and the rest (which may be empty).
pub(crate) fn prefix_candidate(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let (name, rest) = (&text[..colon], &text[colon + 1..]);
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    (name_shape(name) != NameShape::No).then(|| (name.trim(), rest.trim()))
}

/// Moves `Name: ` prefixes into `speaker` for drafts that have none, when the file uses them
/// as speakers (see the module docs).
fn apply_prefix_speakers(drafts: &mut [Draft]) {
    let unlabelled: Vec<usize> = (0..drafts.len()).filter(|&i| drafts[i].speaker.is_none()).collect();
    if unlabelled.is_empty() {
        return;
    }
    let candidates: Vec<Option<String>> = unlabelled
        .iter()
        .map(|&i| prefix_candidate(&drafts[i].text).map(|(name, _)| name.to_string()))
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in candidates.iter().flatten() {
        *counts.entry(name.as_str()).or_default() += 1;
    }
    let with_prefix = candidates.iter().flatten().count();
    let prefixes_are_common = with_prefix * 2 >= unlabelled.len();
    let accepted: Vec<bool> = candidates
        .iter()
        .map(|c| match c {
            None => false,
            Some(name) => {
                counts[name.as_str()] >= 2 || (prefixes_are_common && name_shape(name) == NameShape::Strong)
            }
        })
        .collect();
    for ((&i, name), ok) in unlabelled.iter().zip(candidates).zip(accepted) {
        if ok {
            let draft = &mut drafts[i];
            let rest = prefix_candidate(&draft.text).map(|(_, rest)| rest.to_string()).unwrap_or_default();
            draft.text = rest;
            draft.speaker = name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(start: i64, text: &str) -> Draft {
        let mut d = Draft::new(1, start, None);
        d.push_text(text);
        d
    }

    #[test]
    fn detects_each_format_from_content_alone() {
        let cases = [
            ("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", Format::Vtt),
            ("1\n00:00:01,000 --> 00:00:02,000\nhi\n", Format::Srt),
            ("Maya Lindqvist  0:03\nHello there.\n", Format::Otter),
            ("[00:00:01] Maya: hi\n", Format::Text),
            ("00:03:40.5Zack: What will digging this hole accomplish?\n", Format::Text),
            ("I: Erzählen Sie mal. #00:00:06-9#\n", Format::Text),
            ("{\"segments\": []}", Format::Json),
            ("[{\"start_ms\": 0}]", Format::Json),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text, "file.txt").unwrap(), want, "{text:?}");
        }
    }

    #[test]
    fn the_extension_decides_only_when_the_content_does_not() {
        assert_eq!(detect("garbage\n", "x.srt").unwrap(), Format::Srt);
        assert_eq!(detect("WEBVTT\n", "x.srt").unwrap(), Format::Vtt, "content wins over the name");
        let err = detect("just words\n", "x.txt").unwrap_err();
        assert!(err.to_string().starts_with("x.txt: could not tell the transcript format"), "{err}");
    }

    #[test]
    fn a_prefix_is_a_speaker_when_it_recurs_or_most_segments_have_one() {
        let mut labelled =
            vec![draft(0, "interviewer: hi"), draft(1, "Priya: hello"), draft(2, "interviewer: so")];
        apply_prefix_speakers(&mut labelled);
        let speakers: Vec<_> = labelled.iter().map(|d| d.speaker.as_deref()).collect();
        assert_eq!(speakers, [Some("interviewer"), Some("Priya"), Some("interviewer")]);
        assert_eq!(labelled[0].text, "hi");

        let mut prose =
            vec![draft(0, "We shipped it."), draft(1, "Yes: that was it."), draft(2, "Then lunch.")];
        apply_prefix_speakers(&mut prose);
        assert!(prose.iter().all(|d| d.speaker.is_none()), "a lone prefix in prose stays text");
        assert_eq!(prose[1].text, "Yes: that was it.");
    }

    #[test]
    fn names_allow_abbreviations_but_not_sentences() {
        assert_eq!(name_shape("Dr. Jonas Berg"), NameShape::Strong);
        assert_eq!(name_shape("SPEAKER_00"), NameShape::Strong);
        assert_eq!(name_shape("Maya L. (UX)"), NameShape::Strong);
        assert_eq!(name_shape("interviewer"), NameShape::Weak);
        assert_eq!(name_shape("So, what I mean"), NameShape::No);
        assert_eq!(name_shape("one two three four five"), NameShape::No);
    }

    #[test]
    fn open_ends_close_at_the_next_start_and_the_last_by_word_count() {
        let cues =
            finish(vec![draft(1000, "one two"), draft(5000, "three four five")], "f", "cue", true).unwrap();
        assert_eq!(cues[0].end_ms, 5000);
        assert_eq!(cues[1].end_ms, 5000 + 3 * ESTIMATED_MS_PER_WORD);
    }

    #[test]
    fn markup_is_stripped_and_lone_brackets_kept() {
        assert_eq!(strip_markup("<i>hi</i> {\\an8}there {x} a < b"), "hi there {x} a < b");
    }
}
