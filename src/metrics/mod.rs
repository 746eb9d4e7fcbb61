//! Metric series: time series pulled from Prometheus (PromQL) and kept in the workspace.
//!
//! Owns `metric_series` (one row per name and label set, with the query and server it came
//! from) and `metric_points`. [`pull`] runs a range query ([`prometheus`]) and stores each
//! label set as its own series under the given name; pulling again replaces the points of
//! that name inside the pulled range and keeps the others, so a later pull extends a series.
//! NaN samples cannot be stored in SQLite and are counted, not stored.

pub mod prometheus;
pub mod token;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// A time as given on the command line: RFC 3339, unix seconds, `now`, or relative to now
/// (`-30d`, `-12h`, `-15m`, `-90s`, `-2w`).
pub fn parse_time(text: &str, now: DateTime<Utc>, field: &str) -> Result<i64> {
    let t = text.trim();
    if t == "now" {
        return Ok(now.timestamp());
    }
    if let Some(rel) = t.strip_prefix('-') {
        if let Some(secs) = parse_duration(rel) {
            return Ok(now.timestamp() - secs);
        }
    }
    if let Ok(secs) = t.parse::<f64>() {
        return Ok(secs.floor() as i64);
    }
    crate::timefmt::parse(t).map(|d| d.timestamp()).ok_or_else(|| {
        Error::invalid(field, format!("expected an RFC 3339 time, unix seconds, now or -30d, found {t:?}"))
    })
}

/// A duration like Prometheus writes it (`15s`, `1m`, `1h30m`, `2d`, `1w`) or plain seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return (n > 0).then_some(n);
    }
    let mut total = 0i64;
    let mut number = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                return None; // milliseconds: below a step Rapport stores
            }
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            'y' => 31_536_000,
            _ => return None,
        };
        total += n * unit;
    }
    (number.is_empty() && total > 0).then_some(total)
}

/// What to pull.
#[derive(Debug, Clone)]
pub struct PullRequest {
    pub url: String,
    pub query: String,
    pub name: String,
    pub from: i64,
    pub to: i64,
    pub step: i64,
    pub token: Option<String>,
    pub timeout: Duration,
}

impl PullRequest {
    /// A request from the words a person gives: times as [`parse_time`] reads them (relative
    /// to now), the step as [`parse_duration`] does.
    #[allow(clippy::too_many_arguments)]
    pub fn from_text(
        url: &str,
        query: &str,
        name: &str,
        from: &str,
        to: &str,
        step: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<PullRequest> {
        let now = Utc::now();
        Ok(PullRequest {
            url: url.to_string(),
            query: query.to_string(),
            name: name.to_string(),
            from: parse_time(from, now, "--from")?,
            to: parse_time(to, now, "--to")?,
            step: parse_duration(step).ok_or_else(|| {
                Error::invalid("--step", format!("expected 15s, 1m, 1h or seconds, found {step:?}"))
            })?,
            token,
            timeout,
        })
    }
}

/// What a pull stored.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PullReport {
    pub name: String,
    pub series: i64,
    pub points: i64,
    /// NaN samples, which are not stored.
    pub skipped_nan: i64,
    /// How many requests the range took (it is split past 11,000 points).
    pub requests: i64,
}

/// A series in the list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MetricInfo {
    pub name: String,
    pub query: Option<String>,
    pub url: Option<String>,
    pub step_s: Option<i64>,
    pub series: i64,
    pub points: i64,
    /// Unix seconds of the first and last point.
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub pulled_at: Option<String>,
}

/// One label set's points.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SeriesPoints {
    pub labels: BTreeMap<String, String>,
    /// `[unix_seconds, value]`.
    pub points: Vec<(f64, f64)>,
}

/// A metric with all its series.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MetricDetail {
    pub name: String,
    pub query: Option<String>,
    pub series: Vec<SeriesPoints>,
}

/// Pulls a range from Prometheus and stores it (in one transaction).
pub fn pull(conn: &mut Connection, req: &PullRequest) -> Result<PullReport> {
    let series = fetch(req)?;
    store(conn, req, &series)
}

/// Asks Prometheus for the range (no workspace needed, so the caller holds no lock).
pub fn fetch(req: &PullRequest) -> Result<Vec<prometheus::RangeSeries>> {
    if req.name.trim().is_empty() {
        return Err(Error::invalid("--name", "expected a name for the metric"));
    }
    let ep = prometheus::Endpoint { url: req.url.clone(), token: req.token.clone(), timeout: req.timeout };
    prometheus::query_range(&ep, &req.query, req.from, req.to, req.step)
}

/// Stores what [`fetch`] returned (in one transaction): the pulled range's points of the
/// name are replaced.
pub fn store(
    conn: &mut Connection,
    req: &PullRequest,
    series: &[prometheus::RangeSeries],
) -> Result<PullReport> {
    let requests = prometheus::split_range(req.from, req.to, req.step).len() as i64;
    let mut report = PullReport { name: req.name.clone(), series: 0, points: 0, skipped_nan: 0, requests };
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM metric_points WHERE series_id IN (SELECT id FROM metric_series WHERE name = ?1)
         AND at_ms BETWEEN ?2 AND ?3",
        params![req.name, req.from * 1000, req.to * 1000],
    )?;
    let now = crate::store::now();
    {
        let mut upsert = tx.prepare(
            "INSERT INTO metric_series (name, source, url, query, step_s, labels, pulled_at) VALUES (?1, 'prometheus', ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name, labels) DO UPDATE SET url = excluded.url, query = excluded.query, step_s = excluded.step_s,
               pulled_at = excluded.pulled_at RETURNING id",
        )?;
        let mut point =
            tx.prepare("INSERT OR REPLACE INTO metric_points (series_id, at_ms, value) VALUES (?1, ?2, ?3)")?;
        for s in series {
            let labels = serde_json::to_string(&s.labels).unwrap_or_else(|_| "{}".into());
            let id: i64 = upsert
                .query_row(params![req.name, req.url, req.query, req.step, labels, now], |r| r.get(0))?;
            report.series += 1;
            for (at, v) in &s.points {
                if v.is_nan() {
                    report.skipped_nan += 1;
                    continue;
                }
                point.execute(params![id, at, v])?;
                report.points += 1;
            }
        }
    }
    tx.commit()?;
    Ok(report)
}

/// Every metric name with its series and point counts.
pub fn list(conn: &Connection) -> Result<Vec<MetricInfo>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, max(s.query), max(s.url), max(s.step_s), count(DISTINCT s.id), count(p.at_ms), min(p.at_ms), max(p.at_ms), max(s.pulled_at)
         FROM metric_series s LEFT JOIN metric_points p ON p.series_id = s.id GROUP BY s.name ORDER BY s.name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(MetricInfo {
                name: r.get(0)?,
                query: r.get(1)?,
                url: r.get(2)?,
                step_s: r.get(3)?,
                series: r.get(4)?,
                points: r.get(5)?,
                first: r.get::<_, Option<i64>>(6)?.map(|ms| ms / 1000),
                last: r.get::<_, Option<i64>>(7)?.map(|ms| ms / 1000),
                pulled_at: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A metric's series and points, optionally only `[from, to]` (unix seconds).
pub fn show(conn: &Connection, name: &str, range: Option<(i64, i64)>) -> Result<MetricDetail> {
    let query: Option<Option<String>> = conn
        .query_row("SELECT max(query) FROM metric_series WHERE name = ?1 HAVING count(*) > 0", [name], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(query) = query else { return Err(Error::not_found("metric", name)) };
    let mut stmt = conn.prepare("SELECT id, labels FROM metric_series WHERE name = ?1 ORDER BY labels")?;
    let heads = stmt
        .query_map([name], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (lo, hi) = range.map(|(a, b)| (a * 1000, b * 1000)).unwrap_or((i64::MIN, i64::MAX));
    let mut points = conn.prepare(
        "SELECT at_ms, value FROM metric_points WHERE series_id = ?1 AND at_ms BETWEEN ?2 AND ?3 ORDER BY at_ms",
    )?;
    let mut series = Vec::new();
    for (id, labels) in heads {
        let pts = points
            .query_map(params![id, lo, hi], |r| {
                Ok((r.get::<_, i64>(0)? as f64 / 1000.0, r.get::<_, f64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        series.push(SeriesPoints { labels: serde_json::from_str(&labels).unwrap_or_default(), points: pts });
    }
    Ok(MetricDetail { name: name.to_string(), query, series })
}

/// Deletes a metric (every label set of the name) and its points.
pub fn delete(conn: &Connection, name: &str) -> Result<()> {
    if conn.execute("DELETE FROM metric_series WHERE name = ?1", [name])? == 0 {
        return Err(Error::not_found("metric", name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn times_are_read_as_rfc3339_unix_seconds_or_relative_to_now() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap();
        assert_eq!(super::parse_time("-30d", now, "--from").unwrap(), now.timestamp() - 30 * 86_400);
        assert_eq!(super::parse_time("1700000000", now, "--from").unwrap(), 1_700_000_000);
        assert_eq!(
            super::parse_time("2026-03-01T00:00:00Z", now, "--from").unwrap(),
            now.timestamp() - 30 * 86_400
        );
        assert!(super::parse_time("yesterday", now, "--from").is_err());
    }

    #[test]
    fn durations_read_like_prometheus() {
        assert_eq!(super::parse_duration("15s"), Some(15));
        assert_eq!(super::parse_duration("1h30m"), Some(5400));
        assert_eq!(super::parse_duration("60"), Some(60));
        assert_eq!(super::parse_duration("5x"), None);
    }
}
