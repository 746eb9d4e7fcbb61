//! Directory imports: a CSV export, Slack's `users.list` JSON and a SCIM 2.0 `ListResponse`
//! of Users, each read into the same [`Entry`] and upserted by email (case-insensitively).
//!
//! All or nothing: a file with rejected rows imports nothing unless `skip_invalid`, and the
//! error names the file and the line (CSV) or the element (`members[3]`, `Resources[0]`).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::ContactStatus;
use crate::error::{Error, Result};
use crate::store;
use crate::tabular::Table;

/// The kinds of directory file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryFormat {
    /// A CSV with a header row; `email` is required.
    Csv,
    /// Slack's `users.list` response.
    Slack,
    /// A SCIM 2.0 `ListResponse` of Users.
    Scim,
}

impl DirectoryFormat {
    /// Parses `csv`, `slack` or `scim`.
    pub fn parse(text: &str) -> Result<DirectoryFormat> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(DirectoryFormat::Csv),
            "slack" => Ok(DirectoryFormat::Slack),
            "scim" => Ok(DirectoryFormat::Scim),
            other => Err(Error::invalid("--format", format!("expected csv, slack or scim, found {other:?}"))),
        }
    }

    /// The format a file's content says it is: JSON with `members` is Slack, JSON with
    /// `Resources` is SCIM, anything else CSV.
    pub fn sniff(bytes: &[u8]) -> DirectoryFormat {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        let trimmed = head.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            if head.contains("\"Resources\"") || head.contains("urn:ietf:params:scim") {
                return DirectoryFormat::Scim;
            }
            return DirectoryFormat::Slack;
        }
        DirectoryFormat::Csv
    }
}

/// One person as a directory file gives them. `None` fields leave what is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub email: String,
    pub name: Option<String>,
    pub team: Option<String>,
    pub role: Option<String>,
    pub manager: Option<String>,
    pub location: Option<String>,
    pub started_at: Option<String>,
    pub consent: Option<bool>,
    pub contact_status: Option<ContactStatus>,
    pub attributes: Map<String, Value>,
}

/// A row (or element) that could not be imported.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Rejected {
    /// The line in the file (CSV), or null for a JSON element (named in `reason`).
    pub line: Option<u64>,
    pub reason: String,
}

/// What a directory import did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct DirectoryReport {
    pub created: i64,
    pub updated: i64,
    pub rejected: Vec<Rejected>,
}

/// Entries read from a file, and the rows that were refused.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub rejected: Vec<Rejected>,
}

/// Checks that `bytes` are UTF-8; the error names the line of the first bad byte.
pub fn utf8<'a>(bytes: &'a [u8], source: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        Error::invalid(
            format!("{source}:{line}"),
            format!("not UTF-8 text (byte {at} is not valid UTF-8); save the file as UTF-8"),
        )
    })
}

/// Reads a directory file of `format`.
pub fn parse(bytes: &[u8], source: &str, format: DirectoryFormat) -> Result<Parsed> {
    let text = utf8(bytes, source)?;
    let mut parsed = match format {
        DirectoryFormat::Csv => parse_csv(text, source),
        DirectoryFormat::Slack => parse_slack(text, source),
        DirectoryFormat::Scim => parse_scim(text, source),
    }?;
    // A field past the limit (a 10 MB name in a JSON directory) is a damaged entry: rejected
    // like any other bad one, naming the field. (CSV fields are checked by `Table` already.)
    let mut kept = Vec::with_capacity(parsed.entries.len());
    for (i, e) in parsed.entries.into_iter().enumerate() {
        match too_long(&e) {
            Some((field, len)) => parsed.rejected.push(Rejected {
                line: None,
                reason: format!(
                    "{source}: entry {i}: field `{field}` is {len} bytes; fields are read up to {} bytes (1 MiB)",
                    crate::limits::FIELD
                ),
            }),
            None => kept.push(e),
        }
    }
    parsed.entries = kept;
    Ok(parsed)
}

/// The first field of `e` longer than [`crate::limits::FIELD`], and its length.
fn too_long(e: &Entry) -> Option<(String, usize)> {
    let named = [
        ("email", Some(&e.email)),
        ("name", e.name.as_ref()),
        ("team", e.team.as_ref()),
        ("role", e.role.as_ref()),
        ("manager", e.manager.as_ref()),
        ("location", e.location.as_ref()),
    ];
    let attributes = e.attributes.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), Some(s))));
    named
        .iter()
        .map(|(k, v)| (*k, v.map(String::as_str)))
        .chain(attributes)
        .find_map(|(k, v)| v.filter(|v| v.len() > crate::limits::FIELD).map(|v| (k.to_string(), v.len())))
}

const KNOWN_CSV: [&str; 9] =
    ["email", "name", "team", "role", "manager", "location", "started_at", "consent", "contact_status"];

fn parse_consent(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Whether `email` looks like an address: something, `@`, something, no spaces.
pub fn valid_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.chars().any(char::is_whitespace)
    })
}

fn parse_csv(text: &str, source: &str) -> Result<Parsed> {
    parse_table(&Table::parse(text, source)?)
}

fn parse_table(table: &Table) -> Result<Parsed> {
    table.require_columns(&["email"])?;
    let mut out = Parsed::default();
    for rec in table.records() {
        let entry = (|| -> Result<Entry> {
            let email = rec.required("email")?;
            if !valid_email(email) {
                return Err(rec.error("email", format!("expected an email address, found {email:?}")));
            }
            let consent = match rec.get("consent") {
                Some(v) => Some(parse_consent(v).ok_or_else(|| rec.error("consent", "expected yes or no"))?),
                None => None,
            };
            let contact_status = match rec.get("contact_status") {
                Some(v) => Some(ContactStatus::parse(v).map_err(|e| rec.error("contact_status", e))?),
                None => None,
            };
            let started_at = match rec.get("started_at") {
                Some(_) => Some(rec.time("started_at")?),
                None => None,
            };
            let attributes = rec
                .values()
                .iter()
                .filter(|(k, v)| !KNOWN_CSV.contains(&k.as_str()) && !v.is_empty())
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            Ok(Entry {
                email: email.to_string(),
                name: rec.get("name").map(str::to_string),
                team: rec.get("team").map(str::to_string),
                role: rec.get("role").map(str::to_string),
                manager: rec.get("manager").map(str::to_string),
                location: rec.get("location").map(str::to_string),
                started_at,
                consent,
                contact_status,
                attributes,
            })
        })();
        match entry {
            Ok(e) => out.entries.push(e),
            Err(e) => out.rejected.push(Rejected { line: Some(rec.line()), reason: reason_of(e) }),
        }
    }
    Ok(out)
}

fn reason_of(e: Error) -> String {
    match e {
        Error::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn json(text: &str, source: &str) -> Result<Value> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        Error::invalid(format!("{source}:{}:{}", e.line(), e.column()), format!("not valid JSON: {e}"))
    })
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_slack(text: &str, source: &str) -> Result<Parsed> {
    let doc = json(text, source)?;
    let members = doc.get("members").and_then(Value::as_array).ok_or_else(|| {
        Error::invalid(
            format!("{source}: field `members`"),
            "expected Slack's users.list response with a `members` array",
        )
    })?;
    let mut out = Parsed::default();
    for (i, m) in members.iter().enumerate() {
        let flag = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
        let id = m.get("id").and_then(Value::as_str).unwrap_or("");
        if flag("deleted") || flag("is_bot") || flag("is_app_user") || id == "USLACKBOT" {
            continue;
        }
        let Some(email) = str_at(m, &["profile", "email"]) else {
            out.rejected.push(Rejected {
                line: None,
                reason: format!("{source}: members[{i}] ({id}): field `profile.email`: expected an email address, found none"),
            });
            continue;
        };
        if !valid_email(email) {
            out.rejected.push(Rejected {
                line: None,
                reason: format!("{source}: members[{i}] ({id}): field `profile.email`: expected an email address, found {email:?}"),
            });
            continue;
        }
        let name = str_at(m, &["real_name"]).or_else(|| str_at(m, &["profile", "real_name"]));
        let mut attributes = Map::new();
        if !id.is_empty() {
            attributes.insert("slack_id".into(), Value::String(id.into()));
        }
        if let Some(tz) = str_at(m, &["tz"]) {
            attributes.insert("tz".into(), Value::String(tz.into()));
        }
        out.entries.push(Entry {
            email: email.to_string(),
            name: name.map(str::to_string),
            role: str_at(m, &["profile", "title"]).map(str::to_string),
            attributes,
            ..Entry::default()
        });
    }
    Ok(out)
}

const SCIM_ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn parse_scim(text: &str, source: &str) -> Result<Parsed> {
    let doc = json(text, source)?;
    let resources = doc.get("Resources").and_then(Value::as_array).ok_or_else(|| {
        Error::invalid(
            format!("{source}: field `Resources`"),
            "expected a SCIM ListResponse with a `Resources` array",
        )
    })?;
    let mut out = Parsed::default();
    for (i, u) in resources.iter().enumerate() {
        if u.get("active").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let user_name = str_at(u, &["userName"]);
        let emails = u.get("emails").and_then(Value::as_array).cloned().unwrap_or_default();
        let pick = emails
            .iter()
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| emails.iter().find(|e| e.get("type").and_then(Value::as_str) == Some("work")))
            .or_else(|| emails.first())
            .and_then(|e| str_at(e, &["value"]));
        let email = pick.or(user_name.filter(|n| valid_email(n)));
        let Some(email) = email.filter(|e| valid_email(e)) else {
            out.rejected.push(Rejected {
                line: None,
                reason: format!(
                    "{source}: Resources[{i}] ({}): field `emails`: expected an email address, found none",
                    user_name.unwrap_or("no userName")
                ),
            });
            continue;
        };
        let name = str_at(u, &["name", "formatted"])
            .map(str::to_string)
            .or_else(|| {
                let given = str_at(u, &["name", "givenName"]);
                let family = str_at(u, &["name", "familyName"]);
                match (given, family) {
                    (Some(g), Some(f)) => Some(format!("{g} {f}")),
                    (Some(x), None) | (None, Some(x)) => Some(x.to_string()),
                    (None, None) => None,
                }
            })
            .or_else(|| str_at(u, &["displayName"]).map(str::to_string));
        let ext = u.get(SCIM_ENTERPRISE);
        let manager = ext.and_then(|x| {
            str_at(x, &["manager", "displayName"]).or_else(|| str_at(x, &["manager", "value"]))
        });
        let location = u
            .get("addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|a| str_at(a, &["locality"]));
        let mut attributes = Map::new();
        for (key, path) in
            [("scim_id", &["id"][..]), ("user_type", &["userType"]), ("user_name", &["userName"])]
        {
            if let Some(v) = str_at(u, path) {
                attributes.insert(key.into(), Value::String(v.into()));
            }
        }
        if let Some(x) = ext {
            for key in ["employeeNumber", "costCenter", "organization", "division"] {
                if let Some(v) = str_at(x, &[key]) {
                    attributes.insert(key.into(), Value::String(v.into()));
                }
            }
        }
        out.entries.push(Entry {
            email: email.to_string(),
            name,
            team: ext.and_then(|x| str_at(x, &["department"])).map(str::to_string),
            role: str_at(u, &["title"]).map(str::to_string),
            manager: manager.map(str::to_string),
            location: location.map(str::to_string),
            attributes,
            ..Entry::default()
        });
    }
    Ok(out)
}

/// Upserts entries by email (case-insensitively). A field the entry lacks keeps its stored
/// value; attributes are merged. Call inside a transaction.
pub fn store(conn: &Connection, entries: &[Entry]) -> Result<DirectoryReport> {
    let mut report = DirectoryReport::default();
    let now = store::now();
    for e in entries {
        let exists: Option<i64> =
            conn.query_row("SELECT id FROM people WHERE email = ?1", [&e.email], |r| r.get(0)).optional()?;
        let attributes = Value::Object(e.attributes.clone()).to_string();
        match exists {
            Some(id) => {
                conn.execute(
                    "UPDATE people SET name = coalesce(?2, name), team = coalesce(?3, team), role = coalesce(?4, role),
                       manager = coalesce(?5, manager), location = coalesce(?6, location),
                       started_at = coalesce(?7, started_at), consent = coalesce(?8, consent),
                       contact_status = coalesce(?9, contact_status), attributes = json_patch(attributes, ?10)
                     WHERE id = ?1",
                    params![
                        id,
                        e.name,
                        e.team,
                        e.role,
                        e.manager,
                        e.location,
                        e.started_at,
                        e.consent,
                        e.contact_status.map(ContactStatus::as_str),
                        attributes
                    ],
                )?;
                report.updated += 1;
            }
            None => {
                let name = e
                    .name
                    .clone()
                    .unwrap_or_else(|| e.email.split('@').next().unwrap_or(&e.email).to_string());
                conn.execute(
                    "INSERT INTO people (email, name, team, role, manager, location, started_at, attributes, consent,
                       contact_status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        e.email,
                        name,
                        e.team,
                        e.role,
                        e.manager,
                        e.location,
                        e.started_at,
                        attributes,
                        e.consent.unwrap_or(false),
                        e.contact_status.unwrap_or(ContactStatus::Free).as_str(),
                        now
                    ],
                )?;
                report.created += 1;
            }
        }
    }
    Ok(report)
}

/// Reads and imports a directory file in one transaction. With rejected rows and without
/// `skip_invalid` nothing is imported and the error names the first rejected row.
pub fn import(
    conn: &Connection,
    bytes: &[u8],
    source: &str,
    format: Option<DirectoryFormat>,
    skip_invalid: bool,
) -> Result<DirectoryReport> {
    let format = format.unwrap_or_else(|| DirectoryFormat::sniff(bytes));
    let parsed = parse(bytes, source, format)?;
    if !parsed.rejected.is_empty() && !skip_invalid {
        let first = &parsed.rejected[0];
        let location = match first.line {
            Some(line) => format!("{source}:{line}"),
            None => source.to_string(),
        };
        let more = parsed.rejected.len() - 1;
        let tail = if more > 0 { format!(" (and {more} more rejected)") } else { String::new() };
        return Err(Error::invalid(
            location,
            format!("{}{tail}; nothing was imported (--skip-invalid imports the other rows)", first.reason),
        ));
    }
    let tx = conn.unchecked_transaction()?;
    let mut report = store(&tx, &parsed.entries)?;
    tx.commit()?;
    report.rejected = parsed.rejected;
    Ok(report)
}

/// Imports a directory CSV already read into a [`Table`] (the demo's `people.csv`). Call
/// inside a transaction; any bad row fails the whole import.
pub fn import_table(conn: &Connection, table: &Table) -> Result<DirectoryReport> {
    let parsed = parse_table(table)?;
    if let Some(first) = parsed.rejected.first() {
        return Err(Error::invalid(
            format!("{}:{}", table.source(), first.line.unwrap_or(0)),
            first.reason.clone(),
        ));
    }
    store(conn, &parsed.entries)
}

/// Reads a directory file from disk (see [`import`]); `dry_run` says what an import would
/// do (who is new, who is updated, which rows are refused) and writes nothing.
pub fn import_path(
    conn: &Connection,
    path: &std::path::Path,
    format: Option<DirectoryFormat>,
    skip_invalid: bool,
    dry_run: bool,
) -> Result<DirectoryReport> {
    let bytes = crate::limits::read(path, crate::limits::TABLE, "people directory")?;
    let source = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !dry_run {
        return import(conn, &bytes, &source, format, skip_invalid);
    }
    let format = format.unwrap_or_else(|| DirectoryFormat::sniff(&bytes));
    let parsed = parse(&bytes, &source, format)?;
    let mut report = DirectoryReport { rejected: parsed.rejected, ..DirectoryReport::default() };
    let mut seen = std::collections::HashSet::new();
    for e in &parsed.entries {
        let exists: bool =
            conn.query_row("SELECT count(*) > 0 FROM people WHERE email = ?1", [&e.email], |r| r.get(0))?;
        if exists || !seen.insert(e.email.to_lowercase()) {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    Ok(report)
}
