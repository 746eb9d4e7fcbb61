//! Verbs on studies, sessions, people and findings.

use std::process::ExitCode;

use clap::Subcommand;
use rapport::{finding, people, session, study};

use crate::ctx::{date, yes_no, Ctx};

#[derive(Subcommand)]
pub enum Cmd {
    /// Studies.
    Study {
        #[command(subcommand)]
        command: StudyCmd,
    },
    /// Sessions (interviews).
    Session {
        #[command(subcommand)]
        command: SessionCmd,
    },
    /// People in the user population.
    People {
        #[command(subcommand)]
        command: PeopleCmd,
    },
    /// Findings.
    Finding {
        #[command(subcommand)]
        command: FindingCmd,
    },
}

#[derive(Subcommand)]
pub enum StudyCmd {
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
pub enum SessionCmd {
    /// List sessions.
    List {
        /// Only the sessions of this study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PeopleCmd {
    /// List people.
    List,
}

#[derive(Subcommand)]
pub enum FindingCmd {
    /// List findings with their evidence.
    List {
        /// Only the findings of this study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    let conn = ws.conn();
    match cmd {
        Cmd::Study { command: StudyCmd::Create { name, goal } } => {
            let id = study::create(conn, name, goal.as_deref(), None)?;
            ctx.print_id(id)?;
        }
        Cmd::Study { command: StudyCmd::List } => {
            let studies = study::list(conn)?;
            if ctx.json {
                ctx.print_json(&studies)?;
            } else if studies.is_empty() {
                println!("no studies yet: `rapport study create NAME` or `rapport demo`");
            } else {
                println!("{:>4}  {:<32} {:>8} {:>6} {:>8}", "id", "name", "sessions", "people", "findings");
                for s in studies {
                    println!(
                        "{:>4}  {:<32} {:>8} {:>6} {:>8}",
                        s.id, s.name, s.sessions, s.people, s.findings
                    );
                }
            }
        }
        Cmd::Session { command: SessionCmd::List { study: key } } => {
            let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
            let sessions = session::list(conn, study_id)?;
            if ctx.json {
                ctx.print_json(&sessions)?;
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
        Cmd::People { command: PeopleCmd::List } => {
            let list = people::list(conn)?;
            if ctx.json {
                ctx.print_json(&list)?;
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
        Cmd::Finding { command: FindingCmd::List { study: key } } => {
            let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
            let list = finding::list(conn, study_id)?;
            if ctx.json {
                ctx.print_json(&list)?;
            } else {
                for f in list {
                    println!("{:>4}  {}  ({} evidence, {})", f.id, f.title, f.evidence.len(), f.study);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
