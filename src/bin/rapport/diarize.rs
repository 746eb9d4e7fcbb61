//! Verbs on speakers of the audio: `diarize SESSION`, `voice list|remember|forget|suggest`,
//! `reassign SEGMENT --to SPEAKER [--from-word K]`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use rapport::diarize::{self, profiles, DiarizeOptions, DiarizeReport, Method};
use rapport::progress::{CancelToken, Outcome};
use rapport::transcript::{self, format_timestamp};
use rapport::Workspace;

use crate::bar::{TermBar, Unit};
use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Tell the speakers of a session's transcript apart from its audio (tracks, stereo
    /// channels, or one mixed recording), cut segments where the speaker changes, and label
    /// the interviewer. Replaces the speakers of an earlier run.
    Diarize {
        /// The session (id).
        session: i64,
        /// The number of speakers, when known (default: estimated from the audio).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=20))]
        speakers: Option<u16>,
        /// auto (default): tracks when the session has them, else separate stereo channels,
        /// else mixed; or force one of tracks, channels, mixed.
        #[arg(long, default_value = "auto")]
        method: String,
        /// Score the result against reference speaker turns (an RTTM file): prints the
        /// diarization error rate (missed speech, false alarm, confusion), as pyannote.metrics.
        #[arg(long, value_name = "FILE.rttm")]
        reference: Option<std::path::PathBuf>,
        /// With --reference: the collar left out around each reference boundary, in ms each side.
        #[arg(long, default_value_t = 250)]
        collar: i64,
    },
    /// Voices remembered by name, suggested for speakers of new sessions.
    Voice {
        #[command(subcommand)]
        command: VoiceCmd,
    },
    /// Move a segment, or the rest of it from a word, to another speaker.
    Reassign {
        /// The segment (id, as `transcript show` lists them).
        segment: i64,
        /// The speaker to move it to (label or shown name; a new name makes a new speaker).
        #[arg(long)]
        to: String,
        /// Move only the words from this one on (0-based): the segment is split there.
        #[arg(long)]
        from_word: Option<usize>,
    },
}

#[derive(Subcommand)]
pub enum VoiceCmd {
    /// The remembered voices.
    List,
    /// Remember the voice of a diarized speaker under its shown name (or --name).
    Remember {
        #[arg(long)]
        session: i64,
        /// The speaker (label or shown name).
        speaker: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Forget a remembered voice.
    Forget { name: String },
    /// Names suggested for a session's speakers by the nearest remembered voice.
    Suggest { session: i64 },
}

/// Runs diarization with a progress bar; `None` when cancelled.
pub fn run_diarize(
    ws: &mut Workspace,
    session: i64,
    speakers: Option<usize>,
    method: Method,
) -> anyhow::Result<Option<DiarizeReport>> {
    let opts = DiarizeOptions { speakers, method, ..Default::default() };
    let bar = TermBar::new(Unit::Percent, "");
    let out = diarize::diarize(ws, session, &opts, &bar, &CancelToken::new());
    bar.finish();
    Ok(match out? {
        Outcome::Done(r) => Some(r),
        Outcome::Cancelled => None,
    })
}

/// Prints a diarization: JSON (segments with `speaker`), or the transcript with speakers.
pub fn print_report(ctx: &Ctx, r: &DiarizeReport, score: Option<&diarize::der::Der>) -> anyhow::Result<()> {
    if ctx.json {
        let segments: Vec<_> = r
            .segments
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "start_ms": s.start_ms, "end_ms": s.end_ms,
                    "speaker": s.speaker, "speaker_label": s.speaker_label, "text": s.text,
                })
            })
            .collect();
        return ctx.print_json(&serde_json::json!({
            "session": r.session,
            "method": r.method,
            "requested": r.requested,
            "merged_extra": r.merged_extra,
            "interviewer": r.interviewer,
            "speakers": r.speakers,
            "turns": r.turns,
            "segments_split": r.segments_split,
            "segments": segments,
            "suggestions": r.suggestions,
            "der": score,
        }));
    }
    for s in &r.segments {
        println!(
            "[{} --> {}] {}: {}",
            format_timestamp(s.start_ms),
            format_timestamp(s.end_ms),
            s.speaker.as_deref().unwrap_or("?"),
            s.text
        );
    }
    let names: Vec<String> = r
        .speakers
        .iter()
        .map(|s| {
            let role = s.role.as_deref().map(|r| format!(", {r}")).unwrap_or_default();
            let flag = if s.flagged { ", little speech: check it" } else { "" };
            format!("{} ({:.0} s{role}{flag})", s.name, s.speaking_ms as f64 / 1000.0)
        })
        .collect();
    eprintln!(
        "session {}: {} speakers by {:?} ({}); {} segments cut where the speaker changes",
        r.session,
        r.speakers.len(),
        r.method,
        names.join(", "),
        r.segments_split
    );
    if let Some(d) = score {
        eprintln!(
            "DER {:.1}% (missed {:.1} s, false alarm {:.1} s, confusion {:.1} s of {:.1} s scored)",
            d.der * 100.0,
            d.missed_ms as f64 / 1000.0,
            d.false_alarm_ms as f64 / 1000.0,
            d.confusion_ms as f64 / 1000.0,
            d.total_ms as f64 / 1000.0
        );
    }
    if r.merged_extra > 0 {
        eprintln!("{} clusters beyond the voices found were merged (they sound the same)", r.merged_extra);
    }
    for s in &r.suggestions {
        eprintln!(
            "{} sounds like {:?} (remembered voice; distance {:.2})",
            s.speaker_label, s.name, s.distance
        );
    }
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let mut ws = ctx.open()?;
    match cmd {
        Cmd::Diarize { session, speakers, method, reference, collar } => {
            let method = Method::parse(method)?;
            let reference = match reference {
                Some(path) => {
                    let text =
                        rapport::limits::read_text(path, rapport::limits::TRANSCRIPT, "RTTM reference")?;
                    rapport::limits::check_lines(&text, &path.display().to_string())?;
                    Some(diarize::der::read_rttm(&text, &path.display().to_string())?)
                }
                None => None,
            };
            let Some(report) = run_diarize(&mut ws, *session, speakers.map(usize::from), method)? else {
                return Err(rapport::Error::Cancelled("nothing was changed".into()).into());
            };
            let score = reference.map(|r| {
                let hyp: Vec<_> = report
                    .turns
                    .iter()
                    .map(|t| diarize::der::Labelled::new(t.start_ms, t.end_ms, &t.speaker))
                    .collect();
                diarize::der::der(&r, &hyp, *collar)
            });
            print_report(ctx, &report, score.as_ref())?;
        }
        Cmd::Voice { command } => match command {
            VoiceCmd::List => {
                let list = profiles::list(ws.conn())?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for p in &list {
                        println!("{}\t{} sessions\t{:.0} s of speech", p.name, p.sessions, p.speech_secs);
                    }
                }
            }
            VoiceCmd::Remember { session, speaker, name } => {
                let p = profiles::remember(ws.conn(), *session, speaker, name.as_deref())?;
                if ctx.json {
                    ctx.print_json(&p)?;
                } else {
                    println!("remembered the voice of {:?} ({} sessions)", p.name, p.sessions);
                }
            }
            VoiceCmd::Forget { name } => {
                profiles::forget(ws.conn(), name)?;
                if ctx.json {
                    ctx.print_json(&serde_json::json!({ "forgotten": name }))?;
                } else {
                    println!("forgot the voice of {name:?}");
                }
            }
            VoiceCmd::Suggest { session } => {
                rapport::session::ensure(ws.conn(), *session)?;
                let list = profiles::suggestions(ws.conn(), *session)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else if list.is_empty() {
                    println!("no remembered voice is close to a speaker of session {session}");
                } else {
                    for s in &list {
                        println!("{} sounds like {} (distance {:.2})", s.speaker_label, s.name, s.distance);
                    }
                }
            }
        },
        Cmd::Reassign { segment, to, from_word } => {
            let tx = ws.conn_mut().transaction()?;
            let moved = transcript::assign::move_to_speaker(&tx, *segment, *from_word, to)?;
            tx.commit()?;
            if ctx.json {
                ctx.print_json(&moved)?;
            } else {
                println!(
                    "segment {} [{} --> {}] is now {}: {}",
                    moved.id,
                    format_timestamp(moved.start_ms),
                    format_timestamp(moved.end_ms),
                    moved.speaker.as_deref().context("a speaker was just set")?,
                    moved.text
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
