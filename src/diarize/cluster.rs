//! One mixed track: speaker changes and agglomerative clustering of the audio itself.
//!
//! 1. **Speech.** The speech regions of the voice activity detector (Silero, the same as
//!    transcription uses) are the only frames looked at: silence is nobody's.
//! 2. **Changes.** Inside each region, a change test runs every 100 ms between the second
//!    before and the second after ([`delta_bic`] of two diagonal Gaussians on the MFCCs, the
//!    test of Chen & Gopalakrishnan, 1998). A local maximum above zero, at least a second from
//!    the last change, cuts the region; pauses between regions are cuts already.
//! 3. **Clustering.** Every piece starts as its own cluster; the two clusters whose merge
//!    costs least (the lowest ΔBIC) are merged, again and again, down to N when N is given,
//!    else until every pair's ΔBIC is above zero (the stopping rule: two models explain the
//!    frames better than one even after the penalty, [`LAMBDA`]). With N given, clusters that the
//!    stopping rule says are one voice are still merged (never below two): `--speakers 5` on a
//!    two-voice call gives two speakers and says so.
//! 4. **Resegmentation.** Each 100 ms step is re-assigned to the cluster whose Gaussian
//!    explains its surrounding 500 ms best, with a penalty for switching (a Viterbi pass), so
//!    a change the test missed, or placed a little off, moves to where the voice changes.

use super::features::{self, delta_bic, Frame, Stats};

/// A stretch of one speaker, in ms of the recording; speakers are numbered from 0 in order
/// of their first turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: usize,
}

/// How to cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions {
    /// The number of speakers, when known.
    pub speakers: Option<usize>,
    /// The penalty weight of the BIC for the stopping rule (1.0 is the textbook value).
    pub lambda: f64,
    /// The penalty weight for the change test inside speech regions.
    pub change_lambda: f64,
    /// Two clusters whose voices are closer than this ([`Stats::divergence`]) are one voice.
    pub divergence: f64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            speakers: None,
            lambda: LAMBDA,
            change_lambda: CHANGE_LAMBDA,
            divergence: DIVERGENCE,
        }
    }
}

/// The stopping rule's penalty weight. Far above the textbook 1.0 because frames 10 ms apart
/// (25 ms windows) are far from independent, which the BIC assumes: with 1.0, one voice
/// reading different sentences splits into several clusters. Set on espeak-ng dialogues (the
/// tests' and the benchmark's, 0.5 to 3 minutes) and the LibriVox/LibriSpeech voices of
/// `tests/fixtures/speech`: 9 and 10 diarized every one of them right (one voice, two, three);
/// 7 and 8 split the three-minute dialogues into 3 to 6 clusters, 11 merged two of three.
pub const LAMBDA: f64 = 9.5;
/// The change test's penalty weight (windows of 1 s each side): 2 to 4 found every change of
/// a dialogue without pauses, 1 added false changes, 8 missed them; 6 left a third cluster in
/// the benchmark's dialogues.
pub const CHANGE_LAMBDA: f64 = 3.0;

/// Two clusters closer than this are one voice (see [`ClusterOptions::divergence`]).
/// Measured with `examples/diarize_eval` (ORACLE=1) on the reference speakers' frames: one
/// voice against itself (odd against even turns) 0.002–0.008 for espeak-ng voices and 0.023
/// for the LibriVox reader; two voices 0.126 (`en+f3`, `en-us+f4`) to 0.59, and 0.30 for the
/// two real voices. 0.05 sits between, with a margin of about 2 on each side.
pub const DIVERGENCE: f64 = 0.05;
/// The most clusters carried into resegmentation: more are merged by ΔBIC first.
const MAX_CLUSTERS: usize = 12;

/// Steps of the change test and of resegmentation (frames, 100 ms).
const STEP: usize = 10;
/// The window on each side of a change test (frames, 1 s).
const SIDE: usize = 100;

/// What clustering found.
#[derive(Debug, Clone)]
pub struct Clustering {
    pub turns: Vec<Turn>,
    /// Each speaker's frames' statistics (for the voice profile).
    pub stats: Vec<Stats>,
    /// Clusters merged after reaching the requested N because the stopping rule found them to
    /// be one voice.
    pub merged_extra: usize,
    /// Each speaker's mean d-vector ([`super::dvec`]), when the voice encoder was given.
    pub voices: Vec<Vec<f32>>,
}

/// A speech region in frames: `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Diarizes `frames` (MFCCs every 10 ms) whose speech is `regions` (frames).
pub fn cluster(frames: &[Frame], regions: &[Span], opts: &ClusterOptions) -> Clustering {
    let pieces: Vec<Span> = regions
        .iter()
        .filter(|r| r.end > r.start)
        .flat_map(|r| split_at_changes(frames, *r, opts.change_lambda))
        .collect();
    if pieces.is_empty() {
        return Clustering { turns: Vec::new(), stats: Vec::new(), merged_extra: 0, voices: Vec::new() };
    }
    // 1. Pieces to clusters by the lowest ΔBIC while two models are not worth it.
    let mut clusters: Vec<(Stats, Vec<usize>)> =
        pieces.iter().enumerate().map(|(i, p)| (Stats::of(&frames[p.start..p.end]), vec![i])).collect();
    while clusters.len() > 1 {
        let (best, bi, bj) =
            closest(&clusters.iter().map(|c| c.0).collect::<Vec<_>>(), |a, b| delta_bic(a, b, opts.lambda));
        if best >= 0.0 && clusters.len() <= MAX_CLUSTERS {
            break;
        }
        let (sj, pj) = clusters.remove(bj);
        let ci = &mut clusters[bi];
        ci.0 = ci.0.join(&sj);
        ci.1.extend(pj);
    }
    let mut models: Vec<Stats> = clusters.iter().map(|c| c.0).collect();
    // 2. Re-assign every step by Viterbi, re-estimate, and merge again on the new clusters,
    //    until no two clusters sound alike (and no more than N are left, when N is given).
    let target = opts.speakers.map(|n| n.max(1));
    let mut merged_extra = 0;
    let mut steps: Vec<(usize, usize)>;
    loop {
        steps = if models.len() > 1 {
            resegment(frames, &pieces, &models)
        } else {
            pieces.iter().flat_map(|p| (p.start..p.end).step_by(STEP).map(|at| (at, 0))).collect()
        };
        models = reestimate(frames, &mut steps, models.len());
        if models.len() <= 1 {
            break;
        }
        let (bic, bi, bj) = closest(&models, |a, b| delta_bic(a, b, opts.lambda));
        let (div, di, dj) = closest(&models, |a, b| a.divergence(b));
        let alike = if div < opts.divergence { Some((di, dj)) } else { (bic < 0.0).then_some((bi, bj)) };
        let (i, j) = match (target, alike) {
            // More clusters than asked for: the cheapest merge by ΔBIC (a small stray cluster
            // goes first), else the pair that sounds most alike.
            (Some(n), _) if models.len() > n => alike.unwrap_or((bi, bj)),
            (Some(n), Some(pair)) if models.len() > 2.min(n) => {
                merged_extra += 1;
                pair
            }
            (None, Some(pair)) => pair,
            _ => break,
        };
        let (i, j) = (i.min(j), i.max(j));
        models[i] = models[i].join(&models[j]);
        models.remove(j);
        for (_, c) in steps.iter_mut() {
            if *c == j {
                *c = i;
            } else if *c > j {
                *c -= 1;
            }
        }
    }
    finish(steps, models, merged_extra)
}

/// The pair of `models` with the lowest `cost`: (cost, i, j) with i < j.
fn closest(models: &[Stats], cost: impl Fn(&Stats, &Stats) -> f64) -> (f64, usize, usize) {
    let (mut best, mut bi, mut bj) = (f64::INFINITY, 0, 1);
    for i in 0..models.len() {
        for j in i + 1..models.len() {
            let d = cost(&models[i], &models[j]);
            if d < best {
                (best, bi, bj) = (d, i, j);
            }
        }
    }
    (best, bi, bj)
}

/// Each cluster's model from the frames of its steps; clusters left without a step are
/// dropped (and the steps renumbered).
fn reestimate(frames: &[Frame], steps: &mut [(usize, usize)], k: usize) -> Vec<Stats> {
    let fresh = step_stats(frames, steps, k);
    let mut renumber = vec![0; k];
    let mut kept = Vec::new();
    for (c, s) in fresh.into_iter().enumerate() {
        renumber[c] = kept.len();
        if s.n > 0.0 {
            kept.push(s);
        }
    }
    for (_, c) in steps.iter_mut() {
        *c = renumber[*c];
    }
    kept
}

/// Each of `k` clusters' statistics over the frames of its (frame, cluster) steps.
pub(super) fn step_stats(frames: &[Frame], steps: &[(usize, usize)], k: usize) -> Vec<Stats> {
    let mut stats = vec![Stats::default(); k];
    for &(at, c) in steps {
        for f in &frames[at.min(frames.len())..(at + STEP).min(frames.len())] {
            stats[c].push(f);
        }
    }
    stats
}

/// Turns from (frame, cluster) steps of [`STEP`] frames: joined while the speaker and the
/// steps run on, speakers numbered in order of first appearance. Also the speaker each of the
/// `k` clusters became (none for a cluster without a step).
pub(super) fn turns_of_steps(steps: &[(usize, usize)], k: usize) -> (Vec<Turn>, Vec<Option<usize>>) {
    let mut order: Vec<Option<usize>> = vec![None; k];
    let mut next = 0;
    let mut turns: Vec<Turn> = Vec::new();
    let mut last_end = usize::MAX;
    for &(at, c) in steps {
        let id = *order[c].get_or_insert_with(|| {
            next += 1;
            next - 1
        });
        let (s, e) = (features::frame_ms(at), features::frame_ms(at + STEP));
        match turns.last_mut() {
            Some(t) if t.speaker == id && at <= last_end => t.end_ms = e,
            _ => turns.push(Turn { start_ms: s, end_ms: e, speaker: id }),
        }
        last_end = at + STEP;
    }
    (turns, order)
}

/// Per-cluster `values` put in speaker order (`order` from [`turns_of_steps`]); clusters that
/// became no speaker are left out.
pub(super) fn by_speaker<T>(values: Vec<T>, order: &[Option<usize>]) -> Vec<T> {
    let mut placed: Vec<(usize, T)> =
        values.into_iter().zip(order).filter_map(|(v, o)| o.map(|id| (id, v))).collect();
    placed.sort_by_key(|(id, _)| *id);
    placed.into_iter().map(|(_, v)| v).collect()
}

fn finish(steps: Vec<(usize, usize)>, models: Vec<Stats>, merged_extra: usize) -> Clustering {
    let (turns, order) = turns_of_steps(&steps, models.len());
    Clustering { turns, stats: by_speaker(models, &order), merged_extra, voices: Vec::new() }
}

/// Cuts a speech region where the change test finds a new voice.
fn split_at_changes(frames: &[Frame], r: Span, lambda: f64) -> Vec<Span> {
    let end = r.end.min(frames.len());
    if end < r.start + 2 * SIDE {
        return vec![Span { start: r.start, end }];
    }
    let mut scores = Vec::new();
    let mut t = r.start + SIDE;
    while t + SIDE <= end {
        let left = Stats::of(&frames[t - SIDE..t]);
        let right = Stats::of(&frames[t..t + SIDE]);
        scores.push((t, delta_bic(&left, &right, lambda)));
        t += STEP;
    }
    let mut cuts = vec![r.start];
    for i in 0..scores.len() {
        let (t, s) = scores[i];
        let peak =
            s > 0.0 && (i == 0 || scores[i - 1].1 <= s) && (i + 1 == scores.len() || scores[i + 1].1 < s);
        if peak && t >= cuts.last().unwrap() + SIDE {
            cuts.push(t);
        }
    }
    cuts.push(end);
    cuts.windows(2).map(|w| Span { start: w[0], end: w[1] }).collect()
}

/// The log-likelihood of every frame under each model's diagonal Gaussian, summed from the
/// start (prefix sums: a window's log-likelihood is a difference).
fn cumulative_log_likelihood(frames: &[Frame], models: &[Stats]) -> Vec<Vec<f64>> {
    models
        .iter()
        .map(|s| {
            let moments = s.moments();
            let log_det: f64 = moments.iter().map(|(_, v)| v.ln()).sum();
            let mut acc = vec![0.0; frames.len() + 1];
            for (i, f) in frames.iter().enumerate() {
                let mut q = 0.0;
                for (k, (m, v)) in moments.iter().enumerate() {
                    let d = f[k] as f64 - m;
                    q += d * d / v;
                }
                acc[i + 1] = acc[i] - 0.5 * (q + log_det);
            }
            acc
        })
        .collect()
}

/// Re-assigns every [`STEP`] of each piece to the model that explains the 500 ms around it
/// best, with a switching penalty, by a Viterbi pass over each region's steps in order.
fn resegment(frames: &[Frame], pieces: &[Span], models: &[Stats]) -> Vec<(usize, usize)> {
    /// The cost of a change of speaker, in log-likelihood (about what 300 ms of a clearly
    /// better model gains).
    const SWITCH: f64 = 400.0;
    let k = models.len();
    let cum = cumulative_log_likelihood(frames, models);
    let mut out = Vec::new();
    // Pieces that touch form one region: run one Viterbi pass per region.
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i + 1;
        while j < pieces.len() && pieces[j].start == pieces[j - 1].end {
            j += 1;
        }
        let steps: Vec<usize> = pieces[i..j].iter().flat_map(|p| (p.start..p.end).step_by(STEP)).collect();
        let mut score = vec![0.0; k];
        let mut back: Vec<Vec<usize>> = Vec::with_capacity(steps.len());
        for &at in &steps {
            let lo = at.saturating_sub(20);
            let hi = (at + STEP + 20).min(frames.len());
            let mut next = vec![0.0; k];
            let mut from = vec![0usize; k];
            for c in 0..k {
                let (mut best, mut arg) = (f64::NEG_INFINITY, c);
                for (p, s) in score.iter().enumerate() {
                    let v = s - if p == c { 0.0 } else { SWITCH };
                    if v > best {
                        (best, arg) = (v, p);
                    }
                }
                next[c] = best + cum[c][hi] - cum[c][lo];
                from[c] = arg;
            }
            score = next;
            back.push(from);
        }
        let mut c = (0..k).max_by(|a, b| score[*a].total_cmp(&score[*b])).unwrap_or(0);
        let mut path = vec![0; steps.len()];
        for t in (0..steps.len()).rev() {
            path[t] = c;
            c = back[t][c];
        }
        out.extend(steps.into_iter().zip(path));
        i = j;
    }
    out
}
