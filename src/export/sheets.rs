//! Spreadsheets: a zip of CSV files (findings, highlights with tags, participants, sessions,
//! codebook), and the CSV that Jira's importer takes (one row per finding reviewed or later).

use std::io::Write;

use super::data::StudyData;
use super::report::{attribution, clock};
use crate::error::{Error, Result};
use crate::finding::FindingSummary;

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::invalid("csv", e.to_string());
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::invalid("csv", e.to_string()))
}

fn join(items: &[String]) -> String {
    items.join("; ")
}

/// The CSV files of the `csv` export: `(name, bytes)`.
pub fn csv_files(data: &StudyData) -> Result<Vec<(String, Vec<u8>)>> {
    let findings = csv_bytes(
        &[
            "id",
            "title",
            "statement",
            "status",
            "severity",
            "confidence",
            "people",
            "roles",
            "evidence",
            "services",
            "metrics",
            "nps_segments",
        ],
        data.findings
            .iter()
            .map(|f| {
                vec![
                    f.id.to_string(),
                    f.title.clone(),
                    f.body.clone().unwrap_or_default(),
                    f.status.clone(),
                    f.severity.clone().unwrap_or_default(),
                    f.confidence.clone().unwrap_or_default(),
                    f.people.to_string(),
                    join(&f.roles.iter().map(|r| format!("{} {}", r.people, r.role)).collect::<Vec<_>>()),
                    join(&f.evidence.iter().map(|e| e.highlight_id.to_string()).collect::<Vec<_>>()),
                    join(&f.services),
                    join(&f.metrics),
                    join(&f.nps_segments),
                ]
            })
            .collect(),
    )?;
    let highlights = csv_bytes(
        &[
            "id",
            "source",
            "session_id",
            "nps_id",
            "feedback_id",
            "person",
            "role",
            "speaker",
            "start",
            "end",
            "start_ms",
            "end_ms",
            "start_char",
            "end_char",
            "origin",
            "text",
            "tags",
            "comment",
            "findings",
        ],
        data.highlights
            .iter()
            .map(|h| {
                vec![
                    h.id.to_string(),
                    h.source.as_str().to_string(),
                    num(h.session_id),
                    num(h.nps_id),
                    num(h.feedback_id),
                    h.person_name.clone().unwrap_or_default(),
                    h.person_role.clone().unwrap_or_default(),
                    h.speaker.clone().unwrap_or_default(),
                    h.start_ms.map(clock).unwrap_or_default(),
                    h.end_ms.map(clock).unwrap_or_default(),
                    num(h.start_ms),
                    num(h.end_ms),
                    num(h.start_char),
                    num(h.end_char),
                    h.origin(),
                    h.text.clone(),
                    join(&h.tags),
                    h.comment.clone().unwrap_or_default(),
                    join(&h.findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()),
                ]
            })
            .collect(),
    )?;
    let participants = csv_bytes(
        &["id", "name", "email", "team", "role", "location", "sessions"],
        data.participants
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    p.name.clone(),
                    p.email.clone(),
                    p.team.clone().unwrap_or_default(),
                    p.role.clone().unwrap_or_default(),
                    p.location.clone().unwrap_or_default(),
                    join(&p.sessions.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
                ]
            })
            .collect(),
    )?;
    let sessions = csv_bytes(
        &["id", "title", "person_id", "at", "segments", "notes", "recordings"],
        data.sessions
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.title.clone().unwrap_or_default(),
                    s.person_id.map(|p| p.to_string()).unwrap_or_default(),
                    s.at.clone(),
                    s.segments.len().to_string(),
                    s.notes.len().to_string(),
                    join(&s.recordings.iter().map(|r| r.file_name.clone()).collect::<Vec<_>>()),
                ]
            })
            .collect(),
    )?;
    let codebook = csv_bytes(
        &["path", "description", "color", "highlights"],
        data.codebook
            .iter()
            .map(|c| {
                vec![
                    c.path.clone(),
                    c.description.clone().unwrap_or_default(),
                    c.color.clone().unwrap_or_default(),
                    c.highlights.to_string(),
                ]
            })
            .collect(),
    )?;
    let mut files = vec![
        ("findings.csv".to_string(), findings),
        ("highlights.csv".to_string(), highlights),
        ("participants.csv".to_string(), participants),
        ("sessions.csv".to_string(), sessions),
        ("codebook.csv".to_string(), codebook),
    ];
    if data.redacted {
        let r = csv_bytes(
            &["what", "count"],
            data.redactions.iter().map(|r| vec![r.what.clone(), r.count.to_string()]).collect(),
        )?;
        files.push(("redactions.csv".to_string(), r));
    }
    Ok(files)
}

/// Findings whose status is reviewed or later (the ones a tracker should get).
pub fn trackable(data: &StudyData) -> Vec<&FindingSummary> {
    data.findings.iter().filter(|f| f.status != "draft").collect()
}

/// A Jira label: no spaces (Jira splits labels on them).
fn label(tag: &str) -> String {
    tag.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect::<String>()
}

fn jira_priority(severity: Option<&str>) -> &'static str {
    match severity {
        Some("critical") => "Highest",
        Some("high") => "High",
        Some("medium") => "Medium",
        Some("low") => "Low",
        _ => "",
    }
}

/// Jira's text markup escapes: braces and brackets start macros and links.
fn jira_text(s: &str) -> String {
    s.replace('{', "\\{").replace('}', "\\}").replace('[', "\\[").replace(']', "\\]").replace('|', "\\|")
}

/// An optional number as a cell (empty when absent).
fn num(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The Jira CSV: Summary, Description (Jira markup with the quotes), Issue Type, Priority,
/// and one Labels column per label (Jira's importer maps repeated columns to a list).
pub fn jira_csv(data: &StudyData) -> Result<Vec<u8>> {
    let findings = trackable(data);
    let label_sets: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let mut l: Vec<String> =
                f.evidence.iter().flat_map(|e| e.tags.iter().map(|t| label(t))).collect();
            l.push("rapport".into());
            l.sort();
            l.dedup();
            l
        })
        .collect();
    let width = label_sets.iter().map(Vec::len).max().unwrap_or(1);
    let mut header: Vec<&str> = vec!["Summary", "Description", "Issue Type", "Priority"];
    header.extend(std::iter::repeat_n("Labels", width));
    let rows = findings
        .iter()
        .zip(label_sets)
        .map(|(f, labels)| {
            let mut d = String::new();
            if let Some(b) = &f.body {
                d.push_str(&jira_text(b));
                d.push_str("\n\n");
            }
            d.push_str(&format!(
                "*Status:* {} | *Confidence:* {} | backed by {} people\n\nh3. Evidence\n",
                f.status.replace('_', " "),
                f.confidence.as_deref().unwrap_or("not set"),
                f.people
            ));
            for e in &f.evidence {
                d.push_str(&format!(
                    "{{quote}}{}{{quote}}\n— {}\n\n",
                    jira_text(&e.text),
                    jira_text(&attribution(data, e))
                ));
            }
            if !f.services.is_empty() || !f.metrics.is_empty() || !f.nps_segments.is_empty() {
                d.push_str("h3. Links\n");
                for (what, list) in
                    [("Services", &f.services), ("Metrics", &f.metrics), ("NPS segments", &f.nps_segments)]
                {
                    if !list.is_empty() {
                        d.push_str(&format!("* {what}: {}\n", jira_text(&list.join(", "))));
                    }
                }
            }
            d.push_str(&format!(
                "\n_From the study \"{}\" in Rapport (finding {})._",
                jira_text(&data.study.name),
                f.id
            ));
            let mut row = vec![
                f.title.clone(),
                d,
                "Task".to_string(),
                jira_priority(f.severity.as_deref()).to_string(),
            ];
            row.extend(labels.iter().cloned());
            row.resize(4 + width, String::new());
            row
        })
        .collect();
    csv_bytes(&header, rows)
}

/// Writes `files` into a zip archive at `out`.
pub fn write_zip(out: &std::path::Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let file = std::fs::File::create(out).map_err(|e| Error::io(out, e))?;
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| Error::invalid(out.display().to_string(), e.to_string()))?;
        zip.write_all(bytes).map_err(|e| Error::io(out, e))?;
    }
    zip.finish().map_err(|e| Error::invalid(out.display().to_string(), e.to_string()))?;
    Ok(())
}
