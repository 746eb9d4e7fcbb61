//! Verbs on studies and sessions (people are in `recruit.rs`, findings in `synthesis.rs`).

use std::process::ExitCode;

use clap::Subcommand;
use rapport::session::{DeletePlan, SessionInput};
use rapport::study::StudyInput;
use rapport::{session, study};

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
}

#[derive(Subcommand)]
pub enum StudyCmd {
    /// Create a study.
    Create {
        name: String,
        /// What the study wants to learn.
        #[arg(long)]
        goal: Option<String>,
        /// When it starts (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        started: Option<String>,
    },
    /// Change a study's name, goal or start date (what is not given stays).
    Edit {
        /// The study (id or name).
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// The new goal ("" removes it).
        #[arg(long)]
        goal: Option<String>,
        /// The new start date, YYYY-MM-DD ("" removes it).
        #[arg(long, value_name = "DATE")]
        started: Option<String>,
    },
    /// Archive a study: it leaves the active list and keeps everything.
    Archive {
        /// The study (id or name).
        id: String,
        /// Bring it back instead.
        #[arg(long)]
        undo: bool,
    },
    /// Bring an archived study back to the active list.
    Unarchive {
        /// The study (id or name).
        id: String,
    },
    /// Delete a study with its sessions, transcripts, highlights, findings and the recording
    /// files no other study uses.
    Delete {
        /// The study (id or name).
        id: String,
        /// Really delete (without it, only says what would go).
        #[arg(long)]
        yes: bool,
    },
    /// List studies with their counts.
    List,
}

#[derive(Subcommand)]
pub enum SessionCmd {
    /// Plan a session (an interview) with a person; a new email is added to the directory.
    Create {
        /// The study (id or name).
        #[arg(long)]
        study: String,
        /// The person's email.
        #[arg(long, value_name = "EMAIL")]
        person: String,
        /// The person's name, when they are new to the directory.
        #[arg(long)]
        name: Option<String>,
        /// When (RFC 3339 or YYYY-MM-DD; default now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// The guide version it follows (default the study's current one).
        #[arg(long, value_name = "ID")]
        guide_version: Option<i64>,
    },
    /// Change a session's person, time, title or guide version (what is not given stays).
    Edit {
        id: i64,
        /// The person's email (added to the directory when new).
        #[arg(long, value_name = "EMAIL")]
        person: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The new title ("" removes it).
        #[arg(long)]
        title: Option<String>,
        #[arg(long, value_name = "ID")]
        guide_version: Option<i64>,
    },
    /// Delete a session with its transcript, notes, highlights and the recording files no
    /// other session uses.
    Delete {
        id: i64,
        /// Really delete (without it, only says what would go).
        #[arg(long)]
        yes: bool,
    },
    /// List sessions.
    List {
        /// Only the sessions of this study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    let conn = ws.conn();
    match cmd {
        Cmd::Study { command: StudyCmd::Create { name, goal, started } } => {
            let id = study::create(conn, name, goal.as_deref(), started.as_deref())?;
            ctx.print_id(id)?;
        }
        Cmd::Study { command: StudyCmd::Edit { id, name, goal, started } } => {
            let id = study::resolve(conn, id)?;
            let now = study::get(conn, id)?;
            let input = StudyInput {
                name: name.clone().unwrap_or(now.name),
                goal: goal.clone().or(now.goal),
                started_at: started.clone().or(now.started_at),
            };
            print_study(ctx, &study::update(conn, id, &input)?)?;
        }
        Cmd::Study { command: StudyCmd::Archive { id, undo } } => {
            let id = study::resolve(conn, id)?;
            print_study(ctx, &study::set_archived(conn, id, !undo)?)?;
        }
        Cmd::Study { command: StudyCmd::Unarchive { id } } => {
            let id = study::resolve(conn, id)?;
            print_study(ctx, &study::set_archived(conn, id, false)?)?;
        }
        Cmd::Study { command: StudyCmd::Delete { id, yes } } => {
            let id = study::resolve(conn, id)?;
            let plan =
                if *yes { study::delete(conn, &ws.media_dir(), id)? } else { study::delete_plan(conn, id)? };
            print_plan(ctx, &plan, *yes)?;
        }
        Cmd::Session {
            command: SessionCmd::Create { study: key, person, name, at, title, guide_version },
        } => {
            let study_id = study::resolve(conn, key)?;
            let guide_version_id = match guide_version {
                Some(v) => Some(*v),
                None => rapport::guide::current_for_study(conn, study_id)?.map(|g| g.id),
            };
            let input = SessionInput {
                person_id: None,
                email: Some(person.clone()),
                name: name.clone(),
                at: at.clone().unwrap_or_else(rapport::store::now),
                title: title.clone(),
                guide_version_id,
            };
            ctx.print_id(session::create_with(conn, study_id, &input)?)?;
        }
        Cmd::Session { command: SessionCmd::Edit { id, person, name, at, title, guide_version } } => {
            let now = session::get(conn, *id)?;
            let input = SessionInput {
                person_id: if person.is_some() { None } else { now.person_id },
                email: person.clone().or_else(|| Some(now.person_email.clone()).filter(|e| !e.is_empty())),
                name: name.clone(),
                at: at.clone().unwrap_or(now.at),
                title: title.clone().or(now.title),
                guide_version_id: guide_version.or(now.guide_version_id),
            };
            let s = session::update(conn, *id, &input)?;
            if ctx.json {
                ctx.print_json(&s)?;
            } else {
                println!("session {}: {} <{}>, {}", s.id, s.person_name, s.person_email, s.at);
            }
        }
        Cmd::Session { command: SessionCmd::Delete { id, yes } } => {
            let plan = if *yes {
                session::delete(conn, &ws.media_dir(), *id)?
            } else {
                session::delete_plan(conn, *id)?
            };
            print_plan(ctx, &plan, *yes)?;
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
                        "{:>4}  {:<32} {:>8} {:>6} {:>8}{}",
                        s.id,
                        s.name,
                        s.sessions,
                        s.people,
                        s.findings,
                        if s.archived_at.is_some() { "  (archived)" } else { "" }
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
    }
    Ok(ExitCode::SUCCESS)
}

fn print_study(ctx: &Ctx, s: &study::StudySummary) -> anyhow::Result<()> {
    if ctx.json {
        return ctx.print_json(s);
    }
    let state = match &s.archived_at {
        Some(at) => format!("archived {}", date(at)),
        None => "active".to_string(),
    };
    println!("study {}: {} ({state})", s.id, s.name);
    Ok(())
}

/// Says what a delete removed (`done`) or would remove; with `--json`, the plan and `deleted`.
fn print_plan(ctx: &Ctx, plan: &DeletePlan, done: bool) -> anyhow::Result<()> {
    if ctx.json {
        let mut value = serde_json::to_value(plan)?;
        value["deleted"] = serde_json::Value::Bool(done);
        return ctx.print_json(&value);
    }
    let verb = if done { "deleted" } else { "would delete" };
    println!("{verb} {} {:?}:", plan.what, plan.name);
    if plan.what == "study" {
        println!("  {} sessions, {} findings", plan.sessions, plan.findings);
    }
    println!(
        "  {} transcript segments, {} highlights, {} notes, {} recordings",
        plan.segments, plan.highlights, plan.notes, plan.recordings
    );
    for f in &plan.files_removed {
        println!("  the stored copy of {f}");
    }
    if plan.files_kept > 0 {
        println!("  ({} recording files stay: other sessions use them)", plan.files_kept);
    }
    if !done {
        return Err(rapport::Error::invalid("--yes", "nothing was deleted: add --yes to delete").into());
    }
    Ok(())
}
