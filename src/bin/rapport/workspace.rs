//! Verbs on the workspace as a whole: `init`, `demo`, `verify`, `backup`, `restore`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use rapport::progress::{CancelToken, Outcome};
use rapport::{backup, demo, verify, Workspace};

use crate::bar::{TermBar, Unit};
use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
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
    /// Write the workspace (a consistent copy of the database, the recordings and a manifest
    /// of SHA-256 hashes) to one archive, even while the app or another command writes.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a backup into a new or empty folder, checking every hash, then `verify` it.
    Restore {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
}

impl Cmd {
    /// Whether the verb reads or writes the `--workspace` folder (restore writes another).
    pub fn uses_workspace(&self) -> bool {
        !matches!(self, Cmd::Restore { .. })
    }
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Init => {
            let existed = Workspace::exists(&ctx.dir);
            let ws = Workspace::create(&ctx.dir)?;
            if ctx.json {
                ctx.print_json(&ws.info(false)?)?;
            } else if existed {
                println!("{} is already a workspace", ctx.dir.display());
            } else {
                println!("created workspace {}", ctx.dir.display());
            }
        }
        Cmd::Demo { from } => {
            let mut ws = Workspace::create(&ctx.dir)?;
            let source = from.clone().map(demo::Source::Folder).unwrap_or(demo::Source::Embedded);
            let report = demo::load(&mut ws, &source)?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!(
                    "added the study {:?} (id {}) to {}: {} sessions, {} people, {} highlights, {} findings, {} NPS responses, {} deploy events",
                    demo::DEMO_STUDY,
                    report.study_id,
                    ctx.dir.display(),
                    report.sessions,
                    report.people,
                    report.highlights,
                    report.findings,
                    report.nps_responses,
                    report.deploy_events
                );
            }
        }
        Cmd::Verify => {
            let ws = ctx.open()?;
            let report = verify::verify(&ws)?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
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
            for p in &report.problems {
                eprintln!("problem: {p}");
            }
            if !report.ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Backup { out } => {
            let ws = ctx.open()?;
            let bar = TermBar::new(Unit::Bytes, "backup");
            let outcome = backup::backup(&ws, out, &bar, &CancelToken::new());
            bar.finish();
            let Outcome::Done(report) = outcome? else { return Ok(ExitCode::FAILURE) };
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!(
                    "wrote {} ({} bytes): the database (schema {}) and {} recording file(s), with their SHA-256",
                    report.file, report.bytes, report.schema_version, report.media_files
                );
            }
        }
        Cmd::Restore { file, to } => {
            let bar = TermBar::new(Unit::Bytes, "restore");
            let outcome = backup::restore(file, to, &bar, &CancelToken::new());
            bar.finish();
            let Outcome::Done(report) = outcome? else { return Ok(ExitCode::FAILURE) };
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!(
                    "restored {} file(s) ({} bytes) into {}; every hash matches and verify passes",
                    report.files, report.bytes, report.to
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
