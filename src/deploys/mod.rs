//! Deploy events, the gates they passed through, and incidents: the raw material of DORA.
//!
//! Owns `deploy_events`, `deploy_gates` and `incidents`. `import_deploys` reads, telling the
//! format from the content:
//! - CSV with the header `id,service,environment,time,outcome,version,commit_time`;
//! - JSON Lines with the same keys (or the older `started_at`/`commit_at`), optional
//!   `finished_at`, `gates: [{"name", "result": "passed|blocked|overridden", "by", "reason"}]`
//!   and `rollback_reason` (e.g. `circuit_breaker`);
//! - DevLake's webhook deployment JSON (one object, an array, or one a line; see [`devlake`]).
//!
//! Outcome is `success`, `failed` or `rolled_back`; times are RFC 3339; `commit_time` may be
//! empty; other keys (a URL, a duration…) are ignored. Incidents: CSV `id,service,started,resolved` or JSON Lines (also `started_at`,
//! `resolved_at`, `severity`, `deploy_id`, `title`). Imports are idempotent (a deploy with an
//! id already stored, or the same service, time and version, is stored once; an incident by
//! id, or by service and start) and strict: a bad row names its line and field and nothing is
//! imported, unless the caller asks to skip bad rows. [`dora`] and [`gates`] report on them.

pub mod devlake;
pub mod dora;
pub mod gates;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::Table;
use crate::timefmt;

/// Deploys of one service by outcome.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServiceDeploys {
    pub service: String,
    pub total: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub rolled_back: i64,
}

/// All deploy events at a glance.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeploySummary {
    pub events: i64,
    pub first: String,
    pub last: String,
    pub services: Vec<ServiceDeploys>,
}

/// One gate result of a deploy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
pub struct GateResult {
    pub name: String,
    pub result: String,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A deploy as read from a file, checked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NewDeploy {
    pub id: Option<String>,
    pub service: String,
    pub environment: String,
    pub time: String,
    pub finished_at: Option<String>,
    pub outcome: String,
    pub version: Option<String>,
    pub commit_time: Option<String>,
    pub rollback_reason: Option<String>,
    pub gates: Vec<GateResult>,
}

/// An incident as read from a file, checked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NewIncident {
    pub id: Option<String>,
    pub service: String,
    pub started: String,
    pub resolved: Option<String>,
    pub severity: Option<String>,
    pub deploy_id: Option<String>,
    pub title: Option<String>,
}

/// What an import did (or, as a preview, would do).
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct DeployImport {
    /// `csv`, `jsonl` or `devlake`.
    pub format: String,
    /// Rows read.
    pub rows: i64,
    /// Rows stored now.
    pub added: i64,
    /// Rows already in the workspace (or earlier in the file), stored once.
    pub duplicates: i64,
    /// Gate results stored with the new deploys.
    pub gates: i64,
    /// Bad rows left out (only when asked to skip them), each `file:line: message`.
    pub skipped: Vec<String>,
    /// The first rows as read, one line each (for a preview).
    pub sample: Vec<String>,
}

/// How to read a deploy file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Leave bad rows out (and list them) instead of refusing the whole file.
    pub skip_invalid: bool,
    /// The service of DevLake deployments that name none (a DevLake webhook is per project).
    pub service: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DeployLine {
    id: Option<String>,
    service: String,
    environment: String,
    #[serde(alias = "started_at")]
    time: String,
    finished_at: Option<String>,
    outcome: String,
    #[serde(alias = "commit_at")]
    commit_time: Option<String>,
    version: Option<String>,
    #[serde(default)]
    gates: Vec<GateResult>,
    rollback_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IncidentLine {
    id: Option<String>,
    service: String,
    #[serde(alias = "started_at")]
    started: String,
    #[serde(alias = "resolved_at")]
    resolved: Option<String>,
    severity: Option<String>,
    deploy_id: Option<String>,
    title: Option<String>,
}

pub(crate) fn time(at: &str, field: &str, value: &str) -> Result<String> {
    timefmt::normalise(value).ok_or_else(|| {
        Error::invalid(
            at,
            format!("field `{field}`: expected an RFC 3339 time like 2026-03-04T14:30:00Z, found {value:?}"),
        )
    })
}

fn opt_time(at: &str, field: &str, value: Option<&str>) -> Result<Option<String>> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(|v| time(at, field, v)).transpose()
}

fn non_empty(at: &str, field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(at, format!("field `{field}`: expected a value, found none")));
    }
    Ok(v.to_string())
}

fn opt(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(String::from)
}

/// Checks one deploy's fields (`at` names its file and line).
#[allow(clippy::too_many_arguments)]
fn check_deploy(
    at: &str,
    id: Option<&str>,
    service: &str,
    environment: &str,
    when: &str,
    finished: Option<&str>,
    outcome: &str,
    version: Option<&str>,
    commit: Option<&str>,
    rollback_reason: Option<&str>,
    gates: Vec<GateResult>,
) -> Result<NewDeploy> {
    let outcome = outcome.trim();
    if !matches!(outcome, "success" | "failed" | "rolled_back") {
        return Err(Error::invalid(
            at,
            format!("field `outcome`: expected success, failed or rolled_back, found {outcome:?}"),
        ));
    }
    for (i, g) in gates.iter().enumerate() {
        if g.name.trim().is_empty() {
            return Err(Error::invalid(at, format!("field `gates[{i}].name`: expected a gate name")));
        }
        if !matches!(g.result.as_str(), "passed" | "blocked" | "overridden") {
            return Err(Error::invalid(
                at,
                format!(
                    "field `gates[{i}].result`: expected passed, blocked or overridden, found {:?}",
                    g.result
                ),
            ));
        }
    }
    Ok(NewDeploy {
        id: opt(id),
        service: non_empty(at, "service", service)?,
        environment: non_empty(at, "environment", environment)?.to_ascii_lowercase(),
        time: time(at, "time", when)?,
        finished_at: opt_time(at, "finished_at", finished)?,
        outcome: outcome.to_string(),
        version: opt(version),
        commit_time: opt_time(at, "commit_time", commit)?,
        rollback_reason: opt(rollback_reason),
        gates,
    })
}

/// The shape of a deploy or incident file.
fn format_of(text: &str) -> &'static str {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('[') {
        "json"
    } else if first.starts_with('{') {
        // JSON Lines when the first line is a whole object; else one pretty-printed object.
        match serde_json::from_str::<serde_json::Value>(first.lines().next().unwrap_or("")) {
            Ok(_) => "jsonl",
            Err(_) => "json",
        }
    } else {
        "csv"
    }
}

/// JSON values of a JSON or JSON Lines text, each with where it is (`file:line` or `file[i]`).
fn json_values(text: &str, source: &str) -> Vec<(String, Result<serde_json::Value>)> {
    match format_of(text) {
        "json" => match serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')) {
            Ok(serde_json::Value::Array(items)) => {
                items.into_iter().enumerate().map(|(i, v)| (format!("{source}[{i}]"), Ok(v))).collect()
            }
            Ok(v) => vec![(source.to_string(), Ok(v))],
            Err(e) => {
                let at = format!("{source}:{}", e.line());
                vec![(at.clone(), Err(Error::invalid(at, format!("not valid JSON: {e}"))))]
            }
        },
        _ => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, line)| {
                let at = format!("{source}:{}", i + 1);
                if line.len() > crate::limits::FIELD {
                    let message = format!("a line of {} bytes; lines are read up to 1 MiB", line.len());
                    return (at.clone(), Err(Error::invalid(at, message)));
                }
                let v = serde_json::from_str(line)
                    .map_err(|e| Error::invalid(&at, format!("not valid JSON: {e}")));
                (at, v)
            })
            .collect(),
    }
}

/// Reads a deploy file into checked deploys; bad rows are errors, or left out (with their
/// message) when `skip_invalid`.
pub fn read_deploys(
    text: &str,
    source: &str,
    opts: &ImportOptions,
) -> Result<(String, Vec<NewDeploy>, Vec<String>)> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut keep = |r: Result<NewDeploy>| -> Result<()> {
        match r {
            Ok(d) => out.push(d),
            Err(e) if opts.skip_invalid && e.code() == crate::ErrorCode::InvalidInput => {
                skipped.push(e.to_string())
            }
            Err(e) => return Err(e),
        }
        Ok(())
    };
    let text = text.trim_start_matches('\u{feff}');
    let format = format_of(text);
    if format == "csv" {
        let table = Table::parse(text, source)?;
        // The older names of the JSON Lines form are read too.
        let has = |c: &str| table.headers().iter().any(|h| h == c);
        let time_col = if !has("time") && has("started_at") { "started_at" } else { "time" };
        let commit_col = if !has("commit_time") && has("commit_at") { "commit_at" } else { "commit_time" };
        table.require_columns(&["service", "environment", time_col, "outcome"])?;
        for rec in table.records() {
            let at = rec.location();
            keep(check_deploy(
                &at,
                rec.get("id"),
                rec.get("service").unwrap_or(""),
                rec.get("environment").unwrap_or(""),
                rec.get(time_col).unwrap_or(""),
                rec.get("finished_at"),
                rec.get("outcome").unwrap_or(""),
                rec.get("version"),
                rec.get(commit_col),
                rec.get("rollback_reason"),
                Vec::new(),
            ))?;
        }
        return Ok(("csv".into(), out, skipped));
    }
    let mut devlake_seen = false;
    for (at, value) in json_values(text, source) {
        let parsed = value.and_then(|v| {
            if devlake::is_devlake(&v) {
                devlake_seen = true;
                return devlake::deploy(&at, &v, opts.service.as_deref());
            }
            let d: DeployLine = serde_json::from_value(v).map_err(|e| Error::invalid(&at, format!("{e}")))?;
            check_deploy(
                &at,
                d.id.as_deref(),
                &d.service,
                &d.environment,
                &d.time,
                d.finished_at.as_deref(),
                &d.outcome,
                d.version.as_deref(),
                d.commit_time.as_deref(),
                d.rollback_reason.as_deref(),
                d.gates,
            )
        });
        keep(parsed)?;
    }
    Ok((if devlake_seen { "devlake" } else { "jsonl" }.into(), out, skipped))
}

/// Stores checked deploys, once each. Call inside a transaction.
pub fn store_deploys(conn: &Connection, deploys: &[NewDeploy], report: &mut DeployImport) -> Result<()> {
    let mut by_id = conn.prepare("SELECT 1 FROM deploy_events WHERE external_id = ?1")?;
    let mut by_key =
        conn.prepare("SELECT 1 FROM deploy_events WHERE service = ?1 AND started_at = ?2 AND version IS ?3")?;
    let mut insert = conn.prepare(
        "INSERT INTO deploy_events (external_id, service, environment, started_at, finished_at, outcome, commit_at, lead_time_s, version, rollback_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut gate = conn.prepare(
        "INSERT INTO deploy_gates (deploy_id, name, result, by, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for d in deploys {
        report.rows += 1;
        let seen =
            match &d.id {
                Some(id) => by_id.query_row([id], |_| Ok(())).optional()?.is_some(),
                None => false,
            } || by_key.query_row(params![d.service, d.time, d.version], |_| Ok(())).optional()?.is_some();
        if seen {
            report.duplicates += 1;
            continue;
        }
        let lead_time_s = d.commit_time.as_deref().and_then(|c| {
            Some((timefmt::parse(&d.time)? - timefmt::parse(c)?).num_seconds()).filter(|s| *s >= 0)
        });
        insert.execute(params![
            d.id,
            d.service,
            d.environment,
            d.time,
            d.finished_at,
            d.outcome,
            d.commit_time,
            lead_time_s,
            d.version,
            d.rollback_reason
        ])?;
        let deploy_id = conn.last_insert_rowid();
        for g in &d.gates {
            gate.execute(params![
                deploy_id,
                g.name.trim(),
                g.result,
                opt(g.by.as_deref()),
                opt(g.reason.as_deref())
            ])?;
            report.gates += 1;
        }
        report.added += 1;
    }
    Ok(())
}

/// Imports deploy events from a file's text (CSV, JSON Lines or DevLake JSON). Call inside a
/// transaction.
pub fn import_deploys_with(
    conn: &Connection,
    text: &str,
    source: &str,
    opts: &ImportOptions,
) -> Result<DeployImport> {
    let (format, deploys, skipped) = read_deploys(text, source, opts)?;
    let sample = deploys
        .iter()
        .take(5)
        .map(|d| {
            let gates: Vec<String> = d.gates.iter().map(|g| format!("{} {}", g.name, g.result)).collect();
            format!(
                "{} {} {} {} {}{}",
                d.time,
                d.service,
                d.environment,
                d.outcome,
                d.version.as_deref().unwrap_or(""),
                if gates.is_empty() { String::new() } else { format!(" (gates: {})", gates.join(", ")) }
            )
        })
        .collect();
    let mut report = DeployImport { format, skipped, sample, ..Default::default() };
    store_deploys(conn, &deploys, &mut report)?;
    Ok(report)
}

/// Imports deploy events strictly (the demo's JSON Lines). Call inside a transaction.
pub fn import_deploys(conn: &Connection, text: &str, source: &str) -> Result<usize> {
    Ok(import_deploys_with(conn, text, source, &ImportOptions::default())?.added as usize)
}

/// Reads an incident file (CSV `id,service,started,resolved` or JSON Lines).
pub fn read_incidents(
    text: &str,
    source: &str,
    skip_invalid: bool,
) -> Result<(String, Vec<NewIncident>, Vec<String>)> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut keep = |r: Result<NewIncident>| -> Result<()> {
        match r {
            Ok(i) => out.push(i),
            Err(e) if skip_invalid && e.code() == crate::ErrorCode::InvalidInput => {
                skipped.push(e.to_string())
            }
            Err(e) => return Err(e),
        }
        Ok(())
    };
    let check = |at: &str, i: IncidentLine| -> Result<NewIncident> {
        let started = time(at, "started", &i.started)?;
        let resolved = opt_time(at, "resolved", i.resolved.as_deref())?;
        if let Some(r) = &resolved {
            if r < &started {
                return Err(Error::invalid(
                    at,
                    format!("field `resolved`: {r} is before the start {started}"),
                ));
            }
        }
        Ok(NewIncident {
            id: opt(i.id.as_deref()),
            service: non_empty(at, "service", &i.service)?,
            started,
            resolved,
            severity: opt(i.severity.as_deref()),
            deploy_id: opt(i.deploy_id.as_deref()),
            title: opt(i.title.as_deref()),
        })
    };
    let text = text.trim_start_matches('\u{feff}');
    if format_of(text) == "csv" {
        let table = Table::parse(text, source)?;
        table.require_columns(&["service", "started"])?;
        for rec in table.records() {
            let line = IncidentLine {
                id: rec.get("id").map(String::from),
                service: rec.get("service").unwrap_or("").to_string(),
                started: rec.get("started").unwrap_or("").to_string(),
                resolved: rec.get("resolved").map(String::from),
                severity: rec.get("severity").map(String::from),
                deploy_id: rec.get("deploy_id").map(String::from),
                title: rec.get("title").map(String::from),
            };
            keep(check(&rec.location(), line))?;
        }
        return Ok(("csv".into(), out, skipped));
    }
    for (at, value) in json_values(text, source) {
        keep(value.and_then(|v| {
            let line: IncidentLine =
                serde_json::from_value(v).map_err(|e| Error::invalid(&at, format!("{e}")))?;
            check(&at, line)
        }))?;
    }
    Ok(("jsonl".into(), out, skipped))
}

/// Imports incidents. Call inside a transaction (after their deploys).
pub fn import_incidents_with(
    conn: &Connection,
    text: &str,
    source: &str,
    skip_invalid: bool,
) -> Result<DeployImport> {
    let (format, incidents, skipped) = read_incidents(text, source, skip_invalid)?;
    let sample = incidents
        .iter()
        .take(5)
        .map(|i| format!("{} {} → {}", i.service, i.started, i.resolved.as_deref().unwrap_or("unresolved")))
        .collect();
    let mut report = DeployImport { format, skipped, sample, ..Default::default() };
    let mut by_id = conn.prepare("SELECT 1 FROM incidents WHERE external_id = ?1")?;
    let mut by_key = conn.prepare("SELECT 1 FROM incidents WHERE service = ?1 AND started_at = ?2")?;
    let mut insert = conn.prepare(
        "INSERT INTO incidents (external_id, service, started_at, resolved_at, severity, deploy_id, title)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT id FROM deploy_events WHERE external_id = ?6), ?7)",
    )?;
    for i in &incidents {
        report.rows += 1;
        let seen = match &i.id {
            Some(id) => by_id.query_row([id], |_| Ok(())).optional()?.is_some(),
            None => false,
        } || by_key.query_row(params![i.service, i.started], |_| Ok(())).optional()?.is_some();
        if seen {
            report.duplicates += 1;
            continue;
        }
        insert.execute(params![i.id, i.service, i.started, i.resolved, i.severity, i.deploy_id, i.title])?;
        report.added += 1;
    }
    Ok(report)
}

/// Imports incidents strictly (the demo's JSON Lines). Call inside a transaction.
pub fn import_incidents(conn: &Connection, text: &str, source: &str) -> Result<usize> {
    Ok(import_incidents_with(conn, text, source, false)?.added as usize)
}

/// Deploys by service and outcome, or `None` when there are none.
pub fn summary(conn: &Connection) -> Result<Option<DeploySummary>> {
    let head: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT count(*), min(started_at), max(started_at) FROM deploy_events HAVING count(*) > 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((events, first, last)) = head else { return Ok(None) };
    let mut stmt = conn.prepare(
        "SELECT service, count(*), sum(outcome = 'success'), sum(outcome = 'failed'), sum(outcome = 'rolled_back')
         FROM deploy_events GROUP BY service ORDER BY service",
    )?;
    let services = stmt
        .query_map([], |r| {
            Ok(ServiceDeploys {
                service: r.get(0)?,
                total: r.get(1)?,
                succeeded: r.get(2)?,
                failed: r.get(3)?,
                rolled_back: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(DeploySummary { events, first, last, services }))
}

/// A report window: `[from, to)` as RFC 3339 UTC text. A bare date as `to` means the end of
/// that day.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Window {
    /// Parses `--from`/`--to` values (RFC 3339 times or `YYYY-MM-DD` dates).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Window> {
        let from = from
            .map(|f| {
                timefmt::normalise(f).ok_or_else(|| {
                    Error::invalid("--from", format!("expected a date or an RFC 3339 time, found {f:?}"))
                })
            })
            .transpose()?;
        let to = to
            .map(|t| {
                let parsed = timefmt::parse(t).ok_or_else(|| {
                    Error::invalid("--to", format!("expected a date or an RFC 3339 time, found {t:?}"))
                })?;
                let end = if t.trim().len() == 10 { parsed + chrono::Duration::days(1) } else { parsed };
                Ok::<_, Error>(end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            })
            .transpose()?;
        Ok(Window { from, to })
    }

    /// Whether an RFC 3339 UTC time is inside.
    pub fn contains(&self, t: &str) -> bool {
        self.from.as_deref().is_none_or(|f| t >= f) && self.to.as_deref().is_none_or(|e| t < e)
    }
}

fn read_file(path: &std::path::Path) -> Result<String> {
    crate::limits::read_text(path, crate::limits::TABLE, "deploy or incident")
}

/// Imports a deploy file in one transaction; with `commit` false, only says what it would do.
pub fn import_deploys_file(
    conn: &mut Connection,
    path: &std::path::Path,
    opts: &ImportOptions,
    commit: bool,
) -> Result<DeployImport> {
    let text = read_file(path)?;
    let tx = conn.transaction()?;
    let report = import_deploys_with(&tx, &text, &path.display().to_string(), opts)?;
    if commit {
        tx.commit()?;
    }
    Ok(report)
}

/// Imports an incident file in one transaction; with `commit` false, only says what it would do.
pub fn import_incidents_file(
    conn: &mut Connection,
    path: &std::path::Path,
    skip_invalid: bool,
    commit: bool,
) -> Result<DeployImport> {
    let text = read_file(path)?;
    let tx = conn.transaction()?;
    let report = import_incidents_with(&tx, &text, &path.display().to_string(), skip_invalid)?;
    if commit {
        tx.commit()?;
    }
    Ok(report)
}
