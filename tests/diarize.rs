//! Diarization on real audio: espeak-ng dialogues made here (two tracks, a stereo file, one
//! mixed track), real voices from `tests/fixtures/speech`, transcribed with tiny.en; the
//! diarization error rate computed as pyannote.metrics does (250 ms collar each side).

use std::path::{Path, PathBuf};

use rapport::diarize::der::{der, Labelled};
use rapport::diarize::{self, DiarizeOptions, DiarizeReport, Method};
use rapport::progress::{CancelToken, NoProgress, Outcome};
use rapport::transcribe::{self, Target, TranscribeOptions};
use rapport::Workspace;

use crate::media::{session_without_recording, sox};
use crate::util::*;

fn models_dir() -> PathBuf {
    std::env::var_os("RAPPORT_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs::data_dir().unwrap().join("Rapport").join("models"))
}

/// The interviewer's and the participant's voices: clearly different (about 100 Hz and 200 Hz;
/// espeak-ng 1.51 gives `en-gb+f2` the same pitch as `en-us+m3`).
pub const INTERVIEWER: &str = "en-us+m3";
pub const PARTICIPANT: &str = "en+f3";

/// An interview: (voice, line, pause after in seconds).
pub const DIALOGUE: [(&str, &str, f64); 10] = [
    (INTERVIEWER, "Thanks for joining. Could you tell me how you deploy a change today?", 0.6),
    (PARTICIPANT, "Sure. I open a merge request, and the pipeline runs the tests and builds the image.", 0.4),
    (INTERVIEWER, "What happens when the tests fail?", 0.5),
    (PARTICIPANT, "Usually I read the logs, but they are hard to search, so I ask in the team channel.", 0.8),
    (INTERVIEWER, "How long does that take you on a bad day?", 0.3),
    (
        PARTICIPANT,
        "Maybe an hour. Sometimes the whole afternoon, when the staging cluster is down as well.",
        0.7,
    ),
    (INTERVIEWER, "Who approves the release before it goes out?", 0.4),
    (PARTICIPANT, "The team lead, and for payment services the security team has to sign off too.", 0.6),
    (INTERVIEWER, "Why do you think the security review is slow?", 0.5),
    (PARTICIPANT, "They review every change by hand, even a one line fix to a dashboard.", 1.0),
];

/// A second interview with the same voices and other words (for remembered voices).
pub const SECOND: [(&str, &str, f64); 6] = [
    (INTERVIEWER, "Welcome back. What changed in your release process since we last spoke?", 0.5),
    (PARTICIPANT, "We moved to canary releases, so a bad build only reaches a few users first.", 0.6),
    (INTERVIEWER, "How do you decide when to roll back?", 0.4),
    (PARTICIPANT, "The error rate dashboard turns red and the pipeline stops the rollout by itself.", 0.7),
    (INTERVIEWER, "Would you change anything about it?", 0.5),
    (PARTICIPANT, "I would like the logs next to the graphs, so nobody has to open three tools.", 0.8),
];

/// A made dialogue: the mix, one track per voice (silent while the other speaks), a stereo
/// file (a voice per channel), and who speaks when.
pub struct Made {
    pub mix: PathBuf,
    pub tracks: Vec<(String, PathBuf)>,
    pub stereo: PathBuf,
    pub reference: Vec<Labelled>,
}

fn samples(path: &Path) -> i64 {
    let out = std::process::Command::new("soxi").arg("-s").arg(path).output().expect("soxi (part of sox)");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("soxi -s prints samples")
}

/// Speaks `lines` with espeak-ng into `dir` and joins them (speech trimmed to where sox
/// hears it, so each turn's start and end are known to the sample).
pub fn make_dialogue(dir: &Path, lines: &[(&str, &str, f64)]) -> Made {
    let voices: Vec<&str> = {
        let mut v: Vec<&str> = lines.iter().map(|l| l.0).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut mix = Vec::new();
    let mut per_voice: Vec<Vec<PathBuf>> = vec![Vec::new(); voices.len()];
    let mut reference = Vec::new();
    let mut at = 0i64;
    for (i, (voice, text, pause)) in lines.iter().enumerate() {
        let raw = dir.join(format!("raw{i}.wav"));
        let status = std::process::Command::new("espeak-ng")
            .args(["-v", voice, "-s", "160", "-w"])
            .arg(&raw)
            .arg(text)
            .status()
            .expect("espeak-ng is installed");
        assert!(status.success());
        let line = dir.join(format!("line{i}.wav"));
        let muted = dir.join(format!("muted{i}.wav"));
        let gap = dir.join(format!("gap{i}.wav"));
        #[rustfmt::skip]
        sox(&[raw.to_str().unwrap(), "-r", "16000", "-c", "1", "-b", "16", line.to_str().unwrap(),
              "silence", "1", "0.02", "1%", "reverse", "silence", "1", "0.02", "1%", "reverse"]);
        sox(&[line.to_str().unwrap(), muted.to_str().unwrap(), "vol", "0"]);
        #[rustfmt::skip]
        sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", gap.to_str().unwrap(), "trim", "0", &pause.to_string()]);
        let n = samples(&line);
        reference.push(Labelled::new(at * 1000 / 16000, (at + n) * 1000 / 16000, voice));
        at += n + samples(&gap);
        mix.extend([line.clone(), gap.clone()]);
        let v = voices.iter().position(|x| x == voice).unwrap();
        for (k, files) in per_voice.iter_mut().enumerate() {
            files.push(if k == v { line.clone() } else { muted.clone() });
            files.push(gap.clone());
        }
    }
    let join = |files: &[PathBuf], out: &Path| {
        let mut args: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
        args.push(out.to_str().unwrap());
        sox(&args);
    };
    let mix_path = dir.join("mix.wav");
    join(&mix, &mix_path);
    let mut tracks = Vec::new();
    for (k, files) in per_voice.iter().enumerate() {
        let p = dir.join(format!("track{k}.wav"));
        join(files, &p);
        tracks.push((voices[k].to_string(), p));
    }
    let stereo = dir.join("stereo.wav");
    if tracks.len() == 2 {
        sox(&["-M", tracks[0].1.to_str().unwrap(), tracks[1].1.to_str().unwrap(), stereo.to_str().unwrap()]);
    }
    Made { mix: mix_path, tracks, stereo, reference }
}

/// Transcribes the session's recording `rec` with tiny.en.
pub fn transcribe_recording(ws: &mut Workspace, rec: i64) {
    let mut opts = TranscribeOptions::new(models_dir().join("ggml-tiny.en.bin"));
    opts.threads = 2;
    opts.vad_model = models_dir().join(transcribe::vad::VAD_FILE);
    let out =
        transcribe::transcribe(ws, Target::Recording(rec), &opts, &NoProgress, &CancelToken::new()).unwrap();
    assert!(matches!(out, Outcome::Done(_)));
}

fn run(ws: &mut Workspace, session: i64, speakers: Option<usize>) -> DiarizeReport {
    let opts = DiarizeOptions {
        speakers,
        method: Method::Auto,
        vad_model: models_dir().join(transcribe::vad::VAD_FILE),
        voice_model: diarize::voice::path_in(&models_dir()),
    };
    match diarize::diarize(ws, session, &opts, &NoProgress, &CancelToken::new()).unwrap() {
        Outcome::Done(r) => r,
        Outcome::Cancelled => panic!("not cancelled"),
    }
}

/// A fresh session of a demo workspace holding the recordings `files` (path, track, offset).
fn session_with(files: &[(&Path, Option<&str>, i64)]) -> (TempDir, Workspace, i64, Vec<i64>) {
    let (tmp, dir) = demo_workspace();
    let session = session_without_recording(&dir);
    let ws = Workspace::open(&dir).unwrap();
    let media = ws.media_dir();
    let mut ids = Vec::new();
    for (path, track, offset) in files {
        let id = rapport::media::add_recording_file(ws.conn(), &media, session, path).unwrap();
        if track.is_some() || *offset != 0 {
            rapport::media::set_track(ws.conn(), id, *track, *offset).unwrap();
        }
        ids.push(id);
    }
    (tmp, ws, session, ids)
}

/// Asserts every segment's words lie in turns of the voice its speaker stands for.
fn assert_segments_follow(report: &DiarizeReport, reference: &[Labelled], voice_of: &dyn Fn(&str) -> String) {
    let mut checked = 0;
    for seg in &report.segments {
        let label = seg.speaker_label.clone().expect("every segment has a speaker");
        let voice = voice_of(&label);
        for w in &seg.words {
            let mid = (w.start_ms + w.end_ms) / 2;
            // Words whisper placed outside every turn (in a pause) tell nothing.
            if let Some(r) = reference.iter().find(|r| r.start_ms <= mid && mid < r.end_ms) {
                assert_eq!(
                    r.label, voice,
                    "word {:?} at {mid} ms of segment {:?} ({label})",
                    w.text, seg.text
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} words were checked");
}

/// The reference as turns of each speaker.
fn turns_of(report: &DiarizeReport) -> Vec<Labelled> {
    report.turns.iter().map(|t| Labelled::new(t.start_ms, t.end_ms, &t.speaker)).collect()
}

#[test]
fn a_two_track_session_gives_every_segment_to_the_track_that_spoke_even_with_an_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE);
    // The participant's track started recording 1.5 s late: its first 1.5 s are missing.
    let late = tmp.path().join("late.wav");
    sox(&[made.tracks[0].1.to_str().unwrap(), late.to_str().unwrap(), "trim", "1.5"]);
    assert_eq!(made.tracks[0].0, PARTICIPANT, "tracks are in voice order");
    let (_t, mut ws, session, ids) = session_with(&[
        (&made.mix, None, 0),
        (&late, Some("Priya"), 1500),
        (&made.tracks[1].1, Some("Sam"), 0),
    ]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, None);
    assert_eq!(report.method, Method::Tracks);
    let voice_of = |label: &str| match label {
        "Priya" => PARTICIPANT.to_string(),
        "Sam" => INTERVIEWER.to_string(),
        other => panic!("unexpected speaker {other}"),
    };
    assert_segments_follow(&report, &made.reference, &voice_of);
    let hyp: Vec<Labelled> = turns_of(&report);
    let d = der(&made.reference, &hyp, 250);
    assert!(d.der <= 0.01, "DER {:.3} on two tracks: {d:?}", d.der);
    assert_eq!(report.interviewer.as_deref(), Some("Sam"), "Sam asks the questions");
}

#[test]
fn a_session_of_tracks_only_transcribes_every_track_on_its_offset_in_time_order() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE);
    // No mix: one file per person, the participant's started 1.5 s late.
    let late = tmp.path().join("late.wav");
    sox(&[made.tracks[0].1.to_str().unwrap(), late.to_str().unwrap(), "trim", "1.5"]);
    let (_t, mut ws, session, _ids) =
        session_with(&[(&late, Some("Priya"), 1500), (&made.tracks[1].1, Some("Sam"), 0)]);
    let mut opts = TranscribeOptions::new(models_dir().join("ggml-tiny.en.bin"));
    opts.threads = 2;
    opts.vad_model = models_dir().join(transcribe::vad::VAD_FILE);
    let out =
        transcribe::transcribe(&mut ws, Target::Session(session), &opts, &NoProgress, &CancelToken::new())
            .unwrap()
            .done()
            .expect("not cancelled");
    let segs = &out.segments;
    assert!(segs.windows(2).all(|w| w[0].start_ms <= w[1].start_ms), "merged in time order");
    for name in ["Priya", "Sam"] {
        assert!(segs.iter().any(|s| s.speaker.as_deref() == Some(name)), "{name}'s track was transcribed");
    }
    let voice_of = |name: &str| if name == "Priya" { PARTICIPANT } else { INTERVIEWER };
    // Every segment lies (by its middle) in a turn of its track's voice: the late track's
    // times were moved by its offset onto the session's time line.
    let mut checked = 0;
    for s in segs {
        let mid = (s.start_ms + s.end_ms) / 2;
        let speaker = s.speaker.as_deref().expect("a track's segment has its track's speaker");
        if let Some(r) = made.reference.iter().find(|r| r.start_ms - 300 <= mid && mid < r.end_ms + 300) {
            assert_eq!(r.label, voice_of(speaker), "segment {:?} at {mid} ms", s.text);
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} segments were checked: {segs:?}");
    // The words of the whole dialogue are there: both voices' lines.
    let text = segs.iter().map(|s| s.text.to_lowercase()).collect::<Vec<_>>().join(" ");
    for word in ["deploy", "merge", "security"] {
        assert!(text.contains(word), "{word:?} missing from {text:?}");
    }
    // Diarizing it keeps each track's segments with its speaker.
    let report = run(&mut ws, session, None);
    assert_eq!(report.method, Method::Tracks);
    let voice_of = |label: &str| voice_of(label).to_string();
    assert_segments_follow(&report, &made.reference, &voice_of);
}

#[test]
fn a_stereo_file_with_one_voice_per_channel_is_diarized_channel_by_channel() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE);
    let (_t, mut ws, session, ids) = session_with(&[(&made.stereo, None, 0)]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, None);
    assert_eq!(report.method, Method::Channels);
    // The left channel is the first track (the participant's voice).
    let voice_of = |label: &str| match label {
        "Left" => PARTICIPANT.to_string(),
        "Right" => INTERVIEWER.to_string(),
        other => panic!("unexpected speaker {other}"),
    };
    assert_segments_follow(&report, &made.reference, &voice_of);
    let d = der(&made.reference, &turns_of(&report), 250);
    assert!(d.der <= 0.01, "DER {:.3} on a stereo file: {d:?}", d.der);
}

#[test]
fn a_mixed_two_voice_dialogue_gets_der_under_ten_percent_and_the_asker_is_the_interviewer() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE);
    let (_t, mut ws, session, ids) = session_with(&[(&made.mix, None, 0)]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, None);
    assert_eq!(report.method, Method::Mixed);
    assert_eq!(report.speakers.len(), 2, "two voices estimated: {:?}", report.speakers);
    let d = der(&made.reference, &turns_of(&report), 250);
    eprintln!("mixed DER {d:?}");
    assert!(d.der <= 0.10, "DER {:.3}: {d:?}\n{:?}", d.der, report.turns);
    assert_eq!(report.interviewer.as_deref(), Some("Interviewer"));
    // The interviewer is the voice that asks: its turns are the INTERVIEWER's.
    let iv: Vec<&Labelled> = made.reference.iter().filter(|r| r.label == INTERVIEWER).collect();
    let heard_as = |r: &Labelled| {
        report
            .turns
            .iter()
            .filter(|t| t.start_ms < r.end_ms && t.end_ms > r.start_ms)
            .max_by_key(|t| t.end_ms.min(r.end_ms) - t.start_ms.max(r.start_ms))
            .map(|t| t.speaker.clone())
    };
    assert!(iv.iter().all(|r| heard_as(r).as_deref() == Some("Interviewer")));
    // The other is the participant, linked to the session's person.
    let participant = report.speakers.iter().find(|s| s.label != "Interviewer").unwrap();
    assert_eq!(participant.role.as_deref(), Some("participant"));
    let person: Option<i64> = ws
        .conn()
        .query_row("SELECT person_id FROM speakers WHERE id = ?1", [participant.id], |r| r.get(0))
        .unwrap();
    let session_person: Option<i64> =
        ws.conn().query_row("SELECT person_id FROM sessions WHERE id = ?1", [session], |r| r.get(0)).unwrap();
    assert!(session_person.is_some() && person == session_person, "the participant is the session's person");
}

fn real_voice(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech").join(format!("{name}.wav"))
}

#[test]
fn a_mono_recording_of_one_real_voice_is_one_speaker() {
    let tmp = tempfile::tempdir().unwrap();
    let gap = tmp.path().join("gap.wav");
    sox(&["-n", "-r", "16000", "-c", "1", "-b", "16", gap.to_str().unwrap(), "trim", "0", "0.7"]);
    let mut parts = Vec::new();
    for n in ["0870", "0880", "0890", "0920", "0930"] {
        parts.push(real_voice(&format!("sense_and_sensibility_01_austen_64kb-{n}")));
        parts.push(gap.clone());
    }
    let one = tmp.path().join("one.wav");
    let mut args: Vec<&str> = parts.iter().map(|p| p.to_str().unwrap()).collect();
    args.push(one.to_str().unwrap());
    sox(&args);
    let (_t, mut ws, session, ids) = session_with(&[(&one, None, 0)]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, None);
    assert_eq!(report.speakers.len(), 1, "one reader is one speaker: {:?}", report.turns);
}

#[test]
fn a_mono_recording_of_one_espeak_voice_is_one_speaker() {
    let tmp = tempfile::tempdir().unwrap();
    let lines: Vec<(&str, &str, f64)> = DIALOGUE.iter().map(|(_, t, p)| (PARTICIPANT, *t, *p)).collect();
    let made = make_dialogue(tmp.path(), &lines);
    let (_t, mut ws, session, ids) = session_with(&[(&made.mix, None, 0)]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, None);
    assert_eq!(report.speakers.len(), 1, "one voice is one speaker: {:?}", report.turns);
}

#[test]
fn asking_for_five_speakers_of_a_two_voice_dialogue_merges_the_extra_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE);
    let (_t, mut ws, session, ids) = session_with(&[(&made.mix, None, 0)]);
    transcribe_recording(&mut ws, ids[0]);
    let report = run(&mut ws, session, Some(5));
    assert_eq!(report.requested, Some(5));
    let flagged = report.speakers.iter().filter(|s| s.flagged).count();
    assert!(
        report.speakers.len() == 2 || report.speakers.len() - flagged <= 2,
        "extra clusters are merged or flagged: {:?}",
        report.speakers
    );
    let d = der(&made.reference, &turns_of(&report), 250);
    assert!(d.der <= 0.15, "still usable: DER {:.3}", d.der);
}

#[test]
fn a_speaker_named_and_remembered_in_one_session_is_suggested_in_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let first = make_dialogue(&tmp.path().join("a").tap_mkdir(), &DIALOGUE);
    let second = make_dialogue(&tmp.path().join("b").tap_mkdir(), &SECOND);
    let (_tmpws, dir) = demo_workspace();
    let s1 = session_without_recording(&dir);
    let r1 =
        rapport_json(&dir, &["recording", "add", first.mix.to_str().unwrap(), "--session", &s1.to_string()]);
    {
        let mut ws = Workspace::open(&dir).unwrap();
        transcribe_recording(&mut ws, r1["id"].as_i64().unwrap());
    }
    let d1 = rapport_json(&dir, &["diarize", &s1.to_string()]);
    assert_eq!(d1["interviewer"], "Interviewer", "{d1}");
    rapport_ok(&dir, &["speaker", "rename", "--session", &s1.to_string(), "Interviewer", "Dana Okafor"]);
    let p = rapport_json(&dir, &["voice", "remember", "--session", &s1.to_string(), "Dana Okafor"]);
    assert_eq!(p["name"], "Dana Okafor");

    // A new session of the same study with another interview by the same researcher.
    let s2 = rapport_json(
        &dir,
        &["session", "create", "--study", "1", "--person", "new.person@example.com", "--name", "New Person"],
    );
    let s2 = s2["id"].as_i64().unwrap().to_string();
    let r2 = rapport_json(&dir, &["recording", "add", second.mix.to_str().unwrap(), "--session", &s2]);
    {
        let mut ws = Workspace::open(&dir).unwrap();
        transcribe_recording(&mut ws, r2["id"].as_i64().unwrap());
    }
    let d2 = rapport_json(&dir, &["diarize", &s2]);
    let suggestions = d2["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "only the researcher's voice is known: {d2}");
    assert_eq!(suggestions[0]["name"], "Dana Okafor");
    assert_eq!(suggestions[0]["speaker_label"], "Interviewer", "the suggestion is for the voice that asks");
    let again = rapport_json(&dir, &["voice", "suggest", &s2]);
    assert_eq!(again.as_array().unwrap().len(), 1);
}

trait TapMkdir {
    fn tap_mkdir(self) -> PathBuf;
}

impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> PathBuf {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[test]
fn the_cli_adds_tracks_diarizes_with_json_and_moves_the_rest_of_a_segment_from_a_word() {
    let tmp = tempfile::tempdir().unwrap();
    let made = make_dialogue(tmp.path(), &DIALOGUE[..4]);
    let (_tmpws, dir) = demo_workspace();
    let s = session_without_recording(&dir).to_string();
    let rec = rapport_json(&dir, &["recording", "add", made.mix.to_str().unwrap(), "--session", &s]);
    assert_eq!(rec["track"], serde_json::Value::Null);
    let t = rapport_json(
        &dir,
        &[
            "recording",
            "add",
            made.tracks[1].1.to_str().unwrap(),
            "--session",
            &s,
            "--track",
            "Sam",
            "--offset",
            "0",
        ],
    );
    assert_eq!((t["track"].as_str(), t["offset_ms"].as_i64()), (Some("Sam"), Some(0)));
    rapport_ok(
        &dir,
        &["recording", "add", made.tracks[0].1.to_str().unwrap(), "--session", &s, "--track", "Priya"],
    );
    // The session's transcript is of the mix, not of a track added after it.
    let out = rapport_json(&dir, &["transcribe", &s, "--diarize"]);
    let segments = out["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    assert!(segments.iter().all(|g| g["speaker"] == "Sam" || g["speaker"] == "Priya"), "{out}");
    assert_eq!(out["method"], "tracks");

    // Move the rest of the first segment with two words or more, from its second word.
    let seg = segments.iter().find(|g| g["text"].as_str().unwrap().split_whitespace().count() >= 2).unwrap();
    let id = seg["id"].as_i64().unwrap().to_string();
    let moved = rapport_json(&dir, &["reassign", &id, "--to", "Somebody Else", "--from-word", "1"]);
    assert_eq!(moved["speaker"], "Somebody Else");
    assert_ne!(moved["id"].as_i64(), seg["id"].as_i64(), "the rest is a new segment");
    let shown = rapport_json(&dir, &["speaker", "list", "--session", &s]);
    assert!(shown.as_array().unwrap().iter().any(|sp| sp["name"] == "Somebody Else"));

    let bad = rapport(&dir, &["diarize", &s, "--speakers", "0", "--json"]);
    assert!(!bad.status.success());
}

/// The 16 kHz samples of a fixture.
fn samples_of(path: &Path) -> Vec<f32> {
    let mut stream = rapport::media::AudioStream::open(path, "fixture.wav").unwrap();
    let mut samples = Vec::new();
    let mut target = 0;
    loop {
        target += 60 * 16_000;
        if !stream.fill(&mut samples, target).unwrap() {
            break;
        }
    }
    samples
}

fn voice_encoder() -> diarize::voice::VoiceEncoder {
    diarize::voice::VoiceEncoder::open(&diarize::voice::path_in(&models_dir())).unwrap()
}

/// pyannote.audio's sample (`tests/fixtures/speech/pyannote-sample.*`): 30 s of a real
/// telephone call, two people, turns of 0.4 to 7 s, some of them overlapping. The two voices'
/// MFCC Gaussians are closer than either is to itself; the voice encoder tells them apart.
#[test]
fn a_real_telephone_call_is_two_speakers_with_a_der_under_ten_percent() {
    let samples = samples_of(&real_voice("pyannote-sample"));
    let reference = diarize::der::read_rttm(
        &std::fs::read_to_string(real_voice("pyannote-sample").with_extension("rttm")).unwrap(),
        "pyannote-sample.rttm",
    )
    .unwrap();
    let mut vad = transcribe::vad::Vad::open(&models_dir().join(transcribe::vad::VAD_FILE)).unwrap();
    let enc = voice_encoder();
    for speakers in [None, Some(2)] {
        let opts = diarize::cluster::ClusterOptions { speakers, ..Default::default() };
        let c = diarize::mixed(&samples, &mut vad, &opts, Some(&enc), &CancelToken::new()).unwrap();
        assert_eq!(c.stats.len(), 2, "--speakers {speakers:?}: {:?}", c.turns);
        let hyp: Vec<Labelled> =
            c.turns.iter().map(|t| Labelled::new(t.start_ms, t.end_ms, &format!("s{}", t.speaker))).collect();
        let d = der(&reference, &hyp, 250);
        assert!(d.der <= 0.10, "--speakers {speakers:?}: DER {:.1}% ({:?})", d.der * 100.0, c.turns);
        assert_eq!(c.voices.len(), 2);
        assert!(c.voices.iter().all(|v| v.len() == diarize::voice::DIM));
    }
}

#[test]
fn the_voice_encoder_finds_a_reader_nearer_to_himself_than_to_another_voice() {
    let enc = voice_encoder();
    let mean_of = |name: &str| -> Vec<f32> {
        let samples = samples_of(&real_voice(name));
        let end_ms = (samples.len() * 1000 / 16_000) as i64;
        let turn = diarize::cluster::Turn { start_ms: 0, end_ms, speaker: 0 };
        diarize::dvec::voices(&enc, &samples, &[turn], 1, 2, &CancelToken::new()).pop().unwrap()
    };
    let reader: Vec<Vec<f32>> = ["0870", "0880", "0890", "0920", "0930"]
        .iter()
        .map(|n| mean_of(&format!("sense_and_sensibility_01_austen_64kb-{n}")))
        .collect();
    let other = mean_of("picovoice-test");
    for (i, a) in reader.iter().enumerate() {
        let unlike = diarize::voice::cosine(a, &other);
        for b in reader.iter().skip(i + 1) {
            let like = diarize::voice::cosine(a, b);
            assert!(
                like > unlike + 0.1,
                "the reader against himself {like:.3}, against another voice {unlike:.3}"
            );
        }
    }
}

#[test]
fn a_cancelled_embedding_stops_before_its_next_batch_of_windows() {
    let enc = voice_encoder();
    let samples = samples_of(&real_voice("pyannote-sample"));
    let mel = enc.mel(&samples, &[]);
    let starts: Vec<usize> = (0..100).map(|i| i * 20).collect();
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = enc.embed(&mel, &starts, 2, &cancel);
    assert!(e.iter().all(|v| v.iter().all(|x| *x == 0.0)), "nothing is embedded once cancelled");
    let e = enc.embed(&mel, &starts[..2], 2, &CancelToken::new());
    let norm: f32 = e[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "a d-vector has unit length: {norm}");
}
