//! The NPS report: the score with its adjusted-Wald 95% interval (MeasuringU), by segment,
//! by month or quarter, whether each change between periods is significant, and each tag's
//! impact.
//!
//! With P promoters, D detractors of n responses: NPS = 100 × (P − D) / n;
//! p̂ = (P + 0.75)/(n + 3), d̂ = (D + 0.75)/(n + 3), and
//! `ci95` = 100 × (p̂ − d̂ ± 1.96 × √((p̂ + d̂ − (p̂ − d̂)²)/(n + 3))). n = 0 has no NPS and no
//! interval. A change between two periods is tested with a z-test on the same (adjusted)
//! variance: z = ((p̂₂ − d̂₂) − (p̂₁ − d̂₁)) / √(v₁ + v₂), v = (p̂ + d̂ − (p̂ − d̂)²)/(n + 3),
//! significant when |z| > 1.96 (two-sided p < 0.05). A tag's impact is how far its
//! responses move the NPS: count × (tag NPS − NPS) / (n − count).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct NpsQuery {
    /// A segment attribute to break the score down by.
    pub by: Option<String>,
    /// `month` (default) or `quarter`.
    pub period: Option<String>,
    /// Only responses whose segment attribute equals the value.
    pub segment: Vec<(String, String)>,
    pub window: crate::deploys::Window,
}

/// Counts of one group of responses and their score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct NpsGroup {
    /// The segment value or period (`None`: responses without the attribute).
    pub key: Option<String>,
    pub nps: Option<f64>,
    pub n: i64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub ci95: Option<(f64, f64)>,
}

/// One period's score.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NpsPeriodScore {
    pub period: String,
    pub nps: Option<f64>,
    pub n: i64,
    pub ci95: Option<(f64, f64)>,
}

/// The change from one period to the next.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NpsChange {
    pub from: String,
    pub to: String,
    /// NPS(to) − NPS(from).
    pub difference: f64,
    pub z: f64,
    pub p_value: f64,
    pub significant: bool,
}

/// A tag's share and pull on the score.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TagImpact {
    pub tag: String,
    pub count: i64,
    pub nps: Option<f64>,
    /// count × (tag NPS − NPS) / (n − count); `None` when every response has the tag.
    pub impact: Option<f64>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NpsReport {
    pub nps: Option<f64>,
    pub n: i64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub ci95: Option<(f64, f64)>,
    /// Set when there is nothing to score ("no responses").
    pub message: Option<String>,
    pub by_field: Option<String>,
    pub by: Vec<NpsGroup>,
    pub period: String,
    pub periods: Vec<NpsPeriodScore>,
    pub changes: Vec<NpsChange>,
    pub tags: Vec<TagImpact>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    n: i64,
    p: i64,
    d: i64,
}

impl Counts {
    fn add(&mut self, score: i64) {
        self.n += 1;
        self.p += (score >= 9) as i64;
        self.d += (score <= 6) as i64;
    }

    fn nps(&self) -> Option<f64> {
        (self.n > 0).then(|| 100.0 * (self.p - self.d) as f64 / self.n as f64)
    }

    /// Adjusted p̂ − d̂ and its variance.
    fn adjusted(&self) -> (f64, f64) {
        let m = self.n as f64 + 3.0;
        let p = (self.p as f64 + 0.75) / m;
        let d = (self.d as f64 + 0.75) / m;
        (p - d, (p + d - (p - d).powi(2)) / m)
    }

    fn ci95(&self) -> Option<(f64, f64)> {
        if self.n == 0 {
            return None;
        }
        let (diff, var) = self.adjusted();
        let half = 1.96 * var.sqrt();
        Some((100.0 * (diff - half), 100.0 * (diff + half)))
    }

    fn group(&self, key: Option<String>) -> NpsGroup {
        NpsGroup {
            key,
            nps: self.nps(),
            n: self.n,
            promoters: self.p,
            passives: self.n - self.p - self.d,
            detractors: self.d,
            ci95: self.ci95(),
        }
    }
}

/// The standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; error < 1.5e-7).
pub fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The z-test of two groups' NPS on the adjusted variance: (z, two-sided p).
fn z_test(a: &Counts, b: &Counts) -> (f64, f64) {
    let (da, va) = a.adjusted();
    let (db, vb) = b.adjusted();
    let z = (db - da) / (va + vb).sqrt();
    (z, 2.0 * (1.0 - normal_cdf(z.abs())))
}

fn period_of(at: &str, period: &str) -> String {
    if period == "quarter" {
        let month: u32 = at.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
        format!("{}-Q{}", &at[..4], (month - 1) / 3 + 1)
    } else {
        at[..7].to_string()
    }
}

/// Builds the report.
pub fn report(conn: &Connection, q: &NpsQuery) -> Result<NpsReport> {
    let period = q.period.clone().unwrap_or_else(|| "month".into());
    if !matches!(period.as_str(), "month" | "quarter") {
        return Err(Error::invalid("--period", format!("expected month or quarter, found {period:?}")));
    }
    let mut stmt = conn
        .prepare("SELECT score, submitted_at, segments, tags FROM nps_responses ORDER BY submitted_at, id")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut all = Counts::default();
    let mut by: BTreeMap<Option<String>, Counts> = BTreeMap::new();
    let mut periods: BTreeMap<String, Counts> = BTreeMap::new();
    let mut tags: BTreeMap<String, Counts> = BTreeMap::new();
    for (score, at, segments, tag_list) in rows {
        if !q.window.contains(&at) {
            continue;
        }
        let seg: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&segments).unwrap_or_default();
        // Segment names are matched in any case (`Team` in a Delighted export, `team` elsewhere).
        let value = |k: &str| {
            seg.get(k)
                .or_else(|| seg.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)).map(|(_, v)| v))
                .and_then(|v| v.as_str())
                .map(String::from)
        };
        if !q.segment.iter().all(|(k, v)| value(k).is_some_and(|x| x.eq_ignore_ascii_case(v))) {
            continue;
        }
        all.add(score);
        if let Some(field) = &q.by {
            by.entry(value(field)).or_default().add(score);
        }
        periods.entry(period_of(&at, &period)).or_default().add(score);
        let list: Vec<String> = serde_json::from_str(&tag_list).unwrap_or_default();
        for t in list {
            tags.entry(t).or_default().add(score);
        }
    }
    let nps = all.nps();
    let changes = periods
        .iter()
        .zip(periods.iter().skip(1))
        .map(|((pa, a), (pb, b))| {
            let (z, p_value) = z_test(a, b);
            NpsChange {
                from: pa.clone(),
                to: pb.clone(),
                difference: b.nps().unwrap_or(0.0) - a.nps().unwrap_or(0.0),
                z,
                p_value,
                significant: z.abs() > 1.96,
            }
        })
        .collect();
    let mut tags: Vec<TagImpact> = tags
        .into_iter()
        .map(|(tag, c)| TagImpact {
            tag,
            count: c.n,
            nps: c.nps(),
            impact: match (c.nps(), nps) {
                (Some(t), Some(all_nps)) if all.n > c.n => {
                    Some(c.n as f64 * (t - all_nps) / (all.n - c.n) as f64)
                }
                _ => None,
            },
        })
        .collect();
    tags.sort_by(|a, b| {
        b.impact.unwrap_or(0.0).abs().total_cmp(&a.impact.unwrap_or(0.0).abs()).then(a.tag.cmp(&b.tag))
    });
    Ok(NpsReport {
        nps,
        n: all.n,
        promoters: all.p,
        passives: all.n - all.p - all.d,
        detractors: all.d,
        ci95: all.ci95(),
        message: (all.n == 0).then(|| "no responses: there is no NPS to report".to_string()),
        by_field: q.by.clone(),
        by: by.into_iter().map(|(k, c)| c.group(k)).collect(),
        period,
        periods: periods
            .into_iter()
            .map(|(period, c)| NpsPeriodScore { period, nps: c.nps(), n: c.n, ci95: c.ci95() })
            .collect(),
        changes,
        tags,
    })
}

/// The two-sided 95% test of a difference between two groups of responses (for compare):
/// (NPS before, NPS after, difference, its 95% interval).
pub fn compare_counts(before: &[i64], after: &[i64]) -> (Option<f64>, Option<f64>, Option<(f64, f64)>) {
    let mut a = Counts::default();
    before.iter().for_each(|s| a.add(*s));
    let mut b = Counts::default();
    after.iter().for_each(|s| b.add(*s));
    let interval = (a.n > 0 && b.n > 0).then(|| {
        let (da, va) = a.adjusted();
        let (db, vb) = b.adjusted();
        let half = 1.96 * (va + vb).sqrt();
        (100.0 * (db - da - half), 100.0 * (db - da + half))
    });
    (a.nps(), b.nps(), interval)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_normal_cdf_matches_its_table() {
        assert!((super::normal_cdf(1.96) - 0.975).abs() < 1e-4);
        assert!((super::normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((super::normal_cdf(-1.0) - 0.158_655).abs() < 1e-5);
    }

    #[test]
    fn quarters_are_named_by_year_and_number() {
        assert_eq!(super::period_of("2026-05-02T00:00:00Z", "quarter"), "2026-Q2");
        assert_eq!(super::period_of("2026-12-31T00:00:00Z", "month"), "2026-12");
    }
}
