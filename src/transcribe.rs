//! On-device transcription of a session's recording with whisper.cpp (through whisper-rs).
//!
//! Owns no table: it reads `recordings` (through [`crate::media`]) and stores its result as
//! the session's transcript (through [`crate::transcript`]) in one transaction at the very
//! end, with the word timings in `segments.words`, so a cancelled or failed run leaves the
//! session exactly as it was.
//!
//! The audio is decoded and resampled as a stream ([`crate::media::AudioStream`]) and fed to
//! whisper in parts of a few minutes: only one round of parts of 16 kHz samples is in memory at
//! a time, so memory does not grow with the length of the recording. A part ends at the
//! quietest moment near its planned end, so no word is cut in two, and with two or more cores
//! two parts are transcribed at the same time by two single-threaded whisper states, which
//! never wait for each other (faster than two threads on one state, which synchronise at every
//! step of the model).
//!
//! whisper.cpp sits behind this module only: the model file is checked before whisper.cpp
//! opens it (a missing, truncated or wrong file is a clear error), every call into it is
//! wrapped in `catch_unwind`, and its progress, new-segment and abort hooks are bridged to the
//! caller's [`Progress`] sink and [`CancelToken`].

use std::ffi::{c_int, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;
use whisper_rs::whisper_rs_sys;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use crate::error::{Error, Result};
use crate::media::{self, AudioStream};
use crate::progress::{CancelToken, Outcome, Progress};
use crate::transcript::{self, format_timestamp, Cue};
use crate::workspace::Workspace;

/// Samples per second of what whisper reads.
const RATE: usize = media::decode::TARGET_RATE as usize;

/// Parts of the audio transcribed at the same time by default (each needs its own whisper
/// state, about 150 MB with tiny.en).
const WORKERS: usize = 2;

/// How far before its planned place (in samples) a part may end, to end in the quietest moment.
const SPLIT_SEARCH: usize = 4 * RATE;

/// About how far whisper moves on after each 30 s pass of its encoder (it starts the next pass
/// at the end of the last whole segment). Parts are planned in multiples of this, so that no
/// part ends with a pass over a few seconds of audio padded to 30 s.
const PASS: usize = 27 * RATE;

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
    /// Parts of the audio transcribed at the same time, each by its own whisper state with
    /// `threads / parallel` threads (each state takes about 150 MB with tiny.en); 0 picks 2
    /// when there are two threads or more, else 1.
    pub parallel: usize,
    /// Seconds of audio per part fed to whisper (memory use grows with it); at least 30.
    pub window_secs: u32,
}

impl TranscribeOptions {
    /// Default options for `model`.
    pub fn new(model: impl Into<PathBuf>) -> TranscribeOptions {
        TranscribeOptions { model: model.into(), threads: 0, language: None, parallel: 0, window_secs: 120 }
    }
}

/// A word with its timing (from whisper's token timestamps).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Word {
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
}

/// A transcribed segment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TranscribedSegment {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: Option<String>,
    pub text: String,
    pub words: Vec<Word>,
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
    /// How many parts the audio was transcribed in.
    pub windows: usize,
    pub segments: Vec<TranscribedSegment>,
}

/// What the header of a whisper.cpp (ggml) model file says.
#[derive(Debug, Clone, PartialEq)]
struct ModelHeader {
    n_vocab: i32,
    n_audio_layer: i32,
    n_text_layer: i32,
    ftype: i32,
    tensors: usize,
}

impl ModelHeader {
    fn multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }
}

/// Transcribes the target's recording with the model in `opts` and stores the transcript
/// (replacing the session's previous one) at the end, in one transaction. Reports percent
/// of audio done and each segment as it is finished; a cancel stops whisper mid-part and
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
    // Two workers with half the threads each, each on its own part of the audio: whisper.cpp
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

    let part_len = opts.window_secs.max(30) as usize * RATE;
    let planned_len = (part_len / PASS).max(1) * PASS;
    let total_ms = rec.duration_ms.or(stream.info().duration_ms).unwrap_or(0).max(1);
    let progress = &Forward { inner: progress, reached: AtomicU64::new(0) };
    progress.begin("transcribe", Some(total_ms as u64));

    let mut segments: Vec<TranscribedSegment> = Vec::new();
    let mut buf: Vec<f32> = Vec::with_capacity(workers * planned_len + RATE);
    let mut offset_samples: usize = 0;
    let mut more = true;
    let mut windows = 0usize;
    let mut detected: Option<String> = None;
    // Bounded: every round but the last consumes `workers` parts of at least `planned_len` less
    // the split search, and the stored duration comes from decoding the whole file.
    let max_rounds = (total_ms as usize * RATE / 1000) / (workers * (planned_len - SPLIT_SEARCH)) + 4;
    let mut finished = false;
    for _round in 0..max_rounds {
        if more {
            more = stream.fill(&mut buf, workers * planned_len)?;
        }
        if buf.is_empty() || cancel.is_cancelled() {
            finished = true;
            break;
        }
        let last = !more;
        if language.is_none() && detected.is_none() {
            detected = Some(detect_language(&mut states[0], &buf, threads, &opts.model)?);
        }
        let lang = language.as_deref().or(detected.as_deref()).expect("chosen or detected");
        let bounds = split_points(&buf, workers, part_len, last);
        let consumed = *bounds.last().expect("at least one part");
        let round_offset_ms = (offset_samples * 1000 / RATE) as i64;
        let done: Vec<AtomicU64> = (0..bounds.len()).map(|_| AtomicU64::new(0)).collect();
        let results: Vec<Result<Vec<TranscribedSegment>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = states
                .iter_mut()
                .zip(bounds.iter().enumerate())
                .map(|(state, (i, &end))| {
                    let start = if i == 0 { 0 } else { bounds[i - 1] };
                    let part = &buf[start..end];
                    let hooks = Hooks {
                        progress,
                        cancel,
                        round_offset_ms,
                        part_offset_ms: (start * 1000 / RATE) as i64,
                        part_ms: (part.len() * 1000 / RATE) as i64,
                        total_ms,
                        slot: i,
                        done: &done,
                        live: i == 0,
                        announced: std::cell::Cell::new(0),
                    };
                    let model = &opts.model;
                    scope.spawn(move || run_part(state, part, lang, threads_each, eot, &hooks, model))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::invalid(
                            opts.model.display().to_string(),
                            "a transcription worker panicked",
                        ))
                    })
                })
                .collect()
        });
        windows += bounds.len();
        if cancel.is_cancelled() {
            return Ok(Outcome::Cancelled);
        }
        for (i, found) in results.into_iter().enumerate() {
            let start = if i == 0 { 0 } else { bounds[i - 1] };
            let part_offset_ms = ((offset_samples + start) * 1000 / RATE) as i64;
            for mut seg in found? {
                seg.start_ms += part_offset_ms;
                seg.end_ms += part_offset_ms;
                for w in &mut seg.words {
                    w.start_ms += part_offset_ms;
                    w.end_ms += part_offset_ms;
                }
                if is_non_speech(&seg.text) {
                    continue;
                }
                // The first part's segments were shown as whisper made them; the others' now.
                if i > 0 {
                    progress.message(&format!(
                        "[{} --> {}] {}",
                        format_timestamp(seg.start_ms),
                        format_timestamp(seg.end_ms),
                        seg.text
                    ));
                }
                segments.push(seg);
            }
        }
        progress.advance((((offset_samples + consumed) * 1000 / RATE) as i64).clamp(0, total_ms) as u64);
        if last {
            finished = true;
            break;
        }
        buf.drain(..consumed);
        offset_samples += consumed;
    }
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    if !finished {
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
    let language = language.or(detected).unwrap_or_else(|| "en".to_string());

    let cues: Vec<Cue> = segments
        .iter()
        .map(|s| Cue {
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            speaker: s.speaker.clone(),
            text: s.text.clone(),
            words: s
                .words
                .iter()
                .map(|w| transcript::Word { start_ms: w.start_ms, end_ms: w.end_ms, text: w.text.clone() })
                .collect(),
        })
        .collect();
    let tx = ws.conn_mut().transaction()?;
    let transcript_id = transcript::store(&tx, rec.session_id, &format!("whisper:{model_name}"), &cues)?;
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
        windows,
        segments,
    }))
}

/// The word timings stored with a session's transcript, one list per segment in time order.
pub fn words_of_session(conn: &rusqlite::Connection, session_id: i64) -> Result<Vec<Vec<Word>>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        start_ms: i64,
        end_ms: i64,
        text: String,
    }
    let mut stmt = conn.prepare(
        "SELECT g.words FROM segments g JOIN transcripts t ON t.id = g.transcript_id
         WHERE t.session_id = ?1 ORDER BY g.start_ms, g.position",
    )?;
    let rows = stmt.query_map([session_id], |r| r.get::<_, Option<String>>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let words = match row? {
            None => Vec::new(),
            Some(json) => serde_json::from_str::<Vec<Stored>>(&json)
                .map_err(|e| Error::Integrity(format!("segments.words of session {session_id}: {e}")))?
                .into_iter()
                .map(|w| Word { start_ms: w.start_ms, end_ms: w.end_ms, text: w.text })
                .collect(),
        };
        out.push(words);
    }
    Ok(out)
}

/// Where the parts of `buf` end (sample indexes, increasing; the last is how much of `buf` this
/// round uses). A part is planned as a whole number of whisper passes ([`PASS`]): `part_len`
/// rounded down to one, or, in the audio's last round, the passes left shared out between the
/// parts. Each part ends at the quietest moment within [`SPLIT_SEARCH`] before its planned end,
/// so no word is cut in two. Audio under 20 s is one part.
fn split_points(buf: &[f32], workers: usize, part_len: usize, last: bool) -> Vec<usize> {
    let len = buf.len();
    let part_passes = (part_len / PASS).max(1);
    let plan: Vec<usize> = if !last {
        vec![part_passes; workers]
    } else if len < 20 * RATE || workers == 1 {
        vec![]
    } else {
        // Share the passes the rest needs; the last part takes what is left over.
        let passes = len.div_ceil(PASS);
        let each = (passes / workers).max(1);
        vec![each; workers - 1]
    };
    let mut bounds = Vec::with_capacity(plan.len() + 1);
    for passes in plan {
        let prev = bounds.last().copied().unwrap_or(0);
        let target = (prev + passes * PASS).min(len);
        let lo = target.saturating_sub(SPLIT_SEARCH).max(prev + RATE);
        if target >= len || lo >= target {
            break;
        }
        bounds.push(quietest(buf, lo, target));
    }
    if last || bounds.is_empty() {
        bounds.push(len);
    }
    bounds
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
fn clamp_times(segments: &mut [TranscribedSegment], duration_ms: i64) {
    for s in segments {
        s.start_ms = s.start_ms.clamp(0, duration_ms);
        s.end_ms = s.end_ms.clamp(s.start_ms, duration_ms);
        for w in &mut s.words {
            w.start_ms = w.start_ms.clamp(s.start_ms, s.end_ms);
            w.end_ms = w.end_ms.clamp(w.start_ms, s.end_ms);
        }
    }
}

fn choose_language(asked: Option<&str>, header: &ModelHeader, model: &Path) -> Result<Option<String>> {
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

/// Passes progress on, never backwards (whisper reports a part up to 100% before the round's
/// end is reported).
struct Forward<'a> {
    inner: &'a dyn Progress,
    reached: AtomicU64,
}

impl Progress for Forward<'_> {
    fn begin(&self, phase: &str, total: Option<u64>) {
        self.inner.begin(phase, total);
    }

    fn advance(&self, done: u64) {
        if self.reached.fetch_max(done, Ordering::SeqCst) < done {
            self.inner.advance(done);
        }
    }

    fn message(&self, text: &str) {
        self.inner.message(text);
    }
}

/// What whisper's C hooks need: the caller's sink and token, and where the part is.
struct Hooks<'a> {
    progress: &'a dyn Progress,
    cancel: &'a CancelToken,
    /// Where this round of parts starts in the recording.
    round_offset_ms: i64,
    /// Where this part starts in the round.
    part_offset_ms: i64,
    part_ms: i64,
    total_ms: i64,
    /// This part's slot in `done`: how much of each part of the round is done (ms).
    slot: usize,
    done: &'a [AtomicU64],
    /// Whether this part shows its segments as whisper makes them.
    live: bool,
    /// Segments of this part already shown.
    announced: std::cell::Cell<c_int>,
}

/// whisper.cpp asks this before each graph computation: true stops it.
///
/// SAFETY: `data` is the `Hooks` that `run_part` passed, alive for the whole `full` call.
unsafe extern "C" fn abort_hook(data: *mut c_void) -> bool {
    let hooks = &*(data as *const Hooks<'_>);
    hooks.cancel.is_cancelled()
}

/// Percent of the part done.
///
/// SAFETY: as [`abort_hook`].
unsafe extern "C" fn progress_hook(
    _: *mut whisper_rs_sys::whisper_context,
    _: *mut whisper_rs_sys::whisper_state,
    percent: c_int,
    data: *mut c_void,
) {
    let hooks = &*(data as *const Hooks<'_>);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let part_done = hooks.part_ms * percent.clamp(0, 100) as i64 / 100;
        hooks.done[hooks.slot].store(part_done as u64, Ordering::Relaxed);
        let round_done: u64 = hooks.done.iter().map(|d| d.load(Ordering::Relaxed)).sum();
        let done = hooks.round_offset_ms + round_done as i64;
        hooks.progress.advance(done.clamp(0, hooks.total_ms) as u64);
    }));
}

/// New segments of the part: the live part shows them at once (the others are shown when
/// the round is done, in order).
///
/// SAFETY: as [`abort_hook`]; `state` is the live whisper state whisper.cpp calls us with.
unsafe extern "C" fn segment_hook(
    _: *mut whisper_rs_sys::whisper_context,
    state: *mut whisper_rs_sys::whisper_state,
    _n_new: c_int,
    data: *mut c_void,
) {
    let hooks = &*(data as *const Hooks<'_>);
    if !hooks.live {
        return;
    }
    let offset_ms = hooks.round_offset_ms + hooks.part_offset_ms;
    let n = whisper_rs_sys::whisper_full_n_segments_from_state(state);
    let mut lines = Vec::new();
    for i in hooks.announced.get()..n {
        let text = whisper_rs_sys::whisper_full_get_segment_text_from_state(state, i);
        if text.is_null() {
            continue;
        }
        let text = CStr::from_ptr(text).to_string_lossy().trim().to_string();
        let t0 = whisper_rs_sys::whisper_full_get_segment_t0_from_state(state, i) * 10 + offset_ms;
        let t1 = whisper_rs_sys::whisper_full_get_segment_t1_from_state(state, i) * 10 + offset_ms;
        if !is_non_speech(&text) {
            lines.push(format!("[{} --> {}] {text}", format_timestamp(t0), format_timestamp(t1)));
        }
    }
    hooks.announced.set(hooks.announced.get().max(n));
    let _ = catch_unwind(AssertUnwindSafe(|| {
        for line in &lines {
            hooks.progress.message(line);
        }
    }));
}

/// Runs whisper on one part of the audio and returns its segments, times relative to the part.
fn run_part(
    state: &mut WhisperState,
    part: &[f32],
    language: &str,
    threads: usize,
    eot: c_int,
    hooks: &Hooks<'_>,
    model: &Path,
) -> Result<Vec<TranscribedSegment>> {
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(threads as c_int);
    params.set_language(Some(language));
    params.set_translate(false);
    params.set_token_timestamps(true);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    let data = hooks as *const Hooks<'_> as *mut c_void;
    // SAFETY: the hooks only read `hooks` through `data`; `hooks` outlives `full` below, and
    // whisper.cpp calls them on this thread during `full` only.
    unsafe {
        params.set_abort_callback(Some(abort_hook));
        params.set_abort_callback_user_data(data);
        params.set_progress_callback(Some(progress_hook));
        params.set_progress_callback_user_data(data);
        params.set_new_segment_callback(Some(segment_hook));
        params.set_new_segment_callback_user_data(data);
    }
    let at = format_timestamp(hooks.round_offset_ms + hooks.part_offset_ms);
    let result = ffi(model, &format!("on the audio from {at}"), || state.full(params, part));
    if hooks.cancel.is_cancelled() {
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
            let (t0, t1) = (data.t0 * 10, data.t1 * 10);
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
        out.push(TranscribedSegment {
            start_ms: seg.start_timestamp() * 10,
            end_ms: seg.end_timestamp() * 10,
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
fn check_model(path: &Path) -> Result<ModelHeader> {
    if !path.exists() {
        return Err(Error::not_found(
            "model",
            format!("{} (run scripts/fetch-model, or `rapport models download tiny.en`)", path.display()),
        ));
    }
    let h = crate::models::check_ggml(path)?;
    Ok(ModelHeader {
        n_vocab: h.n_vocab,
        n_audio_layer: h.n_audio_layer,
        n_text_layer: h.n_text_layer,
        ftype: h.ftype,
        tensors: h.n_tensors as usize,
    })
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

    fn check_bytes(bytes: &[u8]) -> Result<ModelHeader> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-test.bin");
        std::fs::write(&path, bytes).unwrap();
        check_model(&path)
    }

    #[test]
    fn a_whole_model_file_passes_the_check_and_says_it_is_english_only() {
        let header = check_bytes(&fake_model()).unwrap();
        assert_eq!((header.tensors, header.multilingual()), (50, false));
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
    fn parts_are_whole_passes_and_end_in_the_silence_just_before() {
        // part_len 120 s: four passes of 27 s, 108 s.
        let buf = noise_with_gaps(240, &[105.5, 213.0]);
        let bounds = split_points(&buf, 2, 120 * RATE, false);
        let secs: Vec<f32> = bounds.iter().map(|b| *b as f32 / RATE as f32).collect();
        assert_eq!(bounds.len(), 2);
        assert!((105.6..105.8).contains(&secs[0]), "first part ends in the gap at 105.5 s: {secs:?}");
        assert!((213.1..213.3).contains(&secs[1]), "second part ends in the gap at 213 s: {secs:?}");
    }

    #[test]
    fn the_last_round_shares_its_passes_and_ends_at_the_end() {
        // 129 s: five passes; the first part takes two (54 s), the second the rest.
        let buf = noise_with_gaps(129, &[52.0]);
        let bounds = split_points(&buf, 2, 120 * RATE, true);
        assert_eq!(bounds.len(), 2);
        assert!((52 * RATE..52 * RATE + 2 * RATE / 5).contains(&bounds[0]), "split in the gap: {bounds:?}");
        assert_eq!(bounds[1], buf.len());
        assert_eq!(split_points(&buf[..10 * RATE], 2, 120 * RATE, true), vec![10 * RATE], "short: one part");
        let two = split_points(&buf[..40 * RATE], 2, 120 * RATE, true);
        assert!(
            two.len() == 2 && (23 * RATE..=27 * RATE).contains(&two[0]),
            "one pass and the rest: {two:?}"
        );
        assert_eq!(split_points(&buf, 1, 120 * RATE, true), vec![buf.len()], "one worker: one part");
    }

    #[test]
    fn whisper_non_speech_markers_are_not_segments() {
        assert!(is_non_speech(" [BLANK_AUDIO]"));
        assert!(is_non_speech("[MUSIC PLAYING]"));
        assert!(!is_non_speech("[laughs] we shipped it"));
        assert!(!is_non_speech("We shipped it."));
    }
}
