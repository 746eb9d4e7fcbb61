//! The `rapport` command line: parses arguments, calls the core, prints the result for a
//! person or, with `--json`, for a script. Errors are one line on stderr and a non-zero exit.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rapport::{demo, finding, people, session, study, verify, Workspace};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "rapport",
    version,
    about = "Research interviews, transcripts and deploy insights on your own machine"
)]
struct Cli {
    /// The workspace folder (default: $RAPPORT_WORKSPACE, else the OS data dir).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a workspace (or check that the folder already is one).
    Init,
    /// Fill the workspace with the demo study "New deploy system".
    Demo {
        /// Read the demo files from this folder (same layout as assets/demo/) instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
    /// Check the database and re-hash every media file.
    Verify,
    /// Studies.
    Study {
        #[command(subcommand)]
        command: StudyCommand,
    },
    /// Sessions (interviews).
    Session {
        #[command(subcommand)]
        command: SessionCommand,
    },
    /// People in the user population.
    People {
        #[command(subcommand)]
        command: PeopleCommand,
    },
    /// Findings.
    Finding {
        #[command(subcommand)]
        command: FindingCommand,
    },
}

#[derive(Subcommand)]
enum StudyCommand {
    /// Create a study.
    Create {
        name: String,
        /// What the study wants to learn.
        #[arg(long)]
        goal: Option<String>,
    },
    /// List studies with their counts.
    List,
}

#[derive(Subcommand)]
enum SessionCommand {
    /// List sessions.
    List {
        /// Only the sessions of this study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// List people.
    List,
}

#[derive(Subcommand)]
enum FindingCommand {
    /// List findings with their evidence.
    List {
        /// Only the findings of this study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            let code = err.downcast_ref::<rapport::Error>().map(|e| e.code());
            if cli.json {
                let body = serde_json::json!({"error": {"code": code, "message": format!("{err:#}")}});
                let _ = writeln!(std::io::stderr(), "{body}");
            } else {
                let _ = writeln!(std::io::stderr(), "rapport: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}

fn workspace_dir(cli: &Cli) -> PathBuf {
    cli.workspace.clone().unwrap_or_else(Workspace::default_dir)
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn print_id(cli: &Cli, id: i64) -> anyhow::Result<()> {
    if cli.json {
        print_json(&serde_json::json!({ "id": id }))
    } else {
        println!("{id}");
        Ok(())
    }
}

fn date(ts: &str) -> &str {
    ts.get(..10).unwrap_or(ts)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let dir = workspace_dir(cli);
    match &cli.command {
        Command::Init => {
            let existed = Workspace::exists(&dir);
            let ws = Workspace::create(&dir)?;
            if cli.json {
                print_json(&ws.info(false)?)?;
            } else if existed {
                println!("{} is already a workspace", dir.display());
            } else {
                println!("created workspace {}", dir.display());
            }
        }
        Command::Demo { from } => {
            let mut ws = Workspace::create(&dir)?;
            let source = from.clone().map(demo::Source::Folder).unwrap_or(demo::Source::Embedded);
            let report = demo::load(&mut ws, &source)?;
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "added the study {:?} (id {}) to {}: {} sessions, {} people, {} highlights, {} findings, {} NPS responses, {} deploy events",
                    demo::DEMO_STUDY,
                    report.study_id,
                    dir.display(),
                    report.sessions,
                    report.people,
                    report.highlights,
                    report.findings,
                    report.nps_responses,
                    report.deploy_events
                );
            }
        }
        Command::Verify => {
            let ws = Workspace::open(&dir)?;
            let report = verify::verify(&ws)?;
            if cli.json {
                print_json(&report)?;
            } else {
                for p in &report.problems {
                    eprintln!("problem: {p}");
                }
                for u in &report.unreferenced_media {
                    println!("note: {u} is not referenced by any recording");
                }
                if report.ok {
                    println!(
                        "ok: database intact, {} media file(s) match their sha256",
                        report.media_files_checked
                    );
                }
            }
            if !report.ok {
                if cli.json {
                    eprintln!("rapport: verify found {} problem(s)", report.problems.len());
                }
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Study { command } => {
            let ws = Workspace::open(&dir)?;
            match command {
                StudyCommand::Create { name, goal } => {
                    let id = study::create(ws.conn(), name, goal.as_deref(), None)?;
                    print_id(cli, id)?;
                }
                StudyCommand::List => {
                    let studies = study::list(ws.conn())?;
                    if cli.json {
                        print_json(&studies)?;
                    } else if studies.is_empty() {
                        println!("no studies yet: `rapport study create NAME` or `rapport demo`");
                    } else {
                        println!(
                            "{:>4}  {:<32} {:>8} {:>6} {:>8}",
                            "id", "name", "sessions", "people", "findings"
                        );
                        for s in studies {
                            println!(
                                "{:>4}  {:<32} {:>8} {:>6} {:>8}",
                                s.id, s.name, s.sessions, s.people, s.findings
                            );
                        }
                    }
                }
            }
        }
        Command::Session { command: SessionCommand::List { study: key } } => {
            let ws = Workspace::open(&dir)?;
            let study_id = key.as_deref().map(|k| study::resolve(ws.conn(), k)).transpose()?;
            let sessions = session::list(ws.conn(), study_id)?;
            if cli.json {
                print_json(&sessions)?;
            } else {
                println!(
                    "{:>4}  {:<10} {:<24} {:<28} {:<9} {:<10}",
                    "id", "date", "study", "person", "recording", "transcript"
                );
                for s in sessions {
                    println!(
                        "{:>4}  {:<10} {:<24} {:<28} {:<9} {:<10}",
                        s.id,
                        date(&s.at),
                        s.study,
                        s.person_email,
                        yes_no(s.has_recording),
                        yes_no(s.has_transcript)
                    );
                }
            }
        }
        Command::People { command: PeopleCommand::List } => {
            let ws = Workspace::open(&dir)?;
            let list = people::list(ws.conn())?;
            if cli.json {
                print_json(&list)?;
            } else {
                for p in list {
                    println!(
                        "{:<32} {:<24} {:<12} {:<18} {}",
                        p.email,
                        p.name,
                        p.team.unwrap_or_default(),
                        p.role.unwrap_or_default(),
                        p.status
                    );
                }
            }
        }
        Command::Finding { command: FindingCommand::List { study: key } } => {
            let ws = Workspace::open(&dir)?;
            let study_id = key.as_deref().map(|k| study::resolve(ws.conn(), k)).transpose()?;
            let list = finding::list(ws.conn(), study_id)?;
            if cli.json {
                print_json(&list)?;
            } else {
                for f in list {
                    println!("{:>4}  {}  ({} evidence, {})", f.id, f.title, f.evidence.len(), f.study);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
