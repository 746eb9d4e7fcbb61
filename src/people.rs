//! People: the user population, from a directory CSV (and, later, audit logs).
//!
//! Owns `people` (and `activity`, `audit_events`, `outreach`, filled by later modules).
//! A directory import is an upsert by email, all or nothing: columns `email` and `name`
//! are required; `team`, `role`, `location`, `started_at`, `consent` are known; any other
//! column is kept in the person's `attributes`.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;
use crate::tabular::Table;

/// A person as the People screen lists them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PersonSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    pub status: String,
    pub consent: bool,
    /// Sessions this person was interviewed in.
    pub sessions: i64,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct ImportReport {
    pub added: i64,
    pub updated: i64,
}

const KNOWN: [&str; 7] = ["email", "name", "team", "role", "location", "started_at", "consent"];

fn parse_consent(value: Option<&str>) -> Option<bool> {
    match value.map(|v| v.to_ascii_lowercase()) {
        None => Some(false),
        Some(v) => match v.as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => None,
        },
    }
}

/// Imports a directory CSV. Call inside a transaction: on error nothing is kept.
pub fn import_directory(conn: &Connection, table: &Table) -> Result<ImportReport> {
    table.require_columns(&["email", "name"])?;
    let mut report = ImportReport::default();
    for rec in table.records() {
        let email = rec.required("email")?;
        if !email.contains('@') {
            return Err(rec.error("email", format!("expected an email address, found {email:?}")));
        }
        let name = rec.required("name")?;
        let consent =
            parse_consent(rec.get("consent")).ok_or_else(|| rec.error("consent", "expected yes or no"))?;
        let started_at = match rec.get("started_at") {
            Some(_) => Some(rec.time("started_at")?),
            None => None,
        };
        let attributes: serde_json::Map<String, serde_json::Value> = rec
            .values()
            .iter()
            .filter(|(k, v)| !KNOWN.contains(&k.as_str()) && !v.is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let exists: Option<i64> =
            conn.query_row("SELECT id FROM people WHERE email = ?1", [email], |r| r.get(0)).optional()?;
        conn.execute(
            "INSERT INTO people (email, name, team, role, location, started_at, attributes, consent, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(email) DO UPDATE SET name = excluded.name, team = excluded.team, role = excluded.role,
               location = excluded.location, started_at = excluded.started_at, attributes = excluded.attributes,
               consent = excluded.consent",
            params![
                email,
                name,
                rec.get("team"),
                rec.get("role"),
                rec.get("location"),
                started_at,
                serde_json::Value::Object(attributes).to_string(),
                consent,
                store::now()
            ],
        )?;
        if exists.is_some() {
            report.updated += 1;
        } else {
            report.added += 1;
        }
    }
    Ok(report)
}

/// The id of the person with this email.
pub fn resolve(conn: &Connection, email: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM people WHERE email = ?1", [email.trim()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("person", email))
}

/// The id of the person with this email, adding them to the directory (with `name`, else
/// the email's local part) when they are not in it. A person already there keeps their name.
pub fn ensure(conn: &Connection, email: &str, name: Option<&str>) -> Result<i64> {
    let email = email.trim();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.chars().any(char::is_whitespace)
    });
    if !valid {
        return Err(Error::invalid(
            "email",
            format!("expected an address like name@example.com, got {email:?}"),
        ));
    }
    if let Ok(id) = resolve(conn, email) {
        return Ok(id);
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email));
    conn.execute(
        "INSERT INTO people (email, name, created_at) VALUES (?1, ?2, ?3)",
        params![email, name, crate::store::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

const SUMMARY_SQL: &str = "
SELECT p.id, p.email, p.name, p.team, p.role, p.location, p.status, p.consent,
       (SELECT count(*) FROM sessions s WHERE s.person_id = p.id)
FROM people p";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonSummary> {
    Ok(PersonSummary {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        team: r.get(3)?,
        role: r.get(4)?,
        location: r.get(5)?,
        status: r.get(6)?,
        consent: r.get(7)?,
        sessions: r.get(8)?,
    })
}

/// Everyone, by name.
pub fn list(conn: &Connection) -> Result<Vec<PersonSummary>> {
    let mut stmt = conn.prepare(&format!("{SUMMARY_SQL} ORDER BY p.name COLLATE NOCASE, p.email"))?;
    let rows = stmt.query_map([], summary_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One person by id.
pub fn get(conn: &Connection, id: i64) -> Result<PersonSummary> {
    conn.query_row(&format!("{SUMMARY_SQL} WHERE p.id = ?1"), [id], summary_row)
        .optional()?
        .ok_or_else(|| Error::not_found("person", id))
}

/// Adds attributes to a person (from an import): `team`, `role` and `location` fill those
/// fields when empty; every other key is merged into `attributes` (a key already there is
/// kept).
pub fn merge_attributes(
    conn: &Connection,
    id: i64,
    values: &std::collections::BTreeMap<String, String>,
) -> Result<()> {
    let current: String =
        conn.query_row("SELECT attributes FROM people WHERE id = ?1", [id], |r| r.get(0))?;
    let mut attrs: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&current)
        .ok()
        .and_then(|v: serde_json::Value| v.as_object().cloned())
        .unwrap_or_default();
    for (k, v) in values {
        match k.to_ascii_lowercase().as_str() {
            "team" | "role" | "location" => {
                let col = k.to_ascii_lowercase();
                conn.execute(
                    &format!("UPDATE people SET {col} = coalesce(nullif({col}, ''), ?2) WHERE id = ?1"),
                    params![id, v],
                )?;
            }
            "email" | "e-mail" | "name" => {}
            _ => {
                attrs.entry(k.clone()).or_insert_with(|| serde_json::Value::String(v.clone()));
            }
        }
    }
    conn.execute(
        "UPDATE people SET attributes = ?2 WHERE id = ?1",
        params![id, serde_json::Value::Object(attrs).to_string()],
    )?;
    Ok(())
}
