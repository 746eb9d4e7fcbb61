//! Recordings: decoding what sox and espeak-ng make, `recording add`, and refusing bad files.

use std::path::{Path, PathBuf};
use std::process::Command;

use rapport::media::decode;

use crate::util::*;

/// Speaks `text` into a WAV file with espeak-ng (US English, 150 words a minute).
pub fn speak(text: &str, out: &Path) {
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng is installed (scripts/test installs it; apt-get install espeak-ng)");
    assert!(status.success(), "espeak-ng failed on {}", out.display());
}

/// Runs sox with `args`, asserting it worked. `-R` (repeatable) seeds sox's noise and dither
/// the same way every run, so a test's audio (room noise, a mix) is the same each time and
/// whisper's result on it cannot change from run to run.
pub fn sox(args: &[&str]) {
    let out = Command::new("sox")
        .arg("-R")
        .args(args)
        .output()
        .expect("sox is installed (scripts/test installs it; apt-get install sox)");
    assert!(out.status.success(), "sox {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// The duration of an audio file in milliseconds, as soxi measures it.
pub fn soxi_ms(path: &Path) -> i64 {
    let out = Command::new("soxi").arg("-D").arg(path).output().expect("soxi (part of sox)");
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("soxi -D prints seconds");
    (secs * 1000.0).round() as i64
}

/// True when this sox can write MP3 (libsox-fmt-mp3).
fn sox_writes_mp3() -> bool {
    let out = Command::new("sox").arg("-h").output().expect("sox is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.starts_with("AUDIO FILE FORMATS:") && l.split_whitespace().any(|f| f == "mp3"))
}

/// A session id of the demo workspace that has no recording.
pub fn session_without_recording(ws: &Path) -> i64 {
    let sessions = rapport_json(ws, &["session", "list"]);
    sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["has_recording"] == false)
        .and_then(|s| s["id"].as_i64())
        .expect("the demo has sessions without a recording")
}

/// (recordings rows, media_files rows, files in media/).
pub fn media_counts(ws: &Path) -> (i64, i64, usize) {
    let conn = rusqlite::Connection::open(ws.join("rapport.db")).unwrap();
    let n =
        |t: &str| conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get::<_, i64>(0)).unwrap();
    let files = std::fs::read_dir(ws.join("media")).unwrap().count();
    (n("recordings"), n("media_files"), files)
}

const SENTENCE: &str = "We moved to the new deploy system in March, and the rollbacks got much faster.";

#[test]
fn wav_flac_ogg_vorbis_and_mp3_made_by_sox_decode_with_the_right_duration_and_rate() {
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws).to_string();
    let wav = tmp.path().join("speech.wav");
    speak(SENTENCE, &wav);
    let expected_ms = soxi_ms(&wav);
    let mut files: Vec<(PathBuf, &str, i64, i64)> = vec![(wav.clone(), "pcm_s16le", 22_050, 1)];
    for (name, codec) in [("speech.flac", "flac"), ("speech.ogg", "vorbis")] {
        let path = tmp.path().join(name);
        sox(&[wav.to_str().unwrap(), path.to_str().unwrap()]);
        files.push((path, codec, 22_050, 1));
    }
    let stereo = tmp.path().join("stereo-44k.wav");
    sox(&[wav.to_str().unwrap(), "-c", "2", "-r", "44100", stereo.to_str().unwrap()]);
    files.push((stereo, "pcm_s16le", 44_100, 2));
    if sox_writes_mp3() {
        let mp3 = tmp.path().join("speech.mp3");
        sox(&[wav.to_str().unwrap(), mp3.to_str().unwrap()]);
        files.push((mp3, "mp3", 22_050, 1));
    } else {
        eprintln!("note: MP3 not checked here: this sox cannot write MP3 (apt-get install libsox-fmt-mp3)");
    }
    for (path, codec, rate, channels) in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let rec = rapport_json(&ws, &["recording", "add", path.to_str().unwrap(), "--session", &session]);
        assert_eq!(rec["codec"], *codec, "{name}: {rec}");
        assert_eq!(rec["sample_rate"], *rate, "{name}: {rec}");
        assert_eq!(rec["channels"], *channels, "{name}: {rec}");
        let ms = rec["duration_ms"].as_i64().unwrap();
        // MP3 adds the encoder's padding (up to two frames of 1152 samples).
        let slack = if *codec == "mp3" { 120 } else { 5 };
        assert!((ms - expected_ms).abs() <= slack, "{name}: {ms} ms decoded, {expected_ms} ms spoken");

        let (probe, samples) = decode::decode_all(path, name).unwrap();
        assert_eq!(probe.duration_ms, Some(ms));
        let at_16k = samples.len() as i64 * 1000 / 16_000;
        assert!((at_16k - ms).abs() <= 2, "{name}: {} samples at 16 kHz for {ms} ms", samples.len());
        let loud = samples.iter().filter(|s| s.abs() > 0.05).count();
        assert!(loud > samples.len() / 10, "{name}: the speech survived decoding ({loud} loud samples)");
    }
}

#[test]
fn a_corrupt_mp3_and_a_text_file_renamed_wav_each_give_one_clear_message_and_change_nothing() {
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws).to_string();
    let wav = tmp.path().join("speech.wav");
    speak(SENTENCE, &wav);
    let mut cases: Vec<(PathBuf, Vec<&str>)> = Vec::new();

    let text = tmp.path().join("notes.wav");
    std::fs::write(&text, "Interview notes: ask about rollbacks.\n").unwrap();
    cases.push((text, vec!["notes.wav", "not a recording", "WAV"]));

    let truncated = tmp.path().join("cut.wav");
    let bytes = std::fs::read(&wav).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2 + 1]).unwrap();
    cases.push((truncated, vec!["cut.wav", "pcm_s16le", "truncated", "near byte"]));

    if sox_writes_mp3() {
        let mp3 = tmp.path().join("speech.mp3");
        sox(&[wav.to_str().unwrap(), mp3.to_str().unwrap()]);
        let good = std::fs::read(&mp3).unwrap();
        // Valid frames first, then bytes that are not MP3: a fixed pseudo-random sequence.
        let mut bad = good[..3000].to_vec();
        let mut x: u32 = 0x1234_5678;
        bad.extend((0..30_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        }));
        let corrupt = tmp.path().join("corrupt.mp3");
        std::fs::write(&corrupt, bad).unwrap();
        cases.push((corrupt, vec!["corrupt.mp3", "mp3", "corrupt", "near byte"]));

        // Damage inside the frames of an otherwise whole file.
        let mut flipped = good.clone();
        for i in (good.len() / 5..good.len() - 100).step_by(700) {
            flipped[i] ^= 0xa5;
        }
        let damaged = tmp.path().join("damaged.mp3");
        std::fs::write(&damaged, flipped).unwrap();
        cases.push((damaged, vec!["damaged.mp3", "mp3", "near byte"]));
    } else {
        eprintln!(
            "note: corrupt MP3 not checked here: this sox cannot write MP3 (apt-get install libsox-fmt-mp3)"
        );
    }

    for (path, words) in cases {
        let before = media_counts(&ws);
        let out = rapport(&ws, &["recording", "add", path.to_str().unwrap(), "--session", &session]);
        assert!(!out.status.success(), "{} must be refused", path.display());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        for w in words {
            assert!(err.contains(w), "the message names {w:?}: {err}");
        }
        assert_eq!(media_counts(&ws), before, "nothing added for {}", path.display());
    }
}

#[test]
fn recording_add_twice_stores_one_media_file_and_leaves_the_original_alone() {
    let (tmp, ws) = demo_workspace();
    let session = session_without_recording(&ws).to_string();
    let wav = tmp.path().join("interview.wav");
    speak(SENTENCE, &wav);
    let sha_before = sha256_file(&wav);
    let before = media_counts(&ws);

    let first = rapport_json(&ws, &["recording", "add", wav.to_str().unwrap(), "--session", &session]);
    let again = rapport_ok(&ws, &["recording", "add", wav.to_str().unwrap(), "--session", &session]);
    assert_eq!(
        again.trim(),
        first["id"].to_string(),
        "the same file in the same session is the same recording"
    );
    assert_eq!(first["sha256"], sha_before.as_str());
    let after = media_counts(&ws);
    assert_eq!(after, (before.0 + 1, before.1 + 1, before.2 + 1), "one recording, one stored file");

    assert!(wav.is_file(), "the original stays where it was");
    assert_eq!(sha256_file(&wav), sha_before, "the original is unchanged");
    let stored = ws.join("media").join(format!("{sha_before}.wav"));
    assert_eq!(sha256_file(&stored), sha_before, "stored under its sha256");

    let verify = rapport(&ws, &["verify"]);
    assert!(verify.status.success(), "verify passes: {}", String::from_utf8_lossy(&verify.stderr));
}

#[test]
fn recording_add_to_a_missing_session_is_refused_before_copying() {
    let (tmp, ws) = demo_workspace();
    let wav = tmp.path().join("speech.wav");
    speak(SENTENCE, &wav);
    let before = media_counts(&ws);
    let out = rapport(&ws, &["recording", "add", wav.to_str().unwrap(), "--session", "999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("session not found: 999"));
    assert_eq!(media_counts(&ws), before);
}
