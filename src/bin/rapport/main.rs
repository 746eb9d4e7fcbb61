//! The `rapport` command line: parses arguments, calls the core, prints the result for a
//! person or, with `--json`, for a script. Errors are one line on stderr and a non-zero exit.
//!
//! Each area's verbs live in their own file as a clap `Subcommand` enum flattened into
//! [`Command`]: adding an area is a new file, a `mod` line and one variant here.

mod audio;
mod bar;
mod ctx;
mod diarize;
mod guides;
mod insights;
mod models;
mod recruit;
mod search;
mod studies;
mod synthesis;
mod transcripts;
mod workspace;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::ctx::Ctx;

#[derive(Parser)]
#[command(
    name = "rapport",
    version,
    about = "Research interviews, transcripts and deploy insights on your own machine"
)]
struct Cli {
    /// The workspace folder (default: $RAPPORT_WORKSPACE, else the OS data dir).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<std::path::PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Workspace(workspace::Cmd),
    #[command(flatten)]
    Studies(studies::Cmd),
    #[command(flatten)]
    Search(search::Cmd),
    #[command(flatten)]
    Transcripts(transcripts::Cmd),
    #[command(flatten)]
    Models(models::Cmd),
    #[command(flatten)]
    Audio(audio::Cmd),
    #[command(flatten)]
    Recruit(recruit::Cmd),
    #[command(flatten)]
    Guides(guides::Cmd),
    #[command(flatten)]
    Synthesis(synthesis::Cmd),
    #[command(flatten)]
    Insights(insights::Cmd),
    #[command(flatten)]
    Diarize(diarize::Cmd),
}

impl Command {
    /// Whether the verb reads or writes a workspace.
    fn uses_workspace(&self) -> bool {
        match self {
            Command::Models(_) => false,
            Command::Workspace(cmd) => cmd.uses_workspace(),
            _ => true,
        }
    }
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let ctx = Ctx::new(cli.workspace.clone(), cli.json);
    let result = match &cli.command {
        Command::Workspace(cmd) => workspace::run(&ctx, cmd),
        Command::Studies(cmd) => studies::run(&ctx, cmd),
        Command::Search(cmd) => search::run(&ctx, cmd),
        Command::Transcripts(cmd) => transcripts::run(&ctx, cmd),
        Command::Models(cmd) => models::run(&ctx, cmd),
        Command::Audio(cmd) => audio::run(&ctx, cmd),
        Command::Recruit(cmd) => recruit::run(&ctx, cmd),
        Command::Guides(cmd) => guides::run(&ctx, cmd),
        Command::Synthesis(cmd) => synthesis::run(&ctx, cmd),
        Command::Insights(cmd) => insights::run(&ctx, cmd),
        Command::Diarize(cmd) => diarize::run(&ctx, cmd),
    };
    // A write and its index update are one operation: bring the index up to date after any
    // verb on a workspace that succeeded (cheap when nothing changed). Verbs that need no
    // workspace (models) never open, create or migrate one.
    if matches!(result, Ok(ExitCode::SUCCESS))
        && cli.command.uses_workspace()
        && rapport::Workspace::exists(&ctx.dir)
    {
        if let Err(e) = rapport::Workspace::open(&ctx.dir).and_then(|ws| rapport::search::sync(&ws)) {
            let _ = writeln!(std::io::stderr(), "rapport: warning: the search index was not updated: {e}");
        }
    }
    match result {
        Ok(code) => code,
        Err(err) => {
            let code = err.downcast_ref::<rapport::Error>().map(|e| e.code());
            if cli.json {
                let body = serde_json::json!({"error": {"code": code, "message": err.to_string()}});
                let _ = writeln!(std::io::stderr(), "{body}");
            } else {
                let _ = writeln!(std::io::stderr(), "rapport: {err}");
            }
            match &cli.command {
                Command::Guides(cmd) if cmd.is_lint() => ExitCode::from(guides::LINT_ERROR_EXIT),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// A closed pipe (`rapport ... --json | head`) ends the program quietly, as other Unix tools
/// do, instead of an error or a panic from the next write. Rust starts programs with SIGPIPE
/// ignored; this puts back the default.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: called first in main, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}
