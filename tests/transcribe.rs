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
    // Two parts at a time, one thread each.
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

// ---- Times you can seek to, silence skipped, no repeats: speech with known start times ----

/// One part of a test recording: silence, or speech with the text it says.
enum Part<'a> {
    Silence(f64),
    /// An audio file (any rate; its own leading and trailing silence is trimmed) and its text.
    Speech(&'a Path, &'a str),
}

/// An utterance of a test recording: where its speech starts, and what it says.
#[derive(Debug, Clone)]
struct Utterance {
    start_ms: i64,
    text: String,
}

/// The samples in a 16 kHz file.
fn samples(path: &Path) -> i64 {
    let out = std::process::Command::new("soxi").arg("-s").arg(path).output().expect("soxi (part of sox)");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("soxi -s prints samples")
}

/// Joins `parts` into one 16 kHz mono WAV at `out`: speech trimmed to where sox hears it
/// begin and end (1 % of full scale), so each utterance starts exactly where it is placed.
fn join(dir: &Path, parts: &[Part<'_>], out: &Path) -> Vec<Utterance> {
    let mut files = Vec::new();
    let mut utterances = Vec::new();
    let mut at = 0i64;
    for (i, part) in parts.iter().enumerate() {
        let file = dir.join(format!("part{i}.wav"));
        let f = file.to_str().unwrap();
        match part {
            Part::Silence(secs) => {
                sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", f, "trim", "0", &secs.to_string()])
            }
            Part::Speech(src, text) => {
                let s = src.to_str().unwrap();
                #[rustfmt::skip]
                sox(&[s, "-r", "16000", "-c", "1", "-b", "16", f,
                      "silence", "1", "0.02", "1%", "reverse", "silence", "1", "0.02", "1%", "reverse"]);
                utterances.push(Utterance { start_ms: at * 1000 / 16000, text: text.to_string() });
            }
        }
        at += samples(&file);
        files.push(file);
    }
    let mut args: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    args.push(out.to_str().unwrap());
    sox(&args);
    utterances
}

/// espeak-ng speech of `text` in `voice` at `out`.
fn speak_as(voice: &str, text: &str, out: &Path) {
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", voice, "-s", "155", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng is installed");
    assert!(status.success());
}

/// Mixes low pink noise (about −40 dBFS RMS, a quiet room) into `wav`, in place.
fn add_room_noise(dir: &Path, wav: &Path) {
    let secs = samples(wav) as f64 / 16000.0;
    let noise = dir.join("noise.wav");
    let clean = dir.join("clean.wav");
    std::fs::rename(wav, &clean).unwrap();
    #[rustfmt::skip]
    sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", noise.to_str().unwrap(),
          "synth", &secs.to_string(), "pinknoise", "vol", "0.01"]);
    sox(&["-m", clean.to_str().unwrap(), noise.to_str().unwrap(), wav.to_str().unwrap()]);
}

/// Transcribes `wav` as a recording of a fresh session in a demo workspace.
fn transcribe_file(wav: &Path, chunk_secs: u32) -> transcribe::TranscribeReport {
    let (_tmp, ws_dir) = demo_workspace();
    let session = session_without_recording(&ws_dir);
    let mut ws = Workspace::open(&ws_dir).unwrap();
    let media = ws.media_dir();
    let rec = rapport::media::add_recording_file(ws.conn(), &media, session, wav).unwrap();
    let mut opts = TranscribeOptions::new(tiny_en());
    opts.chunk_secs = chunk_secs;
    opts.threads = 2;
    let outcome = transcribe::transcribe(
        &mut ws,
        Target::Recording(rec),
        &opts,
        &Recorder::default(),
        &CancelToken::new(),
    )
    .unwrap();
    let Outcome::Done(report) = outcome else { panic!("not cancelled") };
    report
}

/// The transcript's words with their start times, in order.
fn timed_words(report: &transcribe::TranscribeReport) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for seg in &report.segments {
        assert!(!seg.words.is_empty(), "every segment has word times: {seg:?}");
        for w in &seg.words {
            for piece in words(&w.text) {
                out.push((piece, w.start_ms));
            }
        }
    }
    out
}

/// For each utterance, how far (ms) the transcript's start of it is from where it really
/// starts: the reference and transcript words are aligned (Levenshtein), and the start of the
/// transcript word aligned with the utterance's first word that has one counts. `None` when no
/// word of the utterance was transcribed.
fn start_errors(utterances: &[Utterance], hyp: &[(String, i64)]) -> Vec<Option<i64>> {
    let reference: Vec<(usize, String)> = utterances
        .iter()
        .enumerate()
        .flat_map(|(u, utt)| words(&utt.text).into_iter().map(move |w| (u, w)))
        .collect();
    let (n, m) = (reference.len(), hyp.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(reference[i - 1].1 != hyp[j - 1].0);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    // Walk back: which transcript word each reference word is aligned with.
    let mut aligned = vec![None; n];
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let sub = d[i - 1][j - 1] + usize::from(reference[i - 1].1 != hyp[j - 1].0);
        if d[i][j] == sub {
            aligned[i - 1] = Some(j - 1);
            i -= 1;
            j -= 1;
        } else if d[i][j] == d[i - 1][j] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    (0..utterances.len())
        .map(|u| {
            let first = (0..n).find(|&k| reference[k].0 == u && aligned[k].is_some())?;
            Some((hyp[aligned[first].unwrap()].1 - utterances[u].start_ms).abs())
        })
        .collect()
}

/// Asserts that at least 90 % of the utterances start within 0.5 s of where they do.
fn assert_starts_within_half_a_second(utterances: &[Utterance], report: &transcribe::TranscribeReport) {
    let errors = start_errors(utterances, &timed_words(report));
    let good = errors.iter().filter(|e| e.is_some_and(|e| e <= 500)).count();
    let shown: Vec<String> =
        report.segments.iter().map(|s| format!("[{} {}] {}", s.start_ms, s.end_ms, s.text)).collect();
    assert!(
        good * 10 >= utterances.len() * 9,
        "{good} of {} utterance starts within 0.5 s; errors (ms) {errors:?}; starts {:?}; transcript:\n{}",
        utterances.len(),
        utterances.iter().map(|u| u.start_ms).collect::<Vec<_>>(),
        shown.join("\n")
    );
    let mut last = -1;
    for s in &report.segments {
        assert!(s.start_ms > last && s.start_ms <= s.end_ms, "segment times increase: {s:?}");
        last = s.start_ms;
    }
}

#[test]
fn the_first_word_after_six_seconds_of_silence_starts_within_0_3_s_of_six_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let speech = tmp.path().join("speech.wav");
    speak(ANSWER, &speech);
    let wav = tmp.path().join("late.wav");
    let utterances = join(tmp.path(), &[Part::Silence(6.0), Part::Speech(&speech, ANSWER)], &wav);
    assert_eq!(utterances[0].start_ms, 6000);
    let report = transcribe_file(&wav, transcribe::DEFAULT_CHUNK_SECS);
    let first = &report.segments.first().expect("speech is transcribed").words[0];
    assert!((first.start_ms - 6000).abs() <= 300, "the first word {first:?} starts within 0.3 s of 6.0 s");
    assert!(
        report.segments[0].start_ms >= 5700,
        "no segment starts before its speech: {:?}",
        report.segments[0]
    );
    let text: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    assert!(wer(ANSWER, &text.join(" ")) <= 0.10, "{}", text.join(" | "));
}

/// A dialogue of two espeak-ng voices with pauses of 0.5 to 8 s (the lines of an interview).
const DIALOGUE: [(&str, &str, f64); 8] = [
    ("en-us", "Thanks for joining. Could you tell me how you deploy a change today?", 0.0),
    ("en+f3", "Sure. I open a merge request and the pipeline runs the tests.", 1.2),
    ("en-us", "What happens when the tests fail?", 3.5),
    ("en+f3", "Usually I read the logs, but they are hard to search.", 0.6),
    ("en-us", "How long does that take you?", 8.0),
    ("en+f3", "Maybe an hour on a bad day.", 2.0),
    ("en-us", "And who approves the release?", 0.5),
    ("en+f3", "The team lead, and sometimes the security team.", 5.0),
];

#[test]
fn a_two_voice_dialogue_with_pauses_has_nine_in_ten_utterance_starts_within_half_a_second() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (voice, text, _)) in DIALOGUE.iter().enumerate() {
        let f = tmp.path().join(format!("line{i}.wav"));
        speak_as(voice, text, &f);
        files.push(f);
    }
    let mut parts = vec![Part::Silence(3.0)];
    for (i, (_, text, pause)) in DIALOGUE.iter().enumerate() {
        if *pause > 0.0 {
            parts.push(Part::Silence(*pause));
        }
        parts.push(Part::Speech(&files[i], text));
    }
    parts.push(Part::Silence(2.0));
    let wav = tmp.path().join("dialogue.wav");
    let utterances = join(tmp.path(), &parts, &wav);
    add_room_noise(tmp.path(), &wav);
    let report = transcribe_file(&wav, transcribe::DEFAULT_CHUNK_SECS);
    assert_starts_within_half_a_second(&utterances, &report);
    let reference: Vec<&str> = DIALOGUE.iter().map(|d| d.1).collect();
    let text: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    // espeak-ng's second voice is hard for tiny.en: this bound only catches a broken transcript.
    let rate = wer(&reference.join(" "), &text.join(" "));
    assert!(rate <= 0.30, "WER {:.1}%: {}", rate * 100.0, text.join(" | "));
}

/// The real voices of tests/fixtures/speech (see its README), with their reference texts.
fn real_voices() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech");
    let mut out = Vec::new();
    for name in [
        "picovoice-test",
        "sense_and_sensibility_01_austen_64kb-0870",
        "sense_and_sensibility_01_austen_64kb-0880",
        "sense_and_sensibility_01_austen_64kb-0890",
        "sense_and_sensibility_01_austen_64kb-0920",
        "sense_and_sensibility_01_austen_64kb-0930",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        out.push((dir.join(format!("{name}.wav")), text.trim().to_string()));
    }
    out
}

#[test]
fn real_voices_joined_with_pauses_have_nine_in_ten_utterance_starts_within_half_a_second() {
    let tmp = tempfile::tempdir().unwrap();
    let voices = real_voices();
    let pauses = [4.0, 0.7, 2.5, 6.0, 1.0, 3.0];
    let mut parts = Vec::new();
    for ((wav, text), pause) in voices.iter().zip(pauses) {
        parts.push(Part::Silence(pause));
        parts.push(Part::Speech(wav, text));
    }
    parts.push(Part::Silence(1.5));
    let wav = tmp.path().join("voices.wav");
    let utterances = join(tmp.path(), &parts, &wav);
    add_room_noise(tmp.path(), &wav);
    let report = transcribe_file(&wav, transcribe::DEFAULT_CHUNK_SECS);
    assert_starts_within_half_a_second(&utterances, &report);
    let reference: Vec<&str> = voices.iter().map(|v| v.1.as_str()).collect();
    let text: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    let rate = wer(&reference.join(" "), &text.join(" "));
    assert!(rate <= 0.25, "WER {:.1}%: {}", rate * 100.0, text.join(" | "));
}

/// The reference words the transcript dropped, and the transcript words it added that repeat
/// the word before them (a word read twice), from a Levenshtein alignment.
fn dropped_and_repeated(reference: &str, transcript: &str) -> (Vec<String>, Vec<String>) {
    let (r, h) = (words(reference), words(transcript));
    let (n, m) = (r.len(), h.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(r[i - 1] != h[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let (mut dropped, mut repeated) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + usize::from(r[i - 1] != h[j - 1]) {
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            dropped.push(r[i - 1].clone());
            i -= 1;
        } else {
            // An added word: a repeat when it is the word before it again.
            if j >= 2 && h[j - 1] == h[j - 2] {
                repeated.push(h[j - 1].clone());
            }
            j -= 1;
        }
    }
    (dropped, repeated)
}

#[test]
fn a_chunk_boundary_inside_a_sentence_neither_duplicates_nor_drops_a_word() {
    // One long sentence without a pause, longer than the shortest chunks: it must be cut
    // inside the sentence.
    const SENTENCE: &str = "the release train leaves every morning and the platform team checks \
        the dashboards while the canary runs on a small share of the traffic before anyone \
        decides to roll forward";
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("sentence.wav");
    speak(SENTENCE, &wav);
    let report = transcribe_file(&wav, transcribe::MIN_CHUNK_SECS);
    assert!(report.chunks >= 2, "the sentence is cut: {} chunks", report.chunks);
    let text: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    let text = text.join(" ");
    let (dropped, repeated) = dropped_and_repeated(SENTENCE, &text);
    assert!(dropped.is_empty(), "no word is dropped: {dropped:?} missing from {text}");
    assert!(repeated.is_empty(), "no word is read twice: {repeated:?} in {text}");
    assert!(wer(SENTENCE, &text) <= 0.25, "{text}");
}

#[test]
fn thirty_seconds_of_silence_and_thirty_seconds_of_room_noise_give_no_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let silence = tmp.path().join("silence.wav");
    sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", silence.to_str().unwrap(), "trim", "0", "30"]);
    let report = transcribe_file(&silence, transcribe::DEFAULT_CHUNK_SECS);
    assert!(report.segments.is_empty(), "silence: {:?}", report.segments);
    assert_eq!(report.chunks, 0, "whisper reads nothing");
    // A room: low pink noise, a hum at 50 Hz, and a fan's brown noise.
    let noise = tmp.path().join("noise.wav");
    #[rustfmt::skip]
    sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", noise.to_str().unwrap(),
          "synth", "30", "pinknoise", "synth", "30", "sine", "mix", "50", "synth", "30", "brownnoise", "mix",
          "vol", "0.05"]);
    let report = transcribe_file(&noise, transcribe::DEFAULT_CHUNK_SECS);
    assert!(report.segments.is_empty(), "room noise: {:?}", report.segments);
}

#[test]
fn the_words_of_a_real_voice_start_where_a_reference_aligner_puts_them() {
    // Picovoice's word times for the LibriSpeech "Mister Quilter" utterance (a close reference),
    // after 3 s of silence.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("picovoice-test.words.json")).unwrap())
            .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let silence = tmp.path().join("silence.wav");
    sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", silence.to_str().unwrap(), "trim", "0", "3"]);
    let wav = tmp.path().join("quilter.wav");
    let src = dir.join("picovoice-test.wav");
    sox(&[silence.to_str().unwrap(), src.to_str().unwrap(), wav.to_str().unwrap()]);
    let report = transcribe_file(&wav, transcribe::DEFAULT_CHUNK_SECS);
    let utterances: Vec<Utterance> = reference["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| Utterance {
            start_ms: 3000 + (w["start_sec"].as_f64().unwrap() * 1000.0).round() as i64,
            text: w["word"].as_str().unwrap().to_string(),
        })
        .collect();
    // Each word as its own "utterance": its start error.
    let mut errors: Vec<i64> =
        start_errors(&utterances, &timed_words(&report)).into_iter().map(|e| e.unwrap_or(10_000)).collect();
    errors.sort();
    let median = errors[errors.len() / 2];
    eprintln!("word start errors (ms, sorted): {errors:?}");
    assert!(
        median <= 150,
        "median word start error {median} ms (sorted errors {errors:?}): {:?}",
        report.segments
    );
    assert!(errors[errors.len() * 9 / 10] <= 400, "90th percentile (sorted errors {errors:?})");
}
