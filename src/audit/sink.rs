//! Storing an import's parsed events: who each actor is (the person `audit_actors` already
//! links it to, else the match rule's), whether the event is already in the workspace (against
//! the keys read once at the start, held in memory), the event in a batch (`audit::events`),
//! and each person's [`Tally`] of what the import added.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::activity::Tally;
use super::events::{self, Actor, Batch, EventRef};
use super::formats::{LineResult, Skip};
use super::pipeline::Item;
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

/// What the workspace holds before an import: the stored events' keys and the actors.
#[derive(Default)]
pub struct Stored {
    pub keys: KeySet,
    pub actors: HashMap<String, Actor>,
}

impl Stored {
    pub fn read(conn: &Connection) -> Result<Stored> {
        let events: i64 =
            conn.query_row("SELECT coalesce(sum(events), 0) FROM audit_batches", [], |r| r.get(0))?;
        let mut keys = KeySet::default();
        keys.reserve(events.max(0) as usize);
        events::each_batch(conn, |_, batch| {
            keys.extend(batch.iter().map(|e| e.key));
            Ok(())
        })?;
        Ok(Stored { keys, actors: events::actors(conn)? })
    }
}

/// How many events taken one by one are counted together.
const PENDING: usize = 4096;

/// What an import learnt of one actor.
struct Seen {
    person: Option<i64>,
    /// Its new (counted) events in this import.
    new: i64,
}

/// Takes parsed lines in file order: stores new events in batches, counts duplicates and
/// skips, collects rejects, tallies each person's new events.
pub struct Sink<'c> {
    conn: &'c Connection,
    /// The import's events not stored yet.
    batch: Batch,
    /// Events taken one by one (CSV, a whole JSON value), not counted yet.
    pending: Batch,
    matcher: Matcher,
    source: String,
    pub report: AuditImportReport,
    stored: Stored,
    /// The actors of this import, and where each is in `seen`.
    seen: Vec<(String, Seen)>,
    seen_at: FxHashMap<super::formats::Text, usize>,
    people: HashSet<i64>,
    /// What this import adds to each person's activity.
    pub tallies: BTreeMap<i64, Tally>,
}

/// What [`Sink::finish`] hands back.
pub struct Finished {
    pub report: AuditImportReport,
    /// What the import added to each person's activity.
    pub tallies: BTreeMap<i64, Tally>,
    /// The people with events stored before the import.
    pub stored_people: HashSet<i64>,
    /// An actor with stored events was linked to a person by this import: its earlier
    /// events are that person's now too, so the activity must be counted again.
    pub linked_stored: bool,
}

impl<'c> Sink<'c> {
    pub fn new(conn: &'c Connection, opts: &AuditImportOptions, source: &str) -> Result<Sink<'c>> {
        Ok(Sink {
            conn,
            batch: Batch::default(),
            pending: Batch::default(),
            matcher: Matcher::load(conn, opts.match_rule.clone())?,
            source: std::path::Path::new(source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            report: AuditImportReport::default(),
            stored: Stored::read(conn)?,
            seen: Vec::new(),
            seen_at: FxHashMap::default(),
            people: HashSet::new(),
            tallies: BTreeMap::new(),
        })
    }

    /// Makes room for the keys of about `events` more events.
    pub fn expect_events(&mut self, events: usize) {
        self.stored.keys.reserve(events);
    }

    /// Counts lines the parsers did not count (and did not hand over).
    pub fn skipped(&mut self, skipped: super::pipeline::Skipped) {
        self.report.skipped_stages += skipped.stages;
        self.report.skipped_system += skipped.system;
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
                self.pending.push(&EventRef::of(&p.event, p.key));
                if self.pending.len() == PENDING {
                    let pending = std::mem::take(&mut self.pending);
                    self.take_batch(&pending)?;
                }
            }
        }
        Ok(())
    }

    /// Where an actor is in `seen` (first seen: with its person, stored or matched now).
    fn seen_index(&mut self, actor: &str) -> usize {
        if let Some(&at) = self.seen_at.get(actor) {
            return at;
        }
        let person = match self.stored.actors.get(actor).and_then(|a| a.person) {
            Some(id) => Some(id),
            None => self.matcher.person(actor),
        };
        self.seen.push((actor.to_string(), Seen { person, new: 0 }));
        self.seen_at.insert(actor.into(), self.seen.len() - 1);
        self.seen.len() - 1
    }

    /// Takes parsed events in file order (a parser's batch, its strings numbered there): each
    /// counts once, goes into the import's batch (its strings numbered again there, once per
    /// string of the parser's batch), and its actor's person is among the matched people.
    pub fn take_batch(&mut self, parsed: &Batch) -> Result<()> {
        // A string of `parsed` by its number in the import's batch (0: not numbered yet), and
        // an actor by where it is in `seen`.
        let mut here = vec![0u32; parsed.strings() + 1];
        let mut actors = vec![usize::MAX; parsed.strings() + 1];
        for i in 0..parsed.len() {
            let ids = parsed.ids(i);
            let actor = ids[0] as usize;
            if actors[actor] == usize::MAX {
                let at = self.seen_index(parsed.string(ids[0]).unwrap_or(""));
                if let Some(id) = self.seen[at].1.person {
                    self.people.insert(id);
                }
                actors[actor] = at;
            }
            if !self.stored.keys.insert(parsed.key(i)) {
                self.report.duplicates += 1;
                continue;
            }
            self.seen[actors[actor]].1.new += 1;
            self.report.events += 1;
            let mut mapped = [0u32; 5];
            for (m, id) in mapped.iter_mut().zip(ids) {
                if id != 0 {
                    if here[id as usize] == 0 {
                        here[id as usize] = self.batch.intern(parsed.string(id));
                    }
                    *m = here[id as usize];
                }
            }
            self.batch.push_from(parsed, i, mapped);
            if self.batch.len() == events::BATCH {
                self.store_batch()?;
                here.fill(0);
            }
        }
        Ok(())
    }

    /// Stores the events taken and not stored yet, and adds them to their people's tallies.
    pub fn flush(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.take_batch(&pending)?;
        self.store_batch()
    }

    /// Stores the import's batch and adds its events to their people's tallies.
    fn store_batch(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        let (seen, seen_at) = (&self.seen, &self.seen_at);
        batch.tally_into(|actor| seen_at.get(actor).and_then(|&i| seen[i].1.person), &mut self.tallies);
        events::append(self.conn, &self.source, &batch)
    }

    /// Stores what is left, adds this import's actors to `audit_actors`, and reports, with each
    /// unmatched actor's count of (distinct) events in the workspace.
    pub fn finish(mut self) -> Result<Finished> {
        self.flush()?;
        let mut report = self.report;
        report.matched_people = self.people.len() as i64;
        let mut linked_stored = false;
        let mut unmatched = Vec::new();
        for (actor, seen) in &self.seen {
            let before = self.stored.actors.get(actor).copied().unwrap_or_default();
            linked_stored |= before.person.is_none() && before.events > 0 && seen.person.is_some();
            if seen.new > 0 || seen.person.is_some() {
                events::add_actor(self.conn, actor, seen.person, seen.new)?;
            }
            if seen.person.is_none() {
                unmatched.push(ActorCount { actor: actor.clone(), events: before.events + seen.new });
            }
        }
        unmatched.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.actor.cmp(&b.actor)));
        report.unmatched_actors = unmatched;
        let stored_people =
            self.stored.actors.values().filter(|a| a.events > 0).filter_map(|a| a.person).collect();
        Ok(Finished { report, tallies: self.tallies, stored_people, linked_stored })
    }
}
