//! Releases: what shipped for a service at a time, linked to the findings that asked for it,
//! and the before/after of a release over equal windows.
//!
//! Owns `releases` and `release_findings`. [`compare`] takes a window w (30 days unless
//! asked) and compares `[at − w, at)` with `[at, at + w)`:
//! - a metric: the mean of its points (every label set) in each window; the difference's 95%
//!   interval is Welch's (diff ± 1.96 × √(s₁²/n₁ + s₂²/n₂));
//! - NPS: the score of the responses in each window; the interval of the difference is the
//!   adjusted-Wald one (see `nps::report`);
//! - a DORA key of the release's service (`deployments`, `deployment_days`,
//!   `lead_time_median_hours`, `change_failure_rate`, `time_to_restore_median_hours`); only the
//!   change failure rate, a proportion, has an interval (Wald, two proportions);
//! - a gate of the release's service: its block rate (blocks / evaluations), with the Wald
//!   interval of two proportions.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::deploys::{dora, gates, Window};
use crate::error::{Error, Result};
use crate::timefmt;

/// A finding linked to a release.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LinkedFinding {
    pub id: i64,
    pub title: String,
}

/// A release with its findings.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Release {
    pub id: i64,
    pub service: String,
    pub at: String,
    pub title: String,
    pub findings: Vec<LinkedFinding>,
}

fn check_findings(conn: &Connection, findings: &[i64]) -> Result<()> {
    for f in findings {
        let found: Option<i64> =
            conn.query_row("SELECT id FROM findings WHERE id = ?1", [f], |r| r.get(0)).optional()?;
        if found.is_none() {
            return Err(Error::not_found("finding", f));
        }
    }
    Ok(())
}

fn normal_time(at: &str) -> Result<String> {
    timefmt::normalise(at)
        .ok_or_else(|| Error::invalid("--at", format!("expected an RFC 3339 time or a date, found {at:?}")))
}

/// Adds a release. Returns its id.
pub fn add(conn: &Connection, service: &str, at: &str, title: &str, findings: &[i64]) -> Result<i64> {
    if service.trim().is_empty() {
        return Err(Error::invalid("--service", "expected a service"));
    }
    if title.trim().is_empty() {
        return Err(Error::invalid("--title", "expected a title"));
    }
    let at = normal_time(at)?;
    check_findings(conn, findings)?;
    conn.execute(
        "INSERT INTO releases (service, at, title) VALUES (?1, ?2, ?3)",
        params![service.trim(), at, title.trim()],
    )?;
    let id = conn.last_insert_rowid();
    for f in findings {
        conn.execute(
            "INSERT OR IGNORE INTO release_findings (release_id, finding_id) VALUES (?1, ?2)",
            params![id, f],
        )?;
    }
    Ok(id)
}

/// Changes a release's service, time, title and findings.
pub fn update(
    conn: &Connection,
    id: i64,
    service: &str,
    at: &str,
    title: &str,
    findings: &[i64],
) -> Result<()> {
    get(conn, id)?;
    let at = normal_time(at)?;
    check_findings(conn, findings)?;
    conn.execute(
        "UPDATE releases SET service = ?2, at = ?3, title = ?4 WHERE id = ?1",
        params![id, service.trim(), at, title.trim()],
    )?;
    conn.execute("DELETE FROM release_findings WHERE release_id = ?1", [id])?;
    for f in findings {
        conn.execute(
            "INSERT OR IGNORE INTO release_findings (release_id, finding_id) VALUES (?1, ?2)",
            params![id, f],
        )?;
    }
    Ok(())
}

/// Deletes a release (its finding links go with it; the findings stay).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM releases WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("release", id));
    }
    Ok(())
}

fn findings_of(conn: &Connection, id: i64) -> Result<Vec<LinkedFinding>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.title FROM release_findings rf JOIN findings f ON f.id = rf.finding_id WHERE rf.release_id = ?1 ORDER BY f.id",
    )?;
    let rows = stmt
        .query_map([id], |r| Ok(LinkedFinding { id: r.get(0)?, title: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One release.
pub fn get(conn: &Connection, id: i64) -> Result<Release> {
    let head: Option<(String, String, String)> = conn
        .query_row("SELECT service, at, title FROM releases WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (service, at, title) = head.ok_or_else(|| Error::not_found("release", id))?;
    Ok(Release { id, service, at, title, findings: findings_of(conn, id)? })
}

/// Releases in time order, optionally of one service.
pub fn list(conn: &Connection, service: Option<&str>) -> Result<Vec<Release>> {
    let mut stmt =
        conn.prepare("SELECT id FROM releases WHERE (?1 IS NULL OR service = ?1) ORDER BY at, id")?;
    let ids = stmt.query_map([service], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// A release as the window sends it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ReleaseInput {
    pub service: String,
    /// An RFC 3339 time or a date.
    pub at: String,
    pub title: String,
    pub findings: Vec<i64>,
}

/// What to compare around a release.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Statistic {
    Metric(String),
    Nps,
    Dora(String),
    Gate(String),
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CompareSide {
    pub from: String,
    pub to: String,
    pub value: Option<f64>,
    /// How many observations the value is made of (points, responses, deploys, evaluations).
    pub n: i64,
}

/// A before/after comparison.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Comparison {
    pub release: Release,
    /// `metric:NAME`, `nps`, `dora:KEY` or `gate:NAME`.
    pub statistic: String,
    pub window_days: i64,
    pub before: CompareSide,
    pub after: CompareSide,
    /// after − before.
    pub difference: Option<f64>,
    /// The 95% interval of the difference, where the statistic has one.
    pub ci95: Option<(f64, f64)>,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var)
}

fn proportions_ci(a: (i64, i64), b: (i64, i64)) -> Option<(f64, f64)> {
    let (ka, na) = a;
    let (kb, nb) = b;
    if na == 0 || nb == 0 {
        return None;
    }
    let pa = ka as f64 / na as f64;
    let pb = kb as f64 / nb as f64;
    let half = 1.96 * (pa * (1.0 - pa) / na as f64 + pb * (1.0 - pb) / nb as f64).sqrt();
    Some((pb - pa - half, pb - pa + half))
}

/// Compares a statistic before and after a release over equal windows of `window_days`.
pub fn compare(conn: &Connection, release_id: i64, stat: &Statistic, window_days: i64) -> Result<Comparison> {
    if window_days <= 0 {
        return Err(Error::invalid("--window", "expected a positive number of days"));
    }
    let release = get(conn, release_id)?;
    let at = timefmt::parse(&release.at)
        .ok_or_else(|| Error::Integrity(format!("release {release_id}: bad time")))?;
    let w = Duration::days(window_days);
    let (b0, b1, a1) = (at - w, at, at + w);
    let before_w = Window { from: Some(iso(b0)), to: Some(iso(b1)) };
    let after_w = Window { from: Some(iso(b1)), to: Some(iso(a1)) };
    let side = |win: &Window, value: Option<f64>, n: i64| CompareSide {
        from: win.from.clone().unwrap_or_default(),
        to: win.to.clone().unwrap_or_default(),
        value,
        n,
    };
    let (statistic, before, after, ci95) = match stat {
        Statistic::Metric(name) => {
            crate::metrics::show(conn, name, None)?;
            let values = |lo: DateTime<Utc>, hi: DateTime<Utc>| -> Result<Vec<f64>> {
                let mut stmt = conn.prepare(
                    "SELECT p.value FROM metric_points p JOIN metric_series s ON s.id = p.series_id
                     WHERE s.name = ?1 AND p.at_ms >= ?2 AND p.at_ms < ?3",
                )?;
                let v = stmt
                    .query_map(params![name, lo.timestamp_millis(), hi.timestamp_millis()], |r| {
                        r.get::<_, f64>(0)
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(v.into_iter().filter(|x| x.is_finite()).collect())
            };
            let (vb, va) = (values(b0, b1)?, values(b1, a1)?);
            let mb = (!vb.is_empty()).then(|| mean_var(&vb));
            let ma = (!va.is_empty()).then(|| mean_var(&va));
            let ci = match (mb, ma) {
                (Some((m1, v1)), Some((m2, v2))) => {
                    let half = 1.96 * (v1 / vb.len() as f64 + v2 / va.len() as f64).sqrt();
                    Some((m2 - m1 - half, m2 - m1 + half))
                }
                _ => None,
            };
            (
                format!("metric:{name}"),
                side(&before_w, mb.map(|m| m.0), vb.len() as i64),
                side(&after_w, ma.map(|m| m.0), va.len() as i64),
                ci,
            )
        }
        Statistic::Nps => {
            let scores = |win: &Window| -> Result<Vec<i64>> {
                let mut stmt = conn.prepare(
                    "SELECT score FROM nps_responses WHERE submitted_at >= ?1 AND submitted_at < ?2",
                )?;
                let v = stmt
                    .query_map(params![win.from, win.to], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(v)
            };
            let (sb, sa) = (scores(&before_w)?, scores(&after_w)?);
            let (nb, na, ci) = crate::nps::report::compare_counts(&sb, &sa);
            ("nps".to_string(), side(&before_w, nb, sb.len() as i64), side(&after_w, na, sa.len() as i64), ci)
        }
        Statistic::Dora(key) => {
            let keys = |win: &Window| -> Result<dora::DoraKeys> {
                let q = dora::DoraQuery {
                    service: Some(release.service.clone()),
                    environment: Some("production".into()),
                    window: win.clone(),
                    services: Vec::new(),
                };
                Ok(dora::report(conn, &q)?.overall)
            };
            let (kb, ka) = (keys(&before_w)?, keys(&after_w)?);
            let pick = |k: &dora::DoraKeys| -> Result<Option<f64>> {
                Ok(match key.as_str() {
                    "deployments" => Some(k.deployments as f64),
                    "deployment_days" => Some(k.deployment_days as f64),
                    "deployment_days_per_week_median" => k.deployment_days_per_week_median,
                    "lead_time_median_hours" | "lead_time" => k.lead_time_median_hours,
                    "change_failure_rate" | "cfr" => k.change_failure_rate,
                    "time_to_restore_median_hours" | "time_to_restore" => k.time_to_restore_median_hours,
                    other => {
                        return Err(Error::invalid(
                            "--dora",
                            format!("unknown key {other:?}; expected deployments, deployment_days, deployment_days_per_week_median, lead_time_median_hours, change_failure_rate or time_to_restore_median_hours"),
                        ))
                    }
                })
            };
            let ci = if matches!(key.as_str(), "change_failure_rate" | "cfr") {
                proportions_ci((kb.failed_changes, kb.deployments), (ka.failed_changes, ka.deployments))
            } else {
                None
            };
            (
                format!("dora:{key}"),
                side(&before_w, pick(&kb)?, kb.deployments),
                side(&after_w, pick(&ka)?, ka.deployments),
                ci,
            )
        }
        Statistic::Gate(name) => {
            let stats = |win: &Window| -> Result<(i64, i64)> {
                let r = gates::report(conn, Some(&release.service), win)?;
                Ok(r.gates
                    .iter()
                    .find(|g| &g.name == name)
                    .map(|g| (g.blocks, g.evaluations))
                    .unwrap_or((0, 0)))
            };
            let (gb, ga) = (stats(&before_w)?, stats(&after_w)?);
            let rate = |(k, n): (i64, i64)| (n > 0).then(|| k as f64 / n as f64);
            (
                format!("gate:{name}"),
                side(&before_w, rate(gb), gb.1),
                side(&after_w, rate(ga), ga.1),
                proportions_ci(gb, ga),
            )
        }
    };
    let difference = match (before.value, after.value) {
        (Some(b), Some(a)) => Some(a - b),
        _ => None,
    };
    Ok(Comparison { release, statistic, window_days, before, after, difference, ci95 })
}
