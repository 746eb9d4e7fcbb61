//! NPS survey responses and free-text feedback: imports and the summary the Insights page shows.
//!
//! Owns `nps_responses` and `feedback_items`. An NPS CSV needs `score` and `submitted_at`;
//! `respondent`, `email` and `comment` are known; every other column is a segment attribute
//! (team, role, region…) kept in `segments` for breakdowns. NPS = % promoters (9–10) minus
//! % detractors (0–6).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::tabular::Table;

/// NPS in one period.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NpsPeriod {
    pub period: String,
    pub responses: i64,
    pub score: f64,
}

/// The NPS over all responses, and by month.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NpsSummary {
    pub responses: i64,
    pub score: f64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub first: String,
    pub last: String,
    pub by_month: Vec<NpsPeriod>,
}

const KNOWN: [&str; 5] = ["respondent", "email", "score", "comment", "submitted_at"];

/// Imports NPS responses. Call inside a transaction. Returns how many were added.
pub fn import_responses(conn: &Connection, table: &Table) -> Result<usize> {
    table.require_columns(&["score", "submitted_at"])?;
    let mut insert = conn.prepare(
        "INSERT INTO nps_responses (respondent, email, person_id, score, comment, submitted_at, segments)
         VALUES (?1, ?2, (SELECT id FROM people WHERE email = ?2), ?3, ?4, ?5, ?6)",
    )?;
    for rec in table.records() {
        let score = rec.int("score")?;
        if !(0..=10).contains(&score) {
            return Err(rec.error("score", format!("expected 0 to 10, found {score}")));
        }
        let segments: serde_json::Map<String, serde_json::Value> = rec
            .values()
            .iter()
            .filter(|(k, v)| !KNOWN.contains(&k.as_str()) && !v.is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        insert.execute(params![
            rec.get("respondent"),
            rec.get("email"),
            score,
            rec.get("comment"),
            rec.time("submitted_at")?,
            serde_json::Value::Object(segments).to_string()
        ])?;
    }
    Ok(table.records().len())
}

/// Imports feedback items (`text` required; `id`, `source`, `submitted_at`, `email` known).
pub fn import_feedback(conn: &Connection, table: &Table) -> Result<usize> {
    table.require_columns(&["text"])?;
    let mut insert = conn.prepare(
        "INSERT INTO feedback_items (external_id, source, submitted_at, email, person_id, text)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM people WHERE email = ?4), ?5)",
    )?;
    for rec in table.records() {
        let submitted = match rec.get("submitted_at") {
            Some(_) => Some(rec.time("submitted_at")?),
            None => None,
        };
        insert
            .execute(params![
                rec.get("id"),
                rec.get("source"),
                submitted,
                rec.get("email"),
                rec.required("text")?
            ])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    rec.error("id", "this id is already in the workspace")
                }
                other => other.into(),
            })?;
    }
    Ok(table.records().len())
}

fn score_of(promoters: i64, detractors: i64, responses: i64) -> f64 {
    if responses == 0 {
        return 0.0;
    }
    let raw = (promoters - detractors) as f64 * 100.0 / responses as f64;
    (raw * 10.0).round() / 10.0
}

/// The NPS summary, or `None` when there are no responses.
pub fn summary(conn: &Connection) -> Result<Option<NpsSummary>> {
    let head: Option<(i64, i64, i64, i64, String, String)> = conn
        .query_row(
            "SELECT count(*), sum(score >= 9), sum(score BETWEEN 7 AND 8), sum(score <= 6), min(submitted_at), max(submitted_at)
             FROM nps_responses HAVING count(*) > 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((responses, promoters, passives, detractors, first, last)) = head else { return Ok(None) };
    let mut months: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT substr(submitted_at, 1, 7), score FROM nps_responses")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (month, score) = row?;
        let e = months.entry(month).or_default();
        e.0 += 1;
        e.1 += (score >= 9) as i64;
        e.2 += (score <= 6) as i64;
    }
    let by_month = months
        .into_iter()
        .map(|(period, (n, p, d))| NpsPeriod { period, responses: n, score: score_of(p, d, n) })
        .collect();
    Ok(Some(NpsSummary {
        responses,
        score: score_of(promoters, detractors, responses),
        promoters,
        passives,
        detractors,
        first,
        last,
        by_month,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        assert_eq!(super::score_of(5, 2, 10), 30.0);
        assert_eq!(super::score_of(1, 2, 3), -33.3);
        assert_eq!(super::score_of(0, 0, 0), 0.0);
    }
}
