//! Speakers told apart by a trained speaker embedding (the d-vectors of [`super::voice`]).
//!
//! The speech regions are covered by 1.6 s windows every 400 ms ([`windows`]); each window
//! gets a d-vector. With the number of speakers known, the windows are clustered by spherical
//! k-means (cosine similarity; the best fit of several k-means++ starts); a Viterbi pass over
//! each region's windows, with a penalty for a change of speaker, smooths the labels; every
//! 100 ms step of speech then takes the label of the window centred nearest to it.
//! [`silhouette`] says how well a clustering separates the windows (the mean, over windows, of
//! how much nearer a window is to its own cluster than to the next one): one voice split in
//! two scores low, two voices high.

use super::cluster::{self, Span, Turn};
use super::features::{self, Frame, Stats};
use super::voice::{cosine, normalise, VoiceEncoder, DIM, WINDOW_FRAMES};
use crate::progress::CancelToken;

/// Frames between window centres (400 ms).
pub const WINDOW_HOP: usize = 40;
/// Frames per step of the result (100 ms), as in [`super::cluster`].
const STEP: usize = 10;
/// The cost of a change of speaker between two windows, in cosine similarity.
const SWITCH: f32 = 0.15;
/// k-means starts; the clustering that fits best is kept.
const RESTARTS: usize = 12;
/// Windows the silhouette is computed on at most (evenly spaced), to keep it quadratic in a
/// bounded number.
const SILHOUETTE_WINDOWS: usize = 1500;

/// The windows of the speech: their centres (frames) and d-vectors, with the region of each.
pub struct Windows {
    pub centres: Vec<usize>,
    pub region: Vec<usize>,
    pub emb: Vec<[f32; DIM]>,
}

/// Embeds windows centred every [`WINDOW_HOP`] frames in each region (one in the middle of a
/// region shorter than that). `samples` is the 16 kHz audio, `regions` its speech in frames.
pub fn windows(
    enc: &VoiceEncoder,
    samples: &[f32],
    regions: &[Span],
    threads: usize,
    cancel: &CancelToken,
) -> Windows {
    let (centres, region) = centres_in(regions);
    embed_at(enc, samples, regions, (centres, region), threads, cancel)
}

fn embed_at(
    enc: &VoiceEncoder,
    samples: &[f32],
    regions: &[Span],
    (centres, region): (Vec<usize>, Vec<usize>),
    threads: usize,
    cancel: &CancelToken,
) -> Windows {
    if centres.is_empty() {
        return Windows { centres, region, emb: Vec::new() };
    }
    let speech: Vec<(usize, usize)> =
        regions.iter().map(|r| (r.start * features::HOP, r.end * features::HOP)).collect();
    let starts: Vec<usize> = centres.iter().map(|c| c.saturating_sub(WINDOW_FRAMES / 2)).collect();
    // Only the frames the windows read (silences and the windows left out cost nothing), one
    // run of overlapping windows after another; each window's start moves to its run's place.
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_by_key(|&i| starts[i]);
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = vec![0; starts.len()];
    let mut before = 0;
    for i in order {
        let s = starts[i];
        match runs.last_mut() {
            Some(r) if s <= r.end => r.end = r.end.max(s + WINDOW_FRAMES),
            _ => {
                before += runs.last().map_or(0, |r| r.len());
                runs.push(s..s + WINDOW_FRAMES);
            }
        }
        at[i] = before + s - runs.last().expect("pushed above").start;
    }
    let mel = enc.mel_frames(samples, &speech, &runs);
    let emb = enc.embed(&mel, &at, threads, cancel);
    Windows { centres, region, emb }
}

/// Window centres (frames) in `regions`, with the region of each.
fn centres_in(regions: &[Span]) -> (Vec<usize>, Vec<usize>) {
    let mut centres = Vec::new();
    let mut region = Vec::new();
    for (i, r) in regions.iter().enumerate().filter(|(_, r)| r.end > r.start) {
        let len = r.end - r.start;
        if len < WINDOW_HOP {
            centres.push(r.start + len / 2);
            region.push(i);
            continue;
        }
        let mut c = r.start + WINDOW_HOP / 2;
        while c < r.end {
            centres.push(c);
            region.push(i);
            c += WINDOW_HOP;
        }
    }
    (centres, region)
}

/// Windows a speaker's voice (for its profile) is averaged over at most, evenly spread.
const VOICE_WINDOWS: usize = 150;

/// The mean d-vector (unit length) of each of `speakers` speakers over windows centred in its
/// turns (ms on the time line of `samples`), at most [`VOICE_WINDOWS`] each; empty for a
/// speaker without speech.
pub fn voices(
    enc: &VoiceEncoder,
    samples: &[f32],
    turns: &[Turn],
    speakers: usize,
    threads: usize,
    cancel: &CancelToken,
) -> Vec<Vec<f32>> {
    let regions: Vec<Span> = turns
        .iter()
        .map(|t| Span { start: features::frames_in(t.start_ms), end: features::frames_in(t.end_ms) })
        .collect();
    let (centres, region) = centres_in(&regions);
    let mut keep = vec![false; centres.len()];
    for s in 0..speakers {
        let mine: Vec<usize> = (0..centres.len()).filter(|&i| turns[region[i]].speaker == s).collect();
        let every = mine.len().div_ceil(VOICE_WINDOWS).max(1);
        for i in mine.into_iter().step_by(every) {
            keep[i] = true;
        }
    }
    let (centres, region): (Vec<usize>, Vec<usize>) =
        centres.into_iter().zip(region).zip(&keep).filter(|(_, k)| **k).map(|(p, _)| p).unzip();
    let w = embed_at(enc, samples, &regions, (centres, region), threads, cancel);
    let labels: Vec<usize> = w.region.iter().map(|&r| turns[r].speaker).collect();
    mean_by_label(&w.emb, &labels, speakers)
}

/// The mean of the vectors of each label, unit length (empty for a label with none).
pub fn mean_by_label(emb: &[[f32; DIM]], labels: &[usize], k: usize) -> Vec<Vec<f32>> {
    let mut sums = vec![[0f32; DIM]; k];
    let mut counts = vec![0usize; k];
    for (e, &l) in emb.iter().zip(labels) {
        if l < k {
            sums[l].iter_mut().zip(e).for_each(|(s, x)| *s += x);
            counts[l] += 1;
        }
    }
    sums.into_iter()
        .zip(counts)
        .map(|(mut s, n)| {
            if n == 0 {
                return Vec::new();
            }
            normalise(&mut s);
            s.to_vec()
        })
        .collect()
}

/// Spherical k-means of `emb` into `k` clusters: labels and unit centroids.
pub fn kmeans(emb: &[[f32; DIM]], k: usize) -> (Vec<usize>, Vec<[f32; DIM]>) {
    let n = emb.len();
    let k = k.clamp(1, n.max(1));
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let mut best: Option<(f32, Vec<usize>, Vec<[f32; DIM]>)> = None;
    // k-means++ starts from a fixed pseudo-random sequence (the result is repeatable): the
    // first centre at random, each next one drawn with a weight that grows with its distance
    // from the centres so far.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut draw = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..RESTARTS {
        let mut centres = vec![emb[((draw() * n as f64) as usize).min(n - 1)]];
        while centres.len() < k {
            let d: Vec<f64> = emb
                .iter()
                .map(|e| {
                    let near = centres.iter().map(|c| cosine(c, e)).fold(f32::MIN, f32::max);
                    ((1.0 - near).max(0.0) as f64).powi(2)
                })
                .collect();
            let total: f64 = d.iter().sum();
            let mut pick = draw() * total;
            let mut at = n - 1;
            for (i, v) in d.iter().enumerate() {
                if pick < *v {
                    at = i;
                    break;
                }
                pick -= v;
            }
            centres.push(emb[at]);
        }
        let mut labels = vec![0usize; n];
        for _ in 0..50 {
            let mut changed = false;
            for (i, e) in emb.iter().enumerate() {
                let l = nearest(&centres, e);
                changed |= l != labels[i];
                labels[i] = l;
            }
            let mut sums = vec![[0f32; DIM]; k];
            for (e, &l) in emb.iter().zip(&labels) {
                sums[l].iter_mut().zip(e).for_each(|(s, x)| *s += x);
            }
            for (c, mut s) in centres.iter_mut().zip(sums) {
                if s.iter().any(|x| *x != 0.0) {
                    normalise(&mut s);
                    *c = s;
                }
            }
            if !changed {
                break;
            }
        }
        let score: f32 = emb.iter().zip(&labels).map(|(e, &l)| cosine(e, &centres[l])).sum();
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, labels, centres));
        }
    }
    let (_, labels, centres) = best.expect("at least one start");
    (labels, centres)
}

fn nearest(centres: &[[f32; DIM]], e: &[f32; DIM]) -> usize {
    (0..centres.len()).max_by(|&a, &b| cosine(&centres[a], e).total_cmp(&cosine(&centres[b], e))).unwrap_or(0)
}

/// The mean silhouette (cosine distance) of `labels` over at most [`SILHOUETTE_WINDOWS`]
/// windows: near 1 when every window is much nearer its own cluster than the next, near 0
/// when the clusters overlap.
pub fn silhouette(emb: &[[f32; DIM]], labels: &[usize]) -> f64 {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    if k < 2 || emb.len() < 3 {
        return 0.0;
    }
    let every = emb.len().div_ceil(SILHOUETTE_WINDOWS).max(1);
    let picked: Vec<usize> = (0..emb.len()).step_by(every).collect();
    let mut total = 0.0;
    for &i in &picked {
        let mut sum = vec![0f64; k];
        let mut count = vec![0usize; k];
        for &j in &picked {
            if i != j {
                sum[labels[j]] += 1.0 - cosine(&emb[i], &emb[j]) as f64;
                count[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if count[own] == 0 {
            continue;
        }
        let a = sum[own] / count[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && count[c] > 0)
            .map(|c| sum[c] / count[c] as f64)
            .fold(f64::MAX, f64::min);
        if b == f64::MAX {
            continue;
        }
        total += (b - a) / a.max(b).max(1e-9);
    }
    total / picked.len() as f64
}

/// Labels smoothed over time: a Viterbi pass over each region's windows, scoring a window by
/// its cosine similarity to a cluster's centroid, minus [`SWITCH`] for a change of cluster.
fn smooth(w: &Windows, centres: &[[f32; DIM]]) -> Vec<usize> {
    let k = centres.len();
    let mut out = Vec::with_capacity(w.emb.len());
    let mut i = 0;
    while i < w.emb.len() {
        let mut j = i + 1;
        while j < w.emb.len() && w.region[j] == w.region[i] {
            j += 1;
        }
        let mut score = vec![0f32; k];
        let mut back: Vec<Vec<usize>> = Vec::with_capacity(j - i);
        for e in &w.emb[i..j] {
            let mut next = vec![0f32; k];
            let mut from = vec![0usize; k];
            for c in 0..k {
                let (arg, best) = (0..k)
                    .map(|p| (p, score[p] - if p == c { 0.0 } else { SWITCH }))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((c, 0.0));
                next[c] = best + cosine(&centres[c], e);
                from[c] = arg;
            }
            score = next;
            back.push(from);
        }
        let mut c = (0..k).max_by(|a, b| score[*a].total_cmp(&score[*b])).unwrap_or(0);
        let mut path = vec![0; j - i];
        for t in (0..j - i).rev() {
            path[t] = c;
            c = back[t][c];
        }
        out.extend(path);
        i = j;
    }
    out
}

/// Turns from the windows clustered around `centres` (unit vectors, from [`kmeans`]): every
/// 100 ms step of each region takes the label of the window of that region centred nearest to
/// it. Also each speaker's MFCC statistics (over `frames`) and mean d-vector, for the voice
/// profile.
pub fn turns(
    w: &Windows,
    regions: &[Span],
    frames: &[Frame],
    centres: &[[f32; DIM]],
) -> (Vec<Turn>, Vec<Stats>, Vec<Vec<f32>>) {
    if w.emb.is_empty() || centres.is_empty() {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let labels = smooth(w, centres);
    let mut steps: Vec<(usize, usize)> = Vec::new();
    let mut at = 0usize;
    for (ri, r) in regions.iter().enumerate() {
        while at < w.region.len() && w.region[at] < ri {
            at += 1;
        }
        let first = at;
        let mut last = at;
        while last < w.region.len() && w.region[last] == ri {
            last += 1;
        }
        if first == last {
            continue;
        }
        let mut s = r.start;
        let mut wi = first;
        while s < r.end {
            let mid = s + STEP / 2;
            while wi + 1 < last && w.centres[wi + 1].abs_diff(mid) <= w.centres[wi].abs_diff(mid) {
                wi += 1;
            }
            steps.push((s, labels[wi]));
            s += STEP;
        }
    }
    let k = centres.len();
    let (out, order) = cluster::turns_of_steps(&steps, k);
    let stats = cluster::by_speaker(cluster::step_stats(frames, &steps, k), &order);
    let voices = cluster::by_speaker(mean_by_label(&w.emb, &labels, k), &order);
    (out, stats, voices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: usize, around: &[f32; DIM], spread: f32) -> [f32; DIM] {
        let mut v = *around;
        let mut x = seed as u64 * 2654435761 + 1;
        for e in v.iter_mut() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *e += spread * (((x >> 33) as f32 / (1u64 << 31) as f32) - 0.5);
        }
        normalise(&mut v);
        v
    }

    #[test]
    fn two_groups_of_vectors_are_two_clusters_with_a_high_silhouette() {
        let mut a = [0f32; DIM];
        a[0] = 1.0;
        let mut b = [0f32; DIM];
        b[1] = 1.0;
        let emb: Vec<[f32; DIM]> = (0..40).map(|i| unit(i, if i % 3 == 0 { &b } else { &a }, 0.1)).collect();
        let (labels, _) = kmeans(&emb, 2);
        for i in 0..40 {
            assert_eq!(labels[i] == labels[0], i % 3 == 0, "window {i}");
        }
        assert!(silhouette(&emb, &labels) > 0.8);
        // One group split in two is a poor clustering.
        let one: Vec<[f32; DIM]> = (0..40).map(|i| unit(i, &a, 2.0)).collect();
        let (labels, _) = kmeans(&one, 2);
        assert!(silhouette(&one, &labels) < 0.3, "{}", silhouette(&one, &labels));
    }
}
