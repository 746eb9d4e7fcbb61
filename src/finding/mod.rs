//! Findings: titled claims backed by highlights, linked to services, metrics and NPS segments.
//!
//! Owns `findings`, `finding_evidence` and `finding_links`. A finding has a title, a
//! statement (`body`), a status (draft → reviewed → shared → acted on), a severity and a
//! confidence; its evidence are highlights (a session's, each playable from its second, or
//! words of an NPS comment or a feedback item, shown with their score and segment or channel
//! and user), and the summary counts how many people (and which roles) back it.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::coding::{self, HighlightFilter, HighlightRow, HighlightSource};
use crate::error::{Error, Result};
use crate::store;

/// One piece of evidence: a highlight with where it was said: a session span (playable from
/// its second), or words of an NPS comment (with its score and segment) or a feedback item
/// (with its channel and user).
#[derive(Debug, Clone, Serialize, TS)]
pub struct EvidenceView {
    pub highlight_id: i64,
    pub source: HighlightSource,
    pub session_id: Option<i64>,
    pub nps_id: Option<i64>,
    pub feedback_id: Option<i64>,
    /// The person interviewed, the respondent or the feedback's user ("" when unknown).
    pub person_name: String,
    pub person_role: Option<String>,
    pub speaker: Option<String>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub score: Option<i64>,
    pub segments: Vec<String>,
    pub channel: Option<String>,
    pub submitted_at: Option<String>,
    pub text: String,
    pub tags: Vec<String>,
}

impl EvidenceView {
    fn of(h: HighlightRow) -> EvidenceView {
        EvidenceView {
            highlight_id: h.id,
            source: h.source,
            session_id: h.session_id,
            nps_id: h.nps_id,
            feedback_id: h.feedback_id,
            person_name: h.person_name.unwrap_or_default(),
            person_role: h.person_role,
            speaker: h.speaker,
            start_ms: h.start_ms,
            end_ms: h.end_ms,
            score: h.score,
            segments: h.segments,
            channel: h.channel,
            submitted_at: h.submitted_at,
            text: h.text,
            tags: h.tags,
        }
    }
}

/// How many people of one role back a finding.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RoleCount {
    pub role: String,
    pub people: i64,
}

/// A finding with its evidence and links.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingSummary {
    pub id: i64,
    pub study_id: i64,
    pub study: String,
    pub title: String,
    pub body: Option<String>,
    /// draft, reviewed, shared or acted_on.
    pub status: String,
    /// low, medium, high or critical.
    pub severity: Option<String>,
    /// low, medium or high.
    pub confidence: Option<String>,
    pub evidence: Vec<EvidenceView>,
    /// Different people the evidence comes from (interviewed, respondents, feedback users).
    pub people: i64,
    /// Those people by role (the directory's role; "unknown" without one).
    pub roles: Vec<RoleCount>,
    pub services: Vec<String>,
    pub metrics: Vec<String>,
    pub nps_segments: Vec<String>,
    /// Pieces of evidence a delete took away (a forgotten person, a deleted session); the
    /// finding keeps its text and says so.
    pub evidence_removed: i64,
}

/// A finding's fields as the board's form and `finding add` give them.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct FindingInput {
    pub title: String,
    pub body: Option<String>,
    pub status: Option<String>,
    pub severity: Option<String>,
    pub confidence: Option<String>,
    /// Highlights to attach as evidence.
    pub evidence: Vec<i64>,
}

/// What a finding can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
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

/// The statuses in their order.
pub const STATUSES: [&str; 4] = ["draft", "reviewed", "shared", "acted_on"];
/// The severities, least first.
pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
/// The confidences, least first.
pub const CONFIDENCES: [&str; 3] = ["low", "medium", "high"];

fn pick(field: &str, value: &str, allowed: &[&str]) -> Result<String> {
    let v = value.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    allowed
        .iter()
        .find(|a| **a == v)
        .map(|a| a.to_string())
        .ok_or_else(|| Error::invalid(field, format!("{value:?} is not one of {}", allowed.join(", "))))
}

/// A status, normalised (`acted on` and `acted-on` are `acted_on`).
pub fn parse_status(value: &str) -> Result<String> {
    pick("status", value, &STATUSES)
}

/// Creates a finding in a study.
pub fn create(conn: &Connection, study_id: i64, title: &str, body: Option<&str>) -> Result<i64> {
    create_with(
        conn,
        study_id,
        &FindingInput { title: title.to_string(), body: body.map(str::to_string), ..Default::default() },
    )
}

/// Creates a finding with its fields and evidence in one transaction; returns its id.
pub fn create_with(conn: &Connection, study_id: i64, input: &FindingInput) -> Result<i64> {
    if input.title.trim().is_empty() {
        return Err(Error::invalid("--title", "a finding needs a title"));
    }
    crate::study::get(conn, study_id)?;
    let status = input.status.as_deref().map(parse_status).transpose()?.unwrap_or_else(|| "draft".into());
    let severity =
        input.severity.as_deref().filter(|s| !s.is_empty()).map(|s| pick("severity", s, &SEVERITIES));
    let confidence =
        input.confidence.as_deref().filter(|s| !s.is_empty()).map(|s| pick("confidence", s, &CONFIDENCES));
    let (severity, confidence) = (severity.transpose()?, confidence.transpose()?);
    crate::coding::atomically(conn, || {
        conn.execute(
            "INSERT INTO findings (study_id, title, body, status, severity, confidence, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                study_id,
                input.title.trim(),
                input.body.as_deref().map(str::trim).filter(|b| !b.is_empty()),
                status,
                severity,
                confidence,
                store::now()
            ],
        )?;
        let id = conn.last_insert_rowid();
        for h in &input.evidence {
            add_evidence(conn, id, *h)?;
        }
        Ok(id)
    })
}

/// What `update` changes; `None` keeps a field, an empty string removes an optional one.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct FindingPatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub status: Option<String>,
    pub severity: Option<String>,
    pub confidence: Option<String>,
}

/// Changes a finding's fields.
pub fn update(conn: &Connection, id: i64, patch: &FindingPatch) -> Result<FindingSummary> {
    get(conn, id)?;
    let opt = |v: &Option<String>, field: &str, allowed: &[&str]| -> Result<Option<Option<String>>> {
        match v.as_deref().map(str::trim) {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(v) => Ok(Some(Some(pick(field, v, allowed)?))),
        }
    };
    let severity = opt(&patch.severity, "severity", &SEVERITIES)?;
    let confidence = opt(&patch.confidence, "confidence", &CONFIDENCES)?;
    let status = patch.status.as_deref().map(parse_status).transpose()?;
    if let Some(t) = &patch.title {
        if t.trim().is_empty() {
            return Err(Error::invalid("title", "a finding needs a title"));
        }
    }
    crate::coding::atomically(conn, || {
        if let Some(t) = &patch.title {
            conn.execute("UPDATE findings SET title = ?2 WHERE id = ?1", params![id, t.trim()])?;
        }
        if let Some(b) = &patch.body {
            let b = Some(b.trim()).filter(|b| !b.is_empty());
            conn.execute("UPDATE findings SET body = ?2 WHERE id = ?1", params![id, b])?;
        }
        if let Some(s) = &status {
            conn.execute("UPDATE findings SET status = ?2 WHERE id = ?1", params![id, s])?;
        }
        if let Some(s) = &severity {
            conn.execute("UPDATE findings SET severity = ?2 WHERE id = ?1", params![id, s])?;
        }
        if let Some(c) = &confidence {
            conn.execute("UPDATE findings SET confidence = ?2 WHERE id = ?1", params![id, c])?;
        }
        Ok(())
    })?;
    get(conn, id)
}

/// Deletes a finding (its highlights stay).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM findings WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("finding", id));
    }
    Ok(())
}

/// Adds a highlight as evidence of a finding.
pub fn add_evidence(conn: &Connection, finding_id: i64, highlight_id: i64) -> Result<()> {
    let exists: Option<i64> =
        conn.query_row("SELECT id FROM highlights WHERE id = ?1", [highlight_id], |r| r.get(0)).optional()?;
    if exists.is_none() {
        return Err(Error::not_found("highlight", highlight_id));
    }
    let finding: Option<i64> =
        conn.query_row("SELECT id FROM findings WHERE id = ?1", [finding_id], |r| r.get(0)).optional()?;
    if finding.is_none() {
        return Err(Error::not_found("finding", finding_id));
    }
    conn.execute(
        "INSERT OR IGNORE INTO finding_evidence (finding_id, highlight_id) VALUES (?1, ?2)",
        params![finding_id, highlight_id],
    )?;
    Ok(())
}

/// Takes a highlight out of a finding's evidence.
pub fn remove_evidence(conn: &Connection, finding_id: i64, highlight_id: i64) -> Result<()> {
    let n = conn.execute(
        "DELETE FROM finding_evidence WHERE finding_id = ?1 AND highlight_id = ?2",
        params![finding_id, highlight_id],
    )?;
    if n == 0 {
        return Err(Error::not_found(
            "evidence",
            format!("highlight {highlight_id} of finding {finding_id}"),
        ));
    }
    Ok(())
}

/// Links a finding to a service, a metric or an NPS segment.
pub fn link(conn: &Connection, finding_id: i64, kind: LinkKind, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(kind.as_str(), "must not be empty"));
    }
    get(conn, finding_id)?;
    conn.execute(
        "INSERT OR IGNORE INTO finding_links (finding_id, kind, value) VALUES (?1, ?2, ?3)",
        params![finding_id, kind.as_str(), value.trim()],
    )?;
    Ok(())
}

/// Removes a link of a finding.
pub fn unlink(conn: &Connection, finding_id: i64, kind: LinkKind, value: &str) -> Result<()> {
    let n = conn.execute(
        "DELETE FROM finding_links WHERE finding_id = ?1 AND kind = ?2 AND value = ?3",
        params![finding_id, kind.as_str(), value.trim()],
    )?;
    if n == 0 {
        return Err(Error::not_found("link", format!("{} {value} of finding {finding_id}", kind.as_str())));
    }
    Ok(())
}

/// One finding.
pub fn get(conn: &Connection, id: i64) -> Result<FindingSummary> {
    let study: Option<i64> =
        conn.query_row("SELECT study_id FROM findings WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let study = study.ok_or_else(|| Error::not_found("finding", id))?;
    Ok(list(conn, Some(study))?.into_iter().find(|f| f.id == id).expect("the finding is in its study"))
}

/// Counts, on each finding, the evidence among `highlight_ids` it is about to lose (their
/// highlights are being deleted with a person, session or study). Writes no transaction of
/// its own: it runs inside the delete's. Returns how many findings lose evidence.
pub fn note_evidence_removed(conn: &Connection, highlight_ids: &[i64]) -> Result<i64> {
    let ids = serde_json::to_string(highlight_ids).expect("ids serialise");
    let n = conn.execute(
        "UPDATE findings SET evidence_removed = evidence_removed + (
             SELECT count(*) FROM finding_evidence fe
             WHERE fe.finding_id = findings.id AND fe.highlight_id IN (SELECT value FROM json_each(?1)))
         WHERE id IN (SELECT finding_id FROM finding_evidence
                      WHERE highlight_id IN (SELECT value FROM json_each(?1)))",
        [&ids],
    )?;
    Ok(n as i64)
}

/// Findings of one study or all, oldest first, with evidence and links.
pub fn list(conn: &Connection, study_id: Option<i64>) -> Result<Vec<FindingSummary>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.study_id, s.name, f.title, f.body, f.status, f.severity, f.confidence,
                f.evidence_removed
         FROM findings f JOIN studies s ON s.id = f.study_id
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
                status: r.get(5)?,
                severity: r.get(6)?,
                confidence: r.get(7)?,
                evidence: Vec::new(),
                people: 0,
                roles: Vec::new(),
                services: Vec::new(),
                metrics: Vec::new(),
                nps_segments: Vec::new(),
                evidence_removed: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let index: HashMap<i64, usize> = findings.iter().enumerate().map(|(i, f)| (f.id, i)).collect();

    let mut cited = conn.prepare("SELECT finding_id, highlight_id FROM finding_evidence")?;
    let pairs = cited
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Every highlight a finding cites, in the list's order (sessions by time, then NPS and
    // feedback by when they were given).
    let rows = coding::highlights::list(conn, &HighlightFilter { study_id, ..Default::default() })?;
    let mut order: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    let mut by_id: HashMap<i64, HighlightRow> = rows.into_iter().map(|h| (h.id, h)).collect();
    for (_, hid) in &pairs {
        if !by_id.contains_key(hid) {
            let h = coding::highlights::get(conn, *hid)?;
            order.insert(h.id, usize::MAX);
            by_id.insert(h.id, h);
        }
    }
    let mut pairs: Vec<(i64, i64)> = pairs.into_iter().filter(|(fid, _)| index.contains_key(fid)).collect();
    pairs.sort_by_key(|(_, hid)| (order[hid], *hid));
    let mut backers: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (fid, hid) in pairs {
        let h = by_id[&hid].clone();
        // A person of the directory, else an NPS respondent or feedback user by name.
        let who = match (h.person_id, &h.person_name) {
            (Some(pid), _) => Some(format!("person:{pid}")),
            (None, Some(name)) if h.source.is_text() && !name.is_empty() => Some(format!("name:{name}")),
            _ => None,
        };
        if let Some(who) = who {
            let role = h.person_role.clone().unwrap_or_else(|| "unknown".into());
            backers.entry(fid).or_default().insert(who, role);
        }
        findings[index[&fid]].evidence.push(EvidenceView::of(h));
    }
    for (fid, people) in backers {
        let f = &mut findings[index[&fid]];
        f.people = people.len() as i64;
        let mut by_role: BTreeMap<String, i64> = BTreeMap::new();
        for role in people.into_values() {
            *by_role.entry(role).or_default() += 1;
        }
        let mut roles: Vec<RoleCount> =
            by_role.into_iter().map(|(role, people)| RoleCount { role, people }).collect();
        roles.sort_by(|a, b| b.people.cmp(&a.people).then(a.role.cmp(&b.role)));
        f.roles = roles;
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
