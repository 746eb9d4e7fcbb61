//! The Insights page: NPS, deploys, incidents and metrics at a glance.
//!
//! Reads the tables of `nps` and `deploys`; owns none.

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::deploys::{self, DeploySummary};
use crate::error::Result;
use crate::nps::{self, NpsSummary};

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
