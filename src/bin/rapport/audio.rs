//! Verbs on recordings and transcription: `recording add`, `transcribe`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use rapport::media;
use rapport::progress::{CancelToken, Outcome};
use rapport::transcribe::{self, Target, TranscribeOptions};

use crate::bar::{TermBar, Unit};
use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Recordings of sessions.
    Recording {
        #[command(subcommand)]
        command: RecordingCmd,
    },
    /// Transcribe a session's recording on this machine (whisper.cpp).
    Transcribe {
        /// A session id (12 or session:12) or a recording id (recording:7).
        target: String,
        /// The model: a file path, or a name like tiny.en (looked up in the models folder).
        #[arg(long, default_value = "tiny.en")]
        model: String,
        /// CPU threads (default: the number of cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// The spoken language, e.g. en or de (default: detect; English-only models: en).
        #[arg(long)]
        language: Option<String>,
        /// Chunks of the audio transcribed at the same time (default: 2 with two cores or
        /// more), each by its own whisper state; 1 keeps memory lowest.
        #[arg(long, default_value_t = 0)]
        parallel: usize,
        /// The longest chunk of speech whisper reads at once, in seconds (5 to 30); the voice
        /// activity detector's speech is packed into chunks that end in pauses.
        #[arg(long, default_value_t = rapport::transcribe::DEFAULT_CHUNK_SECS,
              value_parser = clap::value_parser!(u32).range(5..=30))]
        chunk_secs: u32,
        /// Then tell the speakers apart (as `rapport diarize` does).
        #[arg(long)]
        diarize: bool,
        /// With --diarize: the number of speakers, when known.
        #[arg(long, requires = "diarize", value_parser = clap::value_parser!(u16).range(1..=20))]
        speakers: Option<u16>,
    },
}

#[derive(Subcommand)]
pub enum RecordingCmd {
    /// Copy an audio or video file into the workspace (under its sha256) as a session's recording.
    Add {
        file: PathBuf,
        /// The session (id).
        #[arg(long)]
        session: i64,
        /// This file is one participant's track of the call (Zoom's separate audio per
        /// participant): their name, which diarization gives their words.
        #[arg(long)]
        track: Option<String>,
        /// Where this recording starts on the session's time line, in ms (tracks that began
        /// late), e.g. 1500.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        offset: i64,
    },
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Recording { command: RecordingCmd::Add { file, session, track, offset } } => {
            let mut ws = ctx.open()?;
            let media_dir = ws.media_dir();
            let tx = ws.conn_mut().transaction()?;
            let id = media::add_recording_file(&tx, &media_dir, *session, file)?;
            if track.is_some() || *offset != 0 {
                media::set_track(&tx, id, track.as_deref(), *offset)?;
            }
            tx.commit()?;
            if ctx.json {
                let recs = media::recordings_of_session(ws.conn(), *session)?;
                let rec = recs.into_iter().find(|r| r.id == id).context("the recording just added")?;
                ctx.print_json(&serde_json::json!({
                    "id": rec.id,
                    "session": session,
                    "sha256": rec.sha256,
                    "file_name": rec.file_name,
                    "codec": rec.codec,
                    "duration_ms": rec.duration_ms,
                    "sample_rate": rec.sample_rate,
                    "channels": rec.channels,
                    "track": rec.track,
                    "offset_ms": rec.offset_ms,
                }))?;
            } else {
                println!("{id}");
            }
        }
        Cmd::Transcribe { target, model, threads, language, parallel, chunk_secs, diarize, speakers } => {
            let target = Target::parse(target)?;
            let mut opts = TranscribeOptions::new(model_path(model)?);
            opts.threads = *threads;
            opts.language = language.clone();
            opts.parallel = *parallel;
            opts.chunk_secs = *chunk_secs;
            let mut ws = ctx.open()?;
            let cancel = CancelToken::new();
            let on_signal = cancel.clone();
            ctrlc::set_handler(move || on_signal.cancel()).context("installing the Ctrl-C handler")?;
            let bar = TermBar::new(Unit::Percent, "");
            let outcome = transcribe::transcribe(&mut ws, target, &opts, &bar, &cancel);
            bar.finish();
            let outcome = outcome?;
            let report = match outcome {
                Outcome::Done(report) => report,
                Outcome::Cancelled => {
                    return Err(rapport::Error::Cancelled("nothing was changed".into()).into())
                }
            };
            if *diarize {
                let method = rapport::diarize::Method::Auto;
                let Some(d) =
                    crate::diarize::run_diarize(&mut ws, report.session, speakers.map(usize::from), method)?
                else {
                    return Err(rapport::Error::Cancelled(
                        "diarization stopped; the transcript was stored without speakers".into(),
                    )
                    .into());
                };
                crate::diarize::print_report(ctx, &d, None)?;
                return Ok(ExitCode::SUCCESS);
            }
            if ctx.json {
                let segments: Vec<_> = report
                    .segments
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "start_ms": s.start_ms, "end_ms": s.end_ms, "speaker": s.speaker, "text": s.text,
                            "words": s.words,
                        })
                    })
                    .collect();
                ctx.print_json(&serde_json::json!({
                    "session": report.session,
                    "recording": report.recording,
                    "duration_ms": report.duration_ms,
                    "language": report.language,
                    "model": report.model,
                    "chunks": report.chunks,
                    "speech_ms": report.speech_ms,
                    "segments": segments,
                }))?;
            } else {
                for s in &report.segments {
                    println!(
                        "[{} --> {}] {}",
                        rapport::transcript::format_timestamp(s.start_ms),
                        rapport::transcript::format_timestamp(s.end_ms),
                        s.text
                    );
                }
                eprintln!(
                    "transcribed session {} ({} segments, language {}, model {})",
                    report.session,
                    report.segments.len(),
                    report.language,
                    report.model
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A model argument as a file: a path to a ggml file, or an installed model's name.
fn model_path(arg: &str) -> anyhow::Result<PathBuf> {
    Ok(rapport::models::resolve(arg)?)
}
