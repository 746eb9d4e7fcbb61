//! Who said what: speakers separated on the machine, the interviewer found, voices remembered.
//!
//! Owns `speaker_voices` and `voice_profiles` ([`profiles`]); writes segments and speakers
//! through [`crate::transcript::assign`]. A session's transcript is diarized in one of three
//! ways, chosen by what its recordings are ([`Method`]):
//! - **tracks** ([`tracks`]): two or more recordings added with `--track NAME`, one per
//!   participant, each placed on the session's time line by its offset;
//! - **channels**: one stereo recording whose channels carry different people (told by
//!   each channel being much louder than the other while someone speaks), read channel by
//!   channel like tracks;
//! - **mixed** ([`cluster`]): one recording of everyone, clustered on its MFCCs and pitch
//!   ([`features`]); when those clusters are not clearly apart (real voices on one line
//!   seldom are), found again from a trained speaker embedding ([`voice`], [`dvec`]), see
//!   [`mixed`].
//!
//! Each gives speaker turns; every word of the transcript goes to the speaker whose turn it
//! overlaps most, and a segment is cut at the word where the speaker changes ([`words`]). The speaker that
//! asks the questions is the interviewer ([`interviewer`]); each speaker's voice is stored for
//! [`profiles`]. The whole result is written in one transaction.

pub mod cluster;
pub mod der;
pub mod dvec;
pub mod features;
pub mod interviewer;
mod mixed;
pub mod profiles;
pub mod tracks;
pub mod voice;
pub mod words;

use self::mixed::probabilities;
pub use self::mixed::{mixed, separation, speech_regions, SEPARATED, TWO_VOICES};

use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use self::cluster::{ClusterOptions, Turn};
use self::features::{Frame, Stats};
use self::profiles::{Voice, VoiceSuggestion};
use self::words::split_by_turns;
use crate::error::{Error, Result};
use crate::media::{self, AudioStream};
use crate::progress::{CancelToken, Outcome, Progress};
use crate::transcribe::vad::{self, Vad};
use crate::transcript::{self, Cue, SegmentDetail};
use crate::workspace::Workspace;

/// How the speakers are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "DiarizeMethod")]
pub enum Method {
    /// Whatever the recordings allow: tracks, else separate stereo channels, else mixed.
    Auto,
    Tracks,
    Channels,
    Mixed,
}

impl Method {
    pub fn parse(text: &str) -> Result<Method> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Method::Auto),
            "tracks" => Ok(Method::Tracks),
            "channels" | "stereo" => Ok(Method::Channels),
            "mixed" => Ok(Method::Mixed),
            other => Err(Error::invalid(
                "--method",
                format!("expected auto, tracks, channels or mixed, found {other:?}"),
            )),
        }
    }
}

/// How to diarize.
#[derive(Debug, Clone)]
pub struct DiarizeOptions {
    /// The number of speakers of a mixed recording, when known (else estimated).
    pub speakers: Option<usize>,
    pub method: Method,
    /// The Silero VAD model (ggml); by default the one in the models folder.
    pub vad_model: PathBuf,
    /// The voice encoder ([`voice`]); by default the one in the models folder. Without it, a
    /// mixed recording is diarized on its MFCCs alone.
    pub voice_model: PathBuf,
}

impl Default for DiarizeOptions {
    fn default() -> Self {
        DiarizeOptions {
            speakers: None,
            method: Method::Auto,
            vad_model: crate::models::models_dir().join(vad::VAD_FILE),
            voice_model: voice::path_in(&crate::models::models_dir()),
        }
    }
}

/// A speaker as diarization left it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DiarizedSpeaker {
    pub id: i64,
    pub label: String,
    pub name: String,
    /// `interviewer` or `participant`, when the questions tell.
    pub role: Option<String>,
    pub speaking_ms: i64,
    pub segments: i64,
    /// Heard in the audio, with less than 3 % of the speech heard (or 3 s): likely a stray
    /// cluster, worth a look.
    pub flagged: bool,
}

/// A turn of a speaker (by label).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TurnView {
    pub start_ms: i64,
    pub end_ms: i64,
    pub speaker: String,
}

/// What a diarization did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DiarizeReport {
    pub session: i64,
    pub method: Method,
    /// The number of speakers asked for, if any.
    pub requested: Option<usize>,
    /// Clusters beyond the voices found, merged because they sound the same.
    pub merged_extra: usize,
    pub speakers: Vec<DiarizedSpeaker>,
    pub interviewer: Option<String>,
    pub turns: Vec<TurnView>,
    /// Segments cut in two or more where the speaker changes inside.
    pub segments_split: usize,
    pub segments: Vec<SegmentDetail>,
    pub suggestions: Vec<VoiceSuggestion>,
}

/// A recording of the session, as diarization sees it.
struct Rec {
    id: i64,
    track: Option<String>,
    offset_ms: i64,
    channels: i64,
}

fn recordings(conn: &Connection, session_id: i64) -> Result<Vec<Rec>> {
    let mut stmt =
        conn.prepare("SELECT id, track, offset_ms, coalesce(channels, 1) FROM recordings WHERE session_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([session_id], |r| {
            Ok(Rec { id: r.get(0)?, track: r.get(1)?, offset_ms: r.get(2)?, channels: r.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Decoded audio of a recording (one channel, or the mix): 16 kHz mono samples.
fn decode(
    ws: &Workspace,
    rec_id: i64,
    channel: Option<usize>,
    cancel: &CancelToken,
) -> Result<Option<Vec<f32>>> {
    let rec = media::recording(ws.conn(), &ws.media_dir(), rec_id)?;
    let mut stream = AudioStream::open(&rec.path, &rec.file_name)?;
    if let Some(c) = channel {
        stream = stream.only_channel(c);
    }
    let mut out = Vec::new();
    let mut target = 0;
    loop {
        if cancel.is_cancelled() {
            return Ok(None);
        }
        target += 60 * features::RATE;
        if !stream.fill(&mut out, target)? {
            break;
        }
    }
    Ok(Some(out))
}

/// True when the two channels carry different people: while anyone speaks, one channel is
/// at least 6 dB louder than the other most of the time.
fn channels_apart(left: &tracks::Activity, right: &tracks::Activity) -> bool {
    let (mut speech, mut apart) = (0usize, 0usize);
    for i in 0..left.probs.len().min(right.probs.len()) {
        if left.probs[i] >= vad::THRESHOLD || right.probs[i] >= vad::THRESHOLD {
            speech += 1;
            let (a, b) = (left.level[i].max(1e-6), right.level[i].max(1e-6));
            if (a / b).max(b / a) >= 2.0 {
                apart += 1;
            }
        }
    }
    speech > 0 && apart * 10 >= speech * 7
}

/// Statistics of the frames inside each speaker's turns.
fn stats_of_turns(frames: &[Frame], turns: &[Turn], offset_ms: i64, speaker: usize) -> Stats {
    let mut s = Stats::default();
    for t in turns.iter().filter(|t| t.speaker == speaker) {
        let a = features::frames_in(t.start_ms - offset_ms).min(frames.len());
        let b = features::frames_in(t.end_ms - offset_ms).min(frames.len());
        for f in &frames[a..b] {
            s.push(f);
        }
    }
    s
}

/// What the audio says: turns, speaker labels, each speaker's voice, merged clusters.
struct Heard {
    method: Method,
    turns: Vec<Turn>,
    labels: Vec<String>,
    stats: Vec<Stats>,
    /// Each speaker's mean d-vector (empty without the voice encoder).
    voices: Vec<Vec<f32>>,
    merged_extra: usize,
}

fn hear(
    ws: &Workspace,
    session_id: i64,
    opts: &DiarizeOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Option<Heard>> {
    let recs = recordings(ws.conn(), session_id)?;
    if recs.is_empty() {
        return Err(Error::invalid(
            format!("session {session_id}"),
            "has no recording to diarize: add one with `rapport recording add FILE --session ID`",
        ));
    }
    let tracked: Vec<&Rec> = recs.iter().filter(|r| r.track.is_some()).collect();
    let transcribed: Option<i64> = ws
        .conn()
        .query_row("SELECT recording_id FROM transcripts WHERE session_id = ?1", [session_id], |r| r.get(0))
        .optional()?
        .flatten();
    let main = transcribed
        .and_then(|id| recs.iter().find(|r| r.id == id))
        .or_else(|| recs.iter().rev().find(|r| r.track.is_none()))
        .unwrap_or(recs.last().expect("not empty"));
    let method = match opts.method {
        Method::Auto if tracked.len() >= 2 => Method::Tracks,
        Method::Auto if main.channels >= 2 => Method::Channels,
        Method::Auto => Method::Mixed,
        m => m,
    };
    if method == Method::Tracks && tracked.len() < 2 {
        return Err(Error::invalid(
            "--method",
            format!(
                "session {session_id} has {} recording(s) with a track name; tracks need two or more \
                 (`rapport recording add FILE --session {session_id} --track NAME`)",
                tracked.len()
            ),
        ));
    }
    // whisper.cpp's log goes to the `log` crate (silent unless a logger is set).
    whisper_rs::install_logging_hooks();
    let mut vad = Vad::open(&opts.vad_model)?;
    progress.begin("diarize", Some(100));
    let mut activity = |samples: &[f32], label: String, offset_ms: i64| -> Result<tracks::Activity> {
        Ok(tracks::Activity {
            label,
            offset_ms,
            probs: probabilities(&mut vad, samples)?,
            level: tracks::levels(samples),
        })
    };
    // An unusable encoder file (the Models screen says why) leaves the MFCC method alone.
    let encoder = match opts.voice_model.is_file().then(|| voice::VoiceEncoder::open(&opts.voice_model)) {
        Some(Ok(enc)) => Some(enc),
        Some(Err(e)) => {
            progress
                .message(&format!("the voice encoder is not usable ({e}); telling voices apart without it"));
            None
        }
        None => None,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let as_tracks = |acts: Vec<tracks::Activity>, audio: Vec<Vec<f32>>, method: Method| -> Heard {
        let turns = tracks::turns(&acts);
        let stats = acts
            .iter()
            .zip(&audio)
            .enumerate()
            .map(|(i, (a, samples))| stats_of_turns(&features::mfcc(samples), &turns, a.offset_ms, i))
            .collect();
        // Each track's voice from its own audio, over its own turns.
        let voices = match &encoder {
            Some(enc) => acts
                .iter()
                .zip(&audio)
                .enumerate()
                .map(|(i, (a, samples))| {
                    let mine: Vec<Turn> = turns
                        .iter()
                        .filter(|t| t.speaker == i)
                        .map(|t| Turn {
                            start_ms: t.start_ms - a.offset_ms,
                            end_ms: t.end_ms - a.offset_ms,
                            speaker: 0,
                        })
                        .collect();
                    dvec::voices(enc, samples, &mine, 1, threads, cancel).pop().unwrap_or_default()
                })
                .collect(),
            None => Vec::new(),
        };
        Heard {
            method,
            turns,
            labels: acts.into_iter().map(|a| a.label).collect(),
            stats,
            voices,
            merged_extra: 0,
        }
    };
    match method {
        Method::Tracks => {
            let mut acts = Vec::new();
            let mut audio = Vec::new();
            for (i, r) in tracked.iter().enumerate() {
                let Some(samples) = decode(ws, r.id, None, cancel)? else { return Ok(None) };
                acts.push(activity(&samples, r.track.clone().unwrap_or_default(), r.offset_ms)?);
                audio.push(samples);
                progress.advance(((i + 1) * 80 / tracked.len()) as u64);
            }
            let heard = as_tracks(acts, audio, Method::Tracks);
            Ok((!cancel.is_cancelled()).then_some(heard))
        }
        Method::Channels | Method::Mixed => {
            if method == Method::Channels {
                if main.channels < 2 {
                    return Err(Error::invalid("--method", format!("recording {} has one channel", main.id)));
                }
                let Some(left) = decode(ws, main.id, Some(0), cancel)? else { return Ok(None) };
                let Some(right) = decode(ws, main.id, Some(1), cancel)? else { return Ok(None) };
                let l = activity(&left, "Left".into(), main.offset_ms)?;
                let r = activity(&right, "Right".into(), main.offset_ms)?;
                progress.advance(60);
                if opts.method == Method::Channels || channels_apart(&l, &r) {
                    let heard = as_tracks(vec![l, r], vec![left, right], Method::Channels);
                    return Ok((!cancel.is_cancelled()).then_some(heard));
                }
            }
            let Some(samples) = decode(ws, main.id, None, cancel)? else { return Ok(None) };
            progress.advance(70);
            if cancel.is_cancelled() {
                return Ok(None);
            }
            let c = mixed(
                &samples,
                &mut vad,
                &ClusterOptions { speakers: opts.speakers, ..Default::default() },
                encoder.as_ref(),
                cancel,
            )?;
            if cancel.is_cancelled() {
                return Ok(None);
            }
            let shift = |t: Turn| Turn {
                start_ms: t.start_ms + main.offset_ms,
                end_ms: t.end_ms + main.offset_ms,
                ..t
            };
            Ok(Some(Heard {
                method: Method::Mixed,
                turns: c.turns.into_iter().map(shift).collect(),
                labels: (1..=c.stats.len()).map(|i| format!("Speaker {i}")).collect(),
                stats: c.stats,
                voices: c.voices,
                merged_extra: c.merged_extra,
            }))
        }
        Method::Auto => unreachable!("resolved above"),
    }
}

/// The questions of the session's guide version, if it has one.
fn guide_questions(conn: &Connection, session_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT q.text FROM guide_questions q JOIN sessions s ON s.guide_version_id = q.guide_version_id
         WHERE s.id = ?1 ORDER BY q.position",
    )?;
    let rows = stmt.query_map([session_id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(rows)
}

/// Diarizes the session's transcript: finds who speaks when, cuts segments where the speaker
/// changes, labels the interviewer and stores each speaker's voice, in one transaction. A
/// cancel returns `Outcome::Cancelled` with nothing changed.
pub fn diarize(
    ws: &mut Workspace,
    session_id: i64,
    opts: &DiarizeOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<DiarizeReport>> {
    crate::session::ensure(ws.conn(), session_id)?;
    if opts.speakers == Some(0) {
        return Err(Error::invalid("--speakers", "expected 1 or more speakers, found 0"));
    }
    let segments = transcript::segment_details(ws.conn(), session_id)?;
    if segments.is_empty() {
        return Err(Error::invalid(
            format!("session {session_id}"),
            "has no transcript to diarize: run `rapport transcribe` (or import one) first",
        ));
    }
    let Some(mut heard) = hear(ws, session_id, opts, progress, cancel)? else {
        return Ok(Outcome::Cancelled);
    };

    // Who is the interviewer: from the words each speaker would get.
    let mut plan: Vec<(i64, Vec<Cue>)> =
        segments.iter().map(|s| (s.id, split_by_turns(s, &heard.turns, &heard.labels))).collect();
    let mut texts = vec![Vec::new(); heard.labels.len()];
    for (_, parts) in &plan {
        for p in parts {
            if let Some(i) = p.speaker.as_ref().and_then(|l| heard.labels.iter().position(|x| x == l)) {
                texts[i].push(p.text.clone());
            }
        }
    }
    let guide = guide_questions(ws.conn(), session_id)?;
    let interviewer = interviewer::interviewer(&texts, &guide);
    let person_name: Option<String> = ws
        .conn()
        .query_row(
            "SELECT p.name FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id = ?1",
            [session_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let speaking: Vec<usize> = (0..heard.labels.len()).filter(|i| !texts[*i].is_empty()).collect();
    if heard.method == Method::Mixed {
        if let Some(iv) = interviewer {
            let old = heard.labels.clone();
            heard.labels[iv] = "Interviewer".into();
            let others: Vec<usize> = speaking.iter().copied().filter(|i| *i != iv).collect();
            if let ([one], Some(name)) = (others.as_slice(), person_name.as_ref()) {
                heard.labels[*one] = name.clone();
            } else if let [one] = others.as_slice() {
                heard.labels[*one] = "Participant".into();
            }
            for (_, parts) in &mut plan {
                for p in parts {
                    if let Some(i) = p.speaker.as_ref().and_then(|l| old.iter().position(|x| x == l)) {
                        p.speaker = Some(heard.labels[i].clone());
                    }
                }
            }
        }
    }
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    let tx = ws.conn_mut().transaction()?;
    let split = plan.iter().filter(|(_, p)| p.len() > 1).count();
    transcript::assign::resplit(&tx, session_id, &plan)?;
    if heard.method == Method::Mixed {
        transcript::speakers::link_interviewee(&tx, session_id)?;
    }
    let mut voices = Vec::new();
    for (i, label) in heard.labels.iter().enumerate() {
        if let Ok(id) = transcript::speakers::resolve_speaker(&tx, session_id, label) {
            let role = match interviewer {
                Some(iv) if iv == i => Some("interviewer"),
                Some(_) => Some("participant"),
                None => None,
            };
            let mut voice = Voice::of(&heard.stats[i]);
            voice.dvector = heard.voices.get(i).cloned().unwrap_or_default();
            voices.push((id, voice, role));
        }
    }
    profiles::store_voices(&tx, &voices)?;
    tx.commit()?;
    progress.advance(100);

    let conn = ws.conn();
    let speakers = speakers(conn, session_id)?;
    let interviewer = interviewer.map(|i| heard.labels[i].clone());
    Ok(Outcome::Done(DiarizeReport {
        session: session_id,
        method: heard.method,
        requested: opts.speakers,
        merged_extra: heard.merged_extra,
        speakers,
        interviewer,
        turns: heard
            .turns
            .iter()
            .map(|t| TurnView {
                start_ms: t.start_ms,
                end_ms: t.end_ms,
                speaker: heard.labels[t.speaker].clone(),
            })
            .collect(),
        segments_split: split,
        segments: transcript::segment_details(conn, session_id)?,
        suggestions: profiles::suggestions(conn, session_id)?,
    }))
}

/// The session's speakers with their diarized roles, speaking time and whether they have so
/// little speech that they are likely a stray cluster (`flagged`).
pub fn speakers(conn: &Connection, session_id: i64) -> Result<Vec<DiarizedSpeaker>> {
    let views = transcript::list_speakers(conn, session_id)?;
    let heard: Vec<bool> = views.iter().map(|v| profiles::has_voice(conn, v.id)).collect::<Result<_>>()?;
    // Shares of the speech heard: speakers of segments beyond the audio are not compared.
    let total: i64 = views.iter().zip(&heard).filter(|(_, h)| **h).map(|(v, _)| v.speaking_ms).sum();
    let voices = heard.iter().filter(|h| **h).count();
    views
        .iter()
        .zip(&heard)
        .map(|(v, &h)| {
            Ok(DiarizedSpeaker {
                id: v.id,
                label: v.label.clone(),
                name: v.name.clone(),
                role: profiles::role(conn, v.id)?,
                speaking_ms: v.speaking_ms,
                segments: v.segments,
                flagged: h && voices > 1 && (v.speaking_ms * 100 < total * 3 || v.speaking_ms < 3000),
            })
        })
        .collect()
}

/// Sets a recording's track name and offset on the session's time line (`--track`,
/// `--offset`): a recording with a track name is one participant's audio.
pub fn set_track(conn: &Connection, recording_id: i64, track: Option<&str>, offset_ms: i64) -> Result<()> {
    media::set_track(conn, recording_id, track, offset_ms)
}
