//! The demo workspace: the study "New deploy system", filled from the plain files in
//! `assets/demo/` (embedded in the binary, or read from a folder of the same layout).
//!
//! The loader calls the same importers as the CLI verbs (people, codebook, transcripts,
//! NPS, deploys…), all in one transaction: a bad file leaves the workspace as it was. The
//! files and their columns are described in `assets/demo/README.md`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::Table;
use crate::workspace::Workspace;
use crate::{coding, deploys, finding, guide, media, nps, people, session, study, transcript};

/// The demo study's name.
pub const DEMO_STUDY: &str = "New deploy system";

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../assets/demo/", $name)) as &[u8])),*]
    };
}

/// The demo files compiled into the binary.
const EMBEDDED: &[(&str, &[u8])] = embedded![
    "study.json",
    "guide.md",
    "people.csv",
    "sessions.csv",
    "sessions/s1.vtt",
    "sessions/s2.vtt",
    "sessions/s3.vtt",
    "sessions/s1.flac",
    "notes.csv",
    "tags.csv",
    "highlights.csv",
    "findings.json",
    "nps.csv",
    "deploys.jsonl",
    "incidents.jsonl",
    "feedback.csv",
];

/// Where the demo files come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The files compiled into this binary.
    Embedded,
    /// A folder with the same layout as `assets/demo/`.
    Folder(PathBuf),
}

impl Source {
    fn read(&self, name: &str) -> Result<Cow<'static, [u8]>> {
        match self {
            Source::Embedded => EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| Cow::Borrowed(*b))
                .ok_or_else(|| Error::not_found("demo file", name)),
            Source::Folder(dir) => {
                let path = dir.join(name);
                std::fs::read(&path).map(Cow::Owned).map_err(|e| Error::io(path, e))
            }
        }
    }

    fn text(&self, name: &str) -> Result<String> {
        String::from_utf8(self.read(name)?.into_owned()).map_err(|e| {
            Error::invalid(name, format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
        })
    }

    fn table(&self, name: &str) -> Result<Table> {
        Table::parse(&self.text(name)?, name)
    }
}

/// What the demo loader added.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoReport {
    pub study_id: i64,
    pub sessions: i64,
    pub people: i64,
    pub highlights: i64,
    pub findings: i64,
    pub nps_responses: i64,
    pub deploy_events: i64,
}

#[derive(Deserialize)]
struct StudyFile {
    name: String,
    goal: Option<String>,
    started_at: Option<String>,
}

#[derive(Deserialize)]
struct FindingFile {
    title: String,
    body: Option<String>,
    #[serde(default)]
    evidence: Vec<EvidenceRef>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    nps_segments: Vec<String>,
}

#[derive(Deserialize)]
struct EvidenceRef {
    session: String,
    start_ms: i64,
}

/// Fills the workspace with the demo study. Fails (changing nothing) when a study of the
/// same name exists.
pub fn load(ws: &mut Workspace, source: &Source) -> Result<DemoReport> {
    let media_dir = ws.media_dir();
    let tx = ws.conn_mut().transaction()?;

    let study_file: StudyFile = serde_json::from_str(&source.text("study.json")?)
        .map_err(|e| Error::invalid("study.json", e.to_string()))?;
    let started_at = study_file.started_at.as_deref().and_then(crate::timefmt::normalise);
    let study_id = study::create(&tx, &study_file.name, study_file.goal.as_deref(), started_at.as_deref())?;

    let guide_text = source.text("guide.md")?;
    let parsed = guide::parse(&guide_text, "guide.md")?;
    guide::store_version(&tx, Some(study_id), &parsed)?;

    let people_report = people::import_directory(&tx, &source.table("people.csv")?)?;
    coding::import_codebook(&tx, &source.table("tags.csv")?)?;

    let sessions_table = source.table("sessions.csv")?;
    sessions_table.require_columns(&["key", "person_email", "at", "transcript"])?;
    let mut sessions: HashMap<String, i64> = HashMap::new();
    for rec in sessions_table.records() {
        let key = rec.required("key")?.to_string();
        let person =
            people::resolve(&tx, rec.required("person_email")?).map_err(|e| rec.error("person_email", e))?;
        let id = session::create(&tx, study_id, person, &rec.time("at")?)?;
        let vtt_name = format!("sessions/{}", rec.required("transcript")?);
        let cues = transcript::parse_vtt(&source.text(&vtt_name)?, &vtt_name)?;
        transcript::store(&tx, id, &vtt_name, &cues)?;
        if let Some(file) = rec.get("recording") {
            let name = format!("sessions/{file}");
            media::add_recording(&tx, &media_dir, id, file, &source.read(&name)?)?;
        }
        sessions.insert(key, id);
    }
    let session_of = |rec: &crate::tabular::Record| -> Result<i64> {
        let key = rec.required("session")?;
        sessions
            .get(key)
            .copied()
            .ok_or_else(|| rec.error("session", format!("no session with key {key:?} in sessions.csv")))
    };

    let notes = source.table("notes.csv")?;
    notes.require_columns(&["session", "at_ms", "text"])?;
    for rec in notes.records() {
        session::add_note(&tx, session_of(rec)?, rec.int("at_ms")?, rec.required("text")?)?;
    }

    let highlights = source.table("highlights.csv")?;
    highlights.require_columns(&["session", "start_ms", "end_ms", "tags"])?;
    let mut highlight_ids: HashMap<(String, i64), i64> = HashMap::new();
    for rec in highlights.records() {
        let sid = session_of(rec)?;
        let start = rec.int("start_ms")?;
        let tags: Vec<String> = rec
            .get("tags")
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        let id = coding::add_highlight(&tx, sid, start, rec.int("end_ms")?, &tags, rec.get("note"))
            .map_err(|e| Error::invalid(rec.location(), e.to_string()))?;
        highlight_ids.insert((rec.required("session")?.to_string(), start), id);
    }

    let findings: Vec<FindingFile> = serde_json::from_str(&source.text("findings.json")?)
        .map_err(|e| Error::invalid("findings.json", e.to_string()))?;
    for f in &findings {
        let fid = finding::create(&tx, study_id, &f.title, f.body.as_deref())?;
        for ev in &f.evidence {
            let hid = highlight_ids.get(&(ev.session.clone(), ev.start_ms)).ok_or_else(|| {
                Error::invalid(
                    "findings.json",
                    format!(
                        "finding {:?}: no highlight in session {} at {} ms",
                        f.title, ev.session, ev.start_ms
                    ),
                )
            })?;
            finding::add_evidence(&tx, fid, *hid)?;
        }
        for s in &f.services {
            finding::link(&tx, fid, finding::LinkKind::Service, s)?;
        }
        for m in &f.metrics {
            finding::link(&tx, fid, finding::LinkKind::Metric, m)?;
        }
        for n in &f.nps_segments {
            finding::link(&tx, fid, finding::LinkKind::Nps, n)?;
        }
    }

    let nps_responses = nps::import_responses(&tx, &source.table("nps.csv")?)?;
    nps::import_feedback(&tx, &source.table("feedback.csv")?)?;
    let deploy_events = deploys::import_deploys(&tx, &source.text("deploys.jsonl")?, "deploys.jsonl")?;
    deploys::import_incidents(&tx, &source.text("incidents.jsonl")?, "incidents.jsonl")?;

    tx.commit()?;
    Ok(DemoReport {
        study_id,
        sessions: sessions.len() as i64,
        people: people_report.created + people_report.updated,
        highlights: highlight_ids.len() as i64,
        findings: findings.len() as i64,
        nps_responses: nps_responses as i64,
        deploy_events: deploy_events as i64,
    })
}
