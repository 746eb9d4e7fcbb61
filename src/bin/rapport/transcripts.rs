//! Verbs on transcripts, their speakers and their segments:
//! `transcript import|export|show`, `speaker list|rename|merge|link`,
//! `segment edit|split|merge|history`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use rapport::transcript::{self, speakers, ExportFormat, Format, SegmentDetail, SpeakerView};
use rapport::{people, session};

use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Transcripts: import a file into a session, export one, show one.
    Transcript {
        #[command(subcommand)]
        command: TranscriptCmd,
    },
    /// The speakers of a session's transcript.
    Speaker {
        #[command(subcommand)]
        command: SpeakerCmd,
    },
    /// Segments of a transcript: edit the text, split, merge, see earlier texts.
    Segment {
        #[command(subcommand)]
        command: SegmentCmd,
    },
}

#[derive(Subcommand)]
pub enum TranscriptCmd {
    /// Import a transcript file (WebVTT, SRT, Otter text, stamped text, Rapport JSON) into a
    /// session, replacing its transcript. A bad file changes nothing.
    Import {
        file: PathBuf,
        /// The session (id).
        #[arg(long)]
        session: i64,
        /// The file's format; `auto` tells it from the content (and the extension).
        #[arg(long, default_value = "auto", value_parser = ["auto", "vtt", "srt", "otter", "text", "json"])]
        format: String,
    },
    /// Write a session's transcript with times and speakers (to stdout unless --out).
    Export {
        /// The session (id).
        session: i64,
        #[arg(long, value_parser = ["srt", "vtt", "txt", "json", "md"])]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Show a session's transcript with the segment ids the `segment` verbs take.
    Show {
        /// The session (id).
        session: i64,
    },
}

#[derive(Subcommand)]
pub enum SpeakerCmd {
    /// List the speakers of a session with their names, people and speaking time.
    List {
        #[arg(long)]
        session: i64,
    },
    /// Give a speaker (by label or shown name) a new name.
    Rename {
        #[arg(long)]
        session: i64,
        label: String,
        new_name: String,
    },
    /// Move every segment of speaker FROM to speaker INTO, and remove FROM.
    Merge {
        #[arg(long)]
        session: i64,
        from: String,
        into: String,
    },
    /// Link a speaker to a person: it then shows as the person's name unless renamed.
    Link {
        #[arg(long)]
        session: i64,
        label: String,
        /// The person's email.
        #[arg(long, value_name = "EMAIL")]
        person: String,
    },
}

#[derive(Subcommand)]
pub enum SegmentCmd {
    /// Replace a segment's text (the old text is kept in its history).
    Edit {
        id: i64,
        #[arg(long)]
        text: String,
    },
    /// Split a segment in two at the word boundary nearest to a time.
    Split {
        id: i64,
        /// Milliseconds from the start of the session, or a time like 00:01:02.500.
        #[arg(long, value_name = "MS", value_parser = parse_ms)]
        at: i64,
    },
    /// Merge two neighbouring segments into one.
    Merge { id: i64, id2: i64 },
    /// Show a segment's earlier texts.
    History { id: i64 },
}

fn parse_ms(s: &str) -> Result<i64, String> {
    if let Ok(ms) = s.trim().parse::<i64>() {
        return Ok(ms);
    }
    transcript::parse_timestamp(s).ok_or_else(|| {
        format!("expected milliseconds (like 62500) or a time (like 00:01:02.500), found {s:?}")
    })
}

/// `[start–end]` in `HH:MM:SS.mmm`.
fn span(start_ms: i64, end_ms: i64) -> String {
    format!("[{} – {}]", transcript::format_timestamp(start_ms), transcript::format_timestamp(end_ms))
}

fn segment_line(s: &SegmentDetail) -> String {
    match &s.speaker {
        Some(name) => format!("{:>6}  {}  {name}: {}", s.id, span(s.start_ms, s.end_ms), s.text),
        None => format!("{:>6}  {}  {}", s.id, span(s.start_ms, s.end_ms), s.text),
    }
}

/// Writes `text` to stdout; a reader that stops early (`| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn print_speaker(ctx: &Ctx, s: &SpeakerView, what: &str) -> anyhow::Result<()> {
    if ctx.json {
        return ctx.print_json(s);
    }
    let person = match (&s.person_name, &s.person_email) {
        (Some(name), Some(email)) => format!(", linked to {name} <{email}>"),
        _ => String::new(),
    };
    println!("speaker {} ({:?}) {what}: shows as {:?}{person}", s.id, s.label, s.name);
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    let conn = ws.conn();
    match cmd {
        Cmd::Transcript { command: TranscriptCmd::Import { file, session, format } } => {
            let format = if format == "auto" { None } else { Some(format.parse::<Format>()?) };
            let report = transcript::import_file(conn, *session, file, format)?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                for w in &report.warnings {
                    eprintln!("rapport: warning: {}:{}: {}", file.display(), w.line, w.reason);
                }
                println!(
                    "imported {} segments and {} speakers ({}) from {} ({}) into session {}{}",
                    report.segments,
                    report.speakers.len(),
                    if report.speakers.is_empty() {
                        "none named".to_string()
                    } else {
                        report.speakers.join(", ")
                    },
                    file.display(),
                    report.format.name(),
                    report.session_id,
                    if report.replaced { ", replacing its transcript" } else { "" }
                );
            }
        }
        Cmd::Transcript { command: TranscriptCmd::Export { session, format, out } } => {
            let format: ExportFormat = format.parse()?;
            let text = transcript::export(conn, *session, format)?;
            match out {
                None => write_stdout(&text)?,
                Some(path) => {
                    std::fs::write(path, &text)
                        .with_context(|| format!("{}: writing the export failed", path.display()))?;
                    let segments = transcript::segment_details(conn, *session)?.len();
                    if ctx.json {
                        ctx.print_json(&serde_json::json!({
                            "session": session, "format": format.name(), "path": path, "segments": segments
                        }))?;
                    } else {
                        println!(
                            "wrote {segments} segments of session {session} to {} ({})",
                            path.display(),
                            format.name()
                        );
                    }
                }
            }
        }
        Cmd::Transcript { command: TranscriptCmd::Show { session } } => {
            session::ensure(conn, *session)?;
            let segments = transcript::segment_details(conn, *session)?;
            if ctx.json {
                ctx.print_json(&segments)?;
            } else if segments.is_empty() {
                println!(
                    "session {session} has no transcript: `rapport transcript import FILE --session {session}` or `rapport transcribe {session}`"
                );
            } else {
                let lines: Vec<String> = segments.iter().map(|s| segment_line(s) + "\n").collect();
                write_stdout(&lines.concat())?;
            }
        }
        Cmd::Speaker { command: SpeakerCmd::List { session } } => {
            let list = transcript::list_speakers(conn, *session)?;
            if ctx.json {
                ctx.print_json(&list)?;
            } else if list.is_empty() {
                println!("session {session} has no named speakers");
            } else {
                println!(
                    "{:<24} {:<24} {:<32} {:>8} {:>9}",
                    "label", "shown as", "person", "segments", "time"
                );
                for s in list {
                    println!(
                        "{:<24} {:<24} {:<32} {:>8} {:>9}",
                        s.label,
                        s.name,
                        s.person_email.unwrap_or_default(),
                        s.segments,
                        transcript::format_timestamp(s.speaking_ms).get(..8).unwrap_or_default()
                    );
                }
            }
        }
        Cmd::Speaker { command: SpeakerCmd::Rename { session, label, new_name } } => {
            let s = transcript::rename_speaker(conn, *session, label, new_name)?;
            print_speaker(ctx, &s, "renamed")?;
        }
        Cmd::Speaker { command: SpeakerCmd::Merge { session, from, into } } => {
            let merge = transcript::merge_speakers(conn, *session, from, into)?;
            if ctx.json {
                ctx.print_json(&merge)?;
            } else {
                println!(
                    "merged speaker {:?} into {:?} ({:?}): {} segments moved",
                    merge.removed, merge.into.label, merge.into.name, merge.moved
                );
            }
        }
        Cmd::Speaker { command: SpeakerCmd::Link { session, label, person } } => {
            let person_id = people::resolve(conn, person)?;
            let id = speakers::resolve_speaker(conn, *session, label)?;
            let label = speakers::speaker(conn, id)?.label;
            transcript::link_speaker(conn, *session, &label, person_id)?;
            print_speaker(ctx, &speakers::speaker(conn, id)?, "linked")?;
        }
        Cmd::Segment { command: SegmentCmd::Edit { id, text } } => {
            let s = transcript::edit_segment(conn, *id, text)?;
            if ctx.json {
                ctx.print_json(&s)?;
            } else {
                println!("{}", segment_line(&s));
            }
        }
        Cmd::Segment { command: SegmentCmd::Split { id, at } } => {
            let split = transcript::split_segment(conn, *id, *at)?;
            if ctx.json {
                ctx.print_json(&split)?;
            } else {
                println!(
                    "split segment {} at {} into {} {:?} and {} {:?}",
                    split.first.id,
                    transcript::format_timestamp(split.second.start_ms),
                    split.first.id,
                    split.first.text,
                    split.second.id,
                    split.second.text
                );
            }
        }
        Cmd::Segment { command: SegmentCmd::Merge { id, id2 } } => {
            let s = transcript::merge_segments(conn, *id, *id2)?;
            if ctx.json {
                ctx.print_json(&s)?;
            } else {
                println!("{}", segment_line(&s));
            }
        }
        Cmd::Segment { command: SegmentCmd::History { id } } => {
            let edits = transcript::segment_history(conn, *id)?;
            if ctx.json {
                ctx.print_json(&edits)?;
            } else if edits.is_empty() {
                println!("segment {id} has not been edited");
            } else {
                for e in edits {
                    println!("{}  {:?} -> {:?}", e.at, e.old_text, e.new_text);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
