//! On-device transcription of a session's recording with whisper.cpp (through whisper-rs).
//!
//! Owns no table: it reads `recordings` (through [`crate::media`]) and stores its result as
//! the session's transcript (through [`crate::transcript`]) in one transaction at the very
//! end, with the word timings in `segments.words`, so a cancelled or failed run leaves the
//! session exactly as it was.
//!
//! The audio is decoded and resampled as a stream ([`crate::media::AudioStream`]) and cut
//! into chunks of at most [`DEFAULT_CHUNK_SECS`] that end in the quietest moment before that
//! length, so no word is cut in two. Whisper reads each chunk in one call with its encoder
//! context sized to the chunk (whisper pads every window to 30 s otherwise, and the encoder
//! costs as much for the padding as for speech). With two or more cores, two chunks are
//! transcribed at the same time by two single-threaded whisper states, which never wait for
//! each other (faster than two threads on one state, which synchronise at every step of the
//! model). At most one chunk waits per worker, so memory does not grow with the recording.
//! Results are put back in order: each chunk's segments are shown, and progress moves, as soon
//! as every chunk before it is done.
//!
//! whisper.cpp sits behind this module only: the model file is checked before whisper.cpp
//! opens it (a missing, truncated or wrong file is a clear error), every call into it is
//! wrapped in `catch_unwind`, and its abort and encoder hooks are bridged to the caller's
//! [`CancelToken`].

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;
use whisper_rs::whisper_rs_sys;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use crate::error::{Error, Result};
use crate::media::{self, AudioStream};
use crate::models::GgmlHeader;
use crate::progress::{CancelToken, Outcome, Progress};
use crate::transcript::{self, format_timestamp, Cue, Word};
use crate::workspace::Workspace;

/// Samples per second of what whisper reads.
const RATE: usize = media::decode::TARGET_RATE as usize;

/// Chunks of the audio transcribed at the same time by default (each needs its own whisper
/// state: about 40 MB with tiny.en).
const WORKERS: usize = 2;

/// The chunk lengths allowed (seconds): whisper's window is 30 s.
pub const MIN_CHUNK_SECS: u32 = 5;
pub const MAX_CHUNK_SECS: u32 = 30;

/// The default longest chunk (seconds). Measured with tiny.en q8_0 on three texts of espeak-ng
/// speech: chunks of at most 20 s were 13 % faster than 30 s but raised the word error rate
/// from 8.9 % to 11.1 %; 25 s and 30 s were alike in time and error rate, but chunks that
/// fill whisper's whole 30 s window took 140 MB more memory with two workers (432 MB against
/// 291 MB on a two-hour recording). Chunks are transcribed independently: giving whisper the
/// previous chunk's text as a prompt did not lower the error rate, nor did leading silence.
pub const DEFAULT_CHUNK_SECS: u32 = 25;

/// The shortest chunks (seconds) that cutting the audio into a multiple of the workers may
/// make; below this, the last worker may be left idle (chunks of 15 to 20 s raised the word
/// error rate of tiny.en by two points).
const BALANCED_MIN_SECS: usize = 20;

/// Frames of silence (20 ms each) the encoder reads after a chunk.
const AUDIO_CTX_PAD: usize = 25;

/// How far before its longest length (in samples) a chunk may end, to end in the quietest
/// moment: a quarter of the chunk, at most 5 s.
fn split_search(chunk_len: usize) -> usize {
    (chunk_len / 4).min(5 * RATE)
}

/// What to transcribe: a session (its most recently added recording) or one recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Session(i64),
    Recording(i64),
}

impl Target {
    /// Parses `12` or `session:12` (a session), `recording:7` or `rec:7` (a recording).
    pub fn parse(text: &str) -> Result<Target> {
        let text = text.trim();
        let (kind, id) = match text.split_once(':') {
            Some((kind, id)) => (kind, id),
            None => ("session", text),
        };
        let id: i64 = id.trim().parse().map_err(|_| {
            Error::invalid(
                "TARGET",
                format!(
                    "expected a session id (12, session:12) or a recording id (recording:7), found {text:?}"
                ),
            )
        })?;
        match kind {
            "session" | "s" => Ok(Target::Session(id)),
            "recording" | "rec" | "r" => Ok(Target::Recording(id)),
            other => Err(Error::invalid(
                "TARGET",
                format!("unknown kind {other:?}: expected `session:` or `recording:`"),
            )),
        }
    }
}

/// How to transcribe.
#[derive(Debug, Clone)]
pub struct TranscribeOptions {
    /// The whisper.cpp model file (ggml).
    pub model: PathBuf,
    /// CPU threads for whisper.cpp; 0 picks the number of cores (at most 8).
    pub threads: usize,
    /// The spoken language (`en`, `de`, …); `None` detects it (English-only models: `en`).
    pub language: Option<String>,
    /// Chunks of the audio transcribed at the same time, each by its own whisper state with
    /// `threads / parallel` threads; 0 picks 2 when there are two threads or more, else 1.
    pub parallel: usize,
    /// The longest chunk of audio whisper reads at once, in seconds (5 to 30). A chunk ends in
    /// the quietest moment before this length, and whisper's encoder reads only the chunk (not
    /// a whole 30 s window), so shorter chunks cost less; see [`DEFAULT_CHUNK_SECS`].
    pub chunk_secs: u32,
}

impl TranscribeOptions {
    /// Default options for `model`.
    pub fn new(model: impl Into<PathBuf>) -> TranscribeOptions {
        TranscribeOptions {
            model: model.into(),
            threads: 0,
            language: None,
            parallel: 0,
            chunk_secs: DEFAULT_CHUNK_SECS,
        }
    }
}

/// What a finished transcription stored.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TranscribeReport {
    pub session: i64,
    pub recording: i64,
    pub transcript_id: i64,
    /// The length of the decoded audio.
    pub duration_ms: i64,
    pub language: String,
    /// The model file's name.
    pub model: String,
    /// How many chunks the audio was transcribed in.
    pub chunks: usize,
    pub segments: Vec<Cue>,
}

/// Transcribes the target's recording with the model in `opts` and stores the transcript
/// (replacing the session's previous one) at the end, in one transaction. Reports percent
/// of audio done and each segment as it is finished; a cancel stops whisper mid-chunk and
/// returns `Outcome::Cancelled` with nothing changed.
pub fn transcribe(
    ws: &mut Workspace,
    target: Target,
    opts: &TranscribeOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<TranscribeReport>> {
    let recording_id = match target {
        Target::Recording(id) => id,
        Target::Session(id) => {
            crate::session::ensure(ws.conn(), id)?;
            ws.conn()
                .query_row("SELECT id FROM recordings WHERE session_id = ?1 ORDER BY id DESC LIMIT 1", [id], |r| {
                    r.get(0)
                })
                .map_err(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Error::invalid(
                        format!("session {id}"),
                        "has no recording to transcribe: add one with `rapport recording add FILE --session ID`",
                    ),
                    other => other.into(),
                })?
        }
    };
    let rec = media::recording(ws.conn(), &ws.media_dir(), recording_id)?;
    let header = check_model(&opts.model)?;
    let language = choose_language(opts.language.as_deref(), &header, &opts.model)?;
    let mut stream = AudioStream::open(&rec.path, &rec.file_name)?;
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }

    whisper_rs::install_logging_hooks();
    let model_str = opts.model.to_str().ok_or_else(|| {
        Error::invalid(opts.model.display().to_string(), "the model path is not valid UTF-8")
    })?;
    let model_name = opts.model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ctx = ffi(&opts.model, "loading the model", || {
        WhisperContext::new_with_params(model_str, WhisperContextParameters::default())
    })?;
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8),
        n => n,
    };
    // Two workers with half the threads each, each on its own chunk of the audio: whisper.cpp
    // synchronises its threads at every step of the model, and independent single-threaded
    // workers never wait for each other (measured: the fastest way to use two cores).
    let workers = match opts.parallel {
        0 if threads >= 2 => WORKERS,
        0 => 1,
        n => n.min(threads).max(1),
    };
    let threads_each = (threads / workers).max(1);
    let mut states = Vec::with_capacity(workers);
    for _ in 0..workers {
        states.push(ffi(&opts.model, "creating a whisper state", || ctx.create_state())?);
    }
    let eot = ctx.token_eot();

    let chunk_len = opts.chunk_secs.clamp(MIN_CHUNK_SECS, MAX_CHUNK_SECS) as usize * RATE;
    let search = split_search(chunk_len);
    let total_ms = rec.duration_ms.or(stream.info().duration_ms).unwrap_or(0).max(1);
    progress.begin("transcribe", Some(total_ms as u64));

    // The first 30 s: enough to detect the language and to cut the first chunks.
    let mut buf: Vec<f32> = Vec::with_capacity(2 * chunk_len.max(30 * RATE));
    let mut more = stream.fill(&mut buf, chunk_len.max(30 * RATE))?;
    let detected = match (&language, buf.is_empty()) {
        (None, false) => Some(detect_language(&mut states[0], &buf, threads, &opts.model)?),
        _ => None,
    };
    let lang = language.as_deref().or(detected.as_deref()).unwrap_or("en");

    let failed = AtomicBool::new(false);
    let stopped = || cancel.is_cancelled() || failed.load(Ordering::Relaxed);
    // At most one chunk waits per worker: memory stays a few chunks, however long the audio.
    let (job_tx, job_rx) = mpsc::sync_channel::<Chunk>(workers);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, i64, Result<Vec<Cue>>)>();
    let total = total_ms as usize * RATE / 1000;
    let planned = planned_chunks(total, chunk_len, workers);
    // Bounded: every chunk but the last takes at least a second, and the stored duration comes
    // from decoding the whole file.
    let max_chunks = total / RATE + planned + 4;
    let (produced, collected) = std::thread::scope(|scope| {
        for state in states.iter_mut() {
            let done_tx = done_tx.clone();
            let (job_rx, failed, model) = (&job_rx, &failed, &opts.model);
            scope.spawn(move || loop {
                let job = job_rx.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok(chunk) = job else { break };
                let end_ms = ((chunk.start + chunk.samples.len()) * 1000 / RATE) as i64;
                let hooks = ChunkHooks { cancel, failed, samples: &chunk.samples, passes: Cell::new(0) };
                // A panic outside whisper's calls is this chunk's error, not a lost chunk.
                let found = catch_unwind(AssertUnwindSafe(|| {
                    run_chunk(state, &chunk, lang, threads_each, eot, &hooks, model)
                }))
                .unwrap_or_else(|_| {
                    Err(Error::invalid(model.display().to_string(), "a transcription worker panicked"))
                });
                if done_tx.send((chunk.index, end_ms, found)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(|| collect_in_order(done_rx, progress, &failed, total_ms));

        // This thread decodes the audio and cuts it into chunks for the workers.
        let produced = (|| -> Result<Option<usize>> {
            let mut offset = 0usize;
            for index in 0..max_chunks {
                if stopped() {
                    return Ok(Some(index));
                }
                if more && buf.len() < chunk_len {
                    more = stream.fill(&mut buf, 2 * chunk_len)?;
                }
                if buf.is_empty() {
                    return Ok(Some(index));
                }
                let left = planned.saturating_sub(index).max(1);
                let target = (total.saturating_sub(offset) / left).clamp(search, chunk_len);
                let cut = next_cut(&buf, target, chunk_len, search, !more);
                let samples: Vec<f32> = buf.drain(..cut).collect();
                let chunk = Chunk { index, start: offset, samples };
                offset += cut;
                if job_tx.send(chunk).is_err() {
                    return Ok(Some(index));
                }
            }
            Ok(None)
        })();
        drop(job_tx);
        if produced.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        let collected = collector.join().unwrap_or_else(|_| {
            Err(Error::invalid(opts.model.display().to_string(), "a transcription worker panicked"))
        });
        (produced, collected)
    });
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    let produced = produced?;
    let (mut segments, chunks) = collected?;
    if produced.is_some_and(|sent| sent != chunks) {
        return Err(Error::invalid(
            opts.model.display().to_string(),
            "a transcription worker stopped before its chunk was done; nothing was stored",
        ));
    }
    if produced.is_none() {
        return Err(Error::invalid(
            &rec.file_name,
            format!(
                "the audio is longer than the {} recorded for it; nothing was stored (add the file again)",
                format_timestamp(total_ms)
            ),
        ));
    }
    let duration_ms = stream.decoded_ms();
    clamp_times(&mut segments, duration_ms);
    let language = lang.to_string();

    let tx = ws.conn_mut().transaction()?;
    let transcript_id = transcript::store(&tx, rec.session_id, &format!("whisper:{model_name}"), &segments)?;
    tx.execute(
        "UPDATE transcripts SET recording_id = ?2, language = ?3, model = ?4 WHERE id = ?1",
        params![transcript_id, rec.id, language, model_name],
    )?;
    if cancel.is_cancelled() {
        // The last moment a cancel can still leave everything as it was.
        return Ok(Outcome::Cancelled);
    }
    tx.commit()?;
    progress.advance(total_ms as u64);
    Ok(Outcome::Done(TranscribeReport {
        session: rec.session_id,
        recording: rec.id,
        transcript_id,
        duration_ms,
        language,
        model: model_name,
        chunks,
        segments,
    }))
}

/// How many chunks to cut `total` samples into: enough for chunks of at most `max_len`,
/// rounded up to a multiple of `workers` so that the workers finish together (unless that
/// would make chunks shorter than [`BALANCED_MIN_SECS`]).
fn planned_chunks(total: usize, max_len: usize, workers: usize) -> usize {
    let n = total.div_ceil(max_len).max(1);
    let balanced = n.div_ceil(workers) * workers;
    if balanced > n && total / balanced >= BALANCED_MIN_SECS * RATE {
        balanced
    } else {
        n
    }
}

/// Where the next chunk of `buf` ends, aiming at `target` samples: the quietest moment within
/// `search` samples around it (never past `max_len`), so that no word is cut in two; all of
/// `buf` when it is the end of the audio (`last`) and about `target` long. `buf` holds at
/// least `max_len` samples unless `last`.
fn next_cut(buf: &[f32], target: usize, max_len: usize, search: usize, last: bool) -> usize {
    if last && buf.len() <= max_len && buf.len() <= target + search / 2 {
        return buf.len();
    }
    let hi = (target + search / 2).min(max_len).min(buf.len());
    let lo = hi.saturating_sub(search).max(RATE.min(hi / 2));
    if lo >= hi {
        return hi.max(1);
    }
    quietest(buf, lo, hi).max(1)
}

/// The middle of the quietest 250 ms of `buf[lo..hi]` (in 10 ms steps): long enough to be a
/// pause between sentences, not the gap between two words.
fn quietest(buf: &[f32], lo: usize, hi: usize) -> usize {
    const STEP: usize = RATE / 100;
    const SPAN: usize = 25;
    let blocks: Vec<f32> = buf[lo..hi].chunks(STEP).map(|c| c.iter().map(|s| s * s).sum::<f32>()).collect();
    if blocks.len() <= SPAN {
        return (lo + hi) / 2;
    }
    let mut sum: f32 = blocks[..SPAN].iter().sum();
    let mut best = (sum, 0usize);
    for i in SPAN..blocks.len() {
        sum += blocks[i] - blocks[i - SPAN];
        if sum < best.0 {
            best = (sum, i + 1 - SPAN);
        }
    }
    lo + (best.1 + SPAN / 2) * STEP
}

/// Drops whisper's markers for non-speech, like `[BLANK_AUDIO]` or `[MUSIC]`.
fn is_non_speech(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || (t.starts_with('[')
            && t.ends_with(']')
            && t[1..t.len() - 1].chars().all(|c| c.is_ascii_uppercase() || c == '_' || c == ' '))
}

/// Keeps every time inside the audio and each segment's end after its start.
fn clamp_times(segments: &mut [Cue], duration_ms: i64) {
    for s in segments {
        s.start_ms = s.start_ms.clamp(0, duration_ms);
        s.end_ms = s.end_ms.clamp(s.start_ms, duration_ms);
        for w in &mut s.words {
            w.start_ms = w.start_ms.clamp(s.start_ms, s.end_ms);
            w.end_ms = w.end_ms.clamp(w.start_ms, s.end_ms);
        }
    }
}

fn choose_language(asked: Option<&str>, header: &GgmlHeader, model: &Path) -> Result<Option<String>> {
    let asked = asked.map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty() && l != "auto");
    if !header.multilingual() {
        return match asked {
            None => Ok(Some("en".into())),
            Some(l) if l == "en" => Ok(Some(l)),
            Some(l) => Err(Error::invalid(
                "--language",
                format!("{} is an English-only model; it cannot transcribe {l:?}", model.display()),
            )),
        };
    }
    match asked {
        None => Ok(None),
        Some(l) if whisper_rs::get_lang_id(&l).is_some() => Ok(Some(l)),
        Some(l) => Err(Error::invalid(
            "--language",
            format!("unknown language {l:?}: expected a code like en, de, fr"),
        )),
    }
}

/// Detects the spoken language on the first 30 s of `audio`.
fn detect_language(state: &mut WhisperState, audio: &[f32], threads: usize, model: &Path) -> Result<String> {
    let head = &audio[..audio.len().min(30 * RATE)];
    ffi(model, "computing the spectrogram", || state.pcm_to_mel(head, threads))?;
    let (id, _) = ffi(model, "detecting the language", || state.lang_detect(0, threads))?;
    Ok(whisper_rs::get_lang_str(id).unwrap_or("en").to_string())
}

/// Runs one call into whisper-rs, turning a panic into an error that names the model.
fn ffi<T>(
    model: &Path,
    what: &str,
    call: impl FnOnce() -> std::result::Result<T, whisper_rs::WhisperError>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            Err(Error::invalid(model.display().to_string(), format!("whisper.cpp failed {what}: {e}")))
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(Error::invalid(model.display().to_string(), format!("whisper.cpp failed {what}: {msg}")))
        }
    }
}

/// A piece of the recording that whisper reads in one call.
struct Chunk {
    /// Its place among the chunks (results are put back in this order).
    index: usize,
    /// Where it starts in the recording (samples).
    start: usize,
    samples: Vec<f32>,
}

/// Gathers the workers' chunks in order: shows each chunk's segments as soon as every chunk
/// before it is done, and reports progress up to its end. The first failure stops the others
/// (through `failed`) and is returned. Returns the segments, in time order, and the number of
/// chunks.
fn collect_in_order(
    done: mpsc::Receiver<(usize, i64, Result<Vec<Cue>>)>,
    progress: &dyn Progress,
    failed: &AtomicBool,
    total_ms: i64,
) -> Result<(Vec<Cue>, usize)> {
    let mut waiting: BTreeMap<usize, (i64, Vec<Cue>)> = BTreeMap::new();
    let mut segments = Vec::new();
    let mut next = 0usize;
    let mut first_error = None;
    for (index, end_ms, found) in done {
        match found {
            Ok(found) => {
                waiting.insert(index, (end_ms, found));
            }
            Err(e) => {
                failed.store(true, Ordering::Relaxed);
                first_error.get_or_insert(e);
            }
        }
        while let Some((end_ms, found)) = waiting.remove(&next) {
            for seg in found.into_iter().filter(|s| !is_non_speech(&s.text)) {
                progress.message(&format!(
                    "[{} --> {}] {}",
                    format_timestamp(seg.start_ms),
                    format_timestamp(seg.end_ms),
                    seg.text
                ));
                segments.push(seg);
            }
            progress.advance(end_ms.clamp(0, total_ms) as u64);
            next += 1;
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok((segments, next)),
    }
}

/// What whisper's C hooks need while it reads one chunk.
struct ChunkHooks<'a> {
    cancel: &'a CancelToken,
    /// Set when another chunk failed: the rest is not worth finishing.
    failed: &'a AtomicBool,
    samples: &'a [f32],
    /// Encoder passes begun on this chunk.
    passes: Cell<u32>,
}

impl ChunkHooks<'_> {
    fn stopped(&self) -> bool {
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

/// whisper.cpp asks this before each pass of its encoder: false ends the chunk. A chunk is read
/// in one pass, unless whisper's last segment ended before speech that is still to come; a
/// second pass over a pause is not worth its cost (the encoder reads as much as for the first).
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
    let from = (read_to.max(0) as usize * RATE / 100).min(hooks.samples.len());
    catch_unwind(AssertUnwindSafe(|| has_speech(hooks.samples, from))).unwrap_or(false)
}

/// Whether `samples[from..]` holds speech: a stretch of 100 ms at least a quarter as loud as
/// the chunk's loud parts (its 90th percentile of 100 ms loudness), and at least 300 ms long.
fn has_speech(samples: &[f32], from: usize) -> bool {
    const BLOCK: usize = RATE / 10;
    let rest = &samples[from.min(samples.len())..];
    if rest.len() < 3 * BLOCK {
        return false;
    }
    let energy = |c: &[f32]| c.iter().map(|s| s * s).sum::<f32>() / c.len().max(1) as f32;
    let mut levels: Vec<f32> = samples.chunks(BLOCK).map(energy).collect();
    levels.sort_by(|a, b| a.total_cmp(b));
    let loud = levels[levels.len() * 9 / 10];
    // A quarter of the amplitude: a sixteenth of the energy.
    rest.chunks(BLOCK).any(|c| energy(c) > loud / 16.0 && loud > 1e-8)
}

/// The encoder context (in 20 ms frames) whisper needs for `samples` samples: the chunk, and
/// a little silence after it (whisper's window is 1500 frames, 30 s).
fn audio_ctx(samples: usize) -> c_int {
    let frames = samples.div_ceil(2 * RATE / 100) + AUDIO_CTX_PAD;
    frames.div_ceil(8).saturating_mul(8).min(1500) as c_int
}

/// Runs whisper on one chunk of the audio and returns its segments, times in the recording.
fn run_chunk(
    state: &mut WhisperState,
    chunk: &Chunk,
    language: &str,
    threads: usize,
    eot: c_int,
    hooks: &ChunkHooks<'_>,
    model: &Path,
) -> Result<Vec<Cue>> {
    if hooks.stopped() {
        return Ok(Vec::new());
    }
    let offset_ms = (chunk.start * 1000 / RATE) as i64;
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(threads as c_int);
    params.set_language(Some(language));
    params.set_translate(false);
    params.set_token_timestamps(true);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    params.set_audio_ctx(audio_ctx(chunk.samples.len()));
    let data = hooks as *const ChunkHooks<'_> as *mut c_void;
    // SAFETY: the hooks only read `hooks` through `data`; `hooks` outlives `full` below, and
    // whisper.cpp calls them on this thread during `full` only.
    unsafe {
        params.set_abort_callback(Some(abort_hook));
        params.set_abort_callback_user_data(data);
        params.set_start_encoder_callback(Some(encoder_hook));
        params.set_start_encoder_callback_user_data(data);
    }
    let at = format_timestamp(offset_ms);
    let result = ffi(model, &format!("on the audio from {at}"), || state.full(params, &chunk.samples));
    if hooks.stopped() {
        return Ok(Vec::new());
    }
    result?;
    let mut out = Vec::new();
    for seg in state.as_iter() {
        let text = seg.to_str_lossy().map(|t| t.trim().to_string()).unwrap_or_default();
        let mut words: Vec<Word> = Vec::new();
        for i in 0..seg.n_tokens() {
            let Some(token) = seg.get_token(i) else { continue };
            let data = token.token_data();
            if data.id >= eot {
                continue;
            }
            let piece = token.to_str_lossy().map(|t| t.into_owned()).unwrap_or_default();
            let (t0, t1) = (data.t0 * 10 + offset_ms, data.t1 * 10 + offset_ms);
            let starts_word = piece.starts_with(' ') || words.is_empty();
            let piece_trim = piece.trim();
            if piece_trim.is_empty() {
                continue;
            }
            match words.last_mut() {
                Some(w) if !starts_word => {
                    w.text.push_str(piece_trim);
                    w.end_ms = w.end_ms.max(t1);
                }
                _ => words.push(Word { start_ms: t0, end_ms: t1.max(t0), text: piece_trim.to_string() }),
            }
        }
        out.push(Cue {
            start_ms: seg.start_timestamp() * 10 + offset_ms,
            end_ms: seg.end_timestamp() * 10 + offset_ms,
            speaker: None,
            text,
            words,
        });
    }
    Ok(out)
}

/// Checks a whisper.cpp model file before whisper.cpp opens it (through
/// [`crate::models::check_ggml`]), so a missing, truncated or wrong file is a clear error
/// instead of a failure inside whisper.cpp.
fn check_model(path: &Path) -> Result<GgmlHeader> {
    if !path.exists() {
        return Err(Error::not_found(
            "model",
            format!("{} (run scripts/fetch-model, or `rapport models download tiny.en`)", path.display()),
        ));
    }
    crate::models::check_ggml(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A structurally whole ggml whisper file with one encoder and one decoder layer of
    /// one-element f32 tensors.
    fn fake_model() -> Vec<u8> {
        let mut b = Vec::new();
        let i32le = |b: &mut Vec<u8>, v: i32| b.extend_from_slice(&v.to_le_bytes());
        i32le(&mut b, 0x6767_6d6c);
        for v in [51864, 1500, 384, 6, 1, 448, 384, 6, 1, 80, 1] {
            i32le(&mut b, v);
        }
        i32le(&mut b, 80);
        i32le(&mut b, 201);
        b.resize(b.len() + 80 * 201 * 4, 0);
        i32le(&mut b, 2);
        for tok in [b"hi".as_slice(), b" there".as_slice()] {
            i32le(&mut b, tok.len() as i32);
            b.extend_from_slice(tok);
        }
        for t in 0..(11 + 15 + 24) {
            let name = format!("t{t}");
            i32le(&mut b, 1);
            i32le(&mut b, name.len() as i32);
            i32le(&mut b, 0);
            i32le(&mut b, 1);
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&1.0f32.to_le_bytes());
        }
        b
    }

    fn check_bytes(bytes: &[u8]) -> Result<GgmlHeader> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-test.bin");
        std::fs::write(&path, bytes).unwrap();
        check_model(&path)
    }

    #[test]
    fn a_whole_model_file_passes_the_check_and_says_it_is_english_only() {
        let header = check_bytes(&fake_model()).unwrap();
        assert_eq!((header.n_tensors, header.multilingual()), (50, false));
    }

    #[test]
    fn a_model_cut_anywhere_is_refused_as_truncated_with_the_offset() {
        let whole = fake_model();
        for cut in [10, 100, whole.len() - 300, whole.len() - 1] {
            let err = check_bytes(&whole[..cut]).unwrap_err().to_string();
            assert!(err.contains("ggml-test.bin") && err.contains("truncated"), "cut at {cut}: {err}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_model_names_its_magic_and_a_missing_one_says_how_to_get_it() {
        let err = check_bytes(b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n").unwrap_err().to_string();
        assert!(err.contains("not a ggml whisper model"), "{err}");
        let err = check_model(Path::new("/nonexistent/ggml-tiny.en.bin")).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::NotFound);
        assert!(err.to_string().contains("scripts/fetch-model"), "{err}");
    }

    #[test]
    fn targets_are_sessions_by_default_and_recordings_by_prefix() {
        assert_eq!(Target::parse("12").unwrap(), Target::Session(12));
        assert_eq!(Target::parse("session:3").unwrap(), Target::Session(3));
        assert_eq!(Target::parse("recording:7").unwrap(), Target::Recording(7));
        assert!(Target::parse("video:1").is_err());
        assert!(Target::parse("twelve").is_err());
    }

    /// Speech-like noise with a silent gap of 400 ms starting at each of `gaps` (seconds).
    fn noise_with_gaps(seconds: usize, gaps: &[f32]) -> Vec<f32> {
        let mut x: u32 = 7;
        (0..seconds * RATE)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                if gaps.iter().any(|g| t >= *g && t < g + 0.4) {
                    0.0
                } else {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x as f32 / u32::MAX as f32) - 0.5
                }
            })
            .collect()
    }

    #[test]
    fn chunks_end_in_the_silence_nearest_their_target_and_never_past_the_longest_length() {
        let buf = noise_with_gaps(60, &[17.0, 25.0]);
        let (max, search) = (30 * RATE, split_search(30 * RATE));
        let secs = |cut: usize| cut as f32 / RATE as f32;
        let cut = next_cut(&buf, 19 * RATE, max, search, false);
        assert!((17.1..17.3).contains(&secs(cut)), "ends in the gap at 17 s: {}", secs(cut));
        let cut = next_cut(&buf, 28 * RATE, max, search, false);
        assert!((25.1..25.3).contains(&secs(cut)), "ends in the gap at 25 s: {}", secs(cut));
        // No quiet moment: the chunk still ends near its target, within its longest length.
        let loud = noise_with_gaps(60, &[]);
        let cut = next_cut(&loud, 29 * RATE, max, search, false);
        assert!((max - search..=max).contains(&cut), "{cut}");
    }

    #[test]
    fn the_end_of_the_audio_is_one_chunk_when_it_is_the_last_planned_one() {
        let buf = noise_with_gaps(24, &[12.0]);
        assert_eq!(next_cut(&buf[..19 * RATE], 19 * RATE, 20 * RATE, 5 * RATE, true), 19 * RATE);
        // 24 s is more than 20 s: cut, in the gap near the target of 12 s.
        let cut = next_cut(&buf, 12 * RATE, 20 * RATE, 5 * RATE, true);
        assert!((12 * RATE..13 * RATE).contains(&cut), "{cut}");
    }

    #[test]
    fn the_audio_is_cut_into_a_multiple_of_the_workers_unless_chunks_get_too_short() {
        let s = |secs: usize| secs * RATE;
        assert_eq!(planned_chunks(s(129), s(30), 2), 6, "5 chunks would leave a worker idle");
        assert_eq!(planned_chunks(s(129), s(30), 1), 5);
        assert_eq!(planned_chunks(s(25), s(30), 2), 1, "two chunks of 12.5 s are too short");
        assert_eq!(planned_chunks(s(75), s(25), 2), 3, "four chunks of 18.75 s are too short");
        assert_eq!(planned_chunks(s(40), s(30), 2), 2);
        assert_eq!(planned_chunks(s(7200), s(30), 2), 240);
        assert_eq!(planned_chunks(0, s(30), 2), 1);
    }

    #[test]
    fn the_encoder_context_covers_the_chunk_and_never_passes_whisper_s_window() {
        assert!(audio_ctx(10 * RATE) >= 500 && audio_ctx(10 * RATE) <= 540, "{}", audio_ctx(10 * RATE));
        assert_eq!(audio_ctx(30 * RATE), 1500);
        assert_eq!(audio_ctx(40 * RATE), 1500);
        assert_eq!(audio_ctx(10 * RATE) % 8, 0);
    }

    #[test]
    fn speech_after_the_last_segment_is_told_from_a_pause() {
        let mut buf = noise_with_gaps(10, &[]);
        // The last 2 s are silent except for a faint hum.
        for s in &mut buf[8 * RATE..] {
            *s *= 0.01;
        }
        assert!(!has_speech(&buf, 8 * RATE), "a pause");
        assert!(has_speech(&buf, 7 * RATE), "a second of speech");
        assert!(!has_speech(&buf, buf.len() - 100), "too little left to read");
    }

    #[test]
    fn whisper_non_speech_markers_are_not_segments() {
        assert!(is_non_speech(" [BLANK_AUDIO]"));
        assert!(is_non_speech("[MUSIC PLAYING]"));
        assert!(!is_non_speech("[laughs] we shipped it"));
        assert!(!is_non_speech("We shipped it."));
    }
}
