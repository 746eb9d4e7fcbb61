//! Rapport's transcript JSON (what `transcript export --format json` writes):
//! `{"session": 3, "segments": [{"start_ms", "end_ms", "speaker", "text", "words"?}]}`, or the
//! bare list of segments. Unknown keys are ignored; errors name the line of the segment.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{finish, Draft};
use crate::error::{Error, Result};
use crate::transcript::{Cue, Word, MAX_TIME_MS};

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow)]
    segments: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct JsonSegment {
    start_ms: i64,
    end_ms: i64,
    #[serde(default)]
    speaker: Option<String>,
    text: String,
    #[serde(default)]
    words: Option<Vec<Word>>,
}

/// An error of serde_json at `line_offset` lines into the file, as a Rapport error.
fn json_error(source: &str, line_offset: usize, err: &serde_json::Error) -> Error {
    let message = err.to_string();
    let message = message.rsplit_once(" at line ").map(|(m, _)| m).unwrap_or(&message);
    Error::invalid(
        format!("{source}:{}", line_offset + err.line().max(1)),
        format!("{message} (column {}); expected Rapport transcript JSON", err.column()),
    )
}

/// Parses Rapport transcript JSON. `source` names the file in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<Cue>> {
    let body = text.trim_start_matches('\u{feff}');
    let raws: Vec<&RawValue> = if body.trim_start().starts_with('[') {
        serde_json::from_str(body).map_err(|e| json_error(source, 0, &e))?
    } else {
        serde_json::from_str::<Doc>(body).map_err(|e| json_error(source, 0, &e))?.segments
    };
    let mut drafts = Vec::with_capacity(raws.len());
    for (index, raw) in raws.iter().enumerate() {
        let offset = raw.get().as_ptr() as usize - body.as_ptr() as usize;
        let lines_before = body[..offset].matches('\n').count();
        let line = lines_before + 1;
        let seg: JsonSegment =
            serde_json::from_str(raw.get()).map_err(|e| json_error(source, lines_before, &e))?;
        let at = format!("{source}:{line}");
        if seg.start_ms < 0 || seg.end_ms < seg.start_ms || seg.end_ms > MAX_TIME_MS {
            return Err(Error::invalid(
                at,
                format!(
                    "segment {index}: expected 0 <= start_ms <= end_ms <= {MAX_TIME_MS} (1,000 hours), found start_ms {} and end_ms {}",
                    seg.start_ms, seg.end_ms
                ),
            ));
        }
        if seg.text.trim().is_empty() {
            return Err(Error::invalid(at, format!("segment {index}: expected a non-empty \"text\"")));
        }
        let words = seg.words.unwrap_or_default();
        if let Some(w) =
            words.iter().find(|w| w.end_ms < w.start_ms || w.start_ms < 0 || w.end_ms > MAX_TIME_MS)
        {
            return Err(Error::invalid(
                at,
                format!("segment {index}: the word {:?} ends before it starts or starts before 0", w.text),
            ));
        }
        let mut draft = Draft::new(line, seg.start_ms, Some(seg.end_ms));
        draft.speaker = seg.speaker.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        draft.push_text(&seg.text);
        draft.words = words;
        drafts.push(draft);
    }
    finish(drafts, source, "segment", false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_segments_with_words_and_no_speaker() {
        let json = r#"{"session": 3, "segments": [
  {"start_ms": 0, "end_ms": 900, "speaker": "Maya", "text": "Hi there",
   "words": [{"start_ms": 0, "end_ms": 400, "text": "Hi"}, {"start_ms": 450, "end_ms": 900, "text": "there"}]},
  {"start_ms": 1000, "end_ms": 2000, "speaker": null, "text": "Note: unlabelled"}
]}"#;
        let cues = parse(json, "t.json").unwrap();
        assert_eq!(cues[0].words.len(), 2);
        assert_eq!(cues[0].speaker.as_deref(), Some("Maya"));
        assert_eq!(cues[1].speaker, None, "JSON names speakers explicitly: a `Note: ` prefix stays text");
        assert_eq!(cues[1].text, "Note: unlabelled");
    }

    #[test]
    fn a_bad_segment_names_its_line() {
        let json = "{\"segments\": [\n  {\"start_ms\": 0, \"end_ms\": 10, \"text\": \"a\"},\n  {\"start_ms\": 50, \"end_ms\": 10, \"text\": \"b\"}\n]}";
        let err = parse(json, "t.json").unwrap_err();
        assert!(
            err.to_string().starts_with("t.json:3: segment 1: expected 0 <= start_ms <= end_ms"),
            "{err}"
        );
        let err =
            parse("{\"segments\": [\n {\"start_ms\": \"zero\", \"end_ms\": 1, \"text\": \"a\"}]}", "t.json")
                .unwrap_err();
        assert!(err.to_string().starts_with("t.json:2: invalid type: string \"zero\""), "{err}");
    }
}
