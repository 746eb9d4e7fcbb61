//! One mixed recording: the speech found by the VAD, its MFCCs clustered ([`super::cluster`]),
//! and, when those clusters are not clearly apart and the voice encoder is installed, the
//! speakers found again from d-vectors ([`super::dvec`]).

use super::cluster::{self, ClusterOptions, Span, Turn};
use super::dvec;
use super::features::{self, Frame, Stats};
use super::voice;
use crate::error::Result;
use crate::progress::CancelToken;
use crate::transcribe::vad::{self, Segmenter, Vad};

/// The VAD's speech probability of every window of `samples`, a minute at a time.
pub(crate) fn probabilities(vad: &mut Vad, samples: &[f32]) -> Result<Vec<f32>> {
    let mut probs = Vec::with_capacity(samples.len() / vad::WINDOW + 1);
    for block in samples.chunks(vad::BLOCK_WINDOWS * vad::WINDOW) {
        probs.extend(vad.probabilities(block)?);
    }
    probs.truncate(samples.len().div_ceil(vad::WINDOW));
    Ok(probs)
}

/// The speech regions of 16 kHz `samples` (in 10 ms frames) by the VAD.
pub fn speech_regions(vad: &mut Vad, samples: &[f32]) -> Result<Vec<Span>> {
    Ok(regions(&probabilities(vad, samples)?, samples.len()))
}

/// Speech regions (in 10 ms frames) from window probabilities.
fn regions(probs: &[f32], total: usize) -> Vec<Span> {
    let mut seg = Segmenter::new(usize::MAX / 4);
    let mut rs = seg.push(probs);
    rs.extend(seg.finish(total));
    rs.into_iter().map(|r| Span { start: r.start / features::HOP, end: r.end / features::HOP }).collect()
}

/// A clustering of the MFCCs is kept when its closest two speakers are at least this many
/// times farther apart ([`Stats::divergence`]) than the least steady speaker is from itself
/// (odd against even turns). Measured: espeak-ng dialogues 14 to 60 (one voice varies
/// little) and two real readers recorded apart 13; a real 30 s telephone call 1.1 to 1.7
/// and meeting excerpts 0 to 2.7 (the single Gaussian cannot tell those voices apart, the
/// trained embedding can).
pub const SEPARATED: f64 = 3.0;
/// With the number of speakers not given, the windows' d-vectors are two voices when two
/// clusters of them have at least this silhouette ([`dvec::silhouette`]). Measured on the
/// speech's windows: one voice 0.15 (an espeak-ng monologue) and 0.19 (a LibriVox reader);
/// two voices 0.22 to 0.32 on real recordings (a telephone call, meeting excerpts) and 0.38
/// on espeak-ng voices; meeting excerpts where one of three or four people speaks most of
/// the time 0.16 to 0.19 (taken for one voice). An interview has two voices far more often
/// than one, so the line sits low.
pub const TWO_VOICES: f64 = 0.2;

/// Diarizes one mixed recording (16 kHz mono samples): its speech regions by the VAD, its
/// frames' MFCCs clustered by [`cluster::cluster`]. When the voice encoder is given and the
/// MFCC clusters are not clearly apart ([`SEPARATED`]), the speakers are found again from the
/// d-vectors ([`dvec`]): as many as asked for, else two when two clusters of windows are
/// apart ([`TWO_VOICES`]), else one. Turns are in ms of the recording. A cancel stops the
/// embedding; the caller, which checks `cancel`, drops what is returned.
pub fn mixed(
    samples: &[f32],
    vad: &mut Vad,
    opts: &ClusterOptions,
    voices: Option<&voice::VoiceEncoder>,
    cancel: &CancelToken,
) -> Result<cluster::Clustering> {
    let regions = speech_regions(vad, samples)?;
    let frames = features::mfcc(samples);
    let mut by_mfcc = cluster::cluster(&frames, &regions, opts);
    let Some(enc) = voices else { return Ok(by_mfcc) };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let speakers = by_mfcc.stats.len();
    if speakers >= 2 && separation(&frames, &by_mfcc.turns, speakers) >= SEPARATED {
        by_mfcc.voices = dvec::voices(enc, samples, &by_mfcc.turns, speakers, threads, cancel);
        return Ok(by_mfcc);
    }
    let w = dvec::windows(enc, samples, &regions, threads, cancel);
    let (_, centres) = match opts.speakers {
        Some(n) => dvec::kmeans(&w.emb, n.max(1)),
        None if w.emb.len() < 4 => dvec::kmeans(&w.emb, 1),
        None => {
            let two = dvec::kmeans(&w.emb, 2);
            if dvec::silhouette(&w.emb, &two.0) >= TWO_VOICES {
                two
            } else {
                dvec::kmeans(&w.emb, 1)
            }
        }
    };
    let (turns, stats, voices) = dvec::turns(&w, &regions, &frames, &centres);
    let merged_extra = opts.speakers.map_or(0, |n| n.saturating_sub(stats.len()));
    Ok(cluster::Clustering { turns, stats, merged_extra, voices })
}

/// How far apart the clustered speakers are against how much each varies: the smallest
/// divergence between two speakers over the largest between one speaker's odd and even turns.
pub fn separation(frames: &[Frame], turns: &[Turn], speakers: usize) -> f64 {
    let mut halves = vec![[Stats::default(), Stats::default()]; speakers];
    let mut seen = vec![0usize; speakers];
    for t in turns {
        let a = features::frames_in(t.start_ms).min(frames.len());
        let b = features::frames_in(t.end_ms).min(frames.len());
        let half = seen[t.speaker] % 2;
        seen[t.speaker] += 1;
        for f in &frames[a..b] {
            halves[t.speaker][half].push(f);
        }
    }
    let steadiness = halves
        .iter()
        .map(|[a, b]| if a.n < 100.0 || b.n < 100.0 { f64::INFINITY } else { a.divergence(b) })
        .fold(0.005f64, f64::max);
    let whole: Vec<Stats> = halves.iter().map(|[a, b]| a.join(b)).collect();
    let mut apart = f64::INFINITY;
    for i in 0..speakers {
        for j in i + 1..speakers {
            apart = apart.min(whole[i].divergence(&whole[j]));
        }
    }
    apart / steadiness
}
