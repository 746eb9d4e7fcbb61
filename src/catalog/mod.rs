//! The service catalog: services, the systems they belong to, the teams that own them.
//!
//! Owns `catalog_entities`. Two sources: Backstage descriptor files (`catalog-info.yaml`,
//! several YAML documents in one file; kinds Component, System, Group and User, see
//! [`backstage`]) and a CSV with the header `service,owner_team,system,tier`. An import is
//! one transaction and upserts by (kind, namespace, name), so importing the same catalog
//! again changes nothing. A service's owner is a team (a Group); the people of that team are
//! the directory's people whose `team` is the group's name or title, or who are the group's
//! members by the email of their User entity.

pub mod backstage;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::tabular::Table;

/// One entity to store, as read from a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entity {
    /// `component`, `system`, `group` or `user`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// `spec.type` (service, website, team…).
    pub spec_type: Option<String>,
    /// The owner's name (a group, without `group:` and namespace).
    pub owner: Option<String>,
    pub system: Option<String>,
    pub lifecycle: Option<String>,
    pub tier: Option<String>,
    /// A group's parent group.
    pub parent: Option<String>,
    /// A group's members (user names), or a user's groups.
    pub members: Vec<String>,
    /// A user's `spec.profile.email`.
    pub email: Option<String>,
    pub annotations: serde_json::Map<String, serde_json::Value>,
    /// `file:line` of the entity's document.
    pub source: String,
}

/// A service (Component) with its owner team and the people of that team.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Service {
    pub name: String,
    pub title: Option<String>,
    pub owner_team: Option<String>,
    /// The owner group's title, when the catalog has the group.
    pub owner_title: Option<String>,
    pub system: Option<String>,
    pub lifecycle: Option<String>,
    pub tier: Option<String>,
    pub spec_type: Option<String>,
    /// Emails of the directory's people in the owner team.
    pub owner_people: Vec<String>,
    #[ts(type = "Record<string, unknown>")]
    pub annotations: serde_json::Value,
}

/// The catalog: services, systems and teams.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Catalog {
    pub services: Vec<Service>,
    pub systems: Vec<CatalogEntry>,
    pub teams: Vec<CatalogEntry>,
    pub users: i64,
}

/// A System or a Group in the catalog.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogEntry {
    pub name: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub members: Vec<String>,
}

/// What an import found, by kind.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct CatalogImport {
    pub components: i64,
    pub systems: i64,
    pub groups: i64,
    pub users: i64,
    /// Entities that were not in the workspace before.
    pub added: i64,
    /// Documents of other kinds (API, Resource, Location…), skipped.
    pub skipped: i64,
    /// The first entities as read, one line each (for a preview).
    pub sample: Vec<String>,
}

/// Reads catalog entities from a file (YAML or CSV by extension or content) or a folder: its
/// `*.yaml`/`*.yml` files that are Backstage descriptors (they name `backstage.io/`) and its
/// `*.csv` files, recursively in name order, leaving out hidden folders, `node_modules` and
/// `target` (a repository's CI or compose YAML is not a catalog).
pub fn read_path(path: &Path) -> Result<(Vec<Entity>, i64)> {
    let mut files = Vec::new();
    collect(path, &mut files)?;
    let folder = path.is_dir();
    if files.is_empty() {
        return Err(Error::invalid(path.display().to_string(), "no .yaml, .yml or .csv file in this folder"));
    }
    let mut all = Vec::new();
    let mut skipped = 0;
    for file in files {
        let text = crate::limits::read_text(&file, crate::limits::TABLE, "catalog")?;
        let yaml = matches!(file.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
        if folder && yaml && !text.contains("backstage.io/") {
            continue;
        }
        let (entities, skip) = read_text(&text, &file.display().to_string())?;
        all.extend(entities);
        skipped += skip;
    }
    Ok((all, skipped))
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            collect(&p, out)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "csv")) {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads entities from one file's text: a CSV when its first line is a header with a
/// `service` column, else Backstage YAML. Returns the entities and how many documents of
/// other kinds were skipped.
pub fn read_text(text: &str, source: &str) -> Result<(Vec<Entity>, i64)> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.trim_start_matches('\u{feff}').lines().next().unwrap_or("");
    let looks_csv = source.ends_with(".csv")
        || first.split(',').map(str::trim).any(|c| c.eq_ignore_ascii_case("service"));
    if looks_csv && !first.contains(':') {
        Ok((read_csv(text, source)?, 0))
    } else {
        crate::limits::check_lines(text, source)?;
        backstage::parse(text, source)
    }
}

/// The CSV form: `service,owner_team,system,tier` (only `service` required; `lifecycle`,
/// `title` and `description` are read when present).
fn read_csv(text: &str, source: &str) -> Result<Vec<Entity>> {
    let table = Table::parse(text, source)?;
    table.require_columns(&["service"])?;
    let mut out = Vec::new();
    for rec in table.records() {
        let name = rec.required("service")?.to_string();
        if !valid_name(&name) {
            return Err(
                rec.error("service", format!("{name:?} is not a valid name (letters, digits, - _ .)"))
            );
        }
        out.push(Entity {
            kind: "component".into(),
            namespace: "default".into(),
            name,
            title: rec.get("title").map(String::from),
            description: rec.get("description").map(String::from),
            spec_type: Some("service".into()),
            owner: rec.get("owner_team").map(|o| entity_name(o).to_string()),
            system: rec.get("system").map(|s| entity_name(s).to_string()),
            lifecycle: rec.get("lifecycle").map(String::from),
            tier: rec.get("tier").map(String::from),
            source: rec.location(),
            ..Entity::default()
        });
    }
    Ok(out)
}

/// A Backstage name: 1–63 characters of `[a-zA-Z0-9]` separated by `-`, `_` or `.`.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// The name part of an entity reference: `group:default/payments` → `payments`.
pub(crate) fn entity_name(reference: &str) -> &str {
    let r = reference.trim();
    let r = r.split_once(':').map(|(_, rest)| rest).unwrap_or(r);
    r.rsplit_once('/').map(|(_, n)| n).unwrap_or(r)
}

/// Stores entities (upsert by kind, namespace and name). Call inside a transaction.
pub fn store(conn: &Connection, entities: &[Entity], skipped: i64) -> Result<CatalogImport> {
    let mut summary = CatalogImport { skipped, ..Default::default() };
    let mut exists =
        conn.prepare("SELECT id FROM catalog_entities WHERE kind = ?1 AND namespace = ?2 AND name = ?3")?;
    let mut upsert = conn.prepare(
        "INSERT INTO catalog_entities (kind, namespace, name, title, description, spec_type, owner, system, lifecycle, tier, parent, members, email, annotations, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (kind, namespace, name) DO UPDATE SET title = excluded.title, description = excluded.description,
           spec_type = excluded.spec_type, owner = excluded.owner, system = excluded.system, lifecycle = excluded.lifecycle,
           tier = excluded.tier, parent = excluded.parent, members = excluded.members, email = excluded.email,
           annotations = excluded.annotations, source = excluded.source",
    )?;
    for e in entities {
        let known: Option<i64> =
            exists.query_row(params![e.kind, e.namespace, e.name], |r| r.get(0)).optional()?;
        summary.added += known.is_none() as i64;
        if summary.sample.len() < 8 {
            let owner = e.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
            summary.sample.push(format!("{} {}{owner}", e.kind, e.name));
        }
        upsert.execute(params![
            e.kind,
            e.namespace,
            e.name,
            e.title,
            e.description,
            e.spec_type,
            e.owner,
            e.system,
            e.lifecycle,
            e.tier,
            e.parent,
            serde_json::to_string(&e.members).unwrap_or_else(|_| "[]".into()),
            e.email,
            serde_json::Value::Object(e.annotations.clone()).to_string(),
            e.source
        ])?;
        match e.kind.as_str() {
            "component" => summary.components += 1,
            "system" => summary.systems += 1,
            "group" => summary.groups += 1,
            _ => summary.users += 1,
        }
    }
    Ok(summary)
}

/// Imports a file or folder in one transaction.
pub fn import(conn: &mut Connection, path: &Path) -> Result<CatalogImport> {
    let (entities, skipped) = read_path(path)?;
    let tx = conn.transaction()?;
    let summary = store(&tx, &entities, skipped)?;
    tx.commit()?;
    Ok(summary)
}

/// What an import would do, without changing anything.
pub fn preview(conn: &mut Connection, path: &Path) -> Result<CatalogImport> {
    let (entities, skipped) = read_path(path)?;
    let tx = conn.transaction()?;
    let summary = store(&tx, &entities, skipped)?;
    tx.rollback()?;
    Ok(summary)
}

/// Removes one entity (a service, system, team or user) by kind and name.
pub fn delete(conn: &Connection, kind: &str, name: &str) -> Result<()> {
    let n =
        conn.execute("DELETE FROM catalog_entities WHERE kind = ?1 AND name = ?2", params![kind, name])?;
    if n == 0 {
        return Err(Error::not_found("catalog entity", format!("{kind}:{name}")));
    }
    Ok(())
}

fn list_json(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

/// The whole catalog, services first, each with the people of its owner team.
pub fn list(conn: &Connection) -> Result<Catalog> {
    let mut stmt = conn.prepare(
        "SELECT c.name, c.title, c.owner, g.title, c.system, c.lifecycle, c.tier, c.spec_type, c.annotations, g.members
         FROM catalog_entities c
         LEFT JOIN catalog_entities g ON g.kind = 'group' AND g.name = c.owner AND g.namespace = c.namespace
         WHERE c.kind = 'component' ORDER BY c.name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                Service {
                    name: r.get(0)?,
                    title: r.get(1)?,
                    owner_team: r.get(2)?,
                    owner_title: r.get(3)?,
                    system: r.get(4)?,
                    lifecycle: r.get(5)?,
                    tier: r.get(6)?,
                    spec_type: r.get(7)?,
                    owner_people: Vec::new(),
                    annotations: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                },
                r.get::<_, Option<String>>(9)?.map(list_json).unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut services = Vec::new();
    for (mut s, members) in rows {
        if let Some(team) = &s.owner_team {
            s.owner_people = team_people(conn, team, s.owner_title.as_deref(), &members)?;
        }
        services.push(s);
    }
    let entries = |kind: &str| -> Result<Vec<CatalogEntry>> {
        let mut stmt = conn.prepare(
            "SELECT name, title, owner, description, members FROM catalog_entities WHERE kind = ?1 ORDER BY name",
        )?;
        let rows = stmt
            .query_map([kind], |r| {
                Ok(CatalogEntry {
                    name: r.get(0)?,
                    title: r.get(1)?,
                    owner: r.get(2)?,
                    description: r.get(3)?,
                    members: list_json(r.get(4)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let users =
        conn.query_row("SELECT count(*) FROM catalog_entities WHERE kind = 'user'", [], |r| r.get(0))?;
    Ok(Catalog { services, systems: entries("system")?, teams: entries("group")?, users })
}

/// The directory's people of a team: by `people.team` (the group's name or title, any
/// case) or by the email of the group's member users.
fn team_people(
    conn: &Connection,
    team: &str,
    title: Option<&str>,
    members: &[String],
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT email FROM people WHERE team = ?1 COLLATE NOCASE OR (?2 IS NOT NULL AND team = ?2 COLLATE NOCASE)
         OR email IN (SELECT u.email FROM catalog_entities u, json_each(?3) m
                      WHERE u.kind = 'user' AND u.name = m.value AND u.email IS NOT NULL)
         ORDER BY email",
    )?;
    let members = serde_json::to_string(members).unwrap_or_else(|_| "[]".into());
    let emails = stmt
        .query_map(params![team, title, members], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(emails)
}

/// Deletes the catalog's users with this email (a forget). Returns how many went.
pub fn forget_email(conn: &Connection, email: &str) -> Result<i64> {
    let n = conn
        .execute("DELETE FROM catalog_entities WHERE kind = 'user' AND lower(email) = lower(?1)", [email])?;
    Ok(n as i64)
}
