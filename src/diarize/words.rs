//! Words to speakers: every word of a segment goes to the speaker whose turn it overlaps most,
//! and a segment is cut at the word where the speaker changes.

use super::cluster::Turn;
use crate::transcript::{Cue, SegmentDetail, Word};

/// The speaker (index) whose turns overlap `[start, end)` most; else the nearest turn's
/// within [`NEAREST_MS`]; else none.
pub(crate) fn speaker_of(turns: &[Turn], start: i64, end: i64) -> Option<usize> {
    let mut best: Option<(i64, usize)> = None;
    let mut overlap = std::collections::BTreeMap::<usize, i64>::new();
    for t in turns {
        let o = t.end_ms.min(end) - t.start_ms.max(start);
        if o > 0 {
            *overlap.entry(t.speaker).or_default() += o;
        }
    }
    for (s, o) in overlap {
        if best.is_none_or(|(b, _)| o > b) {
            best = Some((o, s));
        }
    }
    if let Some((_, s)) = best {
        return Some(s);
    }
    // No overlap: the nearest turn, if it is close (a word whisper put in the pause after a
    // turn); words far from any speech (beyond the end of the audio heard) keep their speaker.
    let gap = |t: &Turn| (t.start_ms - end).max(start - t.end_ms).max(0);
    turns.iter().filter(|t| gap(t) <= NEAREST_MS).min_by_key(|t| gap(t)).map(|t| t.speaker)
}

/// How far (ms) from a turn a word may be and still be given to its speaker.
const NEAREST_MS: i64 = 1500;

/// The shortest run of words (ms) kept as a speaker's own part of a segment; a shorter one
/// goes with the words before it (a turn boundary a word off is not a speaker change).
const MIN_RUN_MS: i64 = 400;

/// A segment cut where its words change speaker (`labels` name the turn speakers).
pub fn split_by_turns(seg: &SegmentDetail, turns: &[Turn], labels: &[String]) -> Vec<Cue> {
    let label = |i: Option<usize>| i.and_then(|i| labels.get(i).cloned());
    let whole = || {
        vec![Cue {
            start_ms: seg.start_ms,
            end_ms: seg.end_ms,
            speaker: label(speaker_of(turns, seg.start_ms, seg.end_ms)).or(seg.speaker_label.clone()),
            text: seg.text.clone(),
            words: seg.words.clone(),
        }]
    };
    if seg.words.len() < 2 {
        return whole();
    }
    let tokens: Vec<&str> = seg.text.split_whitespace().collect();
    let texts: Vec<String> = if tokens.len() == seg.words.len() {
        tokens.iter().map(|t| t.to_string()).collect()
    } else {
        seg.words.iter().map(|w| w.text.trim().to_string()).collect()
    };
    let who: Vec<Option<usize>> =
        seg.words.iter().map(|w| speaker_of(turns, w.start_ms, w.end_ms.max(w.start_ms + 1))).collect();
    // Runs of one speaker: (speaker, first word, end word).
    let mut runs: Vec<(Option<usize>, usize, usize)> = Vec::new();
    for (i, w) in who.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if r.0 == *w => r.2 = i + 1,
            _ => runs.push((*w, i, i + 1)),
        }
    }
    let run_ms = |r: &(Option<usize>, usize, usize)| seg.words[r.2 - 1].end_ms - seg.words[r.1].start_ms;
    let mut i = 0;
    while runs.len() > 1 && i < runs.len() {
        if run_ms(&runs[i]) < MIN_RUN_MS {
            let r = runs.remove(i);
            if i > 0 {
                runs[i - 1].2 = r.2;
            } else {
                runs[0].1 = r.1;
            }
            // Neighbours of one speaker join.
            let mut k = 1;
            while k < runs.len() {
                if runs[k].0 == runs[k - 1].0 {
                    runs[k - 1].2 = runs[k].2;
                    runs.remove(k);
                } else {
                    k += 1;
                }
            }
            i = 0;
        } else {
            i += 1;
        }
    }
    if runs.len() == 1 {
        let mut c = whole();
        c[0].speaker = label(runs[0].0).or(c[0].speaker.take());
        return c;
    }
    let n = runs.len();
    runs.iter()
        .enumerate()
        .map(|(k, &(s, a, b))| {
            let words: Vec<Word> = seg.words[a..b].to_vec();
            Cue {
                start_ms: if k == 0 { seg.start_ms } else { words[0].start_ms },
                end_ms: if k + 1 == n { seg.end_ms } else { seg.words[b].start_ms.max(words[0].start_ms) },
                speaker: label(s).or(seg.speaker_label.clone()),
                text: texts[a..b].join(" "),
                words,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: i64, e: i64, t: &str) -> Word {
        Word { start_ms: s, end_ms: e, text: t.into() }
    }

    fn seg(words: Vec<Word>) -> SegmentDetail {
        SegmentDetail {
            id: 1,
            session_id: 1,
            start_ms: words[0].start_ms,
            end_ms: words.last().unwrap().end_ms,
            speaker_id: None,
            speaker_label: None,
            speaker: None,
            text: words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
            words,
            edits: 0,
        }
    }

    #[test]
    fn a_segment_is_cut_at_the_word_where_the_speaker_changes() {
        let s = seg(vec![
            word(0, 400, "How"),
            word(400, 800, "long?"),
            word(1000, 1500, "About"),
            word(1500, 2000, "an"),
            word(2000, 2500, "hour."),
        ]);
        let turns =
            [Turn { start_ms: 0, end_ms: 900, speaker: 0 }, Turn { start_ms: 950, end_ms: 2600, speaker: 1 }];
        let labels = vec!["A".to_string(), "B".to_string()];
        let parts = split_by_turns(&s, &turns, &labels);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!((parts[0].text.as_str(), parts[0].speaker.as_deref()), ("How long?", Some("A")));
        assert_eq!((parts[1].text.as_str(), parts[1].speaker.as_deref()), ("About an hour.", Some("B")));
        assert_eq!(parts[1].start_ms, 1000);
    }

    #[test]
    fn one_word_of_another_speaker_does_not_cut_a_segment() {
        let s = seg(vec![word(0, 500, "We"), word(500, 700, "ship"), word(700, 1500, "weekly")]);
        let turns = [
            Turn { start_ms: 0, end_ms: 480, speaker: 0 },
            Turn { start_ms: 480, end_ms: 720, speaker: 1 },
            Turn { start_ms: 720, end_ms: 1500, speaker: 0 },
        ];
        let parts = split_by_turns(&s, &turns, &["A".into(), "B".into()]);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].speaker.as_deref(), Some("A"));
    }
}
