//! A trained speaker embedding: Resemblyzer's voice encoder, run on the CPU.
//!
//! The model is the GE2E speaker encoder of Resemblyzer 0.1.4 (PyPI `Resemblyzer`, Apache-2.0;
//! Wan et al., "Generalized end-to-end loss for speaker verification", 2018), trained on
//! LibriSpeech and VoxCeleb: 40 mel bands every 10 ms, three LSTM layers of 256, a linear
//! layer, ReLU and L2 normalisation, giving a 256-wide vector per 1.6 s of speech (a
//! *d-vector*) whose cosine similarity is high for one voice and lower for two, whatever the
//! words. `scripts/fetch-model` converts the package's `pretrained.pt` to [`FILE`] (see
//! `scripts/convert_voice_encoder.py` for the format).
//!
//! The front end is Resemblyzer's (librosa's `melspectrogram`): 25 ms Hann windows every
//! 10 ms, centred (zero-padded by half a window at both ends), the power spectrum of a 400-point
//! FFT, 40 Slaney mel filters from 0 to 8 kHz with Slaney area normalisation, no log. The audio
//! is first raised to −30 dBFS (never lowered), as Resemblyzer's `preprocess_wav` does; the
//! level is measured over the speech the VAD found, where Resemblyzer measures the whole
//! file (a recording with long silences would otherwise be raised too far). The LSTM runs many windows at once (matrix products by
//! `matrixmultiply`) on every core.

use std::io::Read;
use std::path::{Path, PathBuf};

use realfft::RealFftPlanner;

use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// The model's file in the models folder.
pub const FILE: &str = "voice-encoder-resemblyzer-0.1.4.bin";
/// Samples per second.
const RATE: usize = 16_000;
/// Samples between mel frames (10 ms).
pub const HOP: usize = 160;
const NFFT: usize = 400;
const MELS: usize = 40;
const HIDDEN: usize = 256;
const GATES: usize = 4 * HIDDEN;
/// Mel frames per embedded window (1.6 s).
pub const WINDOW_FRAMES: usize = 160;
/// The embedding's width.
pub const DIM: usize = 256;
/// Windows run through the LSTM together.
const BATCH: usize = 48;
/// Threads the windows are shared among at most.
const MAX_THREADS: usize = 8;

/// The path of the model in `dir`.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

struct Layer {
    /// (4·256 × input), row-major.
    w_ih: Vec<f32>,
    /// (4·256 × 256), row-major.
    w_hh: Vec<f32>,
    /// b_ih + b_hh.
    bias: Vec<f32>,
    input: usize,
}

/// The loaded voice encoder.
pub struct VoiceEncoder {
    layers: Vec<Layer>,
    /// (256 × 256), row-major.
    linear_w: Vec<f32>,
    linear_b: Vec<f32>,
    filters: Vec<(usize, Vec<f32>)>,
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::invalid(path.display().to_string(), format!("not a voice encoder model: {what}"))
}

impl VoiceEncoder {
    /// Reads the model written by `scripts/convert_voice_encoder.py`.
    pub fn open(path: &Path) -> Result<VoiceEncoder> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| Error::io(path, e))?;
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8]> {
            let s = bytes.get(at..at + n).ok_or_else(|| bad(path, "cut short"))?;
            at += n;
            Ok(s)
        };
        if take(4)? != b"RVE1" {
            return Err(bad(path, "no RVE1 header"));
        }
        let u32_of = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let count = u32_of(take(4)?);
        let mut tensors = std::collections::HashMap::new();
        for _ in 0..count.min(64) {
            let len = u32_of(take(4)?);
            if len > 256 {
                return Err(bad(path, "a tensor name longer than 256 bytes"));
            }
            let name = String::from_utf8_lossy(take(len)?).into_owned();
            let ndim = u32_of(take(4)?);
            if ndim == 0 || ndim > 2 {
                return Err(bad(path, format!("{name} has {ndim} dimensions")));
            }
            let mut shape = Vec::new();
            for _ in 0..ndim {
                shape.push(u32_of(take(4)?));
            }
            let n: usize = shape.iter().product();
            let raw = take(n.checked_mul(4).ok_or_else(|| bad(path, "too large"))?)?;
            let values: Vec<f32> =
                raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            tensors.insert(name, (shape, values));
        }
        let mut get = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
            match tensors.remove(name) {
                Some((s, v)) if s == shape => Ok(v),
                Some((s, _)) => Err(bad(path, format!("{name} is {s:?}, expected {shape:?}"))),
                None => Err(bad(path, format!("no tensor {name}"))),
            }
        };
        let mut layers = Vec::new();
        for l in 0..3 {
            let input = if l == 0 { MELS } else { HIDDEN };
            let w_ih = get(&format!("lstm.weight_ih_l{l}"), &[GATES, input])?;
            let w_hh = get(&format!("lstm.weight_hh_l{l}"), &[GATES, HIDDEN])?;
            let b_ih = get(&format!("lstm.bias_ih_l{l}"), &[GATES])?;
            let b_hh = get(&format!("lstm.bias_hh_l{l}"), &[GATES])?;
            let bias = b_ih.iter().zip(&b_hh).map(|(a, b)| a + b).collect();
            layers.push(Layer { w_ih, w_hh, bias, input });
        }
        let linear_w = get("linear.weight", &[DIM, HIDDEN])?;
        let linear_b = get("linear.bias", &[DIM])?;
        Ok(VoiceEncoder { layers, linear_w, linear_b, filters: slaney_filters() })
    }

    /// The mel spectrogram of `samples` (16 kHz), raised to −30 dBFS over `speech` (sample
    /// ranges; all of it when empty): a frame every 10 ms, frame `i` centred on sample `160·i`.
    pub fn mel(&self, samples: &[f32], speech: &[(usize, usize)]) -> Vec<[f32; MELS]> {
        let all = 0..samples.len() / HOP + 1;
        self.mel_frames(samples, speech, std::slice::from_ref(&all))
    }

    /// The frames of [`VoiceEncoder::mel`] in each of `frames`, one range after another (a
    /// frame past the recording's end is silence): the spectrogram of only what the windows
    /// read.
    pub fn mel_frames(
        &self,
        samples: &[f32],
        speech: &[(usize, usize)],
        frames: &[std::ops::Range<usize>],
    ) -> Vec<[f32; MELS]> {
        let gain = gain_to(samples, speech, -30.0);
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(NFFT);
        let mut input = fft.make_input_vec();
        let mut spectrum = fft.make_output_vec();
        let window: Vec<f32> = (0..NFFT)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / NFFT as f32).cos())
            .collect();
        let mut power = vec![0f32; NFFT / 2 + 1];
        let n = samples.len() / HOP + 1;
        let mut out = Vec::with_capacity(frames.iter().map(|r| r.len()).sum());
        for f in frames.iter().flat_map(|r| r.clone()) {
            if f >= n {
                out.push([0f32; MELS]);
                continue;
            }
            let centre = f * HOP;
            for (i, x) in input.iter_mut().enumerate() {
                let at = (centre + i).wrapping_sub(NFFT / 2);
                *x = samples.get(at).map_or(0.0, |s| s * gain) * window[i];
            }
            fft.process(&mut input, &mut spectrum).expect("buffers made by the plan");
            for (p, c) in power.iter_mut().zip(&spectrum) {
                *p = c.norm_sqr();
            }
            let mut frame = [0f32; MELS];
            for (m, (first, weights)) in self.filters.iter().enumerate() {
                frame[m] = weights.iter().enumerate().map(|(j, w)| w * power[first + j]).sum();
            }
            out.push(frame);
        }
        out
    }

    /// The d-vector of each window of [`WINDOW_FRAMES`] mel frames starting at `starts`
    /// (frames past the end count as silence), on up to `threads` threads. Once `cancel` is
    /// set, the windows not yet embedded are left at zero (the caller drops the result).
    pub fn embed(
        &self,
        mel: &[[f32; MELS]],
        starts: &[usize],
        threads: usize,
        cancel: &CancelToken,
    ) -> Vec<[f32; DIM]> {
        let mut out = vec![[0f32; DIM]; starts.len()];
        // Each thread holds about 40 MB of gate values per batch: a few threads are enough.
        let threads = threads.clamp(1, MAX_THREADS);
        let per = starts.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            for (part, slots) in starts.chunks(per).zip(out.chunks_mut(per)) {
                scope.spawn(move || {
                    for (batch, dest) in part.chunks(BATCH).zip(slots.chunks_mut(BATCH)) {
                        if cancel.is_cancelled() {
                            break;
                        }
                        self.embed_batch(mel, batch, dest);
                    }
                });
            }
        });
        out
    }

    fn embed_batch(&self, mel: &[[f32; MELS]], starts: &[usize], out: &mut [[f32; DIM]]) {
        let b = starts.len();
        let t = WINDOW_FRAMES;
        // Time-major input: row (step · b + window).
        let mut x = vec![0f32; t * b * MELS];
        for (w, &s) in starts.iter().enumerate() {
            for step in 0..t {
                if let Some(frame) = mel.get(s + step) {
                    x[(step * b + w) * MELS..][..MELS].copy_from_slice(frame);
                }
            }
        }
        let mut h = vec![0f32; b * HIDDEN];
        for layer in &self.layers {
            // The input's share of every gate at every step, in one product.
            let mut pre = vec![0f32; t * b * GATES];
            for row in pre.chunks_exact_mut(GATES) {
                row.copy_from_slice(&layer.bias);
            }
            gemm_bt(t * b, layer.input, GATES, &x, &layer.w_ih, &mut pre);
            let mut c = vec![0f32; b * HIDDEN];
            h.iter_mut().for_each(|v| *v = 0.0);
            let mut seq = vec![0f32; t * b * HIDDEN];
            for step in 0..t {
                let gates = &mut pre[step * b * GATES..(step + 1) * b * GATES];
                gemm_bt(b, HIDDEN, GATES, &h, &layer.w_hh, gates);
                for w in 0..b {
                    let g = &gates[w * GATES..(w + 1) * GATES];
                    for j in 0..HIDDEN {
                        let i = sigmoid(g[j]);
                        let f = sigmoid(g[HIDDEN + j]);
                        let cand = g[2 * HIDDEN + j].tanh();
                        let o = sigmoid(g[3 * HIDDEN + j]);
                        let cell = f * c[w * HIDDEN + j] + i * cand;
                        c[w * HIDDEN + j] = cell;
                        h[w * HIDDEN + j] = o * cell.tanh();
                    }
                }
                seq[step * b * HIDDEN..(step + 1) * b * HIDDEN].copy_from_slice(&h);
            }
            x = seq;
        }
        // The last layer's final hidden state, projected, ReLU, unit length.
        let mut e = vec![0f32; b * DIM];
        for row in e.chunks_exact_mut(DIM) {
            row.copy_from_slice(&self.linear_b);
        }
        gemm_bt(b, HIDDEN, DIM, &h, &self.linear_w, &mut e);
        for (w, dest) in out.iter_mut().enumerate() {
            for (d, v) in dest.iter_mut().zip(&e[w * DIM..(w + 1) * DIM]) {
                *d = v.max(0.0);
            }
            normalise(dest);
        }
    }
}

/// `c (m × n) += a (m × k) · bᵀ`, with `b` stored (n × k) row-major.
fn gemm_bt(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() >= m * k && b.len() >= n * k && c.len() >= m * n);
    // SAFETY: the pointers cover m·k, n·k and m·n values with the strides given (checked
    // above), and `c` does not overlap `a` or `b` (it is borrowed mutably).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            1,
            k as isize,
            1.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The gain that brings the RMS of `speech` (all of `samples` when empty) to `dbfs`, never
/// below 1 (Resemblyzer's `normalize_volume(…, increase_only=True)`).
fn gain_to(samples: &[f32], speech: &[(usize, usize)], dbfs: f32) -> f32 {
    let whole = [(0, samples.len())];
    let ranges = if speech.is_empty() { &whole[..] } else { speech };
    let (mut sum, mut n) = (0f64, 0usize);
    for &(a, b) in ranges {
        for s in &samples[a.min(samples.len())..b.min(samples.len())] {
            sum += (*s as f64) * (*s as f64);
            n += 1;
        }
    }
    if n == 0 || sum <= 0.0 {
        return 1.0;
    }
    let rms_db = 10.0 * (sum / n as f64).log10() as f32;
    10f32.powf(((dbfs - rms_db) / 20.0).max(0.0))
}

/// Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above.
fn slaney_mel(hz: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    let min_log_mel = min_log_hz / f_sp;
    let step = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz {
        min_log_mel + (hz / min_log_hz).ln() / step
    } else {
        hz / f_sp
    }
}

fn slaney_hz(mel: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    let min_log_mel = min_log_hz / f_sp;
    let step = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        min_log_hz * (step * (mel - min_log_mel)).exp()
    } else {
        mel * f_sp
    }
}

/// librosa's `filters.mel(sr=16000, n_fft=400, n_mels=40)`: each filter as (first bin, weights).
fn slaney_filters() -> Vec<(usize, Vec<f32>)> {
    let bins = NFFT / 2 + 1;
    let fft_hz: Vec<f64> = (0..bins).map(|i| i as f64 * RATE as f64 / NFFT as f64).collect();
    let (lo, hi) = (slaney_mel(0.0), slaney_mel(RATE as f64 / 2.0));
    let points: Vec<f64> =
        (0..MELS + 2).map(|i| slaney_hz(lo + (hi - lo) * i as f64 / (MELS + 1) as f64)).collect();
    (0..MELS)
        .map(|m| {
            let (l, c, r) = (points[m], points[m + 1], points[m + 2]);
            let norm = 2.0 / (r - l);
            let weights: Vec<f64> =
                fft_hz.iter().map(|&f| ((f - l) / (c - l)).min((r - f) / (r - c)).max(0.0) * norm).collect();
            let first = weights.iter().position(|w| *w > 0.0).unwrap_or(0);
            let last = weights.iter().rposition(|w| *w > 0.0).unwrap_or(first);
            (first, weights[first..=last].iter().map(|w| *w as f32).collect())
        })
        .collect()
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Cosine similarity of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slaney_filters_match_librosa_at_the_ends() {
        // librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): filter 0 starts at bin 1 with
        // 0.00739 then 0.01240; the last filter's first non-zero bin is 172.
        let f = slaney_filters();
        assert_eq!(f.len(), MELS);
        assert_eq!(f[0].0, 1);
        assert!((f[0].1[0] - 0.007_390_21).abs() < 1e-6 && (f[0].1[1] - 0.012_404_52).abs() < 1e-6);
        assert_eq!(f[MELS - 1].0, 172);
        assert!(f.iter().all(|(_, w)| w.iter().all(|x| x.is_finite() && *x >= 0.0)));
        let (first, w) = &f[MELS - 1];
        assert!(first + w.len() <= NFFT / 2 + 1);
    }

    #[test]
    fn quiet_speech_is_raised_and_loud_speech_is_left_alone() {
        let quiet: Vec<f32> = (0..16_000).map(|i| 0.001 * ((i as f32) * 0.1).sin()).collect();
        assert!(gain_to(&quiet, &[], -30.0) > 10.0);
        let loud: Vec<f32> = (0..16_000).map(|i| 0.5 * ((i as f32) * 0.1).sin()).collect();
        assert_eq!(gain_to(&loud, &[], -30.0), 1.0);
    }
}
