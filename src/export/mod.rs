//! Exports of a study: `csv` (a zip of CSV files), `md` (the report, or one GitHub issue
//! body per finding), `html` (the self-contained report, or slides), `json` (everything),
//! `qdpx` and `qdc` (REFI-QDA) and `jira` (Jira's CSV importer). Owns no table.
//!
//! Every format renders one [`data::StudyData`] gathered from the store; `--redact` rewrites
//! that value first ([`redact`]), so the pseudonyms are the same across the whole export.
//! A file is written to a temporary name next to its destination and renamed when whole.

pub mod data;
pub mod qdpx;
pub mod redact;
pub mod report;
pub mod sheets;
pub mod svg;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::Workspace;

pub use data::{RedactionCount, StudyData};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "StudyExportFormat")]
pub enum ExportFormat {
    Csv,
    Md,
    Html,
    Json,
    Qdpx,
    Qdc,
    Jira,
}

impl ExportFormat {
    /// Parses a format name as the CLI takes it.
    pub fn parse(s: &str) -> Result<ExportFormat> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "csv" => ExportFormat::Csv,
            "md" | "markdown" => ExportFormat::Md,
            "html" => ExportFormat::Html,
            "json" => ExportFormat::Json,
            "qdpx" => ExportFormat::Qdpx,
            "qdc" => ExportFormat::Qdc,
            "jira" => ExportFormat::Jira,
            other => {
                return Err(Error::invalid(
                    "--format",
                    format!("{other:?} is not one of csv, md, html, json, qdpx, qdc, jira"),
                ))
            }
        })
    }
}

/// How to export.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ExportOptions {
    pub redact: bool,
    /// Names to redact besides the directory's (people outside it, customers, …).
    pub redact_names: Vec<String>,
    /// `html`: slides instead of the report.
    pub slides: bool,
    /// `md`: one GitHub issue body per finding reviewed or later (a folder of files).
    pub per_finding: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportReport {
    /// The file (or, for `md --per-finding`, the folder) written.
    pub path: String,
    pub format: ExportFormat,
    /// Files inside the zip or folder (empty for a single file).
    pub files: Vec<String>,
    pub findings: i64,
    pub highlights: i64,
    pub redacted: bool,
    pub redactions: Vec<RedactionCount>,
}

/// XML/HTML escaping of text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A file-name-safe form of a title.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= 48 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The study's data, redacted when asked.
pub fn gather(ws: &Workspace, study_id: i64, opts: &ExportOptions) -> Result<StudyData> {
    let mut data = data::gather(ws.conn(), study_id)?;
    if opts.redact {
        redact::redact(ws.conn(), &mut data, &opts.redact_names)?;
    }
    Ok(data)
}

/// The file name an export gets when none is given.
pub fn suggested_name(study_name: &str, format: ExportFormat, opts: &ExportOptions) -> String {
    let base = slug(study_name);
    let base = if base.is_empty() { "study".to_string() } else { base };
    let red = if opts.redact { "-redacted" } else { "" };
    match format {
        ExportFormat::Csv => format!("{base}{red}.zip"),
        ExportFormat::Md if opts.per_finding => format!("{base}{red}-issues"),
        ExportFormat::Md => format!("{base}{red}.md"),
        ExportFormat::Html if opts.slides => format!("{base}{red}-slides.html"),
        ExportFormat::Html => format!("{base}{red}.html"),
        ExportFormat::Json => format!("{base}{red}.json"),
        ExportFormat::Qdpx => format!("{base}{red}.qdpx"),
        ExportFormat::Qdc => format!("{base}{red}.qdc"),
        ExportFormat::Jira => format!("{base}{red}-jira.csv"),
    }
}

/// The HTML report or slides as a string (the app's preview).
pub fn render_html(ws: &Workspace, study_id: i64, opts: &ExportOptions) -> Result<String> {
    let data = gather(ws, study_id, opts)?;
    Ok(if opts.slides { report::slides(&data) } else { report::html(&data) })
}

fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.part"));
    let result = write(&tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |tmp| std::fs::write(tmp, bytes).map_err(|e| Error::io(tmp, e)))
}

/// Exports a study in `format` to `out` (default: `exports/<suggested name>` of the
/// workspace).
pub fn export(
    ws: &Workspace,
    study_id: i64,
    format: ExportFormat,
    opts: &ExportOptions,
    out: Option<&Path>,
) -> Result<ExportReport> {
    if opts.slides && format != ExportFormat::Html {
        return Err(Error::invalid("--slides", "slides are an HTML export: use --format html --slides"));
    }
    if opts.per_finding && format != ExportFormat::Md {
        return Err(Error::invalid(
            "--per-finding",
            "issue bodies are Markdown: use --format md --per-finding",
        ));
    }
    let data = gather(ws, study_id, opts)?;
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => ws.root().join("exports").join(suggested_name(&data.study.name, format, opts)),
    };
    let mut files = Vec::new();
    match format {
        ExportFormat::Csv => {
            let csvs = sheets::csv_files(&data)?;
            files = csvs.iter().map(|(n, _)| n.clone()).collect();
            write_atomically(&path, |tmp| sheets::write_zip(tmp, &csvs))?;
        }
        ExportFormat::Md if opts.per_finding => {
            let bodies = report::issue_bodies(&data, &sheets::trackable(&data));
            std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            for (name, body) in bodies {
                write_bytes(&path.join(&name), body.as_bytes())?;
                files.push(name);
            }
        }
        ExportFormat::Md => write_bytes(&path, report::markdown(&data).as_bytes())?,
        ExportFormat::Html if opts.slides => write_bytes(&path, report::slides(&data).as_bytes())?,
        ExportFormat::Html => write_bytes(&path, report::html(&data).as_bytes())?,
        ExportFormat::Json => {
            let json = serde_json::to_vec_pretty(&data).map_err(|e| Error::invalid("json", e.to_string()))?;
            write_bytes(&path, &json)?;
        }
        ExportFormat::Qdc => {
            if data.codebook.is_empty() {
                // A REFI-QDA codebook holds at least one code.
                return Err(Error::invalid(
                    "--format qdc",
                    "the codebook has no tags yet: nothing to export",
                ));
            }
            write_bytes(&path, qdpx::codebook_xml(&data).as_bytes())?
        }
        ExportFormat::Jira => write_bytes(&path, &sheets::jira_csv(&data)?)?,
        ExportFormat::Qdpx => {
            let qdpx::Project { xml, texts, media } = qdpx::project_xml(&data);
            let media_dir = ws.media_dir();
            write_atomically(&path, |tmp| {
                let file = std::fs::File::create(tmp).map_err(|e| Error::io(tmp, e))?;
                let mut zip = zip::ZipWriter::new(file);
                let zerr =
                    |e: zip::result::ZipError| Error::invalid(tmp.display().to_string(), e.to_string());
                let deflate = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                let stored = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
                    .large_file(true);
                zip.start_file("project.qde", deflate).map_err(zerr)?;
                zip.write_all(xml.as_bytes()).map_err(|e| Error::io(tmp, e))?;
                zip.add_directory("Sources/", deflate).map_err(zerr)?;
                for (name, text) in &texts {
                    zip.start_file(format!("Sources/{name}"), deflate).map_err(zerr)?;
                    zip.write_all(text.as_bytes()).map_err(|e| Error::io(tmp, e))?;
                    files.push(format!("Sources/{name}"));
                }
                for (name, _sha) in &media {
                    let src = media_dir.join(name);
                    let mut f = std::fs::File::open(&src).map_err(|e| Error::io(&src, e))?;
                    zip.start_file(format!("Sources/{name}"), stored).map_err(zerr)?;
                    std::io::copy(&mut f, &mut zip).map_err(|e| Error::io(&src, e))?;
                    files.push(format!("Sources/{name}"));
                }
                zip.finish().map_err(zerr)?;
                Ok(())
            })?;
        }
    }
    Ok(ExportReport {
        path: path.display().to_string(),
        format,
        files,
        findings: data.findings.len() as i64,
        highlights: data.highlights.len() as i64,
        redacted: data.redacted,
        redactions: data.redactions,
    })
}
