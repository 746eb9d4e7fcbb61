//! Verbs on whisper models: `models list`, `models download NAME`, `models import PATH`.
//! The models folder is `$RAPPORT_MODELS_DIR`, else the OS data dir (not the workspace).
//! The voice activity detector's model, which transcription needs too, is downloaded by its
//! name (`models download silero-v5.1.2`, from whisper.cpp's VAD repo unless `--base-url`
//! says otherwise), shown under the whisper models by `models list`, and alone by `models vad`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use rapport::models::{self, ModelInfo};
use rapport::progress::{CancelToken, Outcome};

use crate::bar::{TermBar, Unit};
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
    /// Download a model (resumes an interrupted download); `silero-v5.1.2` is the voice
    /// activity detector's model, `voice-encoder` the speaker encoder diarization uses.
    Download {
        /// The model name, e.g. tiny.en or base.en-q5_1 (see `rapport models list`),
        /// silero-v5.1.2 or voice-encoder.
        name: String,
        /// Where the ggml-NAME.bin files are served (default: $RAPPORT_MODEL_BASE_URL, else
        /// whisper.cpp's repo; for silero-v5.1.2, $RAPPORT_VAD_BASE_URL, else whisper.cpp's VAD
        /// repo); for voice-encoder the whole URL of the Resemblyzer 0.1.4 wheel (default:
        /// $RAPPORT_VOICE_ENCODER_URL, else PyPI's).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Whether the voice activity detector's model is installed and usable.
    Vad,
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
                let (cores, memory) = models::advice::this_machine();
                let pick = models::advice::recommend(cores, memory);
                println!("recommended for interviews: {} ({})", pick.name, pick.why);
                println!("voice activity detector: {}", support_text(&models::vad::info(&dir), VAD_MISSING));
                println!(
                    "voice encoder (diarization): {}",
                    support_text(
                        &models::voice::info(&dir),
                        "without it one mixed recording is diarized on its MFCCs alone"
                    )
                );
            }
        }
        ModelsCmd::Vad => {
            let info = models::vad::info(&dir);
            if ctx.json {
                ctx.print_json(&info)?;
            } else {
                println!("{}", support_text(&info, VAD_MISSING));
            }
        }
        ModelsCmd::Download { name, base_url } => {
            let bar = TermBar::new(Unit::Bytes, name);
            let base_url = base_url.clone().unwrap_or_else(|| models::base_url_for(name));
            let outcome = models::download(name, &base_url, &dir, &bar, &CancelToken::new());
            bar.finish();
            let outcome = outcome?;
            match outcome {
                Outcome::Done(path) => {
                    if ctx.json && name == models::vad::NAME {
                        ctx.print_json(&models::vad::info(&dir))?;
                    } else if ctx.json && name == models::voice::NAME {
                        ctx.print_json(&models::voice::info(&dir))?;
                    } else if ctx.json {
                        ctx.print_json(&json_row(&info_of(&dir, name)?))?;
                    } else {
                        println!("{}", path.display());
                    }
                }
                Outcome::Cancelled => {
                    return Err(rapport::Error::Cancelled(
                        "the download stopped; run the command again to resume it".into(),
                    )
                    .into())
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
        "expected_speed_x": m.expected_speed_x,
        "recommended": m.recommended,
    })
}

fn info_of(dir: &std::path::Path, name: &str) -> anyhow::Result<ModelInfo> {
    models::list(dir)?.into_iter().find(|m| m.name == name).ok_or_else(|| {
        rapport::Error::Integrity(format!("{name} is not in {} after the download", dir.display())).into()
    })
}

/// One line on the VAD model: installed (size, path), unusable (why), or how to get it.
/// What the VAD's line says when its model is missing.
const VAD_MISSING: &str = "transcription needs it";

/// One line on a support model (the VAD's or the voice encoder's); `missing` says what its
/// absence means.
fn support_text(v: &models::vad::VadInfo, missing: &str) -> String {
    match (&v.problem, v.size) {
        (Some(problem), _) => format!("{} unusable: {problem}", v.name),
        (None, Some(bytes)) => {
            format!("{} installed ({:.1} MiB, {})", v.name, bytes as f64 / (1024.0 * 1024.0), v.path)
        }
        (None, None) => format!("{} missing: {missing}; `rapport models download {}`", v.name, v.name),
    }
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
    let speed = m.expected_speed_x.map(|x| format!("~{x:.0}x real time here")).unwrap_or_default();
    if m.recommended {
        return format!("recommended for interviews on this machine; {speed}");
    }
    speed
}
