//! Gates: per gate, how often a deploy passed it, how often it blocked, and how often a block
//! was overridden and by whom. A result `overridden` is a block that someone overrode, so
//! `blocks` = blocked + overridden and `override_rate` = overridden / blocks.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::Window;
use crate::error::Result;

/// Who overrode a gate, and how often.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Overrider {
    /// The person (`by`), or `None` when the file did not say.
    pub by: Option<String>,
    pub count: i64,
}

/// One gate's counts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GateStats {
    pub name: String,
    /// Deploys that went through the gate.
    pub evaluations: i64,
    pub passed: i64,
    /// Blocks that stayed blocks.
    pub blocked: i64,
    /// Blocks that were overridden.
    pub overridden: i64,
    /// blocked + overridden.
    pub blocks: i64,
    /// blocks / evaluations.
    pub block_rate: Option<f64>,
    /// overridden / blocks.
    pub override_rate: Option<f64>,
    /// Most overrides first, then by name.
    pub overridden_by: Vec<Overrider>,
}

/// The gates report.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GatesReport {
    pub gates: Vec<GateStats>,
}

fn rate(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 10_000.0).round() / 10_000.0)
}

/// Counts per gate over the deploys of `service` (or all) that started in the window.
pub fn report(conn: &Connection, service: Option<&str>, window: &Window) -> Result<GatesReport> {
    let services: Vec<String> = service.into_iter().map(String::from).collect();
    report_services(conn, &services, window)
}

/// Counts per gate over the deploys of `services` (all when empty) in the window.
pub fn report_services(conn: &Connection, services: &[String], window: &Window) -> Result<GatesReport> {
    let mut stmt = conn.prepare(
        "SELECT g.name, g.result, g.by, d.started_at, d.service FROM deploy_gates g JOIN deploy_events d ON d.id = g.deploy_id
         ORDER BY g.name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|row| services.is_empty() || services.contains(&row.4))
        .map(|(a, b, c, d, _)| (a, b, c, d))
        .collect::<Vec<_>>();
    /// passed, blocked, overridden, overrides by person.
    type Tally = (i64, i64, i64, BTreeMap<Option<String>, i64>);
    let mut by_gate: BTreeMap<String, Tally> = BTreeMap::new();
    for (name, result, by, at) in rows {
        if !window.contains(&at) {
            continue;
        }
        let e = by_gate.entry(name).or_default();
        match result.as_str() {
            "passed" => e.0 += 1,
            "blocked" => e.1 += 1,
            _ => {
                e.2 += 1;
                *e.3.entry(by).or_default() += 1;
            }
        }
    }
    let gates = by_gate
        .into_iter()
        .map(|(name, (passed, blocked, overridden, who))| {
            let mut overridden_by: Vec<Overrider> =
                who.into_iter().map(|(by, count)| Overrider { by, count }).collect();
            overridden_by.sort_by(|a, b| b.count.cmp(&a.count).then(a.by.cmp(&b.by)));
            let evaluations = passed + blocked + overridden;
            let blocks = blocked + overridden;
            GateStats {
                name,
                evaluations,
                passed,
                blocked,
                overridden,
                blocks,
                block_rate: rate(blocks, evaluations),
                override_rate: rate(overridden, blocks),
                overridden_by,
            }
        })
        .collect();
    Ok(GatesReport { gates })
}
