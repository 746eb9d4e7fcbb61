//! The Insights page: NPS, deploys, incidents and metrics at a glance, and what the page's
//! filters, charts and import flow need, in one place for the app (the CLI has a verb each).
//!
//! Reads the tables of `nps`, `deploys`, `catalog`, `metrics` and `releases`; owns none. A
//! team filter means the services the catalog says the team owns (DORA, gates) and, for the
//! NPS, responses whose `team` segment attribute is the team.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::charts::{ChartKind, ChartRequest};
use crate::deploys::{self, dora, gates, DeploySummary, Window};
use crate::error::{Error, Result};
use crate::metrics::{self, MetricInfo};
use crate::nps::{self, report::NpsQuery, NpsSummary};

/// What the Insights page shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InsightsSummary {
    pub nps: Option<NpsSummary>,
    pub deploys: Option<DeploySummary>,
    pub incidents: i64,
    pub feedback_items: i64,
    pub metric_series: i64,
}

/// Gathers the Insights summary.
pub fn summary(conn: &Connection) -> Result<InsightsSummary> {
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(InsightsSummary {
        nps: nps::summary(conn)?,
        deploys: deploys::summary(conn)?,
        incidents: count("SELECT count(*) FROM incidents")?,
        feedback_items: count("SELECT count(*) FROM feedback_items")?,
        metric_series: count("SELECT count(*) FROM metric_series")?,
    })
}

/// A team and the services it owns.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TeamServices {
    pub team: String,
    pub title: Option<String>,
    pub services: Vec<String>,
}

/// A segment attribute of NPS responses and its values.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SegmentField {
    pub field: String,
    pub values: Vec<String>,
}

/// The choices of the page's filters.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InsightsFilters {
    /// Services of the catalog and of the deploys.
    pub services: Vec<String>,
    pub teams: Vec<TeamServices>,
    pub segments: Vec<SegmentField>,
    pub metrics: Vec<MetricInfo>,
    pub environments: Vec<String>,
}

/// The filters' choices.
pub fn filters(conn: &Connection) -> Result<InsightsFilters> {
    let strings = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let v = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(v)
    };
    let services = strings(
        "SELECT name FROM catalog_entities WHERE kind = 'component' UNION SELECT service FROM deploy_events
         UNION SELECT service FROM incidents ORDER BY 1",
    )?;
    let mut teams: BTreeMap<String, TeamServices> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT c.owner, g.title, c.name FROM catalog_entities c
         LEFT JOIN catalog_entities g ON g.kind = 'group' AND g.name = c.owner
         WHERE c.kind = 'component' AND c.owner IS NOT NULL ORDER BY c.owner, c.name",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
    })? {
        let (team, title, service) = row?;
        teams
            .entry(team.clone())
            .or_insert_with(|| TeamServices { team, title, services: Vec::new() })
            .services
            .push(service);
    }
    let mut fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for seg in strings("SELECT segments FROM nps_responses")? {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&seg).unwrap_or_default();
        for (k, v) in map {
            if let Some(v) = v.as_str() {
                fields.entry(k).or_default().insert(v.to_string());
            }
        }
    }
    Ok(InsightsFilters {
        services,
        teams: teams.into_values().collect(),
        segments: fields
            .into_iter()
            .map(|(field, values)| SegmentField { field, values: values.into_iter().collect() })
            .collect(),
        metrics: metrics::list(conn)?,
        environments: strings("SELECT DISTINCT environment FROM deploy_events ORDER BY 1")?,
    })
}

/// The page's filters, as the window sends them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct InsightsQuery {
    pub service: Option<String>,
    pub team: Option<String>,
    /// A segment attribute and its value (NPS).
    pub segment: Option<(String, String)>,
    /// `month` or `quarter` (NPS).
    pub period: Option<String>,
    /// Dates (YYYY-MM-DD) or RFC 3339 times.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The environment of the deploys (`production` when absent; `all` for every one).
    pub environment: Option<String>,
}

impl InsightsQuery {
    fn window(&self) -> Result<Window> {
        Window::parse(
            self.from.as_deref().filter(|s| !s.is_empty()),
            self.to.as_deref().filter(|s| !s.is_empty()),
        )
    }

    /// The services in scope: the one asked for, else the team's, else all (empty).
    fn services(&self, conn: &Connection) -> Result<Vec<String>> {
        if let Some(s) = self.service.as_ref().filter(|s| !s.is_empty()) {
            return Ok(vec![s.clone()]);
        }
        let Some(team) = self.team.as_ref().filter(|t| !t.is_empty()) else { return Ok(Vec::new()) };
        let list = filters(conn)?
            .teams
            .into_iter()
            .find(|t| &t.team == team)
            .map(|t| t.services)
            .unwrap_or_default();
        // A team that owns nothing matches nothing (not everything).
        Ok(if list.is_empty() { vec![String::new()] } else { list })
    }

    /// The DORA query of these filters.
    pub fn dora(&self, conn: &Connection) -> Result<dora::DoraQuery> {
        let env = self.environment.clone().unwrap_or_else(|| "production".into());
        Ok(dora::DoraQuery {
            service: None,
            environment: (env != "all").then_some(env),
            window: self.window()?,
            services: self.services(conn)?,
        })
    }

    /// The NPS query of these filters.
    pub fn nps(&self, by: Option<String>) -> Result<NpsQuery> {
        let mut segment: Vec<(String, String)> = self.segment.iter().cloned().collect();
        if let Some(team) = self.team.as_ref().filter(|t| !t.is_empty()) {
            segment.push(("team".into(), team.clone()));
        }
        Ok(NpsQuery { by, period: self.period.clone(), segment, window: self.window()? })
    }
}

/// DORA under the page's filters.
pub fn dora_report(conn: &Connection, q: &InsightsQuery) -> Result<dora::DoraReport> {
    dora::report(conn, &q.dora(conn)?)
}

/// Gates under the page's filters.
pub fn gates_report(conn: &Connection, q: &InsightsQuery) -> Result<gates::GatesReport> {
    gates::report_services(conn, &q.services(conn)?, &q.window()?)
}

/// The NPS report under the page's filters.
pub fn nps_report(
    conn: &Connection,
    q: &InsightsQuery,
    by: Option<String>,
) -> Result<nps::report::NpsReport> {
    nps::report::report(conn, &q.nps(by)?)
}

/// Which chart, as the window asks for it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ChartAsk {
    /// `nps`, `dora`, `gates` or `metric`.
    pub kind: String,
    /// The metric (for `metric`).
    pub name: Option<String>,
    /// The DORA key (for `dora`; deployments by default).
    pub key: Option<String>,
    pub width: u32,
    pub height: u32,
}

/// The chart request of a chart under the page's filters.
pub fn chart_request(conn: &Connection, ask: &ChartAsk, q: &InsightsQuery) -> Result<ChartRequest> {
    let kind = match ask.kind.as_str() {
        "nps" => ChartKind::Nps(q.nps(None)?),
        "dora" => ChartKind::Dora {
            query: q.dora(conn)?,
            key: ask.key.clone().unwrap_or_else(|| "deployments".into()),
        },
        "gates" => ChartKind::Gates { services: q.services(conn)?, window: q.window()? },
        "metric" => {
            let name = ask.name.clone().ok_or_else(|| Error::invalid("chart", "expected a metric name"))?;
            let w = q.window()?;
            let ts = |t: &Option<String>| t.as_deref().and_then(crate::timefmt::parse).map(|d| d.timestamp());
            let range = match (ts(&w.from), ts(&w.to)) {
                (None, None) => None,
                (f, t) => Some((f.unwrap_or(i64::MIN / 1000), t.unwrap_or(i64::MAX / 1000))),
            };
            ChartKind::Metric { name, range }
        }
        other => {
            return Err(Error::invalid(
                "chart",
                format!("expected nps, dora, gates or metric, found {other:?}"),
            ))
        }
    };
    Ok(ChartRequest { kind, width: ask.width, height: ask.height })
}

/// What a file of Insights data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Deploys,
    Incidents,
    Nps,
    Feedback,
    Catalog,
}

/// What an import did or, as a preview, would do.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub kind: ImportKind,
    /// The file's format as read (csv, jsonl, devlake, yaml…).
    pub format: String,
    pub rows: i64,
    pub added: i64,
    pub duplicates: i64,
    /// One line for a person: what is in the file.
    pub detail: String,
    /// Whether it was stored (false for a preview).
    pub stored: bool,
    /// The first rows as read, one line each.
    pub sample: Vec<String>,
}

/// Imports (`commit`) or previews a file of Insights data: all or nothing either way.
pub fn import_file(
    conn: &mut Connection,
    kind: ImportKind,
    path: &Path,
    commit: bool,
) -> Result<ImportSummary> {
    let summary =
        |format: &str, rows: i64, added: i64, duplicates: i64, detail: String, sample: Vec<String>| {
            ImportSummary {
                kind,
                format: format.to_string(),
                rows,
                added,
                duplicates,
                detail,
                stored: commit,
                sample,
            }
        };
    Ok(match kind {
        ImportKind::Deploys => {
            let r = deploys::import_deploys_file(conn, path, &deploys::ImportOptions::default(), commit)?;
            summary(
                &r.format,
                r.rows,
                r.added,
                r.duplicates,
                format!("{} deploys with {} gate results", r.added, r.gates),
                r.sample,
            )
        }
        ImportKind::Incidents => {
            let r = deploys::import_incidents_file(conn, path, false, commit)?;
            summary(&r.format, r.rows, r.added, r.duplicates, format!("{} incidents", r.added), r.sample)
        }
        ImportKind::Nps => {
            let r = nps::import_file(conn, path, &nps::NpsMap::default(), commit)?;
            let cols: Vec<String> = r.columns.iter().map(|(k, v)| format!("{k} ← {v}")).collect();
            summary(
                "csv",
                r.rows,
                r.added,
                r.duplicates,
                format!("columns {}; segments {}", cols.join(", "), r.segments.join(", ")),
                r.sample,
            )
        }
        ImportKind::Feedback => {
            let r = nps::import_feedback_file(conn, path, commit)?;
            summary("csv", r.rows, r.added, r.duplicates, format!("{} linked to people", r.linked), r.sample)
        }
        ImportKind::Catalog => {
            let r = if commit {
                crate::catalog::import(conn, path)?
            } else {
                crate::catalog::preview(conn, path)?
            };
            let rows = r.components + r.systems + r.groups + r.users;
            summary(
                "backstage/csv",
                rows,
                r.added,
                rows - r.added,
                format!(
                    "{} services, {} systems, {} teams, {} users",
                    r.components, r.systems, r.groups, r.users
                ),
                r.sample,
            )
        }
    })
}

/// A release that shipped for a finding, with its before/after.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReleaseImpact {
    pub release: crate::releases::Release,
    /// The NPS, the change failure rate of its service and each metric the finding links to.
    pub comparisons: Vec<crate::releases::Comparison>,
}

/// What a finding's page shows beside its evidence: the metrics it links to that the
/// workspace has, and the releases that shipped for it with their before/after (30 days).
#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingInsights {
    pub finding_id: i64,
    pub metrics: Vec<String>,
    pub releases: Vec<ReleaseImpact>,
}

/// Gathers a finding's metrics and releases.
pub fn finding_insights(conn: &Connection, finding_id: i64) -> Result<FindingInsights> {
    let exists: i64 =
        conn.query_row("SELECT count(*) FROM findings WHERE id = ?1", [finding_id], |r| r.get(0))?;
    if exists == 0 {
        return Err(Error::not_found("finding", finding_id));
    }
    let mut stmt = conn.prepare(
        "SELECT DISTINCT l.value FROM finding_links l WHERE l.finding_id = ?1 AND l.kind = 'metric'
         AND EXISTS (SELECT 1 FROM metric_series s WHERE s.name = l.value) ORDER BY l.value",
    )?;
    let metrics =
        stmt.query_map([finding_id], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt =
        conn.prepare("SELECT release_id FROM release_findings WHERE finding_id = ?1 ORDER BY release_id")?;
    let ids = stmt.query_map([finding_id], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut releases = Vec::new();
    for id in ids {
        use crate::releases::{compare, get, Statistic};
        let mut stats = vec![Statistic::Nps, Statistic::Dora("change_failure_rate".into())];
        stats.extend(metrics.iter().map(|m| Statistic::Metric(m.clone())));
        let comparisons = stats.iter().map(|s| compare(conn, id, s, 30)).collect::<Result<Vec<_>>>()?;
        releases.push(ReleaseImpact { release: get(conn, id)?, comparisons });
    }
    Ok(FindingInsights { finding_id, metrics, releases })
}
