//! Tracks that already separate speakers: one recording per participant (Zoom's "separate
//! audio file for each participant", Riverside, SquadCast), or a stereo file whose channels
//! carry different people.
//!
//! Each track's speech activity is the Silero VAD's probability per 32 ms window (the
//! detector transcription uses), placed on the session's time line by the track's offset.
//! In each window, the speaking track is the loudest of the tracks whose probability reaches
//! the VAD's threshold: a voice that bleeds into another participant's microphone is quieter
//! there than in its own. Runs of one track make its turns; a pause shorter than
//! [`BRIDGE_MS`] inside one speaker's run does not end the turn.

use super::cluster::Turn;
use crate::transcribe::vad::{THRESHOLD, WINDOW};

/// Windows per second of the VAD's output.
const RATE: usize = 16_000;

/// A pause of one speaker no longer than this keeps their turn going.
pub const BRIDGE_MS: i64 = 600;

/// One track's speech activity.
#[derive(Debug, Clone)]
pub struct Activity {
    /// The track's speaker label.
    pub label: String,
    /// Where the track starts on the session's time line (ms).
    pub offset_ms: i64,
    /// Speech probability of each [`WINDOW`] of the track.
    pub probs: Vec<f32>,
    /// RMS level of each window.
    pub level: Vec<f32>,
}

/// The RMS level of each [`WINDOW`] of `samples`.
pub fn levels(samples: &[f32]) -> Vec<f32> {
    samples
        .chunks(WINDOW)
        .map(|w| (w.iter().map(|x| x * x).sum::<f32>() / w.len().max(1) as f32).sqrt())
        .collect()
}

fn window_ms(i: usize) -> i64 {
    (i * WINDOW * 1000 / RATE) as i64
}

/// The turns of the tracks: which one speaks when, on the session's time line. Speakers are
/// the tracks' indices.
pub fn turns(tracks: &[Activity]) -> Vec<Turn> {
    let end_ms = tracks.iter().map(|t| t.offset_ms + window_ms(t.probs.len())).max().unwrap_or(0);
    let step = window_ms(1).max(1);
    let mut turns: Vec<Turn> = Vec::new();
    let mut t = tracks.iter().map(|t| t.offset_ms).min().unwrap_or(0).max(0);
    while t < end_ms {
        let mut best: Option<(usize, f32)> = None;
        for (i, tr) in tracks.iter().enumerate() {
            let rel = t - tr.offset_ms;
            if rel < 0 {
                continue;
            }
            let w = (rel as usize * RATE / 1000) / WINDOW;
            let (Some(&p), Some(&l)) = (tr.probs.get(w), tr.level.get(w)) else { continue };
            if p >= THRESHOLD && best.is_none_or(|(_, bl)| l > bl) {
                best = Some((i, l));
            }
        }
        if let Some((speaker, _)) = best {
            match turns.last_mut() {
                Some(last) if last.speaker == speaker && t - last.end_ms <= BRIDGE_MS => {
                    last.end_ms = t + step
                }
                _ => turns.push(Turn { start_ms: t, end_ms: t + step, speaker }),
            }
        }
        t += step;
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(label: &str, offset_ms: i64, speech: &[(f32, f32)], level: f32) -> Activity {
        let mut probs = Vec::new();
        for &(secs, p) in speech {
            probs.extend(std::iter::repeat_n(p, (secs * 1000.0 / 32.0) as usize));
        }
        let level = vec![level; probs.len()];
        Activity { label: label.into(), offset_ms, probs, level }
    }

    #[test]
    fn each_track_speaks_in_its_own_turns_and_the_offset_moves_them() {
        let a = act("A", 0, &[(2.0, 0.9), (2.0, 0.0), (2.0, 0.9)], 0.1);
        let b = act("B", 1000, &[(1.0, 0.0), (2.0, 0.9), (3.0, 0.0)], 0.1);
        let got = turns(&[a, b]);
        let who: Vec<usize> = got.iter().map(|t| t.speaker).collect();
        assert_eq!(who, vec![0, 1, 0], "{got:?}");
        assert!((got[1].start_ms - 2000).abs() <= 40, "{got:?}");
    }

    #[test]
    fn a_voice_bleeding_into_the_other_microphone_stays_with_the_louder_track() {
        let a = act("A", 0, &[(3.0, 0.9)], 0.2);
        let b = act("B", 0, &[(3.0, 0.8)], 0.02);
        let got = turns(&[a, b]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].speaker, 0);
    }
}
