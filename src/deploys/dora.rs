//! DORA's four keys, per service and overall, by the definitions in the README:
//!
//! - `deployments`: deploy events (any outcome) in the window;
//! - `deployment_days`: distinct UTC days with a deploy;
//! - `deployment_days_per_week_median`: the median, over every ISO week the window touches
//!   (weeks with no deploy count as 0), of the deployment days in that week; its `tier`
//!   (DevLake's): `on-demand` when ≥ 3, `weekly` when ≥ 1, `monthly` when the median over the
//!   window's calendar months of deployment days a month is ≥ 1, else `fewer`;
//! - `lead_time_median_hours`: the median of deploy time − commit time over successful deploys
//!   with a commit time;
//! - `change_failure_rate`: (deploys failed or rolled back + successful deploys that are the
//!   last deploy of their service before one of its incidents starts) / deployments;
//! - `time_to_restore_median_hours`: the median of resolved − started over the incidents that
//!   start in the window and are resolved.
//!
//! The window is `--from` (inclusive) to `--to` (exclusive; a bare date means the end of that
//! day); without them, from the first to the last deploy or incident in scope. Deploys are of
//! one environment (`production` unless asked otherwise, or every environment). A median of an
//! even count is the mean of the two middle values. A value that has nothing to be computed
//! from is `null`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::Window;
use crate::error::Result;
use crate::timefmt;

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct DoraQuery {
    pub service: Option<String>,
    /// The environment of the deploys counted; `None` counts every environment.
    pub environment: Option<String>,
    pub window: Window,
    /// Only these services (a team's), when not empty.
    pub services: Vec<String>,
}

/// The four keys of one service, or of all together.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DoraKeys {
    /// The service, or `None` for the overall row.
    pub service: Option<String>,
    pub deployments: i64,
    pub deployment_days: i64,
    pub deployment_days_per_week_median: Option<f64>,
    pub tier: Option<String>,
    pub lead_time_median_hours: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub time_to_restore_median_hours: Option<f64>,
    /// Deploys that count as failed changes (the numerator of the rate).
    pub failed_changes: i64,
    pub incidents: i64,
}

/// The report: every service in scope and the overall keys.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DoraReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub environment: Option<String>,
    pub weeks: i64,
    pub services: Vec<DoraKeys>,
    pub overall: DoraKeys,
}

#[derive(Debug, Clone)]
pub(crate) struct Deploy {
    pub id: i64,
    pub service: String,
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub lead_time_s: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub service: String,
    pub started: DateTime<Utc>,
    pub resolved: Option<DateTime<Utc>>,
}

/// The median, the mean of the two middle values for an even count; `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

pub(crate) fn load(conn: &Connection, q: &DoraQuery) -> Result<(Vec<Deploy>, Vec<Incident>)> {
    let mut stmt = conn.prepare(
        "SELECT id, service, started_at, outcome, lead_time_s FROM deploy_events
         WHERE (?1 IS NULL OR service = ?1) AND (?2 IS NULL OR environment = ?2 COLLATE NOCASE)
         ORDER BY started_at, id",
    )?;
    let deploys = stmt
        .query_map(rusqlite::params![q.service, q.environment], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, service, ..)| q.services.is_empty() || q.services.contains(service))
        .filter_map(|(id, service, at, outcome, lead_time_s)| {
            Some(Deploy { id, service, at: timefmt::parse(&at)?, outcome, lead_time_s })
        })
        .collect();
    let mut stmt = conn.prepare(
        "SELECT service, started_at, resolved_at FROM incidents WHERE (?1 IS NULL OR service = ?1) ORDER BY started_at",
    )?;
    let incidents = stmt
        .query_map(rusqlite::params![q.service], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(service, ..)| q.services.is_empty() || q.services.contains(service))
        .filter_map(|(service, s, e)| {
            Some(Incident {
                service,
                started: timefmt::parse(&s)?,
                resolved: e.as_deref().and_then(timefmt::parse),
            })
        })
        .collect();
    Ok((deploys, incidents))
}

fn in_window(w: &Window, t: &DateTime<Utc>) -> bool {
    w.contains(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The successful deploys that count as failed changes by the definition: for each incident,
/// the last deploy of its service that started strictly before it (of any time, in the
/// environment counted), when that deploy succeeded. Of two deploys at the same second, the
/// one imported later is the last.
pub(crate) fn incident_causes(deploys: &[Deploy], incidents: &[Incident]) -> BTreeSet<i64> {
    let mut causes = BTreeSet::new();
    for inc in incidents {
        let last = deploys
            .iter()
            .filter(|d| d.service == inc.service && d.at < inc.started)
            .max_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        if let Some(d) = last.filter(|d| d.outcome == "success") {
            causes.insert(d.id);
        }
    }
    causes
}

/// A year and a week or month number.
type Slot = (i32, u32);

/// Every ISO week (year, week) and calendar month between two days, inclusive.
fn calendar(first: NaiveDate, last: NaiveDate) -> (Vec<Slot>, Vec<Slot>) {
    let mut weeks = Vec::new();
    let mut months = Vec::new();
    let mut day = first;
    while day <= last {
        let w = day.iso_week();
        if weeks.last() != Some(&(w.year(), w.week())) {
            weeks.push((w.year(), w.week()));
        }
        if months.last() != Some(&(day.year(), day.month())) {
            months.push((day.year(), day.month()));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    (weeks, months)
}

fn keys(
    service: Option<String>,
    deploys: &[&Deploy],
    incidents: &[&Incident],
    causes: &BTreeSet<i64>,
    weeks: &[(i32, u32)],
    months: &[(i32, u32)],
) -> DoraKeys {
    let days: BTreeSet<NaiveDate> = deploys.iter().map(|d| d.at.date_naive()).collect();
    let mut per_week: BTreeMap<(i32, u32), f64> = weeks.iter().map(|w| (*w, 0.0)).collect();
    let mut per_month: BTreeMap<(i32, u32), f64> = months.iter().map(|m| (*m, 0.0)).collect();
    for day in &days {
        let w = day.iso_week();
        *per_week.entry((w.year(), w.week())).or_default() += 1.0;
        *per_month.entry((day.year(), day.month())).or_default() += 1.0;
    }
    let weekly = median(&mut per_week.values().copied().collect::<Vec<_>>());
    let monthly = median(&mut per_month.values().copied().collect::<Vec<_>>());
    let tier = weekly.map(|w| {
        if w >= 3.0 {
            "on-demand"
        } else if w >= 1.0 {
            "weekly"
        } else if monthly.unwrap_or(0.0) >= 1.0 {
            "monthly"
        } else {
            "fewer"
        }
        .to_string()
    });
    let mut lead: Vec<f64> = deploys
        .iter()
        .filter(|d| d.outcome == "success")
        .filter_map(|d| d.lead_time_s)
        .map(|s| s as f64 / 3600.0)
        .collect();
    let failed_changes =
        deploys.iter().filter(|d| d.outcome != "success" || causes.contains(&d.id)).count() as i64;
    let mut restore: Vec<f64> = incidents
        .iter()
        .filter_map(|i| Some((i.resolved? - i.started).num_seconds() as f64 / 3600.0))
        .collect();
    let n = deploys.len() as i64;
    DoraKeys {
        service,
        deployments: n,
        deployment_days: days.len() as i64,
        deployment_days_per_week_median: weekly.map(round),
        tier,
        lead_time_median_hours: median(&mut lead).map(round),
        change_failure_rate: (n > 0).then(|| round(failed_changes as f64 / n as f64)),
        time_to_restore_median_hours: median(&mut restore).map(round),
        failed_changes,
        incidents: incidents.len() as i64,
    }
}

/// DORA's four keys per service in scope and overall.
pub fn report(conn: &Connection, q: &DoraQuery) -> Result<DoraReport> {
    let (deploys, incidents) = load(conn, q)?;
    let causes = incident_causes(&deploys, &incidents);
    let in_deploys: Vec<&Deploy> = deploys.iter().filter(|d| in_window(&q.window, &d.at)).collect();
    let in_incidents: Vec<&Incident> =
        incidents.iter().filter(|i| in_window(&q.window, &i.started)).collect();
    let first = q
        .window
        .from
        .as_deref()
        .and_then(timefmt::parse)
        .or_else(|| in_deploys.iter().map(|d| d.at).chain(in_incidents.iter().map(|i| i.started)).min());
    let last = q
        .window
        .to
        .as_deref()
        .and_then(timefmt::parse)
        .map(|t| t - chrono::Duration::seconds(1))
        .or_else(|| in_deploys.iter().map(|d| d.at).chain(in_incidents.iter().map(|i| i.started)).max());
    let (weeks, months) = match (first, last) {
        (Some(f), Some(l)) if f <= l => calendar(f.date_naive(), l.date_naive()),
        _ => (Vec::new(), Vec::new()),
    };
    let mut names: BTreeSet<String> = in_deploys
        .iter()
        .map(|d| d.service.clone())
        .chain(in_incidents.iter().map(|i| i.service.clone()))
        .collect();
    if let Some(s) = &q.service {
        names.insert(s.clone());
    }
    let services = names
        .iter()
        .map(|name| {
            let d: Vec<&Deploy> = in_deploys.iter().copied().filter(|d| &d.service == name).collect();
            let i: Vec<&Incident> = in_incidents.iter().copied().filter(|i| &i.service == name).collect();
            keys(Some(name.clone()), &d, &i, &causes, &weeks, &months)
        })
        .collect();
    let overall = keys(None, &in_deploys, &in_incidents, &causes, &weeks, &months);
    Ok(DoraReport {
        from: q.window.from.clone(),
        to: q.window.to.clone(),
        environment: q.environment.clone(),
        weeks: weeks.len() as i64,
        services,
        overall,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(super::median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(super::median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(super::median(&mut []), None);
    }

    #[test]
    fn the_calendar_counts_every_iso_week_touched() {
        // 2026-01-01 is a Thursday of ISO week 1; 2026-01-19 a Monday of week 4.
        let (weeks, months) = super::calendar(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 19).unwrap(),
        );
        assert_eq!(weeks, vec![(2026, 1), (2026, 2), (2026, 3), (2026, 4)]);
        assert_eq!(months, vec![(2026, 1)]);
    }
}
