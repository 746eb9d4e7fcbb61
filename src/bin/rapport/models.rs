//! Verbs on whisper models: `models list`, `models download NAME`, `models import PATH`.
//! The models folder is `$RAPPORT_MODELS_DIR`, else the OS data dir (not the workspace).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rapport::models::{self, ModelInfo};
use rapport::progress::{CancelToken, NoProgress, Outcome, Progress};

use crate::ctx::{yes_no, Ctx};

#[derive(Subcommand)]
pub enum Cmd {
    /// Whisper models for transcription (folder: $RAPPORT_MODELS_DIR, else the OS data dir).
    Models {
        #[command(subcommand)]
        command: ModelsCmd,
    },
}

#[derive(Subcommand)]
pub enum ModelsCmd {
    /// List the models whisper.cpp publishes and the ones installed.
    List,
    /// Download a model (resumes an interrupted download).
    Download {
        /// The model name, e.g. tiny.en or base.en-q5_1 (see `rapport models list`).
        name: String,
        /// Where the ggml-NAME.bin files are served.
        #[arg(long, value_name = "URL", env = models::BASE_URL_ENV, default_value = models::DEFAULT_BASE_URL)]
        base_url: String,
    },
    /// Copy a ggml model file into the models folder (after checking it).
    Import {
        /// The ggml file; ggml-NAME.bin is installed as NAME, STEM.bin as STEM.
        path: PathBuf,
    },
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let Cmd::Models { command } = cmd;
    let dir = models::models_dir();
    match command {
        ModelsCmd::List => {
            let list = models::list(&dir)?;
            if ctx.json {
                let rows: Vec<_> = list.iter().map(json_row).collect();
                ctx.print_json(&rows)?;
            } else {
                println!("models folder: {}", dir.display());
                println!("{:<22} {:<9} {:<13} {:>10}  note", "name", "installed", "quantization", "size");
                for m in &list {
                    println!(
                        "{:<22} {:<9} {:<13} {:>10}  {}",
                        m.name,
                        yes_no(m.installed),
                        m.quantization.as_deref().unwrap_or("?"),
                        size_text(m),
                        note(m)
                    );
                }
            }
        }
        ModelsCmd::Download { name, base_url } => {
            let bar = TerminalBar::new(name);
            let sink: &dyn Progress = match &bar {
                Some(bar) => bar,
                None => &NoProgress,
            };
            let outcome = models::download(name, base_url, &dir, sink, &CancelToken::new())?;
            if let Some(bar) = &bar {
                bar.0.finish_and_clear();
            }
            match outcome {
                Outcome::Done(path) => {
                    if ctx.json {
                        ctx.print_json(&json_row(&info_of(&dir, name)?))?;
                    } else {
                        println!("{}", path.display());
                    }
                }
                Outcome::Cancelled => {
                    eprintln!("rapport: download cancelled; run the command again to resume");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        ModelsCmd::Import { path } => {
            let info = models::import(path, &dir)?;
            if ctx.json {
                ctx.print_json(&json_row(&info))?;
            } else {
                println!("imported {} as {} ({})", path.display(), info.name, info.path);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` shape of a model: {name, file, installed, size, quantization, path}, plus
/// `problem` when an installed file is unusable.
fn json_row(m: &ModelInfo) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "file": m.file,
        "installed": m.installed,
        "size": m.size,
        "quantization": m.quantization,
        "path": m.path,
        "problem": m.problem,
    })
}

fn info_of(dir: &std::path::Path, name: &str) -> anyhow::Result<ModelInfo> {
    models::list(dir)?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| anyhow::anyhow!("{name} is not in {} after the download", dir.display()))
}

fn size_text(m: &ModelInfo) -> String {
    match (m.size, m.approx_mib) {
        (Some(bytes), _) => format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0)),
        (None, Some(mib)) => format!("~{mib} MiB"),
        (None, None) => "-".to_string(),
    }
}

fn note(m: &ModelInfo) -> String {
    if let Some(problem) = &m.problem {
        return format!("unusable: {problem}");
    }
    if let Some(part) = m.partial_bytes {
        return format!("{part} bytes downloaded; `rapport models download {}` resumes", m.name);
    }
    if !m.in_catalog {
        return "imported".to_string();
    }
    String::new()
}

/// A progress bar on stderr, only when stderr is a terminal.
struct TerminalBar(ProgressBar);

impl TerminalBar {
    fn new(name: &str) -> Option<TerminalBar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_prefix(name.to_string());
        Some(TerminalBar(bar))
    }
}

impl Progress for TerminalBar {
    fn begin(&self, phase: &str, total: Option<u64>) {
        let template = if total.is_some() {
            "{prefix} {msg:9} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        } else {
            "{prefix} {msg:9} {spinner} {bytes} {bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.0.set_style(style.progress_chars("=> "));
        }
        match total {
            Some(total) => self.0.set_length(total),
            None => self.0.unset_length(),
        }
        self.0.set_message(phase.to_string());
        self.0.set_position(0);
    }

    fn advance(&self, done: u64) {
        self.0.set_position(done);
    }

    fn message(&self, text: &str) {
        self.0.println(text);
    }
}
