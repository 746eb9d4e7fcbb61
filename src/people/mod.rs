//! People: the user population, from directory files (CSV, Slack, SCIM) and, through the
//! audit module, from how they use the platform.
//!
//! Owns `people` (and reads `activity`, filled by `audit`, and `outreach`/`participations`,
//! filled by `recruit`, for a person's profile). `directory` reads the directory formats and
//! upserts by email, case-insensitively; `profile` gathers one person's page.

pub mod directory;
pub mod profile;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::Table;

pub use directory::{DirectoryFormat, DirectoryReport, Rejected};
pub use profile::{profile, PersonProfile};

/// Whether a person may be contacted for research. Anything but `free` excludes them from
/// recruiting, whatever the screener says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ContactStatus {
    Free,
    OptedOut,
    DoNotContact,
    Blocklist,
}

impl ContactStatus {
    /// All statuses, in the order the app offers them.
    pub const ALL: [ContactStatus; 4] =
        [ContactStatus::Free, ContactStatus::OptedOut, ContactStatus::DoNotContact, ContactStatus::Blocklist];

    /// The stored text: `free`, `opted-out`, `do-not-contact`, `blocklist`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Free => "free",
            ContactStatus::OptedOut => "opted-out",
            ContactStatus::DoNotContact => "do-not-contact",
            ContactStatus::Blocklist => "blocklist",
        }
    }

    /// Parses the stored text (case and `_`/`-` insensitive).
    pub fn parse(text: &str) -> std::result::Result<ContactStatus, String> {
        let norm = text.trim().to_ascii_lowercase().replace('_', "-");
        ContactStatus::ALL.into_iter().find(|s| s.as_str() == norm).ok_or_else(|| {
            format!("expected one of free, opted-out, do-not-contact, blocklist; found {text:?}")
        })
    }
}

/// A person as the People screen lists them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PersonSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    /// The outreach status of the person's latest contact (`new` before any).
    pub status: String,
    pub contact_status: ContactStatus,
    pub consent: bool,
    /// Sessions this person was interviewed in.
    pub sessions: i64,
    /// From the audit logs: null before any event of theirs was imported.
    pub observed_role: Option<String>,
    pub tier: Option<String>,
    pub events: i64,
    pub last_seen: Option<String>,
}

/// Imports a directory CSV already read (the demo's). Call inside a transaction: on error
/// nothing is kept.
pub fn import_directory(conn: &Connection, table: &Table) -> Result<DirectoryReport> {
    directory::import_table(conn, table)
}

/// The id of the person with this email (case-insensitive).
pub fn resolve(conn: &Connection, email: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM people WHERE email = ?1", [email.trim()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found("person", email))
}

/// The id of the person with this email, adding them to the directory (with `name`, else
/// the email's local part) when they are not in it. A person already there keeps their name.
pub fn ensure(conn: &Connection, email: &str, name: Option<&str>) -> Result<i64> {
    let email = email.trim();
    if !directory::valid_email(email) {
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
SELECT p.id, p.email, p.name, p.team, p.role, p.location,
       coalesce((SELECT o.status FROM outreach o WHERE o.person_id = p.id ORDER BY o.at DESC, o.id DESC LIMIT 1), p.status),
       p.contact_status, p.consent,
       (SELECT count(*) FROM sessions s WHERE s.person_id = p.id),
       a.observed_role, a.tier, coalesce(a.events, 0), a.last_seen
FROM people p LEFT JOIN activity a ON a.person_id = p.id";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonSummary> {
    let status: String = r.get(7)?;
    Ok(PersonSummary {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        team: r.get(3)?,
        role: r.get(4)?,
        location: r.get(5)?,
        status: r.get(6)?,
        contact_status: ContactStatus::parse(&status).unwrap_or(ContactStatus::Free),
        consent: r.get(8)?,
        sessions: r.get(9)?,
        observed_role: r.get(10)?,
        tier: r.get(11)?,
        events: r.get(12)?,
        last_seen: r.get(13)?,
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

/// Sets whether a person may be contacted. Returns them as they now are.
pub fn set_contact_status(conn: &Connection, id: i64, status: ContactStatus) -> Result<PersonSummary> {
    get(conn, id)?;
    conn.execute("UPDATE people SET contact_status = ?2 WHERE id = ?1", params![id, status.as_str()])?;
    get(conn, id)
}

/// Deletes a person's row (their activity, outreach and invitations go by cascade) and
/// clears them as others' manager. Writes no transaction of its own: a forget
/// ([`crate::deletion::forget_person`], which reaches everywhere else) runs it inside its own.
pub(crate) fn delete_row(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE people SET manager = NULL WHERE lower(manager) = (SELECT lower(email) FROM people WHERE id = ?1)",
        [id],
    )?;
    conn.execute("DELETE FROM people WHERE id = ?1", [id])?;
    Ok(())
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
