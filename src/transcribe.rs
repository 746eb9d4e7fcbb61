//! On-device transcription of a session's recording with whisper.cpp (through whisper-rs).
//!
//! Owns no table: it reads `recordings` (through [`crate::media`]) and stores its result as
//! the session's transcript (through [`crate::transcript`]) in one transaction at the very
//! end, with the word timings in `segments.words`, so a cancelled or failed run leaves the
//! session exactly as it was.
//!
//! The audio is decoded and resampled as a stream ([`crate::media::AudioStream`]) and fed to
//! whisper in windows of a few minutes: only one window of 16 kHz samples is in memory at a
//! time, so memory does not grow with the length of the recording. A window ends at the last
//! segment whisper finished inside it; the audio after that point starts the next window, so
//! no word is cut in two at a window edge.
//!
//! whisper.cpp sits behind this module only: the model file is checked before whisper.cpp
//! opens it (a missing, truncated or wrong file is a clear error), every call into it is
//! wrapped in `catch_unwind`, and its progress, new-segment and abort hooks are bridged to the
//! caller's [`Progress`] sink and [`CancelToken`].

use std::ffi::{c_int, c_void, CStr};
use std::io::{BufReader, Read};
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
    /// Seconds of audio per whisper window (memory use grows with it); at least 30.
    pub window_secs: u32,
}

impl TranscribeOptions {
    /// Default options for `model`.
    pub fn new(model: impl Into<PathBuf>) -> TranscribeOptions {
        TranscribeOptions { model: model.into(), threads: 0, language: None, window_secs: 300 }
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
    /// How many whisper windows the audio was fed in.
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
/// of audio done and each segment as it is finished; a cancel stops whisper mid-window and
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
    let mut state = ffi(&opts.model, "creating a whisper state", || ctx.create_state())?;
    let eot = ctx.token_eot();

    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8),
        n => n,
    };
    let window_len = opts.window_secs.max(30) as usize * RATE;
    let total_ms = rec.duration_ms.or(stream.info().duration_ms).unwrap_or(0).max(1);
    let progress = &Forward { inner: progress, reached: AtomicU64::new(0) };
    progress.begin("transcribe", Some(total_ms as u64));

    let mut segments: Vec<TranscribedSegment> = Vec::new();
    let mut window: Vec<f32> = Vec::with_capacity(window_len + RATE);
    let mut offset_samples: usize = 0;
    let mut more = true;
    let mut windows = 0usize;
    let mut detected: Option<String> = None;
    // Bounded: every window but the last consumes at least half a window of audio, and the
    // stored duration comes from decoding the whole file when it was added.
    let max_windows = (total_ms as usize * RATE / 1000) / (window_len / 2) + 4;
    let mut finished = false;
    while windows < max_windows {
        if more {
            more = stream.fill(&mut window, window_len)?;
        }
        if window.is_empty() || cancel.is_cancelled() {
            finished = true;
            break;
        }
        windows += 1;
        let last = !more;
        let lang = language.as_deref().or(detected.as_deref());
        let offset_ms = (offset_samples * 1000 / RATE) as i64;
        let hooks = Hooks {
            progress,
            cancel,
            offset_ms,
            window_ms: (window.len() * 1000 / RATE) as i64,
            total_ms,
            announced: std::cell::Cell::new(0),
        };
        let found = run_window(&mut state, &window, lang, threads, eot, &hooks, &opts.model)?;
        if cancel.is_cancelled() {
            return Ok(Outcome::Cancelled);
        }
        if detected.is_none() && language.is_none() {
            detected = whisper_rs::get_lang_str(state.full_lang_id_from_state()).map(str::to_owned);
        }
        let (keep, cut) = window_cut(&found, window.len(), last);
        let announced = hooks.announced.get().max(0) as usize;
        for (i, mut seg) in found.into_iter().take(keep).enumerate() {
            seg.start_ms += offset_ms;
            seg.end_ms += offset_ms;
            for w in &mut seg.words {
                w.start_ms += offset_ms;
                w.end_ms += offset_ms;
            }
            if !is_non_speech(&seg.text) {
                if i >= announced {
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
        let done_ms = offset_ms + (cut * 1000 / RATE) as i64;
        progress.advance(done_ms.clamp(0, total_ms) as u64);
        if last {
            finished = true;
            break;
        }
        window.drain(..cut);
        offset_samples += cut;
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
        })
        .collect();
    let tx = ws.conn_mut().transaction()?;
    let transcript_id = transcript::store(&tx, rec.session_id, &format!("whisper:{model_name}"), &cues)?;
    tx.execute(
        "UPDATE transcripts SET recording_id = ?2, language = ?3, model = ?4 WHERE id = ?1",
        params![transcript_id, rec.id, language, model_name],
    )?;
    {
        let mut set_words =
            tx.prepare("UPDATE segments SET words = ?3 WHERE transcript_id = ?1 AND position = ?2")?;
        for (position, seg) in segments.iter().enumerate() {
            let words = serde_json::to_string(&seg.words).expect("words serialise");
            set_words.execute(params![transcript_id, position as i64, words])?;
        }
    }
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

/// Where a window ends: how many of its segments (times relative to the window) to keep, and
/// the sample to start the next window at. The last segment of a window that is not the last may be cut off by the window
/// edge: it is dropped and its audio starts the next window, unless that would move less than
/// half a window forward.
fn window_cut(found: &[TranscribedSegment], len: usize, last: bool) -> (usize, usize) {
    if last || found.len() < 2 {
        return (found.len(), len);
    }
    let keep = found.len() - 1;
    let cut = (found[keep - 1].end_ms.max(0) as usize * RATE / 1000).min(len);
    if cut < len / 2 {
        (found.len(), len)
    } else {
        (keep, cut)
    }
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

/// Passes progress on, never backwards: whisper reports a window up to its end, but the
/// next window may start a little earlier (at the last finished segment).
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

/// What whisper's C hooks need: the caller's sink and token, and where the window is.
struct Hooks<'a> {
    progress: &'a dyn Progress,
    cancel: &'a CancelToken,
    offset_ms: i64,
    window_ms: i64,
    total_ms: i64,
    /// Segments of this window already shown.
    announced: std::cell::Cell<c_int>,
}

/// whisper.cpp asks this before each graph computation: true stops it.
///
/// SAFETY: `data` is the `Hooks` that `run_window` passed, alive for the whole `full` call.
unsafe extern "C" fn abort_hook(data: *mut c_void) -> bool {
    let hooks = &*(data as *const Hooks<'_>);
    hooks.cancel.is_cancelled()
}

/// Percent of the current window done.
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
        let done = hooks.offset_ms + hooks.window_ms * percent.clamp(0, 100) as i64 / 100;
        hooks.progress.advance(done.clamp(0, hooks.total_ms) as u64);
    }));
}

/// New segments of the current window: shows all but the newest (which the window edge may
/// still drop); the rest are shown when the window is done.
///
/// SAFETY: as [`abort_hook`]; `state` is the live whisper state whisper.cpp calls us with.
unsafe extern "C" fn segment_hook(
    _: *mut whisper_rs_sys::whisper_context,
    state: *mut whisper_rs_sys::whisper_state,
    _n_new: c_int,
    data: *mut c_void,
) {
    let hooks = &*(data as *const Hooks<'_>);
    let n = whisper_rs_sys::whisper_full_n_segments_from_state(state);
    let mut lines = Vec::new();
    for i in hooks.announced.get()..n - 1 {
        let text = whisper_rs_sys::whisper_full_get_segment_text_from_state(state, i);
        if text.is_null() {
            continue;
        }
        let text = CStr::from_ptr(text).to_string_lossy().trim().to_string();
        let t0 = whisper_rs_sys::whisper_full_get_segment_t0_from_state(state, i) * 10 + hooks.offset_ms;
        let t1 = whisper_rs_sys::whisper_full_get_segment_t1_from_state(state, i) * 10 + hooks.offset_ms;
        if !is_non_speech(&text) {
            lines.push(format!("[{} --> {}] {text}", format_timestamp(t0), format_timestamp(t1)));
        }
    }
    hooks.announced.set(hooks.announced.get().max(n - 1));
    let _ = catch_unwind(AssertUnwindSafe(|| {
        for line in &lines {
            hooks.progress.message(line);
        }
    }));
}

/// Runs whisper on one window and returns its segments, times relative to the window.
#[allow(clippy::too_many_arguments)]
fn run_window(
    state: &mut WhisperState,
    window: &[f32],
    language: Option<&str>,
    threads: usize,
    eot: c_int,
    hooks: &Hooks<'_>,
    model: &Path,
) -> Result<Vec<TranscribedSegment>> {
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(threads as c_int);
    params.set_language(Some(language.unwrap_or("auto")));
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
    let at = format_timestamp(hooks.offset_ms);
    let result = ffi(model, &format!("on the audio from {at}"), || state.full(params, window));
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

/// Checks a whisper.cpp model file before whisper.cpp opens it: the magic, the hyper-parameters,
/// the mel filters, the vocabulary and every tensor's header and size, so a missing, truncated
/// or wrong file is a clear error instead of a failure inside whisper.cpp.
// merge: replace with rapport::models::check_ggml once the models branch is merged.
fn check_model(path: &Path) -> Result<ModelHeader> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found(
            "model",
            format!("{shown} (run scripts/fetch-model, or `rapport models download tiny.en`)"),
        ),
        _ => Error::io(path, e),
    })?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = BufReader::new(file);
    let bad = |what: String| Error::invalid(&shown, format!("not a usable whisper.cpp model: {what}"));
    let mut pos: u64 = 0;
    let read_i32 = |r: &mut BufReader<std::fs::File>, pos: &mut u64, field: &str| -> Result<i32> {
        let mut b = [0u8; 4];
        r.read_exact(&mut b).map_err(|_| {
            Error::invalid(&shown, format!("not a usable whisper.cpp model: truncated at byte {pos} (reading {field}); the file has {size} bytes"))
        })?;
        *pos += 4;
        Ok(i32::from_le_bytes(b))
    };
    let magic = read_i32(&mut r, &mut pos, "the magic")? as u32;
    if magic != 0x6767_6d6c {
        return Err(bad(format!("the file starts with 0x{magic:08x}, not the ggml magic 0x67676d6c")));
    }
    let names = [
        "n_vocab",
        "n_audio_ctx",
        "n_audio_state",
        "n_audio_head",
        "n_audio_layer",
        "n_text_ctx",
        "n_text_state",
        "n_text_head",
        "n_text_layer",
        "n_mels",
        "ftype",
    ];
    let mut h = [0i32; 11];
    for (i, name) in names.iter().enumerate() {
        h[i] = read_i32(&mut r, &mut pos, name)?;
    }
    let [n_vocab, n_audio_ctx, _, _, n_audio_layer, n_text_ctx, _, _, n_text_layer, n_mels, ftype] = h;
    if !(51864..=51866).contains(&n_vocab) {
        return Err(bad(format!("hparam n_vocab is {n_vocab}, expected 51864 to 51866")));
    }
    if n_audio_ctx != 1500 || n_text_ctx != 448 {
        return Err(bad(format!(
            "hparams n_audio_ctx {n_audio_ctx} / n_text_ctx {n_text_ctx}, expected 1500 / 448"
        )));
    }
    if !(1..=64).contains(&n_audio_layer)
        || !(1..=64).contains(&n_text_layer)
        || !(n_mels == 80 || n_mels == 128)
    {
        return Err(bad(format!("hparams n_audio_layer {n_audio_layer}, n_text_layer {n_text_layer}, n_mels {n_mels} are out of range")));
    }
    let mel_n = read_i32(&mut r, &mut pos, "the mel filter count")?;
    let mel_fft = read_i32(&mut r, &mut pos, "the mel filter size")?;
    if mel_n != n_mels || !(1..=1024).contains(&mel_fft) {
        return Err(bad(format!("mel filters are {mel_n}×{mel_fft}, expected {n_mels}×(1..1024)")));
    }
    let skip = |r: &mut BufReader<std::fs::File>, pos: &mut u64, n: u64, what: &str| -> Result<()> {
        if *pos + n > size {
            return Err(Error::invalid(
                &shown,
                format!("not a usable whisper.cpp model: truncated: {what} needs {n} bytes at byte {pos}, the file has {size} bytes"),
            ));
        }
        r.seek_relative(n as i64).map_err(|e| Error::io(path, e))?;
        *pos += n;
        Ok(())
    };
    skip(&mut r, &mut pos, mel_n as u64 * mel_fft as u64 * 4, "the mel filters")?;
    let vocab = read_i32(&mut r, &mut pos, "the vocabulary size")?;
    if !(0..=n_vocab).contains(&vocab) {
        return Err(bad(format!("the vocabulary has {vocab} tokens, expected at most {n_vocab}")));
    }
    for i in 0..vocab {
        let len = read_i32(&mut r, &mut pos, "a token length")?;
        if !(0..=256).contains(&len) {
            return Err(bad(format!("token {i} has length {len} at byte {}", pos - 4)));
        }
        skip(&mut r, &mut pos, len as u64, "a token")?;
    }
    let expected = 11 + 15 * n_audio_layer as usize + 24 * n_text_layer as usize;
    let mut tensors = 0usize;
    while pos < size && tensors < 4096 {
        let at = pos;
        let n_dims = read_i32(&mut r, &mut pos, "a tensor header")?;
        let name_len = read_i32(&mut r, &mut pos, "a tensor header")?;
        let ttype = read_i32(&mut r, &mut pos, "a tensor header")?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) {
            return Err(bad(format!(
                "tensor {tensors} at byte {at} has {n_dims} dimensions and a {name_len}-byte name"
            )));
        }
        let mut elements: u64 = 1;
        for _ in 0..n_dims {
            let d = read_i32(&mut r, &mut pos, "a tensor dimension")?;
            if d <= 0 {
                return Err(bad(format!("tensor {tensors} at byte {at} has a dimension of {d}")));
            }
            elements = elements.saturating_mul(d as u64);
        }
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)
            .map_err(|_| bad(format!("truncated in the name of tensor {tensors} at byte {at}")))?;
        pos += name_len as u64;
        let name = String::from_utf8_lossy(&name).into_owned();
        let (block, bytes) =
            ggml_type_size(ttype).ok_or_else(|| bad(format!("tensor {name} has unknown type {ttype}")))?;
        if !elements.is_multiple_of(block) {
            return Err(bad(format!(
                "tensor {name} has {elements} elements, not a multiple of its block of {block}"
            )));
        }
        skip(&mut r, &mut pos, elements / block * bytes, &format!("tensor {name}"))?;
        tensors += 1;
    }
    if tensors != expected {
        return Err(bad(format!(
            "it has {tensors} tensors, a model with {n_audio_layer} encoder and {n_text_layer} decoder layers has {expected} (truncated or incomplete)"
        )));
    }
    Ok(ModelHeader { n_vocab, n_audio_layer, n_text_layer, ftype, tensors })
}

/// (elements per block, bytes per block) of a ggml tensor type.
fn ggml_type_size(ttype: i32) -> Option<(u64, u64)> {
    Some(match ttype {
        0 => (1, 4),     // f32
        1 => (1, 2),     // f16
        2 => (32, 18),   // q4_0
        3 => (32, 20),   // q4_1
        6 => (32, 22),   // q5_0
        7 => (32, 24),   // q5_1
        8 => (32, 34),   // q8_0
        9 => (32, 36),   // q8_1
        10 => (256, 84), // q2_k
        11 => (256, 110),
        12 => (256, 144),
        13 => (256, 176),
        14 => (256, 210),
        15 => (256, 292),
        30 => (1, 2), // bf16
        _ => return None,
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
        assert!(err.contains("not the ggml magic"), "{err}");
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

    fn seg(start_ms: i64, end_ms: i64) -> TranscribedSegment {
        TranscribedSegment { start_ms, end_ms, speaker: None, text: "x".into(), words: vec![] }
    }

    #[test]
    fn a_window_ends_at_its_last_finished_segment_and_always_moves_forward() {
        let len = 60 * RATE;
        let found = [seg(0, 20_000), seg(20_000, 45_000), seg(45_000, 60_000)];
        assert_eq!(window_cut(&found, len, false), (2, 45 * RATE), "drop the last, restart at its start");
        assert_eq!(window_cut(&found, len, true), (3, len), "the last window keeps everything");
        let early = [seg(0, 10_000), seg(10_000, 60_000)];
        assert_eq!(window_cut(&early, len, false), (2, len), "never less than half a window forward");
        assert_eq!(window_cut(&[], len, false), (0, len), "silence moves a whole window");
    }

    #[test]
    fn whisper_non_speech_markers_are_not_segments() {
        assert!(is_non_speech(" [BLANK_AUDIO]"));
        assert!(is_non_speech("[MUSIC PLAYING]"));
        assert!(!is_non_speech("[laughs] we shipped it"));
        assert!(!is_non_speech("We shipped it."));
    }
}
