//! One chunk through whisper.cpp: the decoding settings, the C hooks, and turning whisper's
//! tokens into segments and words on the recording's time line.
//!
//! Decoding is greedy with faster-whisper's quality checks: when a chunk's text fails the
//! compression check (whisper.cpp's entropy threshold, 2.4) or its average log-probability is
//! below −1.0, it is decoded again at the next temperature (0.2, 0.4, … 1.0); a window whose
//! no-speech probability is above 0.6 with a low log-probability gives no text. The encoder
//! reads a whole 30 s window (whisper was not trained on shorter encoder contexts); speech that
//! whisper leaves unread at the end of a chunk is read again from where it begins. Word times
//! come from whisper.cpp's token timestamps (`token_timestamps`: each token placed from the
//! probabilities of whisper's timestamp tokens): a word starts where its first token does, and
//! a word or segment start that falls in the padding before a region of speech is moved to
//! where the VAD says the speech begins. whisper.cpp's DTW token times (`dtw_token_timestamps`
//! with the tiny.en alignment heads) were measured and left out: on a real voice against
//! Picovoice's word times they were late by 150 to 520 ms (median 232 ms), where the token
//! timestamps are off by a median of 108 ms; a word started at the DTW time of the token
//! before it (as openai-whisper does) is closer on real speech but costs a tenth more time
//! (ARCHITECTURE.md has the numbers).

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use whisper_rs::whisper_rs_sys;
use whisper_rs::{FullParams, SamplingStrategy, WhisperState};

use super::chunks::Chunk;
use super::{ffi, ms, RATE};
use crate::error::Result;
use crate::progress::CancelToken;
use crate::transcript::{format_timestamp, Cue, Word};

/// A gap in the recording (left out of the chunk) longer than this splits a segment.
const SPLIT_GAP: usize = RATE;
/// Candidates kept at each temperature above 0 (faster-whisper's `best_of`).
const BEST_OF: c_int = 5;
/// Unread speech shorter than this is not worth another read (300 ms).
const MIN_UNREAD: usize = RATE * 3 / 10;
/// Reads of one chunk at most (each after whisper stopped before the chunk's last speech).
const MAX_READS: usize = 4;

/// What whisper's C hooks need while it reads one chunk.
pub struct ChunkHooks<'a> {
    pub cancel: &'a CancelToken,
    /// Set when another chunk failed: the rest is not worth finishing.
    pub failed: &'a AtomicBool,
    /// The chunk's speech regions (chunk samples).
    pub speech: &'a [(usize, usize)],
    /// Encoder passes begun on the current read of this chunk.
    pub passes: Cell<u32>,
    /// Where the current read of the chunk starts (chunk samples).
    pub offset: Cell<usize>,
}

impl ChunkHooks<'_> {
    pub fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.failed.load(Ordering::Relaxed)
    }
}

/// whisper.cpp asks this before each graph computation: true stops it.
///
/// SAFETY: `data` is the `ChunkHooks` that `run_chunk` passed, alive for the whole `full` call.
unsafe extern "C" fn abort_hook(data: *mut c_void) -> bool {
    let hooks = &*(data as *const ChunkHooks<'_>);
    hooks.stopped()
}

/// whisper.cpp asks this before each pass of its encoder: false ends the chunk. A second pass
/// reads what whisper's first left unread; it is worth its cost only when speech begins after
/// the last segment's end (a trailing pause is not read twice).
///
/// SAFETY: as [`abort_hook`]; `state` is the whisper state whisper.cpp calls us with.
unsafe extern "C" fn encoder_hook(
    _: *mut whisper_rs_sys::whisper_context,
    state: *mut whisper_rs_sys::whisper_state,
    data: *mut c_void,
) -> bool {
    let hooks = &*(data as *const ChunkHooks<'_>);
    let passes = hooks.passes.get();
    hooks.passes.set(passes + 1);
    if passes == 0 || hooks.stopped() {
        return !hooks.stopped();
    }
    let n = whisper_rs_sys::whisper_full_n_segments_from_state(state);
    let read_to =
        if n > 0 { whisper_rs_sys::whisper_full_get_segment_t1_from_state(state, n - 1) } else { 0 };
    let from = hooks.offset.get() + read_to.max(0) as usize * RATE / 100;
    speech_after(hooks.speech, from)
}

/// Whether a region of speech of at least 300 ms is left after chunk sample `from`.
fn speech_after(speech: &[(usize, usize)], from: usize) -> bool {
    speech.iter().any(|&(a, b)| b > from && b - a.max(from) >= MIN_UNREAD)
}

/// Runs whisper on one chunk and returns its segments, times in the recording.
pub fn run_chunk(
    state: &mut WhisperState,
    chunk: &Chunk,
    language: &str,
    threads: usize,
    eot: c_int,
    hooks: &ChunkHooks<'_>,
    model: &Path,
) -> Result<Vec<Cue>> {
    if hooks.stopped() || chunk.samples.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: BEST_OF });
    params.set_n_threads(threads as c_int);
    params.set_language(Some(language));
    params.set_translate(false);
    params.set_token_timestamps(true);
    params.set_suppress_nst(true);
    params.set_temperature(0.0);
    params.set_temperature_inc(0.2);
    params.set_entropy_thold(2.4);
    params.set_logprob_thold(-1.0);
    params.set_no_speech_thold(0.6);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    let data = hooks as *const ChunkHooks<'_> as *mut c_void;
    // SAFETY: the hooks only read `hooks` through `data`; `hooks` outlives `full` below, and
    // whisper.cpp calls them on this thread during `full` only.
    unsafe {
        params.set_abort_callback(Some(abort_hook));
        params.set_abort_callback_user_data(data);
        params.set_start_encoder_callback(Some(encoder_hook));
        params.set_start_encoder_callback_user_data(data);
    }
    let at = format_timestamp(ms(chunk.start()));
    let mut raw = Vec::new();
    // Where this read of the chunk starts (chunk samples). whisper may end a window early (an
    // end-of-text before the last speech, or a window it took for no speech): the speech it
    // left unread is read again from there, so no region of speech is silently dropped.
    let mut from = 0usize;
    for _ in 0..MAX_READS {
        hooks.passes.set(0);
        hooks.offset.set(from);
        let samples = &chunk.samples[from..];
        let pass = params.clone();
        let result = ffi(model, &format!("on the audio from {at}"), || state.full(pass, samples));
        if hooks.stopped() {
            return Ok(Vec::new());
        }
        result?;
        let mut read_to = from;
        for seg in state.as_iter() {
            let mut tokens = Vec::new();
            for i in 0..seg.n_tokens() {
                let Some(token) = seg.get_token(i) else { continue };
                let data = token.token_data();
                if data.id >= eot {
                    continue;
                }
                let piece = token.to_str_lossy().map(|t| t.into_owned()).unwrap_or_default();
                tokens.push((piece, from + data.t0.max(0) as usize * RATE / 100));
            }
            let (t0, t1) = (seg.start_timestamp().max(0) as usize, seg.end_timestamp().max(0) as usize);
            let (t0, t1) = (from + t0 * RATE / 100, from + t1 * RATE / 100);
            read_to = read_to.max(t1);
            raw.push(RawSegment { t0, t1, tokens });
        }
        // The next region of speech left unread, from a little before it begins.
        let Some(&(start, _)) =
            chunk.speech.iter().find(|&&(a, b)| b > read_to && b - a.max(read_to) >= MIN_UNREAD)
        else {
            break;
        };
        // Never before what was read: that would read its last words twice.
        let next =
            if start >= read_to { start.saturating_sub(super::chunks::PAD).max(read_to) } else { read_to };
        if next <= from || next + MIN_UNREAD > chunk.samples.len() {
            break;
        }
        from = next;
    }
    Ok(place(chunk, &raw))
}

/// A segment as whisper gave it: times in chunk samples, tokens with their start times.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSegment {
    pub t0: usize,
    pub t1: usize,
    pub tokens: Vec<(String, usize)>,
}

/// Words from tokens (a token that begins with a space begins a word), then segments on the
/// recording's time line: a segment starts with its first word, ends with whisper's end time
/// (never before its last word starts), and is split where the chunk left out more than
/// [`SPLIT_GAP`] of the recording between two of its words.
pub fn place(chunk: &Chunk, raw: &[RawSegment]) -> Vec<Cue> {
    let mut out: Vec<Cue> = Vec::new();
    for seg in raw {
        // (text, chunk start)
        let mut words: Vec<(String, usize)> = Vec::new();
        for (piece, t) in &seg.tokens {
            let text = piece.trim();
            if text.is_empty() {
                continue;
            }
            match words.last_mut() {
                Some(w) if !piece.starts_with(' ') => w.0.push_str(text),
                _ => words.push((text.to_string(), (*t).clamp(seg.t0, seg.t1.max(seg.t0)))),
            }
        }
        // Starts never go back in time.
        for i in 1..words.len() {
            words[i].1 = words[i].1.max(words[i - 1].1);
        }
        let mut groups: Vec<Vec<(String, usize)>> = Vec::new();
        for w in words {
            match groups.last_mut() {
                Some(g) if !chunk.gap_between(g.last().unwrap().1, w.1, SPLIT_GAP) => g.push(w),
                _ => groups.push(vec![w]),
            }
        }
        let n = groups.len();
        for (gi, group) in groups.into_iter().enumerate() {
            let starts: Vec<usize> = group.iter().map(|w| chunk.snap_start(w.1)).collect();
            let last_start = *starts.last().unwrap();
            let end = if gi + 1 == n {
                chunk.to_recording(seg.t1).max(last_start + RATE / 10)
            } else {
                // Ends where its last piece of audio does.
                let p = chunk.to_recording(group.last().unwrap().1);
                chunk
                    .pieces
                    .iter()
                    .find(|x| p >= x.start && p <= x.start + x.len)
                    .map_or(p, |x| x.start + x.len)
            };
            let mut cue_words = Vec::with_capacity(group.len());
            for (i, (text, _)) in group.iter().enumerate() {
                let next = starts.get(i + 1).copied().unwrap_or(end);
                cue_words.push(Word {
                    start_ms: ms(starts[i]),
                    end_ms: ms(next.max(starts[i])),
                    text: text.clone(),
                });
            }
            let text = group.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" ");
            out.push(Cue { start_ms: ms(starts[0]), end_ms: ms(end), speaker: None, text, words: cue_words });
        }
    }
    out
}

/// Whether `seg` repeats `prev` over the same stretch of time (whisper reading the same words
/// twice): it starts before `prev` ends and its words are the end of `prev`'s.
pub fn repeats(prev: &Cue, seg: &Cue) -> bool {
    let norm = |t: &str| {
        t.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (a, b) = (norm(&prev.text), norm(&seg.text));
    seg.start_ms < prev.end_ms && !b.is_empty() && (a == b || a.ends_with(&format!(" {b}")))
}

#[cfg(test)]
mod tests {
    use super::super::chunks::Piece;
    use super::*;

    fn s(ms: usize) -> usize {
        ms * RATE / 1000
    }

    fn chunk(ranges: &[(usize, usize, usize)]) -> Chunk {
        let mut at = 0;
        let pieces = ranges
            .iter()
            .map(|&(a, b, sp)| {
                let p = Piece { at, start: s(a), len: s(b) - s(a), speech_start: s(sp) };
                at += s(b) - s(a);
                p
            })
            .collect();
        Chunk { index: 0, pieces, speech: Vec::new(), samples: vec![0.0; at] }
    }

    fn tokens(list: &[(&str, usize)]) -> Vec<(String, usize)> {
        list.iter().map(|(t, ms)| (t.to_string(), s(*ms))).collect()
    }

    #[test]
    fn words_start_at_their_first_token_and_a_leading_pad_does_not_pull_them_early() {
        // Speech from 6.0 s; the chunk starts at 5.8 s; whisper says the segment starts at 0.
        let c = chunk(&[(5800, 9000, 6000)]);
        let raw = RawSegment {
            t0: 0,
            t1: s(2900),
            tokens: tokens(&[(" Hello", 100), (" there", 700), ("!", 900), (" friend", 1500)]),
        };
        let cues = place(&c, &[raw]);
        assert_eq!(cues.len(), 1);
        let cue = &cues[0];
        assert_eq!(cue.text, "Hello there! friend");
        assert_eq!(cue.start_ms, 6000, "snapped to where speech begins");
        let starts: Vec<i64> = cue.words.iter().map(|w| w.start_ms).collect();
        assert_eq!(starts, vec![6000, 6500, 7300]);
        assert_eq!(cue.words[0].end_ms, 6500);
        assert_eq!(cue.end_ms, 8700);
    }

    #[test]
    fn a_segment_that_spans_left_out_silence_is_split_there_with_each_part_on_its_own_time() {
        // Two utterances 10 s apart in the recording, 0.4 s apart in the chunk.
        let c = chunk(&[(1800, 4200, 2000), (14800, 17200, 15000)]);
        let raw = RawSegment {
            t0: 0,
            t1: s(4700),
            tokens: tokens(&[(" Yes", 250), (" please.", 800), (" Thank", 2650), (" you.", 3100)]),
        };
        let cues = place(&c, &[raw]);
        assert_eq!(
            cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            vec!["Yes please.", "Thank you."]
        );
        assert_eq!(cues[0].start_ms, 2050);
        assert_eq!(cues[0].end_ms, 4200, "the first ends with its piece of audio");
        assert_eq!(cues[1].start_ms, 15050);
    }

    #[test]
    fn a_segment_repeating_the_one_before_over_the_same_time_is_dropped() {
        let cue = |a: i64, b: i64, t: &str| Cue {
            start_ms: a,
            end_ms: b,
            speaker: None,
            text: t.into(),
            words: vec![],
        };
        let first = cue(0, 4000, "So, we ship on Fridays.");
        assert!(repeats(&first, &cue(3000, 4000, "we ship on Fridays")));
        assert!(!repeats(&first, &cue(3000, 4000, "ship on Mondays")));
        assert!(!repeats(&first, &cue(3000, 4000, "Fri")), "part of a word is not a repeat");
        // Said twice, at two times: both stay.
        assert!(!repeats(&cue(0, 1000, "Hello?"), &cue(1500, 2000, "Hello?")));
    }

    #[test]
    fn a_second_encoder_pass_is_spent_only_on_speech_left_unread() {
        let speech = [(0, 5 * RATE), (20 * RATE, 22 * RATE)];
        assert!(speech_after(&speech, 10 * RATE));
        assert!(!speech_after(&speech, 22 * RATE));
        assert!(!speech_after(&speech, 21 * RATE + RATE * 9 / 10), "100 ms is not worth a pass");
    }
}
