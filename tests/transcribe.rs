//! Transcription with the real tiny.en model: accuracy on espeak-ng speech, timings, windows,
//! cancelling, and refusing bad models. The model comes from `scripts/fetch-model`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rapport::progress::{CancelToken, Outcome, Progress};
use rapport::transcribe::{self, Target, TranscribeOptions};
use rapport::Workspace;

use crate::media::{media_counts, session_without_recording, sox, soxi_ms, speak};
use crate::util::*;

/// A realistic interview answer about deploys (66 words, no digits: WER compares words).
pub const ANSWER: &str =
    "Honestly, the deploys used to scare me. Every Friday we would push the release by hand, \
watch the dashboards, and hope nothing broke. When the new pipeline arrived, the canary checks caught a bad \
config before it reached customers. Now I merge, the system rolls it out gradually, and if the error rate \
climbs it rolls back on its own. That changed how our team works.";

/// The folder `rapport transcribe --model tiny.en` looks in.
fn models_dir() -> PathBuf {
    std::env::var_os("RAPPORT_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs::data_dir().unwrap().join("Rapport").join("models"))
}

/// The tiny.en model file; fails the test (it does not skip) when it is not installed.
fn tiny_en() -> PathBuf {
    let path = models_dir().join("ggml-tiny.en.bin");
    assert!(
        path.is_file(),
        "the tiny.en model is not installed ({} is missing): run scripts/fetch-model",
        path.display()
    );
    path
}

/// Lowercase words without punctuation.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('\'', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Word error rate: word-level Levenshtein distance over the reference's length.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (words(reference), words(hypothesis));
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut row = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            row[j + 1] = sub.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}

#[test]
fn wer_counts_substitutions_insertions_and_deletions_ignoring_case_and_punctuation() {
    assert_eq!(wer("Roll it back, now!", "roll it back now"), 0.0);
    assert_eq!(wer("a b c d", "a x c d"), 0.25);
    assert_eq!(wer("a b c d", "a b c d e"), 0.25);
    assert_eq!(wer("a b c d", "a c d"), 0.25);
    assert_eq!(wer("a b", ""), 1.0);
}

/// The session's row in `session list`.
fn session_row(ws: &Path, session: &str) -> serde_json::Value {
    let sessions = rapport_json(ws, &["session", "list"]);
    let id: i64 = session.parse().unwrap();
    sessions.as_array().unwrap().iter().find(|s| s["id"] == id).cloned().expect("the session is listed")
}

/// Checks that segment times increase and stay inside the audio.
fn assert_times_in_order(segments: &[serde_json::Value], duration_ms: i64) {
    let mut last_start = -1;
    for s in segments {
        let (start, end) = (s["start_ms"].as_i64().unwrap(), s["end_ms"].as_i64().unwrap());
        assert!(start > last_start, "segment starts increase: {s}");
        assert!(start <= end && end <= duration_ms, "segment inside the {duration_ms} ms of audio: {s}");
        last_start = start;
    }
}

#[test]
fn transcribing_espeak_speech_with_tiny_en_gets_wer_under_ten_percent_with_ordered_times() {
    let model = tiny_en();
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws);
    let wav = tmp.path().join("answer.wav");
    speak(ANSWER, &wav);
    let spoken_ms = soxi_ms(&wav);
    rapport_ok(&ws, &["recording", "add", wav.to_str().unwrap(), "--session", &session.to_string()]);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "--workspace",
            ws.to_str().unwrap(),
            "transcribe",
            &session.to_string(),
            "--model",
            "tiny.en",
            "--json",
        ])
        .env("RAPPORT_MODELS_DIR", model.parent().unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "transcribe failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["session"], session);
    assert_eq!(report["language"], "en");
    let duration_ms = report["duration_ms"].as_i64().unwrap();
    assert!((duration_ms - spoken_ms).abs() <= 5, "{duration_ms} ms decoded, {spoken_ms} ms spoken");
    let segments = report["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    for s in segments {
        for key in ["start_ms", "end_ms", "speaker", "text"] {
            assert!(s.get(key).is_some(), "segment has {key}: {s}");
        }
    }
    assert_times_in_order(segments, duration_ms);
    let text: Vec<&str> = segments.iter().map(|s| s["text"].as_str().unwrap()).collect();
    let text = text.join(" ");
    let rate = wer(ANSWER, &text);
    assert!(rate <= 0.10, "WER {:.1}% > 10%: {text}", rate * 100.0);

    // Stored: the same segments on the session, with word timings inside each segment.
    let ws_open = Workspace::open(&ws).unwrap();
    let stored = rapport::transcript::segments(ws_open.conn(), session).unwrap();
    assert_eq!(stored.len(), segments.len());
    assert_eq!(stored[0].text, segments[0]["text"].as_str().unwrap());
    let words: Vec<_> = rapport::transcript::segment_details(ws_open.conn(), session)
        .unwrap()
        .into_iter()
        .map(|d| d.words)
        .collect();
    assert_eq!(words.len(), stored.len());
    let all: Vec<String> = words.iter().flatten().map(|w| w.text.clone()).collect();
    assert!(wer(ANSWER, &all.join(" ")) <= 0.10, "the words spell the transcript: {all:?}");
    for (seg, ws_) in stored.iter().zip(&words) {
        assert!(!ws_.is_empty(), "segment {:?} has word timings", seg.text);
        for w in ws_ {
            assert!(
                seg.start_ms <= w.start_ms && w.start_ms <= w.end_ms && w.end_ms <= seg.end_ms,
                "{w:?} in {seg:?}"
            );
        }
    }
    let (language, model_name): (String, String) = ws_open
        .conn()
        .query_row("SELECT language, model FROM transcripts WHERE session_id = ?1", [session], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((language.as_str(), model_name.as_str()), ("en", "ggml-tiny.en.bin"));
}

/// A progress sink that records what it was told, and can cancel once whisper reports progress.
#[derive(Default)]
struct Recorder {
    cancel_on_progress: Option<CancelToken>,
    advances: Mutex<Vec<u64>>,
    messages: Mutex<Vec<String>>,
}

impl Progress for Recorder {
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    fn advance(&self, done: u64) {
        self.advances.lock().unwrap().push(done);
        if done > 0 {
            if let Some(token) = &self.cancel_on_progress {
                token.cancel();
            }
        }
    }
    fn message(&self, text: &str) {
        self.messages.lock().unwrap().push(text.to_string());
    }
}

/// Speaks the answer three times into one file (about 75 s).
fn three_answers(dir: &Path) -> PathBuf {
    let one = dir.join("one.wav");
    speak(ANSWER, &one);
    let three = dir.join("three.wav");
    let one = one.to_str().unwrap();
    sox(&[one, one, one, three.to_str().unwrap()]);
    three
}

#[test]
fn long_audio_is_transcribed_in_parallel_chunks_without_losing_or_repeating_words() {
    let model = tiny_en();
    let (tmp, ws_dir) = demo_workspace();
    let session = session_without_recording(&ws_dir);
    let audio = three_answers(tmp.path());
    let mut ws = Workspace::open(&ws_dir).unwrap();
    let media = ws.media_dir();
    let rec = rapport::media::add_recording_file(ws.conn(), &media, session, &audio).unwrap();

    let mut opts = TranscribeOptions::new(model);
    opts.chunk_secs = 25;
    // Two parts at a time, one thread each (in this process, OpenMP threads sharing a part would
    // spin while they wait: the CLI sets OMP_WAIT_POLICY=PASSIVE).
    opts.threads = 2;
    opts.parallel = 2;
    let progress = Recorder::default();
    let outcome =
        transcribe::transcribe(&mut ws, Target::Recording(rec), &opts, &progress, &CancelToken::new())
            .unwrap();
    let Outcome::Done(report) = outcome else { panic!("not cancelled") };
    assert!(report.chunks >= 3, "75 s in chunks of at most 25 s: {} chunks", report.chunks);
    let text: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    let reference = format!("{ANSWER} {ANSWER} {ANSWER}");
    let rate = wer(&reference, &text.join(" "));
    assert!(rate <= 0.10, "WER {:.1}% across window edges: {}", rate * 100.0, text.join(" | "));
    let json: Vec<serde_json::Value> = report
        .segments
        .iter()
        .map(|s| serde_json::json!({"start_ms": s.start_ms, "end_ms": s.end_ms}))
        .collect();
    assert_times_in_order(&json, report.duration_ms);
    let advances = progress.advances.lock().unwrap();
    assert!(advances.windows(2).all(|w| w[0] <= w[1]), "progress only goes forward: {advances:?}");
    assert_eq!(advances.last().copied(), Some(report.duration_ms.max(1) as u64), "ends at 100%");
    let messages = progress.messages.lock().unwrap();
    assert_eq!(messages.len(), report.segments.len(), "each segment reported once: {messages:?}");
}

#[test]
fn a_cancelled_transcription_leaves_the_sessions_transcript_as_it_was() {
    let model = tiny_en();
    let (tmp, ws_dir) = demo_workspace();
    let sessions = rapport_json(&ws_dir, &["session", "list"]);
    // A demo session that already has a transcript (and no recording yet).
    let session = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["has_transcript"] == true && s["has_recording"] == false)
        .and_then(|s| s["id"].as_i64())
        .unwrap();
    let audio = three_answers(tmp.path());
    let mut ws = Workspace::open(&ws_dir).unwrap();
    let media = ws.media_dir();
    rapport::media::add_recording_file(ws.conn(), &media, session, &audio).unwrap();
    let before = rapport::transcript::segments(ws.conn(), session).unwrap();
    assert!(!before.is_empty());

    let cancel = CancelToken::new();
    let progress = Recorder { cancel_on_progress: Some(cancel.clone()), ..Recorder::default() };
    let opts = TranscribeOptions { threads: 1, ..TranscribeOptions::new(model) };
    let outcome =
        transcribe::transcribe(&mut ws, Target::Session(session), &opts, &progress, &cancel).unwrap();
    assert_eq!(outcome, Outcome::Cancelled);
    let after = rapport::transcript::segments(ws.conn(), session).unwrap();
    let texts =
        |s: &[rapport::transcript::Segment]| s.iter().map(|g| (g.id, g.text.clone())).collect::<Vec<_>>();
    assert_eq!(texts(&after), texts(&before), "the old transcript is untouched");
}

#[test]
fn ctrl_c_cancels_the_cli_cleanly_and_changes_nothing() {
    let model = tiny_en();
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws).to_string();
    let audio = three_answers(tmp.path());
    rapport_ok(&ws, &["recording", "add", audio.to_str().unwrap(), "--session", &session]);
    let before = session_row(&ws, &session);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "--workspace",
            ws.to_str().unwrap(),
            "transcribe",
            &session,
            "--model",
            model.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Time for the model to load and whisper to start on 75 s of audio (several seconds of work).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a cancelled run exits non-zero");
    assert!(err.contains("cancelled; nothing was changed"), "{err}");
    assert_eq!(session_row(&ws, &session), before, "the session's transcript is as it was");
}

#[test]
fn a_missing_truncated_or_wrong_model_and_an_unknown_name_each_give_one_clear_message() {
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws).to_string();
    let wav = tmp.path().join("answer.wav");
    speak("Deploys are calmer now.", &wav);
    rapport_ok(&ws, &["recording", "add", wav.to_str().unwrap(), "--session", &session]);

    let wrong = tmp.path().join("notes.bin");
    std::fs::write(&wrong, "these are meeting notes, not a model").unwrap();
    let mut cases: Vec<(String, Vec<String>)> = vec![
        (
            "no-such-model".into(),
            vec!["model not found: no-such-model".into(), "rapport models download NAME".into()],
        ),
        (
            tmp.path().join("missing.bin").to_str().unwrap().into(),
            vec!["missing.bin".into(), "scripts/fetch-model".into()],
        ),
        (wrong.to_str().unwrap().into(), vec!["notes.bin".into(), "not a ggml whisper model".into()]),
    ];
    // A truncated copy of the real model (needs it installed).
    let model = tiny_en();
    let truncated = tmp.path().join("ggml-cut.bin");
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    cases.push((truncated.to_str().unwrap().into(), vec!["ggml-cut.bin".into(), "truncated".into()]));

    for (model_arg, expected) in cases {
        let before = media_counts(&ws);
        let row_before = session_row(&ws, &session);
        let out = rapport(&ws, &["transcribe", &session, "--model", &model_arg]);
        assert!(!out.status.success(), "{model_arg} is refused");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        for e in expected {
            assert!(err.contains(&e), "the message names {e:?}: {err}");
        }
        assert_eq!(media_counts(&ws), before);
        assert_eq!(session_row(&ws, &session), row_before, "the session's transcript is as it was");
    }
}
