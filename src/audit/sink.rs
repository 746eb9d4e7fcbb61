//! Storing an import's parsed events: who each actor is among the people, whether the event
//! is already in the workspace (against the keys read once at the start, held in memory), the
//! row in `audit_events`, and each person's [`Tally`] of what the import added. A large import
//! (more new events than [`BULK_MIN`] and a quarter of the stored rows) drops the table's
//! indexes once it gets there and builds them again before the commit, in the same
//! transaction: one sort instead of an index insert per row (the import took half the time).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::Connection;

use super::activity::Tally;
use super::formats::{LineResult, Skip};
use super::pipeline::{Item, Parsed};
use super::{ActorCount, AuditImportOptions, AuditImportReport, MatchRule};
use crate::error::Result;
use crate::people::Rejected;

/// Who an actor is among the people. Matching by email is always tried first.
pub struct Matcher {
    rule: MatchRule,
    by_email: HashMap<String, i64>,
    by_other: HashMap<String, Option<i64>>,
    cache: HashMap<String, Option<i64>>,
}

impl Matcher {
    pub fn load(conn: &Connection, rule: MatchRule) -> Result<Matcher> {
        let mut by_email = HashMap::new();
        let mut by_other: HashMap<String, Option<i64>> = HashMap::new();
        let mut stmt = conn.prepare("SELECT id, email, attributes FROM people")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let email: String = r.get(1)?;
            let key = match &rule {
                MatchRule::Email => None,
                MatchRule::LocalPart => email.split('@').next().map(str::to_lowercase),
                MatchRule::Attribute(name) => {
                    let attrs: String = r.get(2)?;
                    serde_json::from_str::<serde_json::Value>(&attrs)
                        .ok()
                        .and_then(|v| v.get(name).and_then(|x| x.as_str()).map(str::to_lowercase))
                }
            };
            if let Some(k) = key {
                // Two people with the same key match nobody: ambiguous.
                by_other.entry(k).and_modify(|v| *v = None).or_insert(Some(id));
            }
            by_email.insert(email.to_lowercase(), id);
        }
        Ok(Matcher { rule, by_email, by_other, cache: HashMap::new() })
    }

    pub fn person(&mut self, actor: &str) -> Option<i64> {
        if let Some(hit) = self.cache.get(actor) {
            return *hit;
        }
        let lower = actor.to_lowercase();
        let tail = lower.rsplit(':').next().unwrap_or(&lower);
        let found = self.by_email.get(&lower).or_else(|| self.by_email.get(tail)).copied().or_else(|| {
            match self.rule {
                MatchRule::Email => None,
                _ => self.by_other.get(&lower).or_else(|| self.by_other.get(tail)).copied().flatten(),
            }
        });
        self.cache.insert(actor.to_string(), found);
        found
    }
}

/// A hasher for keys that are already hash bits (SHA-256): folds them, hashes nothing again.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = (v as u64) ^ ((v >> 64) as u64);
    }
}

/// The dedup keys of the events in the workspace (16 bytes each).
pub type KeySet = HashSet<u128, BuildHasherDefault<KeyHasher>>;

/// What the workspace holds before an import, read in one pass over `audit_events`.
#[derive(Default)]
pub struct Stored {
    /// Rows in `audit_events` (about: the largest rowid).
    pub rows: i64,
    pub keys: KeySet,
    /// Events without a person, by actor.
    pub unmatched: HashMap<String, i64>,
    /// People with events.
    pub people: HashSet<i64>,
}

impl Stored {
    pub fn read(conn: &Connection) -> Result<Stored> {
        let mut stored = Stored::default();
        let rows: i64 = conn.query_row("SELECT max(rowid) FROM audit_events", [], |r| {
            r.get::<_, Option<i64>>(0).map(Option::unwrap_or_default)
        })?;
        stored.rows = rows;
        stored.keys.reserve(rows as usize);
        let mut stmt = conn.prepare(
            "SELECT event_key, person_id, CASE WHEN person_id IS NULL THEN actor END FROM audit_events",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            if let Ok(Some(bytes)) = r.get_ref(0)?.as_bytes_or_null() {
                if let Ok(first) = <[u8; 16]>::try_from(bytes) {
                    stored.keys.insert(u128::from_be_bytes(first));
                }
            }
            match r.get::<_, Option<i64>>(1)? {
                Some(id) => {
                    stored.people.insert(id);
                }
                None => {
                    let actor = r.get_ref(2)?.as_str().unwrap_or("");
                    match stored.unmatched.get_mut(actor) {
                        Some(n) => *n += 1,
                        None => {
                            stored.unmatched.insert(actor.to_string(), 1);
                        }
                    }
                }
            }
        }
        Ok(stored)
    }
}

/// Takes parsed lines in file order: stores new events, counts duplicates and skips,
/// collects rejects, tallies each person's new events.
pub struct Sink<'c> {
    conn: &'c Connection,
    /// One row's insert, and [`ROWS`] rows' (fewer statement runs for the same rows).
    insert: rusqlite::Statement<'c>,
    insert_many: Option<rusqlite::Statement<'c>>,
    /// New events not inserted yet, with their person.
    pending: Vec<(Option<i64>, Box<Parsed>)>,
    matcher: Matcher,
    source: String,
    pub report: AuditImportReport,
    stored: Stored,
    /// Actors of this file no person matched, with their new events.
    unmatched: HashMap<String, i64>,
    people: HashSet<i64>,
    /// What this import adds to each person's activity.
    pub tallies: BTreeMap<i64, Tally>,
    /// New events after which the table's indexes are dropped, to be built again once at the
    /// end ([`Sink::restore_indexes`]): a sort is far cheaper than as many random inserts.
    bulk_after: i64,
    /// The dropped indexes' `CREATE INDEX` statements, as the schema had them; None until they
    /// are dropped (a table without indexes is looked at once, not at every flush).
    dropped: Option<Vec<String>>,
}

/// The fewest new events for which the indexes are dropped and built again (and at least a
/// quarter of the rows already stored, so a small import into a large table does not rebuild
/// them).
const BULK_MIN: i64 = 10_000;

/// Drops the indexes of `audit_events` and returns their `CREATE INDEX` statements.
fn drop_indexes(conn: &Connection) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

/// Rows a multi-row insert takes at once.
const ROWS: usize = 64;
const INSERT: &str = "INSERT INTO audit_events
    (person_id, actor, at, action, resource, namespace, object_name, code, event_key, source) VALUES ";
const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

impl<'c> Sink<'c> {
    pub fn new(conn: &'c Connection, opts: &AuditImportOptions, source: &str) -> Result<Sink<'c>> {
        let insert = conn.prepare(&format!("{INSERT}{ROW}"))?;
        let stored = Stored::read(conn)?;
        let bulk_after = BULK_MIN.max(stored.rows / 4);
        Ok(Sink {
            conn,
            insert,
            insert_many: None,
            pending: Vec::with_capacity(ROWS),
            matcher: Matcher::load(conn, opts.match_rule.clone())?,
            source: std::path::Path::new(source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            report: AuditImportReport::default(),
            stored,
            unmatched: HashMap::new(),
            people: HashSet::new(),
            tallies: BTreeMap::new(),
            bulk_after,
            dropped: None,
        })
    }

    pub fn take(&mut self, result: std::result::Result<Item, String>, line: u64) -> Result<()> {
        match result {
            Err(reason) => {
                if self.report.rejected.len() < 1000 {
                    self.report.rejected.push(Rejected { line: (line > 0).then_some(line), reason });
                }
            }
            Ok(Item::Line(LineResult::Blank | LineResult::Event(_))) => {}
            Ok(Item::Line(LineResult::Skipped(Skip::Stage))) => self.report.skipped_stages += 1,
            Ok(Item::Line(LineResult::Skipped(Skip::System))) => self.report.skipped_system += 1,
            Ok(Item::Event(p)) => {
                let ev = &p.event;
                let person = self.matcher.person(&ev.actor);
                match person {
                    Some(id) => {
                        self.people.insert(id);
                    }
                    None => {
                        if !self.unmatched.contains_key(&ev.actor) {
                            self.unmatched.insert(ev.actor.clone(), 0);
                        }
                    }
                }
                if !self.stored.keys.insert(p.key) {
                    self.report.duplicates += 1;
                    return Ok(());
                }
                self.report.events += 1;
                match person {
                    Some(id) => self.tallies.entry(id).or_default().add(
                        &ev.actor,
                        &ev.action,
                        ev.resource.as_deref(),
                        ev.namespace.as_deref(),
                        &p.at,
                    ),
                    None => {
                        if let Some(n) = self.unmatched.get_mut(&ev.actor) {
                            *n += 1;
                        }
                    }
                }
                self.pending.push((person, p));
                if self.pending.len() == ROWS {
                    self.flush()?;
                }
            }
        }
        Ok(())
    }

    /// Inserts the pending events: [`ROWS`] in one statement, fewer one by one.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.len() == ROWS && self.insert_many.is_none() {
            let rows = vec![ROW; ROWS].join(", ");
            self.insert_many = Some(self.conn.prepare(&format!("{INSERT}{rows}"))?);
        }
        let source = self.source.as_str();
        let many = self.pending.len() == ROWS;
        for (i, (person, p)) in self.pending.iter().enumerate() {
            let stmt = match (&mut self.insert_many, many) {
                (Some(stmt), true) => stmt,
                _ => &mut self.insert,
            };
            let first = if many { i * 10 } else { 0 };
            let ev = &p.event;
            stmt.raw_bind_parameter(first + 1, person)?;
            stmt.raw_bind_parameter(first + 2, ev.actor.as_str())?;
            stmt.raw_bind_parameter(first + 3, p.at.as_str())?;
            stmt.raw_bind_parameter(first + 4, ev.action.as_str())?;
            stmt.raw_bind_parameter(first + 5, ev.resource.as_deref())?;
            stmt.raw_bind_parameter(first + 6, ev.namespace.as_deref())?;
            stmt.raw_bind_parameter(first + 7, ev.name.as_deref())?;
            stmt.raw_bind_parameter(first + 8, ev.code)?;
            stmt.raw_bind_parameter(first + 9, &p.key.to_be_bytes()[..])?;
            stmt.raw_bind_parameter(first + 10, source)?;
            if !many {
                stmt.raw_execute()?;
            }
        }
        if many {
            self.insert_many.as_mut().expect("prepared above").raw_execute()?;
        }
        self.pending.clear();
        if self.dropped.is_none() && self.report.events > self.bulk_after {
            self.dropped = Some(drop_indexes(self.conn)?);
        }
        Ok(())
    }

    /// Builds the indexes dropped for a bulk load again (in the import's transaction, so an
    /// import that fails or is rolled back keeps them as they were). Call after the last
    /// [`flush`](Self::flush).
    pub fn restore_indexes(&mut self) -> Result<()> {
        for sql in self.dropped.take().unwrap_or_default() {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// The report, with each unmatched actor's count of (distinct) events in the workspace.
    /// Call [`flush`](Self::flush) first.
    pub fn finish(self) -> (AuditImportReport, BTreeMap<i64, Tally>, HashSet<i64>) {
        let mut report = self.report;
        report.matched_people = self.people.len() as i64;
        let mut unmatched: Vec<ActorCount> = self
            .unmatched
            .into_iter()
            .map(|(actor, new)| {
                let events = new + self.stored.unmatched.get(&actor).copied().unwrap_or(0);
                ActorCount { actor, events }
            })
            .collect();
        unmatched.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.actor.cmp(&b.actor)));
        report.unmatched_actors = unmatched;
        (report, self.tallies, self.stored.people)
    }
}
