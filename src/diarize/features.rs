//! Features per frame: MFCCs of 16 kHz audio, and the per-window speech probability.
//!
//! The front end is the classic one of speaker diarization systems (and close to whisper's
//! log-mel front end): 25 ms Hamming windows every 10 ms, pre-emphasis 0.97, a 512-point
//! FFT, 40 triangular mel filters from 60 Hz to 7.6 kHz, the log of each filter's energy,
//! and a DCT-II to [`CEPS`] cepstral coefficients. c0 (the loudness) is left out: a speaker is
//! told by the shape of the spectrum, not by how loud they are. Each coefficient is
//! normalised by its mean over the recording (cepstral mean normalisation, which removes a
//! fixed channel such as a microphone's colour).

use realfft::RealFftPlanner;

/// Samples per second of the audio read.
pub const RATE: usize = 16_000;
/// Samples between frames (10 ms).
pub const HOP: usize = 160;
/// Samples in a frame's window (25 ms).
const WIN: usize = 400;
const NFFT: usize = 512;
const MELS: usize = 40;
/// Cepstral coefficients kept per frame (c1 … c19).
const MFCCS: usize = 19;
/// Features per frame: the MFCCs, then the log pitch.
pub const CEPS: usize = MFCCS + 1;

/// One frame's features.
pub type Frame = [f32; CEPS];

/// Frames in `ms` milliseconds.
pub fn frames_in(ms: i64) -> usize {
    (ms.max(0) as usize * RATE / 1000) / HOP
}

/// The time (ms) where frame `i` begins.
pub fn frame_ms(i: usize) -> i64 {
    (i * HOP * 1000 / RATE) as i64
}

fn mel(hz: f32) -> f32 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn hz(mel: f32) -> f32 {
    700.0 * (10f32.powf(mel / 2595.0) - 1.0)
}

/// Triangular mel filters over the FFT bins: for each filter, (first bin, weights).
fn mel_filters() -> Vec<(usize, Vec<f32>)> {
    let (lo, hi) = (mel(60.0), mel(7600.0));
    let points: Vec<f32> = (0..MELS + 2)
        .map(|i| hz(lo + (hi - lo) * i as f32 / (MELS + 1) as f32) * NFFT as f32 / RATE as f32)
        .collect();
    (0..MELS)
        .map(|m| {
            let (l, c, r) = (points[m], points[m + 1], points[m + 2]);
            let first = l.floor() as usize;
            let last = (r.ceil() as usize).min(NFFT / 2);
            let weights = (first..=last)
                .map(|b| {
                    let b = b as f32;
                    if b <= c {
                        ((b - l) / (c - l)).max(0.0)
                    } else {
                        ((r - b) / (r - c)).max(0.0)
                    }
                })
                .collect();
            (first, weights)
        })
        .collect()
}

/// MFCCs (c1…c19) of every 10 ms frame of `samples`.
pub fn mfcc(samples: &[f32]) -> Vec<Frame> {
    if samples.len() < WIN {
        return Vec::new();
    }
    let n = (samples.len() - WIN) / HOP + 1;
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(NFFT);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let window: Vec<f32> = (0..WIN)
        .map(|i| 0.54 - 0.46 * (2.0 * std::f32::consts::PI * i as f32 / (WIN - 1) as f32).cos())
        .collect();
    let filters = mel_filters();
    let dct: Vec<Vec<f32>> = (1..=MFCCS)
        .map(|k| {
            (0..MELS)
                .map(|m| (std::f32::consts::PI * k as f32 * (m as f32 + 0.5) / MELS as f32).cos())
                .collect()
        })
        .collect();
    let mut power = vec![0f32; NFFT / 2 + 1];
    let mut logmel = [0f32; MELS];
    let mut out = Vec::with_capacity(n);
    for f in 0..n {
        let at = f * HOP;
        input.iter_mut().for_each(|x| *x = 0.0);
        let mut prev = if at > 0 { samples[at - 1] } else { samples[at] };
        for i in 0..WIN {
            let s = samples[at + i];
            input[i] = (s - 0.97 * prev) * window[i];
            prev = s;
        }
        fft.process(&mut input, &mut spectrum).expect("buffers made by the plan");
        for (p, c) in power.iter_mut().zip(&spectrum) {
            *p = c.norm_sqr();
        }
        for (m, (first, weights)) in filters.iter().enumerate() {
            let e: f32 = weights.iter().enumerate().map(|(j, w)| w * power[first + j]).sum();
            logmel[m] = (e + 1e-10).ln();
        }
        let mut frame = [0f32; CEPS];
        for (k, row) in dct.iter().enumerate() {
            frame[k] = row.iter().zip(&logmel).map(|(a, b)| a * b).sum();
        }
        out.push(frame);
    }
    let f0 = log_pitch(samples, n);
    for (fr, p) in out.iter_mut().zip(f0) {
        fr[MFCCS] = p;
    }
    out
}

/// Samples of the pitch analysis window (64 ms: two periods of a 60 Hz voice).
const PITCH_WIN: usize = 1024;
/// The lags searched: 400 Hz down to 60 Hz.
const MIN_LAG: usize = RATE / 400;
const MAX_LAG: usize = RATE / 60;

/// The log fundamental frequency of each of `n` frames (centred like the MFCC frames), from
/// the peak of the normalised autocorrelation (computed through the FFT). Unvoiced frames
/// (a peak under 0.45, or near silence) take the value of the voiced frames around them
/// (linear between them), so every frame has one: a voice's pitch is what tells many voices
/// apart, and the MFCCs leave it out by design.
fn log_pitch(samples: &[f32], n: usize) -> Vec<f32> {
    let mut planner = RealFftPlanner::<f32>::new();
    let size = 2 * PITCH_WIN;
    let fwd = planner.plan_fft_forward(size);
    let inv = planner.plan_fft_inverse(size);
    let mut buf = fwd.make_input_vec();
    let mut spec = fwd.make_output_vec();
    let mut voiced: Vec<Option<f32>> = Vec::with_capacity(n);
    for f in 0..n {
        let centre = f * HOP + WIN / 2;
        let start = centre.saturating_sub(PITCH_WIN / 2);
        let end = (start + PITCH_WIN).min(samples.len());
        buf.iter_mut().for_each(|x| *x = 0.0);
        let seg = &samples[start..end];
        let mean = seg.iter().sum::<f32>() / seg.len().max(1) as f32;
        for (b, s) in buf.iter_mut().zip(seg) {
            *b = s - mean;
        }
        let energy: f32 = buf.iter().map(|x| x * x).sum();
        if energy < 1e-4 * PITCH_WIN as f32 * 1e-2 {
            voiced.push(None);
            continue;
        }
        fwd.process(&mut buf, &mut spec).expect("buffers made by the plan");
        for c in spec.iter_mut() {
            *c = realfft::num_complex::Complex::new(c.norm_sqr(), 0.0);
        }
        inv.process(&mut spec, &mut buf).expect("buffers made by the plan");
        let r0 = buf[0].max(1e-12);
        let len = seg.len();
        let top = MAX_LAG.min(len.saturating_sub(2));
        let r = |l: usize| buf[l] / r0;
        let best = (MIN_LAG..=top).map(r).fold(0f32, f32::max);
        // The shortest period whose peak is nearly the highest: a peak at twice the period
        // (an octave too low) is about as high, and must not win.
        let lag = (MIN_LAG..=top)
            .find(|&l| r(l) >= 0.85 * best && r(l) >= r(l - 1) && r(l) >= r(l + 1))
            .unwrap_or(0);
        voiced.push((best >= 0.45 && lag > 0).then(|| (RATE as f32 / lag as f32).ln()));
    }
    fill_gaps(&voiced)
}

/// Linear between known values; the nearest known value at the ends; 5.0 (150 Hz) if none.
fn fill_gaps(values: &[Option<f32>]) -> Vec<f32> {
    let known: Vec<(usize, f32)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    if known.is_empty() {
        return vec![5.0; values.len()];
    }
    let mut out = Vec::with_capacity(values.len());
    let mut k = 0;
    for i in 0..values.len() {
        while k + 1 < known.len() && known[k + 1].0 <= i {
            k += 1;
        }
        let (a, va) = known[k];
        let v = if i <= a || k + 1 == known.len() {
            va
        } else {
            let (b, vb) = known[k + 1];
            va + (vb - va) * (i - a) as f32 / (b - a) as f32
        };
        out.push(v);
    }
    out
}

/// Sufficient statistics of a set of frames under one diagonal Gaussian: count, sums and sums
/// of squares. Two sets join by adding them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub n: f64,
    pub sum: [f64; CEPS],
    pub sq: [f64; CEPS],
}

impl Default for Stats {
    fn default() -> Self {
        Stats { n: 0.0, sum: [0.0; CEPS], sq: [0.0; CEPS] }
    }
}

impl Stats {
    pub fn of(frames: &[Frame]) -> Stats {
        let mut s = Stats::default();
        for f in frames {
            s.push(f);
        }
        s
    }

    pub fn push(&mut self, f: &Frame) {
        self.n += 1.0;
        for (k, &v) in f.iter().enumerate() {
            let x = v as f64;
            self.sum[k] += x;
            self.sq[k] += x * x;
        }
    }

    pub fn join(&self, other: &Stats) -> Stats {
        let mut s = *self;
        s.n += other.n;
        for k in 0..CEPS {
            s.sum[k] += other.sum[k];
            s.sq[k] += other.sq[k];
        }
        s
    }

    /// The mean vector.
    pub fn mean(&self) -> [f64; CEPS] {
        self.sum.map(|x| x / self.n.max(1.0))
    }

    /// The sum of the log variances (the log determinant of the diagonal covariance), with a
    /// floor so that a handful of frames cannot give a zero variance.
    pub fn log_det(&self) -> f64 {
        let n = self.n.max(1.0);
        (0..CEPS)
            .map(|k| {
                let m = self.sum[k] / n;
                (self.sq[k] / n - m * m).max(1e-3).ln()
            })
            .sum()
    }

    /// The symmetric Kullback–Leibler divergence between the diagonal Gaussians of `self` and
    /// `other`, averaged over the coefficients: how far apart two voices are, whatever the
    /// length of their speech (unlike [`delta_bic`], which grows with the frame count).
    pub fn divergence(&self, other: &Stats) -> f64 {
        let (a, b) = (self.moments(), other.moments());
        (0..CEPS)
            .map(|k| {
                let ((m1, v1), (m2, v2)) = (a[k], b[k]);
                let d = (m1 - m2) * (m1 - m2);
                0.25 * (v1 / v2 + v2 / v1 - 2.0 + d * (1.0 / v1 + 1.0 / v2))
            })
            .sum::<f64>()
            / CEPS as f64
    }

    /// The mean and variance (floored at 1e-3) of each coefficient.
    pub fn moments(&self) -> [(f64, f64); CEPS] {
        let n = self.n.max(1.0);
        std::array::from_fn(|k| {
            let m = self.sum[k] / n;
            (m, (self.sq[k] / n - m * m).max(1e-3))
        })
    }

    /// The embedding of these frames: mean and standard deviation of each coefficient.
    pub fn embedding(&self) -> Vec<f32> {
        let n = self.n.max(1.0);
        let mut e = Vec::with_capacity(2 * CEPS);
        for k in 0..CEPS {
            e.push((self.sum[k] / n) as f32);
        }
        for k in 0..CEPS {
            let m = self.sum[k] / n;
            e.push((self.sq[k] / n - m * m).max(0.0).sqrt() as f32);
        }
        e
    }
}

/// The BIC difference between modelling `a` and `b` with one diagonal Gaussian or with two:
/// positive when two (two speakers) explain the frames better than the penalty for the extra
/// parameters, which grows with `lambda` and the log of the frame count.
pub fn delta_bic(a: &Stats, b: &Stats, lambda: f64) -> f64 {
    let ab = a.join(b);
    let r = 0.5 * (ab.n * ab.log_det() - a.n * a.log_det() - b.n * b.log_det());
    let params = 2.0 * CEPS as f64;
    r - lambda * 0.5 * params * ab.n.max(2.0).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, secs: f32) -> Vec<f32> {
        (0..(secs * RATE as f32) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / RATE as f32).sin() * 0.3)
            .collect()
    }

    #[test]
    fn one_second_gives_a_frame_every_ten_ms_of_finite_coefficients() {
        let f = mfcc(&tone(440.0, 1.0));
        assert_eq!(f.len(), (16_000 - 400) / 160 + 1);
        assert!(f.iter().all(|fr| fr.iter().all(|x| x.is_finite())));
    }

    /// White noise (a fixed LCG), optionally smoothed by a moving average of `smooth` samples
    /// (a darker sound).
    fn noise(secs: f32, smooth: usize, seed: u64) -> Vec<f32> {
        let mut x = seed;
        let white: Vec<f32> = (0..(secs * RATE as f32) as usize)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((x >> 33) as f32 / (1u64 << 31) as f32 - 0.5) * 0.2
            })
            .collect();
        (0..white.len())
            .map(|i| white[i.saturating_sub(smooth)..=i].iter().sum::<f32>() / (smooth + 1) as f32)
            .collect()
    }

    #[test]
    fn bic_says_two_sounds_are_two_and_one_sound_is_one() {
        let mut a = noise(2.0, 0, 1);
        a.extend(noise(2.0, 6, 2));
        let f = mfcc(&a);
        let (left, right) = f.split_at(f.len() / 2);
        assert!(delta_bic(&Stats::of(left), &Stats::of(right), 1.0) > 0.0);
        let one = mfcc(&noise(4.0, 0, 3));
        let (l, r) = one.split_at(one.len() / 2);
        assert!(delta_bic(&Stats::of(l), &Stats::of(r), 1.0) < 0.0);
    }

    #[test]
    fn the_pitch_of_a_tone_is_its_frequency() {
        let f = mfcc(&tone(220.0, 1.0));
        let hz = f[50][CEPS - 1].exp();
        assert!((hz - 220.0).abs() < 5.0, "{hz} Hz");
    }
}
