//! On-device transcription of a session's recording with whisper.cpp (through whisper-rs).
//!
//! Owns no table: it reads `recordings` (through [`crate::media`]) and stores its result as
//! the session's transcript (through [`crate::transcript`]) in one transaction at the very
//! end, with the word timings in `segments.words`, so a cancelled or failed run leaves the
//! session exactly as it was.
//!
//! The audio is decoded and resampled as a stream ([`crate::media::AudioStream`]), and a
//! voice activity detector ([`vad`], whisper.cpp's Silero VAD) decides what whisper reads:
//! [`chunks`] packs the speech regions it finds, with a little padding, into chunks of at most
//! [`DEFAULT_CHUNK_SECS`] that are cut in pauses between speech, and maps whisper's times
//! back to the recording's time line. Silence costs the VAD's time only, and 30 s of silence
//! or room noise gives no text. [`whisper`] reads each chunk in one call with faster-whisper's
//! quality checks (temperature fallback, no-speech threshold) and word times. With two or
//! more cores, two chunks are transcribed at the same time by two single-threaded whisper
//! states, which never wait for each other (faster than two threads on one state, which
//! synchronise at every step of the model). When the chunks do not fill the last round (an odd
//! number with two workers), the last chunk waits for the others and then takes every thread,
//! so no core idles through it. At most one chunk waits per worker, so memory does not grow
//! with the recording. Results are put back in order: each chunk's segments are
//! shown, and progress moves, as soon as every chunk before it is done.
//!
//! whisper.cpp sits behind this module only: the model file is checked before whisper.cpp
//! opens it (a missing, truncated or wrong file is a clear error), every call into it is
//! wrapped in `catch_unwind`, and its abort and encoder hooks are bridged to the caller's
//! [`CancelToken`].

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;
use whisper_rs::{WhisperContext, WhisperContextParameters, WhisperState};

use crate::error::{Error, Result};
use crate::media::{self, AudioStream};
use crate::models::GgmlHeader;
use crate::progress::{CancelToken, Outcome, Progress};
use crate::transcript::{self, format_timestamp, Cue};
use crate::workspace::Workspace;

mod chunks;
pub mod vad;
mod whisper;

use chunks::{Chunk, ChunkSource};
use whisper::ChunkHooks;

/// Samples per second of what whisper reads.
const RATE: usize = media::decode::TARGET_RATE as usize;

/// Chunks of the audio transcribed at the same time by default (each needs its own whisper
/// state: about 40 MB with tiny.en).
const WORKERS: usize = 2;

/// The chunk lengths allowed (seconds): whisper's window is 30 s.
pub const MIN_CHUNK_SECS: u32 = 5;
pub const MAX_CHUNK_SECS: u32 = 30;

/// The default longest chunk (seconds) of speech whisper reads at once. Whisper's encoder
/// reads a whole 30 s window whatever the chunk's length, so fuller chunks cost less per word;
/// a little room is left for whisper's last timestamp.
pub const DEFAULT_CHUNK_SECS: u32 = 29;

/// What to transcribe: a session (its most recently added recording, preferring one that is
/// not a single participant's track) or one recording.
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
    /// The longest chunk of speech whisper reads at once, in seconds (5 to 30). Chunks are cut
    /// in pauses; speech longer than this without a pause is cut where it is least speech-like.
    pub chunk_secs: u32,
    /// The Silero VAD model (ggml); by default [`vad::VAD_FILE`] in the models folder.
    pub vad_model: PathBuf,
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
            vad_model: crate::models::models_dir().join(vad::VAD_FILE),
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
    /// How many chunks the audio was transcribed in (the speech in it: none for silence).
    pub chunks: usize,
    /// How much of the audio the voice activity detector found to be speech (ms).
    pub speech_ms: i64,
    pub segments: Vec<Cue>,
}

/// A recording to transcribe, and where it sits on the session's time line.
struct Part {
    rec: media::StoredRecording,
    /// The participant's track name, when the session is transcribed track by track.
    track: Option<String>,
    offset_ms: i64,
}

/// The recordings a target stands for: a recording itself; a session's most recently added
/// recording that is not one participant's track, or, when it has only tracks (one file per
/// participant, as Zoom and Riverside record), every track, each on its own time line.
fn parts(ws: &Workspace, target: Target) -> Result<Vec<Part>> {
    let conn = ws.conn();
    let ids: Vec<(i64, Option<String>, i64)> = match target {
        Target::Recording(id) => vec![(id, None, 0)],
        Target::Session(id) => {
            crate::session::ensure(conn, id)?;
            let mut stmt = conn.prepare(
                "SELECT id, track, offset_ms FROM recordings WHERE session_id = ?1 ORDER BY id DESC",
            )?;
            let all = stmt
                .query_map([id], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mix = all.iter().find(|(_, track, _)| track.is_none()).map(|r| r.0);
            match mix {
                Some(mix) => vec![(mix, None, 0)],
                None if all.is_empty() => return Err(Error::invalid(
                    format!("session {id}"),
                    "has no recording to transcribe: add one with `rapport recording add FILE --session ID`",
                )),
                None => all.into_iter().rev().collect(),
            }
        }
    };
    ids.into_iter()
        .map(|(id, track, offset_ms)| -> Result<Part> {
            Ok(Part { rec: media::recording(conn, &ws.media_dir(), id)?, track, offset_ms })
        })
        .collect()
}

/// A progress sink for one recording of several: its `done` counts after the recordings
/// before it, and the phase is begun once, by the caller.
struct After<'a> {
    inner: &'a dyn Progress,
    before_ms: u64,
}

impl Progress for After<'_> {
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    fn advance(&self, done: u64) {
        self.inner.advance(self.before_ms + done);
    }
    fn message(&self, text: &str) {
        self.inner.message(text);
    }
}

/// whisper.cpp, loaded once for every recording of a run.
struct Engine<'m> {
    model: &'m Path,
    states: Vec<WhisperState>,
    threads: usize,
    threads_each: usize,
    eot: i32,
}

/// One recording's audio: its stream, its voice activity detector, its length (`total_ms`
/// for progress, at least 1; `known_ms` when the file says).
struct Audio<'s> {
    stream: &'s mut AudioStream,
    vad: vad::Vad,
    total_ms: i64,
    known_ms: Option<i64>,
}

/// What one recording gave.
struct Heard {
    segments: Vec<Cue>,
    language: String,
    chunks: usize,
    speech_ms: i64,
    duration_ms: i64,
}

/// Transcribes the target's recording with the model in `opts` and stores the transcript
/// (replacing the session's previous one) at the end, in one transaction. A session of
/// per-participant tracks only is transcribed track by track, each track's segments placed by
/// its offset and given its track's name as speaker, all merged in time order. Reports
/// percent of audio done and each segment as it is finished; a cancel stops whisper mid-chunk
/// and returns `Outcome::Cancelled` with nothing changed.
pub fn transcribe(
    ws: &mut Workspace,
    target: Target,
    opts: &TranscribeOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<TranscribeReport>> {
    let parts = parts(ws, target)?;
    let header = check_model(&opts.model)?;
    let mut language = choose_language(opts.language.as_deref(), &header, &opts.model)?;
    // whisper.cpp's log goes to the `log` crate (silent unless a logger is set).
    whisper_rs::install_logging_hooks();
    let mut inputs = Vec::with_capacity(parts.len());
    for part in &parts {
        inputs.push((
            vad::Vad::open(&opts.vad_model)?,
            AudioStream::open(&part.rec.path, &part.rec.file_name)?,
        ));
    }
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }

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
    let mut engine = Engine {
        model: &opts.model,
        states: Vec::with_capacity(workers),
        threads,
        threads_each: (threads / workers).max(1),
        eot: ctx.token_eot(),
    };
    for _ in 0..workers {
        engine.states.push(ffi(&opts.model, "creating a whisper state", || ctx.create_state())?);
    }
    let known: Vec<Option<i64>> = parts
        .iter()
        .zip(&inputs)
        .map(|(p, (_, stream))| p.rec.duration_ms.or(stream.info().duration_ms))
        .collect();
    let lengths: Vec<i64> = known.iter().map(|ms| ms.unwrap_or(0).max(1)).collect();
    let total_ms: i64 = lengths.iter().sum();
    progress.begin("transcribe", Some(total_ms as u64));
    let tracks = parts.len() > 1;
    let (mut segments, mut chunks, mut speech_ms, mut duration_ms, mut before_ms) = (Vec::new(), 0, 0, 0, 0);
    for ((part, (vad, mut stream)), (length, known)) in
        parts.iter().zip(inputs).zip(lengths.iter().zip(known))
    {
        let sink = After { inner: progress, before_ms };
        let audio = Audio { stream: &mut stream, vad, total_ms: *length, known_ms: known };
        let Some(heard) =
            transcribe_one(&mut engine, audio, language.as_deref(), opts.chunk_secs, &sink, cancel)?
        else {
            return Ok(Outcome::Cancelled);
        };
        // The first recording's language (detected or asked for) holds for the other tracks.
        language.get_or_insert(heard.language);
        chunks += heard.chunks;
        speech_ms += heard.speech_ms;
        before_ms += *length as u64;
        let offset = if tracks { part.offset_ms } else { 0 };
        duration_ms = duration_ms.max(offset + heard.duration_ms);
        for mut seg in heard.segments {
            if tracks {
                seg.start_ms += offset;
                seg.end_ms += offset;
                seg.words.iter_mut().for_each(|w| {
                    w.start_ms += offset;
                    w.end_ms += offset;
                });
                seg.speaker = part.track.clone();
            }
            segments.push(seg);
        }
    }
    // Track by track, then in time order (a stable sort: a track's own order is kept).
    segments.sort_by_key(|s| s.start_ms);
    let language = language.unwrap_or_else(|| "en".into());
    let rec = &parts[0].rec;

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
        speech_ms,
        segments,
    }))
}

/// Transcribes one recording's stream (its own time line); `None` when cancelled.
fn transcribe_one(
    engine: &mut Engine,
    audio: Audio,
    language: Option<&str>,
    chunk_secs: u32,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Option<Heard>> {
    let Audio { stream, vad, total_ms, known_ms } = audio;
    let Engine { model, states, threads, threads_each, eot } = engine;
    let (model, threads, threads_each, eot) = (*model, *threads, *threads_each, *eot);
    let workers = states.len();
    let chunk_len = chunk_secs.clamp(MIN_CHUNK_SECS, MAX_CHUNK_SECS) as usize * RATE;
    let total = known_ms.map(|ms| ms as usize * RATE / 1000);
    let mut source = ChunkSource::new(stream, vad, chunk_len, total);

    // The language, when it is to be detected, from the first chunk of speech.
    let first = source.next_chunk()?;
    let detected = match (&language, &first) {
        (None, Some(chunk)) => Some(detect_language(&mut states[0], &chunk.samples, threads, model)?),
        _ => None,
    };
    let lang = language.or(detected.as_deref()).unwrap_or("en");

    let failed = AtomicBool::new(false);
    let stopped = || cancel.is_cancelled() || failed.load(Ordering::Relaxed);
    // At most one chunk waits per worker: memory stays a few chunks, however long the audio.
    let (job_tx, job_rx) = mpsc::sync_channel::<Chunk>(workers);
    // How many chunks there are, once the producer has reached the end (0 before).
    let total = AtomicUsize::new(0);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let finished = Finished::default();
    let (produced, collected) = std::thread::scope(|scope| {
        for state in states.iter_mut() {
            let done_tx = done_tx.clone();
            let (job_rx, failed, finished, total) = (&job_rx, &failed, &finished, &total);
            scope.spawn(move || loop {
                let job = job_rx.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok(chunk) = job else { break };
                // The chunks of a last round with fewer chunks than workers would leave cores
                // idle: once the producer knows how many chunks there are (it is far ahead:
                // finding speech is much faster than reading it), they wait for the rounds
                // before to end, then share all the threads.
                let threads_now = match total.load(Ordering::Acquire) {
                    n if n > 0 && workers > 1 && n % workers != 0 && chunk.index >= n - n % workers => {
                        finished.wait_for(n - n % workers, &stopped);
                        (threads / (n % workers)).max(1)
                    }
                    _ => threads_each,
                };
                let hooks = ChunkHooks {
                    cancel,
                    failed,
                    speech: &chunk.speech,
                    passes: Cell::new(0),
                    offset: Cell::new(0),
                };
                // A panic outside whisper's calls is this chunk's error, not a lost chunk.
                let found = catch_unwind(AssertUnwindSafe(|| {
                    whisper::run_chunk(state, &chunk, lang, threads_now, eot, &hooks, model)
                }));
                finished.add();
                let found = found.unwrap_or_else(|_| {
                    Err(Error::invalid(model.display().to_string(), "a transcription worker panicked"))
                });
                let done = Done { index: chunk.index, read_to_ms: ms(chunk.end()), found };
                if done_tx.send(done).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(|| collect_in_order(done_rx, progress, &failed, total_ms));

        // This thread decodes the audio, finds its speech and cuts it into chunks.
        let produced = (|| -> Result<(usize, i64)> {
            let mut sent = 0usize;
            let mut speech = 0usize;
            let mut next = first;
            while let Some(chunk) = next {
                if stopped() {
                    break;
                }
                speech += chunk.samples.len();
                sent += 1;
                if job_tx.send(chunk).is_err() {
                    break;
                }
                next = source.next_chunk()?;
            }
            total.store(sent, Ordering::Release);
            Ok((sent, ms(speech)))
        })();
        drop(job_tx);
        if produced.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        let collected = collector.join().unwrap_or_else(|_| {
            Err(Error::invalid(model.display().to_string(), "a transcription worker panicked"))
        });
        (produced, collected)
    });
    if cancel.is_cancelled() {
        return Ok(None);
    }
    let (sent, speech_ms) = produced?;
    let (mut segments, chunks) = collected?;
    if sent != chunks {
        return Err(Error::invalid(
            model.display().to_string(),
            "a transcription worker stopped before its chunk was done; nothing was stored",
        ));
    }
    let duration_ms = stream.decoded_ms();
    clamp_times(&mut segments, duration_ms);
    Ok(Some(Heard { segments, language: lang.to_string(), chunks, speech_ms, duration_ms }))
}

/// Milliseconds of `samples` samples.
fn ms(samples: usize) -> i64 {
    (samples as u64 * 1000 / RATE as u64) as i64
}

/// How many chunks the workers have finished, for a worker that waits for them.
#[derive(Default)]
struct Finished {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Finished {
    fn add(&self) {
        if let Ok(mut n) = self.count.lock() {
            *n += 1;
        }
        self.changed.notify_all();
    }

    /// Waits until `n` chunks are finished, or the run is stopped (checked every 100 ms).
    fn wait_for(&self, n: usize, stopped: &dyn Fn() -> bool) {
        let Ok(mut count) = self.count.lock() else { return };
        while *count < n && !stopped() {
            match self.changed.wait_timeout(count, std::time::Duration::from_millis(100)) {
                Ok((c, _)) => count = c,
                Err(_) => return,
            }
        }
    }
}

/// A chunk done by a worker: its place, how far into the recording it reached, its segments.
struct Done {
    index: usize,
    read_to_ms: i64,
    found: Result<Vec<Cue>>,
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

/// Gathers the workers' chunks in order: shows each chunk's segments as soon as every chunk
/// before it is done, and reports progress up to its end. The first failure stops the others
/// (through `failed`) and is returned. A segment that repeats the one before it over the same
/// time is dropped ([`whisper::repeats`]). Returns the segments, in time order, and the number
/// of chunks.
fn collect_in_order(
    done: mpsc::Receiver<Done>,
    progress: &dyn Progress,
    failed: &AtomicBool,
    total_ms: i64,
) -> Result<(Vec<Cue>, usize)> {
    let mut waiting: BTreeMap<usize, (i64, Vec<Cue>)> = BTreeMap::new();
    let mut segments = Vec::new();
    let mut next = 0usize;
    let mut first_error = None;
    for Done { index, read_to_ms: end_ms, found } in done {
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
                if segments.last().is_some_and(|prev| whisper::repeats(prev, &seg)) {
                    continue;
                }
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

    #[test]
    fn whisper_non_speech_markers_are_not_segments() {
        assert!(is_non_speech(" [BLANK_AUDIO]"));
        assert!(is_non_speech("[MUSIC PLAYING]"));
        assert!(!is_non_speech("[laughs] we shipped it"));
        assert!(!is_non_speech("We shipped it."));
    }
}
