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
use rapport::ErrorCode;

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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
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
            let code = error_code(&err);
            if cli.json {
                let body = serde_json::json!({"error": {"code": code, "message": err.to_string()}});
                let _ = writeln!(std::io::stderr(), "{body}");
            } else {
                let _ = writeln!(std::io::stderr(), "rapport: {err}");
            }
            // Ctrl-C ends a job with the shell's code for SIGINT, as other tools do.
            match &cli.command {
                _ if code == ErrorCode::Cancelled => ExitCode::from(130),
                Command::Guides(cmd) if cmd.is_lint() => ExitCode::from(guides::LINT_ERROR_EXIT),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The code of an error the CLI prints: the core error's own code wherever it sits in the
/// chain (context added by the CLI keeps it); an I/O error of the CLI's own (writing an
/// output file, stdout) is `io`, a database error `database`; anything else is `internal`.
fn error_code(err: &anyhow::Error) -> ErrorCode {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<rapport::Error>() {
            return e.code();
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return ErrorCode::Io;
        }
        if let Some(e) = cause.downcast_ref::<serde_json::Error>() {
            return if e.is_io() { ErrorCode::Io } else { ErrorCode::Internal };
        }
        if cause.downcast_ref::<rusqlite::Error>().is_some() {
            return ErrorCode::Database;
        }
    }
    ErrorCode::Internal
}

/// A command line clap refuses: with `--json` anywhere in it, one JSON error line with the
/// code `invalid_input` (a script branches on it like on any other error); else clap's own
/// message. `--help` and `--version` print as usual.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let json = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json");
    if !json || matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        err.exit();
    }
    let text = err.render().to_string();
    let message = text.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
    let body = serde_json::json!({"error": {"code": ErrorCode::InvalidInput, "message": message}});
    let _ = writeln!(std::io::stderr(), "{body}");
    ExitCode::from(2)
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
