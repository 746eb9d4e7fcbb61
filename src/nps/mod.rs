//! NPS survey responses and in-product feedback: imports, the summary the Insights page
//! shows, and the honest report ([`report`]: intervals, periods, segments, tags).
//!
//! Owns `nps_responses` and `feedback_items`. An NPS CSV's columns are found by name, any
//! case: `score`; the time in `submitted_at`, `Created at` (Delighted), `created_at`, `time`,
//! `date` or `timestamp`; `comment`; `email`; `respondent` (or Delighted's `Response ID`);
//! `tags` (separated by `,` or `;`). `--map FIELD=COLUMN` names another column for a field.
//! Delighted's bookkeeping columns (`Name`, `Person ID`, `Permalink`, `Updated at`, `Notes`)
//! are dropped; every other column is a segment attribute (team, role, region, Delighted's
//! properties) kept in `segments`. Scores must be whole numbers 0–10. A response with the
//! same time, score, email and comment as one already stored is stored once.
//! NPS = % promoters (9–10) minus % detractors (0–6). [`items`] lists the comments and
//! feedback items with their highlights, and deletes one (its highlights go with it).

pub mod items;
pub mod report;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::{Record, Table};

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

/// Which column holds each field (`--map FIELD=COLUMN`); unset fields are found by name.
#[derive(Debug, Clone, Default)]
pub struct NpsMap {
    pub columns: BTreeMap<String, String>,
}

/// The fields a map may name.
pub const FIELDS: [&str; 6] = ["score", "comment", "time", "email", "respondent", "tags"];

impl NpsMap {
    /// Parses `FIELD=COLUMN` pairs.
    pub fn parse(pairs: &[String]) -> Result<NpsMap> {
        let mut columns = BTreeMap::new();
        for p in pairs {
            let (field, column) = p
                .split_once('=')
                .ok_or_else(|| Error::invalid("--map", format!("expected FIELD=COLUMN, found {p:?}")))?;
            let field = field.trim().to_ascii_lowercase();
            if !FIELDS.contains(&field.as_str()) {
                return Err(Error::invalid(
                    "--map",
                    format!("unknown field {field:?}; expected one of {}", FIELDS.join(", ")),
                ));
            }
            columns.insert(field, column.trim().to_string());
        }
        Ok(NpsMap { columns })
    }
}

fn candidates(field: &str) -> &'static [&'static str] {
    match field {
        "score" => &["score", "nps", "rating"],
        "comment" => &["comment", "comments", "reason"],
        "time" => &["submitted_at", "created at", "created_at", "time", "date", "timestamp", "submitted at"],
        "email" => &["email", "e-mail"],
        "respondent" => &["respondent", "response id", "response_id"],
        "tags" => &["tags", "tag"],
        _ => &[],
    }
}

const DROPPED: [&str; 6] = ["name", "person id", "permalink", "updated at", "notes", "updated_at"];

/// The column of each field in this table's header.
fn resolve_columns(table: &Table, map: &NpsMap, source: &str) -> Result<BTreeMap<&'static str, String>> {
    let mut out = BTreeMap::new();
    for field in FIELDS {
        let column = match map.columns.get(field) {
            Some(c) => Some(table.headers().iter().find(|h| *h == c).cloned().ok_or_else(|| {
                Error::invalid(
                    format!("{source}:1"),
                    format!(
                        "--map {field}={c}: no column {c:?}; the header has: {}",
                        table.headers().join(", ")
                    ),
                )
            })?),
            None => candidates(field)
                .iter()
                .find_map(|c| table.headers().iter().find(|h| h.trim().eq_ignore_ascii_case(c)).cloned()),
        };
        if let Some(c) = column {
            out.insert(field, c);
        }
    }
    for needed in ["score", "time"] {
        if !out.contains_key(needed) {
            return Err(Error::invalid(
                format!("{source}:1"),
                format!(
                    "no {needed} column (looked for {}); name it with --map {needed}=COLUMN; the header has: {}",
                    candidates(needed).join(", "),
                    table.headers().join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

/// A survey time as tools write it: RFC 3339, `YYYY-MM-DD HH:MM:SS` with an optional
/// `+hhmm`/`UTC` (Delighted, spreadsheets; none means UTC), a date, or unix seconds.
pub fn parse_survey_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(dt) = crate::timefmt::parse(t) {
        return Some(dt);
    }
    for fmt in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    let bare = t.trim_end_matches(" UTC").trim_end_matches('Z');
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(bare, fmt) {
            return Some(dt.and_utc());
        }
    }
    if t.len() >= 9 && t.chars().all(|c| c.is_ascii_digit()) {
        return DateTime::from_timestamp(t.parse().ok()?, 0);
    }
    None
}

/// What an NPS import did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct NpsImport {
    pub rows: i64,
    pub added: i64,
    pub duplicates: i64,
    /// The column read for each field.
    pub columns: BTreeMap<String, String>,
    /// The columns kept as segment attributes.
    pub segments: Vec<String>,
    /// The first responses as read, one line each (for a preview).
    pub sample: Vec<String>,
}

fn field<'a>(rec: &'a Record, cols: &BTreeMap<&str, String>, f: &str) -> Option<&'a str> {
    cols.get(f).and_then(|c| rec.get(c))
}

/// Imports NPS responses. Call inside a transaction.
pub fn import_csv(conn: &Connection, table: &Table, map: &NpsMap, source: &str) -> Result<NpsImport> {
    let cols = resolve_columns(table, map, source)?;
    let used: Vec<&String> = cols.values().collect();
    let segments: Vec<String> = table
        .headers()
        .iter()
        .filter(|h| !used.contains(h) && !DROPPED.contains(&h.trim().to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    let mut seen = conn.prepare(
        "SELECT 1 FROM nps_responses WHERE submitted_at = ?1 AND score = ?2 AND email IS ?3 AND comment IS ?4",
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO nps_responses (respondent, email, person_id, score, comment, submitted_at, segments, tags)
         VALUES (?1, ?2, (SELECT id FROM people WHERE email = ?2), ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut report = NpsImport {
        columns: cols.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        segments: segments.clone(),
        ..Default::default()
    };
    for rec in table.records() {
        report.rows += 1;
        let score_col = &cols["score"];
        let raw = rec.required(score_col)?;
        let score: i64 = raw
            .parse()
            .map_err(|_| rec.error(score_col, format!("expected a whole number 0 to 10, found {raw:?}")))?;
        if !(0..=10).contains(&score) {
            return Err(rec.error(score_col, format!("expected 0 to 10, found {score}")));
        }
        let time_col = &cols["time"];
        let raw_time = rec.required(time_col)?;
        let submitted = parse_survey_time(raw_time)
            .ok_or_else(|| {
                rec.error(time_col, format!("expected a time like 2026-03-04T14:30:00Z, found {raw_time:?}"))
            })?
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let email = field(rec, &cols, "email");
        let comment = field(rec, &cols, "comment");
        if seen.query_row(params![submitted, score, email, comment], |_| Ok(())).optional()?.is_some() {
            report.duplicates += 1;
            continue;
        }
        let seg: serde_json::Map<String, serde_json::Value> = segments
            .iter()
            .filter_map(|k| rec.get(k).map(|v| (k.clone(), serde_json::Value::String(v.to_string()))))
            .collect();
        let tags: Vec<String> = field(rec, &cols, "tags")
            .map(|t| t.split([',', ';']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect())
            .unwrap_or_default();
        if report.sample.len() < 5 {
            report.sample.push(format!("{score} · {submitted} · {}", comment.unwrap_or("")));
        }
        insert.execute(params![
            field(rec, &cols, "respondent"),
            email,
            score,
            comment,
            submitted,
            serde_json::Value::Object(seg).to_string(),
            serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into())
        ])?;
        report.added += 1;
    }
    Ok(report)
}

/// Imports NPS responses with the columns found by name (the demo's CSV). Call inside a
/// transaction. Returns how many were added.
pub fn import_responses(conn: &Connection, table: &Table) -> Result<usize> {
    Ok(import_csv(conn, table, &NpsMap::default(), "nps.csv")?.added as usize)
}

/// What a feedback import did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct FeedbackImport {
    pub rows: i64,
    pub added: i64,
    pub duplicates: i64,
    /// Items linked to a person of the directory by email.
    pub linked: i64,
    /// The first items as read, one line each (for a preview).
    pub sample: Vec<String>,
}

/// Imports feedback items: `text` required; `id`, `source`, the time (`time` or
/// `submitted_at`), the user (`user` or `email`) and `rating` known. Call inside a
/// transaction. An item with an id already stored, or the same time, user and text, is
/// stored once.
pub fn import_feedback_csv(conn: &Connection, table: &Table) -> Result<FeedbackImport> {
    table.require_columns(&["text"])?;
    let col = |names: &[&str]| {
        names.iter().find(|n| table.headers().iter().any(|h| h == *n)).map(|s| s.to_string())
    };
    let time_col = col(&["time", "submitted_at"]);
    let user_col = col(&["user", "email"]);
    let mut seen = conn.prepare(
        "SELECT 1 FROM feedback_items WHERE (?1 IS NOT NULL AND external_id = ?1)
           OR (submitted_at IS ?2 AND email IS ?3 AND text = ?4)",
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO feedback_items (external_id, source, submitted_at, email, person_id, text)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM people WHERE email = ?4 COLLATE NOCASE), ?5)",
    )?;
    let mut report = FeedbackImport::default();
    for rec in table.records() {
        report.rows += 1;
        let submitted = match time_col.as_deref().and_then(|c| rec.get(c).map(|v| (c, v))) {
            Some((c, v)) => Some(
                parse_survey_time(v)
                    .ok_or_else(|| {
                        rec.error(c, format!("expected a time like 2026-03-04T14:30:00Z, found {v:?}"))
                    })?
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
            None => None,
        };
        if let Some(r) = rec.get("rating") {
            if r.parse::<f64>().is_err() {
                return Err(rec.error("rating", format!("expected a number, found {r:?}")));
            }
        }
        let user = user_col.as_deref().and_then(|c| rec.get(c));
        let text = rec.required("text")?;
        let id = rec.get("id");
        if seen.query_row(params![id, submitted, user, text], |_| Ok(())).optional()?.is_some() {
            report.duplicates += 1;
            continue;
        }
        if report.sample.len() < 5 {
            report.sample.push(format!(
                "{} · {} · {text}",
                submitted.as_deref().unwrap_or(""),
                user.unwrap_or("")
            ));
        }
        insert.execute(params![id, rec.get("source"), submitted, user, text])?;
        let linked: Option<i64> =
            conn.query_row("SELECT person_id FROM feedback_items WHERE id = last_insert_rowid()", [], |r| {
                r.get(0)
            })?;
        report.linked += linked.is_some() as i64;
        report.added += 1;
    }
    Ok(report)
}

/// Imports feedback items (the demo's CSV). Call inside a transaction.
pub fn import_feedback(conn: &Connection, table: &Table) -> Result<usize> {
    Ok(import_feedback_csv(conn, table)?.added as usize)
}

fn read_table(path: &std::path::Path) -> Result<Table> {
    let text = crate::limits::read_text(path, crate::limits::TABLE, "NPS or feedback")?;
    Table::parse(&text, &path.display().to_string())
}

/// Imports an NPS CSV in one transaction; with `commit` false, only says what it would do.
pub fn import_file(
    conn: &mut Connection,
    path: &std::path::Path,
    map: &NpsMap,
    commit: bool,
) -> Result<NpsImport> {
    let table = read_table(path)?;
    let tx = conn.transaction()?;
    let report = import_csv(&tx, &table, map, &path.display().to_string())?;
    if commit {
        tx.commit()?;
    }
    Ok(report)
}

/// Imports a feedback CSV in one transaction; with `commit` false, only says what it would do.
pub fn import_feedback_file(
    conn: &mut Connection,
    path: &std::path::Path,
    commit: bool,
) -> Result<FeedbackImport> {
    let table = read_table(path)?;
    let tx = conn.transaction()?;
    let report = import_feedback_csv(&tx, &table)?;
    if commit {
        tx.commit()?;
    }
    Ok(report)
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

/// Deletes the NPS responses and feedback items of a person: linked to them, or carrying
/// their email (or their email or name as the respondent). Writes no transaction of its own
/// (a forget runs it inside its own). Returns (responses, feedback items) deleted.
pub fn forget_person(conn: &Connection, person_id: i64, email: &str, name: &str) -> Result<(i64, i64)> {
    let responses = conn.execute(
        "DELETE FROM nps_responses WHERE person_id = ?1 OR lower(email) = lower(?2)
         OR lower(respondent) = lower(?2) OR (?3 <> '' AND lower(respondent) = lower(?3))",
        params![person_id, email, name],
    )?;
    let feedback = conn.execute(
        "DELETE FROM feedback_items WHERE person_id = ?1 OR lower(email) = lower(?2)",
        params![person_id, email],
    )?;
    Ok((responses as i64, feedback as i64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        assert_eq!(super::score_of(5, 2, 10), 30.0);
        assert_eq!(super::score_of(1, 2, 3), -33.3);
        assert_eq!(super::score_of(0, 0, 0), 0.0);
    }

    #[test]
    fn survey_times_in_the_forms_tools_write_them_are_read_as_utc() {
        let t = |s: &str| super::parse_survey_time(s).map(|d| d.to_rfc3339());
        assert_eq!(t("2026-03-04 16:30:00 +0200").as_deref(), Some("2026-03-04T14:30:00+00:00"));
        assert_eq!(t("2026-03-04 14:30:00").as_deref(), Some("2026-03-04T14:30:00+00:00"));
        assert_eq!(t("2026-03-04T14:30:00Z").as_deref(), Some("2026-03-04T14:30:00+00:00"));
        assert_eq!(t("1772634600").as_deref(), Some("2026-03-04T14:30:00+00:00"));
        assert!(t("04/03/2026").is_none());
    }
}
