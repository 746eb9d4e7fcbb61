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
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions { speakers: None, lambda: LAMBDA, change_lambda: CHANGE_LAMBDA }
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
        return Clustering { turns: Vec::new(), stats: Vec::new(), merged_extra: 0 };
    }
    let mut clusters: Vec<(Stats, Vec<usize>)> =
        pieces.iter().enumerate().map(|(i, p)| (Stats::of(&frames[p.start..p.end]), vec![i])).collect();
    let target = opts.speakers.map(|n| n.max(1));
    let mut merged_extra = 0;
    loop {
        if clusters.len() <= 1 {
            break;
        }
        let (mut best, mut bi, mut bj) = (f64::INFINITY, 0, 0);
        for i in 0..clusters.len() {
            for j in i + 1..clusters.len() {
                let d = delta_bic(&clusters[i].0, &clusters[j].0, opts.lambda);
                if d < best {
                    (best, bi, bj) = (d, i, j);
                }
            }
        }
        let merge = match target {
            Some(n) if clusters.len() > n => true,
            Some(n) => {
                let extra = best < 0.0 && clusters.len() > 2.min(n);
                if extra {
                    merged_extra += 1;
                }
                extra
            }
            None => best < 0.0,
        };
        if !merge {
            break;
        }
        let (sj, pj) = clusters.remove(bj);
        let ci = &mut clusters[bi];
        ci.0 = ci.0.join(&sj);
        ci.1.extend(pj);
    }
    let mut label = vec![0usize; pieces.len()];
    for (c, (_, members)) in clusters.iter().enumerate() {
        for &m in members {
            label[m] = c;
        }
    }
    let mut models: Vec<Stats> = clusters.iter().map(|c| c.0).collect();
    if models.len() > 1 {
        let steps = resegment(frames, &pieces, &label, &models);
        // The models again from the frames each one now has.
        let mut fresh = vec![Stats::default(); models.len()];
        for (at, c) in &steps {
            let end = (at + STEP).min(frames.len());
            for f in &frames[*at..end] {
                fresh[*c].push(f);
            }
        }
        models = fresh;
        return finish(steps, models, merged_extra);
    }
    let steps = pieces.iter().flat_map(|p| (p.start..p.end).step_by(STEP).map(|at| (at, 0))).collect();
    finish(steps, models, merged_extra)
}

/// Turns from (frame, cluster) steps of [`STEP`] frames: joined while the speaker and the
/// steps run on, numbered in order of first appearance.
fn finish(steps: Vec<(usize, usize)>, models: Vec<Stats>, merged_extra: usize) -> Clustering {
    let mut order: Vec<Option<usize>> = vec![None; models.len()];
    let mut next = 0;
    let mut turns: Vec<Turn> = Vec::new();
    let mut last_end = usize::MAX;
    for (at, c) in steps {
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
    let mut stats = vec![Stats::default(); next];
    for (c, o) in order.iter().enumerate() {
        if let Some(o) = o {
            stats[*o] = models[c];
        }
    }
    Clustering { turns, stats, merged_extra }
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

/// The log-likelihood of `frames` under the diagonal Gaussian of `s`.
fn log_likelihood(s: &Stats, frames: &[Frame]) -> f64 {
    let n = s.n.max(1.0);
    let mut ll = 0.0;
    for k in 0..features::CEPS {
        let m = s.sum[k] / n;
        let v = (s.sq[k] / n - m * m).max(1e-3);
        let mut acc = 0.0;
        for f in frames {
            let d = f[k] as f64 - m;
            acc += d * d;
        }
        ll += -0.5 * (acc / v + frames.len() as f64 * v.ln());
    }
    ll
}

/// Re-assigns every [`STEP`] of each piece to the model that explains the 500 ms around it
/// best, with a switching penalty, by a Viterbi pass over each region's steps in order.
fn resegment(frames: &[Frame], pieces: &[Span], label: &[usize], models: &[Stats]) -> Vec<(usize, usize)> {
    /// The cost of a change of speaker, in log-likelihood (about what 300 ms of a clearly
    /// better model gains).
    const SWITCH: f64 = 400.0;
    let k = models.len();
    let mut out = Vec::new();
    // Pieces that touch form one region: run one Viterbi pass per region.
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i + 1;
        while j < pieces.len() && pieces[j].start == pieces[j - 1].end {
            j += 1;
        }
        let steps: Vec<usize> = pieces[i..j].iter().flat_map(|p| (p.start..p.end).step_by(STEP)).collect();
        let first_label = label[i];
        let mut score: Vec<f64> = (0..k).map(|c| if c == first_label { 0.0 } else { -SWITCH }).collect();
        let mut back: Vec<Vec<usize>> = Vec::with_capacity(steps.len());
        for &at in &steps {
            let lo = at.saturating_sub(20);
            let hi = (at + STEP + 20).min(frames.len());
            let ll: Vec<f64> = models.iter().map(|m| log_likelihood(m, &frames[lo..hi])).collect();
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
                next[c] = best + ll[c];
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
