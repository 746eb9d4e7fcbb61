//! Findings: titled claims backed by highlights, linked to services, metrics and NPS segments.
//!
//! Owns `findings`, `finding_evidence` and `finding_links`.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

/// One piece of evidence: a highlight with where it was said.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EvidenceView {
    pub highlight_id: i64,
    pub session_id: i64,
    pub person_name: String,
    pub speaker: Option<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
}

/// A finding with its evidence and links.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingSummary {
    pub id: i64,
    pub study_id: i64,
    pub study: String,
    pub title: String,
    pub body: Option<String>,
    pub evidence: Vec<EvidenceView>,
    pub services: Vec<String>,
    pub metrics: Vec<String>,
    pub nps_segments: Vec<String>,
}

/// What a finding can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Service,
    Metric,
    Nps,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Service => "service",
            LinkKind::Metric => "metric",
            LinkKind::Nps => "nps",
        }
    }
}

/// Creates a finding in a study.
pub fn create(conn: &Connection, study_id: i64, title: &str, body: Option<&str>) -> Result<i64> {
    if title.trim().is_empty() {
        return Err(Error::invalid("--title", "a finding needs a title"));
    }
    conn.execute(
        "INSERT INTO findings (study_id, title, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![study_id, title.trim(), body, store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Adds a highlight as evidence of a finding.
pub fn add_evidence(conn: &Connection, finding_id: i64, highlight_id: i64) -> Result<()> {
    let exists: Option<i64> =
        conn.query_row("SELECT id FROM highlights WHERE id = ?1", [highlight_id], |r| r.get(0)).optional()?;
    if exists.is_none() {
        return Err(Error::not_found("highlight", highlight_id));
    }
    conn.execute(
        "INSERT OR IGNORE INTO finding_evidence (finding_id, highlight_id) VALUES (?1, ?2)",
        params![finding_id, highlight_id],
    )?;
    Ok(())
}

/// Links a finding to a service, a metric or an NPS segment.
pub fn link(conn: &Connection, finding_id: i64, kind: LinkKind, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(kind.as_str(), "must not be empty"));
    }
    conn.execute(
        "INSERT OR IGNORE INTO finding_links (finding_id, kind, value) VALUES (?1, ?2, ?3)",
        params![finding_id, kind.as_str(), value.trim()],
    )?;
    Ok(())
}

/// Findings of one study or all, oldest first, with evidence and links.
pub fn list(conn: &Connection, study_id: Option<i64>) -> Result<Vec<FindingSummary>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.study_id, s.name, f.title, f.body FROM findings f JOIN studies s ON s.id = f.study_id
         WHERE ?1 IS NULL OR f.study_id = ?1 ORDER BY f.created_at, f.id",
    )?;
    let mut findings = stmt
        .query_map([study_id], |r| {
            Ok(FindingSummary {
                id: r.get(0)?,
                study_id: r.get(1)?,
                study: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                evidence: Vec::new(),
                services: Vec::new(),
                metrics: Vec::new(),
                nps_segments: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let index: HashMap<i64, usize> = findings.iter().enumerate().map(|(i, f)| (f.id, i)).collect();

    let mut ev = conn.prepare(
        "SELECT fe.finding_id, h.id, h.session_id, coalesce(p.name, ''), h.start_ms, h.end_ms, h.text,
                (SELECT coalesce(sp.name, sp.label) FROM segments g JOIN transcripts t ON t.id = g.transcript_id
                 LEFT JOIN speakers sp ON sp.id = g.speaker_id
                 WHERE t.session_id = h.session_id AND g.start_ms <= h.start_ms ORDER BY g.start_ms DESC LIMIT 1)
         FROM finding_evidence fe JOIN highlights h ON h.id = fe.highlight_id
         JOIN sessions s ON s.id = h.session_id LEFT JOIN people p ON p.id = s.person_id
         ORDER BY h.session_id, h.start_ms",
    )?;
    let rows = ev.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            EvidenceView {
                highlight_id: r.get(1)?,
                session_id: r.get(2)?,
                person_name: r.get(3)?,
                start_ms: r.get(4)?,
                end_ms: r.get(5)?,
                text: r.get(6)?,
                speaker: r.get(7)?,
            },
        ))
    })?;
    for row in rows {
        let (fid, evidence) = row?;
        if let Some(&i) = index.get(&fid) {
            findings[i].evidence.push(evidence);
        }
    }

    let mut links = conn.prepare("SELECT finding_id, kind, value FROM finding_links ORDER BY kind, value")?;
    let rows =
        links.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (fid, kind, value) = row?;
        if let Some(&i) = index.get(&fid) {
            let f = &mut findings[i];
            match kind.as_str() {
                "service" => f.services.push(value),
                "metric" => f.metrics.push(value),
                _ => f.nps_segments.push(value),
            }
        }
    }
    Ok(findings)
}
