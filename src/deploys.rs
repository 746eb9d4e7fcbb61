//! Deploy events and incidents: the raw material of DORA metrics.
//!
//! Owns `deploy_events` and `incidents`. Both import from JSON Lines, one object a line:
//! a deploy has `service`, `environment`, `started_at`, `outcome` (success, failed,
//! rolled_back) and optional `id`, `finished_at`, `commit_at` (for the change lead time) and
//! `version`; an incident has `service`, `started_at` and optional `id`, `resolved_at`,
//! `severity`, `deploy_id` (the `id` of the deploy that caused it) and `title`.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployLine {
    id: Option<String>,
    service: String,
    environment: String,
    started_at: String,
    finished_at: Option<String>,
    outcome: String,
    commit_at: Option<String>,
    version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentLine {
    id: Option<String>,
    service: String,
    started_at: String,
    resolved_at: Option<String>,
    severity: Option<String>,
    deploy_id: Option<String>,
    title: Option<String>,
}

fn lines<'a, T: serde::de::DeserializeOwned>(
    text: &'a str,
    source: &'a str,
) -> impl Iterator<Item = Result<(String, T)>> + 'a {
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(move |(i, line)| {
        let at = format!("{source}:{}", i + 1);
        let value = serde_json::from_str::<T>(line).map_err(|e| Error::invalid(&at, format!("{e}")))?;
        Ok((at, value))
    })
}

fn time(at: &str, field: &str, value: &str) -> Result<String> {
    timefmt::normalise(value).ok_or_else(|| {
        Error::invalid(at, format!("field `{field}`: expected an RFC 3339 time, found {value:?}"))
    })
}

fn opt_time(at: &str, field: &str, value: Option<&str>) -> Result<Option<String>> {
    value.map(|v| time(at, field, v)).transpose()
}

/// Imports deploy events from JSON Lines. Call inside a transaction.
pub fn import_deploys(conn: &Connection, text: &str, source: &str) -> Result<usize> {
    let mut insert = conn.prepare(
        "INSERT INTO deploy_events (external_id, service, environment, started_at, finished_at, outcome, commit_at, lead_time_s, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut n = 0;
    for line in lines::<DeployLine>(text, source) {
        let (at, d) = line?;
        if !matches!(d.outcome.as_str(), "success" | "failed" | "rolled_back") {
            return Err(Error::invalid(
                &at,
                format!("field `outcome`: expected success, failed or rolled_back, found {:?}", d.outcome),
            ));
        }
        let started = time(&at, "started_at", &d.started_at)?;
        let commit = opt_time(&at, "commit_at", d.commit_at.as_deref())?;
        let lead_time_s = commit.as_deref().and_then(|c| {
            Some((timefmt::parse(&started)? - timefmt::parse(c)?).num_seconds()).filter(|s| *s >= 0)
        });
        insert
            .execute(params![
                d.id,
                d.service,
                d.environment,
                started,
                opt_time(&at, "finished_at", d.finished_at.as_deref())?,
                d.outcome,
                commit,
                lead_time_s,
                d.version
            ])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Error::invalid(
                        &at,
                        format!(
                            "field `id`: {:?} is already in the workspace",
                            d.id.as_deref().unwrap_or("")
                        ),
                    )
                }
                other => other.into(),
            })?;
        n += 1;
    }
    Ok(n)
}

/// Imports incidents from JSON Lines. Call inside a transaction (after their deploys).
pub fn import_incidents(conn: &Connection, text: &str, source: &str) -> Result<usize> {
    let mut insert = conn.prepare(
        "INSERT INTO incidents (external_id, service, started_at, resolved_at, severity, deploy_id, title)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut n = 0;
    for line in lines::<IncidentLine>(text, source) {
        let (at, i) = line?;
        let deploy_id: Option<i64> = match &i.deploy_id {
            None => None,
            Some(ext) => Some(
                conn.query_row("SELECT id FROM deploy_events WHERE external_id = ?1", [ext], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| {
                        Error::invalid(&at, format!("field `deploy_id`: no deploy with id {ext:?}"))
                    })?,
            ),
        };
        insert.execute(params![
            i.id,
            i.service,
            time(&at, "started_at", &i.started_at)?,
            opt_time(&at, "resolved_at", i.resolved_at.as_deref())?,
            i.severity,
            deploy_id,
            i.title
        ])?;
        n += 1;
    }
    Ok(n)
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
