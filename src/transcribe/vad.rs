//! Voice activity detection: which parts of the recording whisper reads.
//!
//! whisper.cpp's Silero VAD v5 (the ggml file `ggml-silero-v5.1.2.bin`, converted from the
//! PyPI package `silero-vad` by `scripts/fetch-model`) gives the probability of speech for
//! every 32 ms window of audio ([`Vad::probabilities`], fed a minute of audio at a time), and
//! [`Segmenter`] turns those into speech regions as the audio streams by, the way Silero's own
//! `get_speech_timestamps` does: speech begins where the probability reaches
//! [`THRESHOLD`], and ends after [`MIN_SILENCE`] below [`NEG_THRESHOLD`]; a region shorter
//! than [`MIN_SPEECH`] is dropped, and one longer than the longest chunk is split at its
//! least speech-like window in its last third. Times are in samples of the recording (16 kHz).

use std::path::Path;

use whisper_rs::{WhisperVadContext, WhisperVadContextParams};

use super::{ffi, RATE};
use crate::error::{Error, Result};

/// The file name of the VAD model in the models folder.
pub const VAD_FILE: &str = crate::models::vad::FILE;

/// Samples per VAD window (Silero v5 at 16 kHz).
pub const WINDOW: usize = 512;
/// Windows fed to the VAD at once (60 s); its LSTM state starts afresh with each block.
pub const BLOCK_WINDOWS: usize = 1875;

/// Probability at which speech begins (Silero's and faster-whisper's default).
pub const THRESHOLD: f32 = 0.5;
/// Probability below which speech may end (Silero's default: the threshold less 0.15).
pub const NEG_THRESHOLD: f32 = 0.35;
/// Silence that ends a region: a pause between phrases or sentences, not between words. A
/// region's end is only a place where a chunk may end: regions closer than two pads share
/// one piece of audio, so a short pause is still heard as it was.
pub const MIN_SILENCE: usize = RATE / 4;
/// Windows (256 ms) of the stretch a region too long for a chunk is split in.
const SPLIT_SPAN: usize = 8;
/// Shorter bursts are not speech (a click, a cough).
pub const MIN_SPEECH: usize = RATE / 4;

/// A stretch of speech, in samples of the recording: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start: usize,
    pub end: usize,
}

/// whisper.cpp's Silero VAD, on one thread.
pub struct Vad {
    ctx: WhisperVadContext,
    model: std::path::PathBuf,
}

impl Vad {
    /// Opens the VAD model at `path` (a clear error when it is missing).
    pub fn open(path: &Path) -> Result<Vad> {
        if !path.is_file() {
            return Err(Error::not_found(
                "VAD model",
                format!(
                    "{} (voice activity detection decides what whisper reads: run scripts/fetch-model, \
                     or `rapport models download silero-v5.1.2`)",
                    path.display()
                ),
            ));
        }
        let path_str = path.to_str().ok_or_else(|| {
            Error::invalid(path.display().to_string(), "the VAD model path is not valid UTF-8")
        })?;
        let mut params = WhisperVadContextParams::new();
        params.set_n_threads(1);
        params.set_use_gpu(false);
        let ctx = ffi(path, "loading the VAD model", || WhisperVadContext::new(path_str, params))?;
        Ok(Vad { ctx, model: path.to_path_buf() })
    }

    /// The speech probability of each [`WINDOW`] of `samples` (the last one zero-padded).
    pub fn probabilities(&mut self, samples: &[f32]) -> Result<Vec<f32>> {
        if samples.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = &mut self.ctx;
        ffi(&self.model, "detecting speech", || ctx.detect_speech(samples))?;
        Ok(self.ctx.probabilities().to_vec())
    }
}

/// Turns a stream of window probabilities into speech regions.
#[derive(Debug)]
pub struct Segmenter {
    /// The longest region (samples); a longer one is split.
    max_len: usize,
    /// Windows seen.
    seen: usize,
    /// The open region: where it starts (window), and the probabilities since.
    open: Option<(usize, Vec<f32>)>,
    /// The window where the current run below [`NEG_THRESHOLD`] began.
    quiet_since: Option<usize>,
}

impl Segmenter {
    pub fn new(max_len: usize) -> Segmenter {
        Segmenter { max_len: max_len.max(2 * MIN_SPEECH), seen: 0, open: None, quiet_since: None }
    }

    /// The first sample that may still belong to a region not yet returned.
    pub fn undecided_from(&self) -> usize {
        match &self.open {
            Some((start, _)) => start * WINDOW,
            None => self.seen * WINDOW,
        }
    }

    /// Reads the next windows' probabilities; returns the regions they close.
    pub fn push(&mut self, probs: &[f32]) -> Vec<Region> {
        let mut out = Vec::new();
        for &p in probs {
            let i = self.seen;
            self.seen += 1;
            match &mut self.open {
                None => {
                    if p >= THRESHOLD {
                        self.open = Some((i, vec![p]));
                        self.quiet_since = None;
                    }
                }
                Some((start, seen)) => {
                    seen.push(p);
                    if p >= THRESHOLD {
                        self.quiet_since = None;
                    } else if p < NEG_THRESHOLD && self.quiet_since.is_none() {
                        self.quiet_since = Some(i);
                    }
                    if let Some(q) = self.quiet_since {
                        if (i + 1 - q) * WINDOW >= MIN_SILENCE {
                            let region = Region { start: *start * WINDOW, end: q * WINDOW };
                            self.open = None;
                            self.quiet_since = None;
                            if region.end - region.start >= MIN_SPEECH {
                                out.push(region);
                            }
                            continue;
                        }
                    }
                    if seen.len() * WINDOW >= self.max_len {
                        // Too long for one chunk: end it in the middle of its least speech-like
                        // 256 ms in its last third (a pause too short to end the region, rather
                        // than a dip between two syllables), and go on from there.
                        let from = seen.len() * 2 / 3;
                        let split = from + least_speech_like(&seen[from..]);
                        let s = *start;
                        out.push(Region { start: s * WINDOW, end: (s + split) * WINDOW });
                        let rest = seen[split..].to_vec();
                        self.open = Some((s + split, rest));
                        if self.quiet_since.is_some_and(|q| q < s + split) {
                            self.quiet_since = Some(s + split);
                        }
                    }
                }
            }
        }
        out
    }

    /// Closes the open region at the end of the audio (`total` samples).
    pub fn finish(&mut self, total: usize) -> Option<Region> {
        let (start, _) = self.open.take()?;
        let end = match self.quiet_since.take() {
            Some(q) => q * WINDOW,
            None => total,
        }
        .min(total);
        let start = start * WINDOW;
        (end > start && end - start >= MIN_SPEECH).then_some(Region { start, end })
    }
}

/// The middle of the [`SPLIT_SPAN`] windows of `probs` with the lowest sum of probabilities.
fn least_speech_like(probs: &[f32]) -> usize {
    if probs.len() <= SPLIT_SPAN {
        return probs.len() / 2;
    }
    let mut sum: f32 = probs[..SPLIT_SPAN].iter().sum();
    let mut best = (sum, 0);
    for i in SPLIT_SPAN..probs.len() {
        sum += probs[i] - probs[i - SPLIT_SPAN];
        if sum < best.0 {
            best = (sum, i + 1 - SPLIT_SPAN);
        }
    }
    best.1 + SPLIT_SPAN / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Probabilities from (seconds, probability) runs.
    fn probs(runs: &[(f32, f32)]) -> Vec<f32> {
        runs.iter()
            .flat_map(|&(secs, p)| std::iter::repeat_n(p, (secs * RATE as f32 / WINDOW as f32) as usize))
            .collect()
    }

    fn secs(r: &Region) -> (f32, f32) {
        (r.start as f32 / RATE as f32, r.end as f32 / RATE as f32)
    }

    #[test]
    fn speech_between_pauses_is_one_region_each_and_a_pause_between_words_is_not_an_end() {
        let p =
            probs(&[(2.0, 0.02), (1.5, 0.9), (0.2, 0.1), (1.0, 0.9), (3.0, 0.05), (2.0, 0.8), (1.0, 0.0)]);
        let mut seg = Segmenter::new(30 * RATE);
        let mut regions = seg.push(&p);
        regions.extend(seg.finish(p.len() * WINDOW));
        let got: Vec<_> = regions.iter().map(secs).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        // (Each run of the probabilities is a whole number of 32 ms windows.)
        assert!((got[0].0 - 2.0).abs() < 0.1 && (got[0].1 - 4.7).abs() < 0.1, "{got:?}");
        assert!((got[1].0 - 7.7).abs() < 0.1 && (got[1].1 - 9.7).abs() < 0.1, "{got:?}");
    }

    #[test]
    fn a_click_is_not_speech_and_silence_gives_no_region() {
        let p = probs(&[(5.0, 0.0), (0.1, 0.99), (5.0, 0.0)]);
        let mut seg = Segmenter::new(30 * RATE);
        assert!(seg.push(&p).is_empty());
        assert_eq!(seg.finish(p.len() * WINDOW), None);
        let mut seg = Segmenter::new(30 * RATE);
        assert!(seg.push(&probs(&[(30.0, 0.1)])).is_empty());
        assert_eq!(seg.finish(30 * RATE), None);
    }

    #[test]
    fn speech_longer_than_a_chunk_is_split_where_it_is_least_speech_like() {
        // 40 s of speech with a dip between syllables at 22 s and a short pause at 25 s.
        let p = probs(&[(22.0, 0.9), (0.05, 0.2), (2.95, 0.9), (0.2, 0.4), (14.8, 0.9)]);
        let mut seg = Segmenter::new(29 * RATE);
        let mut regions = seg.push(&p);
        regions.extend(seg.finish(p.len() * WINDOW));
        let got: Vec<_> = regions.iter().map(secs).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!((got[0].1 - 25.1).abs() < 0.15 && got[1].0 == got[0].1, "{got:?}");
        assert!(regions.iter().all(|r| r.end - r.start <= 29 * RATE));
    }

    #[test]
    fn the_open_region_at_the_end_of_the_audio_ends_with_it() {
        let p = probs(&[(1.0, 0.0), (2.0, 0.9)]);
        let mut seg = Segmenter::new(30 * RATE);
        assert!(seg.push(&p).is_empty());
        assert_eq!(seg.undecided_from(), RATE / WINDOW * WINDOW);
        let r = seg.finish(3 * RATE).unwrap();
        assert_eq!(r.end, 3 * RATE);
    }
}
