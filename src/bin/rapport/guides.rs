//! Verbs on interview guides, session notes and links: `guide import|export|list|show|
//! versions|diff|lint|answers|check|delete`, `note add|list|edit|delete|page`, `open URL`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use rapport::guide::{self, diff, lint, run};
use rapport::{links, notes, session, study};

use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Interview guides: import and export Markdown (and .docx), versions, lint, answers.
    Guide {
        #[command(subcommand)]
        command: GuideCmd,
    },
    /// Timestamped session notes, and a study's notes page.
    Note {
        #[command(subcommand)]
        command: NoteCmd,
    },
    /// Open a rapport:// link (study/ID, session/ID?t=SECONDS, finding/ID) in the app.
    Open {
        url: String,
        /// Only check the link and say where it points; do not start the app.
        #[arg(long)]
        no_launch: bool,
    },
}

#[derive(Subcommand)]
pub enum GuideCmd {
    /// Import a guide (.md or .docx); the title of one of the study's guides adds a version.
    Import {
        file: PathBuf,
        /// The study (id or name).
        #[arg(long)]
        study: Option<String>,
    },
    /// Print a guide's canonical Markdown (its newest version unless --version).
    Export {
        /// The guide (id or title).
        id: String,
        /// The version number.
        #[arg(long)]
        version: Option<i64>,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List guides.
    List {
        #[arg(long)]
        study: Option<String>,
    },
    /// Show a guide version with its question ids.
    Show {
        id: String,
        #[arg(long)]
        version: Option<i64>,
    },
    /// The versions of a guide and how many sessions follow each.
    Versions { id: String },
    /// Compare two versions of a guide (default: the one before the newest, and the newest).
    Diff {
        id: String,
        #[arg(long)]
        from: Option<i64>,
        #[arg(long)]
        to: Option<i64>,
    },
    /// Check every question and probe of a guide (a file, or a stored guide's id or title).
    Lint { target: String },
    /// Where each question was asked in each transcript of a study, and the answer.
    Answers {
        #[arg(long)]
        study: String,
        /// The guide (default: the study's current one).
        #[arg(long)]
        guide: Option<String>,
    },
    /// Check a question off in a session (run mode), or clear it with --undo.
    Check {
        #[arg(long)]
        session: i64,
        /// The question id (`guide show`).
        #[arg(long)]
        question: i64,
        /// When, in ms of session time.
        #[arg(long, default_value_t = 0)]
        at: i64,
        #[arg(long)]
        undo: bool,
    },
    /// Delete a guide with all its versions (sessions keep everything else).
    Delete {
        id: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum NoteCmd {
    /// Add a note at a moment (ms) of a session.
    Add {
        #[arg(long)]
        session: i64,
        #[arg(long, value_name = "MS")]
        at: i64,
        text: String,
    },
    /// A session's notes in time order.
    List {
        #[arg(long)]
        session: i64,
    },
    /// Change a note's time or text.
    Edit {
        id: i64,
        #[arg(long, value_name = "MS")]
        at: Option<i64>,
        #[arg(long)]
        text: Option<String>,
    },
    /// Delete a note.
    Delete { id: i64 },
    /// Write a session's notes as Markdown (with links to each moment) or CSV.
    Export {
        #[arg(long)]
        session: i64,
        #[arg(long, default_value = "md", value_parser = ["md", "csv"])]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A study's notes page: print it, or replace it with --set.
    Page {
        #[arg(long)]
        study: String,
        #[arg(long)]
        set: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    if let Cmd::Guide { command: GuideCmd::Lint { target } } = cmd {
        // A file needs no workspace.
        if Path::new(target).exists() {
            let doc = guide::read_file(Path::new(target))?;
            return print_lint(ctx, &lint::lint(&doc));
        }
    }
    let ws = ctx.open()?;
    let conn = ws.conn();
    match cmd {
        Cmd::Guide { command: GuideCmd::Lint { target } } => {
            let g = guide::resolve(conn, target)?;
            let doc = guide::doc(conn, guide::current_version(conn, g)?)?;
            return print_lint(ctx, &lint::lint(&doc));
        }
        Cmd::Guide { command } => guide_cmd(ctx, conn, command)?,
        Cmd::Note { command } => note_cmd(ctx, conn, command)?,
        Cmd::Open { url, no_launch } => {
            let target = links::resolve(conn, url)?;
            let launched = !no_launch && launch(&ctx.dir, &target.url);
            if ctx.json {
                let mut v = serde_json::to_value(&target)?;
                v["launched"] = serde_json::json!(launched);
                ctx.print_json(&v)?;
            } else {
                let at = target.t_ms.map(|t| format!(" at {}", clock(t))).unwrap_or_default();
                let how = if launched { "opening" } else { "points at" };
                println!("{} {how} {:?} {}{at}: {}", target.url, target.kind, target.id, target.title);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the desktop app (next to this binary, or on PATH) at a link; false when not found.
fn launch(workspace: &Path, url: &str) -> bool {
    let beside = std::env::current_exe().ok().and_then(|e| e.parent().map(|p| p.join("rapport-desktop")));
    let program = beside.filter(|p| p.exists()).unwrap_or_else(|| PathBuf::from("rapport-desktop"));
    std::process::Command::new(program)
        .arg("--workspace")
        .arg(workspace)
        .arg("--open")
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

fn clock(ms: i64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn version_id(conn: &rusqlite::Connection, guide_id: i64, version: Option<i64>) -> anyhow::Result<i64> {
    match version {
        None => Ok(guide::current_version(conn, guide_id)?),
        Some(n) => guide::versions_of_guide(conn, guide_id)?
            .into_iter()
            .find(|v| v.version == n)
            .map(|v| v.id)
            .ok_or_else(|| rapport::Error::not_found("guide version", format!("{guide_id} v{n}")).into()),
    }
}

fn guide_cmd(ctx: &Ctx, conn: &rusqlite::Connection, cmd: &GuideCmd) -> anyhow::Result<()> {
    match cmd {
        GuideCmd::Import { file, study: key } => {
            let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
            let v = guide::import_file(conn, study_id, file)?;
            let d = guide::version_detail(conn, v)?;
            if ctx.json {
                ctx.print_json(&serde_json::json!({
                    "id": d.guide_id, "version_id": d.id, "version": d.version,
                    "title": d.doc.title, "sections": d.doc.sections.len(), "questions": d.questions.len(),
                }))?;
            } else {
                println!(
                    "guide {} \"{}\" version {} ({} sections, {} questions)",
                    d.guide_id,
                    d.doc.title,
                    d.version,
                    d.doc.sections.len(),
                    d.questions.len()
                );
            }
        }
        GuideCmd::Export { id, version, out } => {
            let g = guide::resolve(conn, id)?;
            let text = guide::format::write(&guide::doc(conn, version_id(conn, g, *version)?)?);
            match out {
                Some(path) => std::fs::write(path, &text).map_err(|e| rapport::Error::io(path, e))?,
                None => print!("{text}"),
            }
        }
        GuideCmd::List { study: key } => {
            let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
            let guides = guide::list(conn, study_id)?;
            if ctx.json {
                ctx.print_json(&guides)?;
            } else if guides.is_empty() {
                println!("no guides yet: `rapport guide import FILE.md --study S`");
            } else {
                println!(
                    "{:>4}  {:<40} {:>7} {:>9} {:>8}",
                    "id", "title", "version", "questions", "sessions"
                );
                for g in guides {
                    println!(
                        "{:>4}  {:<40} {:>7} {:>9} {:>8}",
                        g.id, g.title, g.version, g.questions, g.sessions
                    );
                }
            }
        }
        GuideCmd::Show { id, version } => {
            let g = guide::resolve(conn, id)?;
            let d = guide::version_detail(conn, version_id(conn, g, *version)?)?;
            if ctx.json {
                ctx.print_json(&d)?;
            } else {
                println!("{} (version {}, {} sessions follow it)", d.doc.title, d.version, d.sessions);
                let mut section = None;
                for q in &d.questions {
                    if section != Some(&q.section) {
                        println!("\n## {}", q.section);
                        section = Some(&q.section);
                    }
                    println!("[{}] {}", q.id, q.text);
                    for p in &q.probes {
                        println!("      - {p}");
                    }
                }
            }
        }
        GuideCmd::Versions { id } => {
            let g = guide::resolve(conn, id)?;
            let versions = guide::versions_of_guide(conn, g)?;
            if ctx.json {
                ctx.print_json(&versions)?;
            } else {
                for v in versions {
                    println!("version {:>3}  {}  {} sessions", v.version, v.created_at, v.sessions);
                }
            }
        }
        GuideCmd::Diff { id, from, to } => {
            let g = guide::resolve(conn, id)?;
            let versions = guide::versions_of_guide(conn, g)?;
            let newest = versions.first().map(|v| v.version).unwrap_or(1);
            let to = to.unwrap_or(newest);
            let from = from.unwrap_or((to - 1).max(1));
            let d = diff::diff(
                &guide::doc(conn, version_id(conn, g, Some(from))?)?,
                &guide::doc(conn, version_id(conn, g, Some(to))?)?,
            );
            if ctx.json {
                ctx.print_json(&d)?;
            } else {
                println!(
                    "version {from} → {to}: {} added, {} removed, {} reworded, {} moved, {} edited",
                    d.added, d.removed, d.reworded, d.moved, d.edited
                );
                for c in d.changes.iter().filter(|c| c.change != diff::ChangeKind::Unchanged) {
                    let text = match (&c.old_text, &c.new_text) {
                        (Some(o), Some(n)) if o != n => format!("{o}\n      → {n}"),
                        (_, Some(n)) => n.clone(),
                        (Some(o), None) => o.clone(),
                        (None, None) => String::new(),
                    };
                    println!("  {:<9} {text}", format!("{:?}", c.change).to_lowercase());
                }
            }
        }
        GuideCmd::Lint { .. } => unreachable!("run() lints before it dispatches"),
        GuideCmd::Answers { study: key, guide: g } => {
            let study_id = study::resolve(conn, key)?;
            let g = g.as_deref().map(|g| guide::resolve(conn, g)).transpose()?;
            let m = run::answers(conn, study_id, g)?;
            if ctx.json {
                ctx.print_json(&m)?;
            } else {
                for q in &m.questions {
                    println!("{}", q.text);
                    for a in &q.answers {
                        println!(
                            "  session {} at {} ({:.2}): {}",
                            a.session,
                            clock(a.span.start_ms),
                            a.span.score,
                            a.span.excerpt
                        );
                    }
                }
            }
        }
        GuideCmd::Check { session, question, at, undo } => {
            let checks = run::set_check(conn, *session, *question, *at, !undo)?;
            if ctx.json {
                ctx.print_json(&checks)?;
            } else {
                println!("{} questions checked off in session {session}", checks.len());
            }
        }
        GuideCmd::Delete { id, yes } => {
            let g = guide::resolve(conn, id)?;
            let list = guide::list(conn, None)?;
            let summary = list.iter().find(|x| x.id == g);
            if !yes {
                println!(
                    "would delete guide {g} with {} versions; {} sessions would follow no guide (add --yes)",
                    summary.map(|s| s.versions).unwrap_or(0),
                    summary.map(|s| s.sessions).unwrap_or(0)
                );
            } else {
                let sessions = guide::delete(conn, g)?;
                if ctx.json {
                    ctx.print_json(&serde_json::json!({"deleted": g, "sessions": sessions}))?;
                } else {
                    println!("deleted guide {g}; {sessions} sessions follow no guide now");
                }
            }
        }
    }
    Ok(())
}

/// Prints the lint report (or its JSON) and says how it went as the exit status, as a linter
/// does: 0 when no question has a problem, 1 when some do ([`LINT_ERROR_EXIT`] is for errors).
fn print_lint(ctx: &Ctx, report: &lint::LintReport) -> anyhow::Result<ExitCode> {
    let code = if report.problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) };
    if ctx.json {
        ctx.print_json(report)?;
        return Ok(code);
    }
    for e in report.questions.iter().filter(|e| !e.problems.is_empty()) {
        let what = match e.probe {
            Some(p) => format!("{}.{p}", e.question),
            None => e.question.to_string(),
        };
        println!("{what} {}", e.text);
        for p in &e.problems {
            println!("    {:?}: {}", p.code, p.reason);
            println!("      try: {}", p.suggestion);
        }
    }
    println!("{} problems in {} questions and probes", report.problems, report.questions.len());
    Ok(code)
}

/// The exit status of `guide lint` when it could not lint (no such file or guide, a malformed
/// file): 2, apart from the 1 that means "problems found".
pub const LINT_ERROR_EXIT: u8 = 2;

impl Cmd {
    /// Whether this is `guide lint`, whose exit status tells problems (1) from errors (2).
    pub fn is_lint(&self) -> bool {
        matches!(self, Cmd::Guide { command: GuideCmd::Lint { .. } })
    }
}

fn note_cmd(ctx: &Ctx, conn: &rusqlite::Connection, cmd: &NoteCmd) -> anyhow::Result<()> {
    let print_notes = |notes: &[session::Note]| -> anyhow::Result<()> {
        if ctx.json {
            ctx.print_json(&notes)
        } else {
            for n in notes {
                println!("{:>5}  {}  {}", n.id, clock(n.at_ms), n.text);
            }
            Ok(())
        }
    };
    match cmd {
        NoteCmd::Add { session: s, at, text } => ctx.print_id(session::add_note(conn, *s, *at, text)?)?,
        NoteCmd::List { session: s } => print_notes(&session::notes(conn, *s)?)?,
        NoteCmd::Edit { id, at, text } => {
            let session_id: i64 = conn
                .query_row("SELECT session_id FROM notes WHERE id = ?1", [id], |r| r.get(0))
                .map_err(|_| rapport::Error::not_found("note", id))?;
            let now =
                session::notes(conn, session_id)?.into_iter().find(|n| n.id == *id).expect("the note exists");
            print_notes(&session::update_note(
                conn,
                *id,
                at.unwrap_or(now.at_ms),
                text.as_deref().unwrap_or(&now.text),
            )?)?
        }
        NoteCmd::Delete { id } => print_notes(&session::delete_note(conn, *id)?)?,
        NoteCmd::Export { session: s, format, out } => {
            let format = if format == "csv" { notes::NotesFormat::Csv } else { notes::NotesFormat::Md };
            let text = notes::export_session_notes(conn, *s, format)?;
            match out {
                Some(path) => std::fs::write(path, &text).map_err(|e| rapport::Error::io(path, e))?,
                None => print!("{text}"),
            }
        }
        NoteCmd::Page { study: key, set } => {
            let study_id = study::resolve(conn, key)?;
            let page = match set {
                Some(text) => notes::set(conn, study_id, text)?,
                None => notes::get(conn, study_id)?,
            };
            if ctx.json {
                ctx.print_json(&page)?;
            } else {
                println!("{}", page.text);
            }
        }
    }
    Ok(())
}
