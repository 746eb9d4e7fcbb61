//! The stored audit events, packed. An import's new events go into `audit_batches`, up to
//! [`BATCH`] events a row: each row holds its own string table and the events' columns (actor,
//! action, resource, namespace, name, time, response code, dedup key), written once and read
//! whole. `audit_actors` holds each actor once: the person it is (none until one matches) and
//! how many events it has, so linking an actor to a person is one row, not one per event.
//!
//! Why not a row per event: a million-line Kubernetes log keeps about 400,000 events, and a
//! row each (with its indexes) was most of an import's time; read back, every user of the
//! events (a person's activity, a screener's `count(...)`, a forget) reads them all anyway,
//! and a batch decodes in a few milliseconds. What a batch holds is [`Batch::encode`]'s
//! format, checked whole when it is read ([`Batch::decode`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use hashbrown::HashTable;
use rusqlite::{params, Connection};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

use super::activity::Tally;
use super::formats::{Event, Text};
use crate::error::{Error, Result};

/// The most events one `audit_batches` row holds.
pub const BATCH: usize = 1 << 16;

/// The first bytes of a batch: the format and its version.
const MAGIC: &[u8; 4] = b"RAB1";
/// A response code that is not there.
const NO_CODE: i64 = i64::MIN;

/// One stored event, borrowed from its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'b> {
    pub actor: &'b str,
    pub action: &'b str,
    pub resource: Option<&'b str>,
    pub namespace: Option<&'b str>,
    pub name: Option<&'b str>,
    /// Unix seconds, UTC.
    pub at: i64,
    pub code: Option<i64>,
    /// The dedup key (see `pipeline::event_key`).
    pub key: u128,
}

impl<'e> EventRef<'e> {
    /// A parsed event as stored, with its dedup key.
    pub fn of(ev: &'e Event, key: u128) -> EventRef<'e> {
        EventRef {
            actor: &ev.actor,
            action: &ev.action,
            resource: ev.resource.as_deref(),
            namespace: ev.namespace.as_deref(),
            name: ev.name.as_deref(),
            at: ev.at.timestamp(),
            code: ev.code,
            key,
        }
    }

    /// The time as the activity keeps it: RFC 3339, seconds, UTC.
    pub fn at_text(&self) -> String {
        super::formats::format_time(&time_of(self.at))
    }
}

/// A time of unix seconds (out of range: the epoch).
pub fn time_of(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// The string columns of a batch, in their order in the format.
const ACTOR: usize = 0;
const ACTION: usize = 1;
const RESOURCE: usize = 2;
const NAMESPACE: usize = 3;
const NAME: usize = 4;

/// Events in columns with one string table: what one `audit_batches` row holds.
#[derive(Debug, Default)]
pub struct Batch {
    /// Each distinct string once, one after the other (no allocation a string); the columns
    /// hold its number, its position + 1 (0: none).
    strings: String,
    /// Where each string ends in `strings`.
    ends: Vec<u32>,
    /// The strings' numbers, found by their text (filled while pushing, empty when decoded).
    index: HashTable<u32>,
    text: [Vec<u32>; 5],
    at: Vec<i64>,
    code: Vec<i64>,
    key: Vec<u128>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// Empties the batch, keeping its memory for the next one.
    pub fn clear(&mut self) {
        self.strings.clear();
        self.ends.clear();
        self.index.clear();
        self.text.iter_mut().for_each(Vec::clear);
        self.at.clear();
        self.code.clear();
        self.key.clear();
    }

    /// The number of a string in this batch (adding it when new); 0 for none.
    pub fn intern(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        let Batch { strings, ends, index, .. } = self;
        let text = |id: u32| nth(strings, ends, id);
        let hash = FxBuildHasher.hash_one(s);
        if let Some(&id) = index.find(hash, |&id| text(id) == s) {
            return id;
        }
        strings.push_str(s);
        ends.push(strings.len() as u32);
        let id = ends.len() as u32;
        index.insert_unique(hash, id, |&id| FxBuildHasher.hash_one(nth(strings, ends, id)));
        id
    }

    /// Adds an event.
    pub fn push(&mut self, ev: &EventRef<'_>) {
        let ids = [
            self.intern(Some(ev.actor)),
            self.intern(Some(ev.action)),
            self.intern(ev.resource),
            self.intern(ev.namespace),
            self.intern(ev.name),
        ];
        for (col, id) in self.text.iter_mut().zip(ids) {
            col.push(id);
        }
        self.at.push(ev.at);
        self.code.push(ev.code.unwrap_or(NO_CODE));
        self.key.push(ev.key);
    }

    /// The string of a number [`intern`](Self::intern) gave; none for 0.
    pub fn string(&self, id: u32) -> Option<&str> {
        (id > 0).then(|| nth(&self.strings, &self.ends, id))
    }

    /// How many strings the batch holds (the largest string number).
    pub fn strings(&self) -> usize {
        self.ends.len()
    }

    /// Every string, in number order.
    pub fn all_strings(&self) -> impl Iterator<Item = &str> {
        (1..=self.ends.len() as u32).map(|id| nth(&self.strings, &self.ends, id))
    }

    /// The `i`th event's string numbers: actor, action, resource, namespace, name.
    pub fn ids(&self, i: usize) -> [u32; 5] {
        [
            self.text[ACTOR][i],
            self.text[ACTION][i],
            self.text[RESOURCE][i],
            self.text[NAMESPACE][i],
            self.text[NAME][i],
        ]
    }

    /// The `i`th event's dedup key.
    pub fn key(&self, i: usize) -> u128 {
        self.key[i]
    }

    /// Adds the `i`th event of `other` with its strings already numbered here (`ids`).
    pub fn push_from(&mut self, other: &Batch, i: usize, ids: [u32; 5]) {
        for (col, id) in self.text.iter_mut().zip(ids) {
            col.push(id);
        }
        self.at.push(other.at[i]);
        self.code.push(other.code[i]);
        self.key.push(other.key[i]);
    }

    /// The `i`th event.
    pub fn get(&self, i: usize) -> EventRef<'_> {
        let text = |col: usize| self.string(self.text[col][i]);
        EventRef {
            actor: text(ACTOR).unwrap_or(""),
            action: text(ACTION).unwrap_or(""),
            resource: text(RESOURCE),
            namespace: text(NAMESPACE),
            name: text(NAME),
            at: self.at[i],
            code: (self.code[i] != NO_CODE).then_some(self.code[i]),
            key: self.key[i],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = EventRef<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Adds the batch's events to the tallies of the people their actors are (`person_of`),
    /// counted by string numbers and day numbers first: a batch's thousands of events become
    /// a few hundred groups before any text is looked at.
    pub fn tally_into(&self, person_of: impl Fn(&str) -> Option<i64>, tallies: &mut BTreeMap<i64, Tally>) {
        /// What an actor's events add up to: the hours (a bit each) and the time span.
        struct Span {
            hours: u32,
            first: i64,
            last: i64,
        }
        // Each actor's person, looked up once (the other strings are not actors).
        let mut people: Vec<Option<i64>> = vec![None; self.strings() + 1];
        let mut looked = vec![false; self.strings() + 1];
        for &actor in &self.text[ACTOR] {
            if !std::mem::replace(&mut looked[actor as usize], true) {
                people[actor as usize] = self.string(actor).and_then(&person_of);
            }
        }
        let person = |id: u32| people[id as usize];
        let mut mix: FxHashMap<[u32; 4], i64> = FxHashMap::default();
        let mut days: FxHashMap<(u32, i64), i64> = FxHashMap::default();
        let mut spans: FxHashMap<u32, Span> = FxHashMap::default();
        for i in 0..self.len() {
            let actor = self.text[ACTOR][i];
            if person(actor).is_none() {
                continue;
            }
            *mix.entry([actor, self.text[ACTION][i], self.text[RESOURCE][i], self.text[NAMESPACE][i]])
                .or_default() += 1;
            let at = self.at[i];
            *days.entry((actor, at.div_euclid(86_400))).or_default() += 1;
            let hour = 1u32 << (at.rem_euclid(86_400) / 3600);
            spans
                .entry(actor)
                .and_modify(|s| {
                    s.hours |= hour;
                    s.first = s.first.min(at);
                    s.last = s.last.max(at);
                })
                .or_insert(Span { hours: hour, first: at, last: at });
        }
        let text = |id: u32| self.string(id);
        for ([actor, action, resource, namespace], n) in mix {
            let (Some(id), Some(actor)) = (person(actor), text(actor)) else { continue };
            tallies.entry(id).or_default().add_mix(
                actor,
                text(action).unwrap_or(""),
                text(resource),
                text(namespace),
                n,
            );
        }
        for ((actor, day), n) in days {
            let Some(id) = person(actor) else { continue };
            let day = super::formats::time_text(&time_of(day * 86_400));
            tallies.entry(id).or_default().add_day(&day[..10], n);
        }
        for (actor, span) in spans {
            let Some(id) = person(actor) else { continue };
            let t = tallies.entry(id).or_default();
            (0..24).filter(|h| span.hours & (1 << h) != 0).for_each(|h| t.add_hour(h));
            t.add_span(
                &super::formats::time_text(&time_of(span.first)),
                &super::formats::time_text(&time_of(span.last)),
            );
        }
    }

    /// The bytes of a batch: `RAB1`; the string count (u32, little-endian), then each string
    /// as its byte length (u32) and UTF-8 bytes; the event count n (u32); then, as LEB128
    /// varints, five columns of n string numbers (actor, action, resource, namespace, name;
    /// 1-based, 0 for none), n times (unix seconds, each the zigzag of its difference from the
    /// one before: a log's times are close together), n response codes (0 for none, else the
    /// zigzag of the code + 1); last n 16-byte keys (big-endian), and nothing after them.
    pub fn encode(&self) -> Vec<u8> {
        let n = self.len();
        let text_len = 4 * self.ends.len() + self.strings.len();
        let mut out = Vec::with_capacity(12 + text_len + n * (5 + 2 + 2 + 16));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        for s in self.all_strings() {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&(n as u32).to_le_bytes());
        for col in &self.text {
            col.iter().for_each(|&id| put_varint(&mut out, u64::from(id)));
        }
        let mut before = 0i64;
        for &at in &self.at {
            put_varint(&mut out, zigzag(at.wrapping_sub(before)));
            before = at;
        }
        for &code in &self.code {
            put_varint(&mut out, if code == NO_CODE { 0 } else { zigzag(code).wrapping_add(1) });
        }
        for key in &self.key {
            out.extend_from_slice(&key.to_be_bytes());
        }
        out
    }

    /// Reads [`encode`](Self::encode)'s bytes, checking every length, varint, string number
    /// and string; says what is wrong otherwise.
    pub fn decode(bytes: &[u8]) -> std::result::Result<Batch, String> {
        let mut r = Bytes { rest: bytes };
        if r.take(4)? != MAGIC {
            return Err("not an audit batch (its first bytes are not RAB1)".into());
        }
        let count = r.u32()? as usize;
        let mut strings = String::new();
        let mut ends = Vec::with_capacity(count.min(r.rest.len() / 4));
        for _ in 0..count {
            let len = r.u32()? as usize;
            let text = std::str::from_utf8(r.take(len)?).map_err(|_| "a string that is not UTF-8")?;
            strings.push_str(text);
            ends.push(u32::try_from(strings.len()).map_err(|_| "strings of more than 4 GiB")?);
        }
        let n = r.u32()? as usize;
        // Each event takes at least 5 + 1 + 1 + 16 bytes.
        if n.saturating_mul(23) > r.rest.len() {
            return Err(format!("{n} events do not fit the {} bytes after the strings", r.rest.len()));
        }
        let mut batch = Batch { strings, ends, ..Batch::default() };
        for col in 0..5 {
            let mut ids = Vec::with_capacity(n);
            for _ in 0..n {
                let id = r.varint()?;
                if id as usize > count || (id == 0 && col <= ACTION) {
                    return Err(format!("string number {id} of column {col} is not in the batch's {count}"));
                }
                ids.push(id as u32);
            }
            batch.text[col] = ids;
        }
        let mut before = 0i64;
        for _ in 0..n {
            before = before.wrapping_add(unzigzag(r.varint()?));
            batch.at.push(before);
        }
        for _ in 0..n {
            let v = r.varint()?;
            batch.code.push(if v == 0 { NO_CODE } else { unzigzag(v - 1) });
        }
        batch.key =
            r.take(n * 16)?.chunks_exact(16).map(|c| u128::from_be_bytes(c.try_into().unwrap())).collect();
        if !r.rest.is_empty() {
            return Err(format!("{} bytes after the last key", r.rest.len()));
        }
        Ok(batch)
    }
}

/// Appends `v` as a LEB128 varint (seven bits a byte, the high bit set on all but the last).
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A signed number as an unsigned one that is small when the number is near zero.
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// The `id`th string (1-based) of strings laid one after the other, ending at `ends`.
fn nth<'s>(strings: &'s str, ends: &[u32], id: u32) -> &'s str {
    let i = id as usize - 1;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &strings[start..ends[i] as usize]
}

/// A cursor over a batch's bytes.
struct Bytes<'a> {
    rest: &'a [u8],
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err(format!("cut short: {n} bytes wanted, {} left", self.rest.len()));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    /// A LEB128 varint of at most ten bytes that fits in 64 bits.
    fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut v = 0u64;
        for (i, &b) in self.rest.iter().enumerate().take(10) {
            if i == 9 && b > 1 {
                break;
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                self.rest = &self.rest[i + 1..];
                return Ok(v);
            }
        }
        Err("a varint that is cut short or longer than 64 bits".into())
    }
}

/// Stores a batch (nothing for an empty one).
pub fn append(conn: &Connection, source: &str, batch: &Batch) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO audit_batches (source, events, data) VALUES (?1, ?2, ?3)",
        params![source, batch.len() as i64, batch.encode()],
    )?;
    Ok(())
}

/// Reads one stored batch.
fn decode_row(id: i64, data: &[u8]) -> Result<Batch> {
    Batch::decode(data).map_err(|e| Error::Integrity(format!("audit_batches row {id}: {e}")))
}

/// Calls `f` with every stored batch, in the order they were stored.
pub fn each_batch(conn: &Connection, mut f: impl FnMut(i64, &Batch) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id, data FROM audit_batches ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let data = r
            .get_ref(1)?
            .as_blob()
            .map_err(|_| Error::Integrity(format!("audit_batches row {id}: not a blob")))?;
        let batch = decode_row(id, data)?;
        f(id, &batch)?;
    }
    Ok(())
}

/// Calls `f` with every stored event.
pub fn each(conn: &Connection, mut f: impl FnMut(EventRef<'_>)) -> Result<()> {
    each_batch(conn, |_, batch| {
        batch.iter().for_each(&mut f);
        Ok(())
    })
}

/// Deletes the stored events `keep` says no to (each batch that loses one is written again,
/// or deleted when it loses all) and returns how many went. Keeps `audit_actors` as it is.
pub fn retain(conn: &Connection, mut keep: impl FnMut(&EventRef<'_>) -> bool) -> Result<i64> {
    let mut rewrites: Vec<(i64, Batch)> = Vec::new();
    let mut removed = 0i64;
    each_batch(conn, |id, batch| {
        let kept: Vec<EventRef<'_>> = batch.iter().filter(|e| keep(e)).collect();
        if kept.len() < batch.len() {
            removed += (batch.len() - kept.len()) as i64;
            let mut again = Batch::default();
            kept.iter().for_each(|e| again.push(e));
            rewrites.push((id, again));
        }
        Ok(())
    })?;
    for (id, batch) in rewrites {
        if batch.is_empty() {
            conn.execute("DELETE FROM audit_batches WHERE id = ?1", [id])?;
        } else {
            conn.execute(
                "UPDATE audit_batches SET events = ?2, data = ?3 WHERE id = ?1",
                params![id, batch.len() as i64, batch.encode()],
            )?;
        }
    }
    Ok(removed)
}

/// What the workspace knows of an actor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    /// The person the actor is, once one matched.
    pub person: Option<i64>,
    /// Stored events.
    pub events: i64,
}

/// Every actor with stored events.
pub fn actors(conn: &Connection) -> Result<HashMap<String, Actor>> {
    let mut stmt = conn.prepare("SELECT actor, person_id, events FROM audit_actors")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, Actor { person: r.get(1)?, events: r.get(2)? })))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds `events` new events of `actor` and, when it has none yet, its person.
pub fn add_actor(conn: &Connection, actor: &str, person: Option<i64>, events: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_actors (actor, person_id, events) VALUES (?1, ?2, ?3)
         ON CONFLICT (actor) DO UPDATE SET events = events + excluded.events,
           person_id = coalesce(audit_actors.person_id, excluded.person_id)",
    )?
    .execute(params![actor, person, events])?;
    Ok(())
}

/// Links an actor (that has none) to a person.
pub fn link_actor(conn: &Connection, actor: &str, person: i64) -> Result<()> {
    conn.prepare_cached("UPDATE audit_actors SET person_id = ?2 WHERE actor = ?1 AND person_id IS NULL")?
        .execute(params![actor, person])?;
    Ok(())
}

/// The actors that are a person: matched to them, or whose actor is their email (alone or
/// after a `prefix:`, matched or not), with their stored events.
pub fn actors_of_person(conn: &Connection, person_id: i64, email: &str) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT actor, events FROM audit_actors WHERE person_id = ?1 OR lower(actor) = lower(?2)
         OR substr(lower(actor), -length(?2) - 1) = ':' || lower(?2)",
    )?;
    let rows = stmt.query_map(params![person_id, email], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes actors' rows (their events must be gone first).
pub fn drop_actors(conn: &Connection, actors: &[String]) -> Result<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM audit_actors WHERE actor = ?1")?;
    for a in actors {
        stmt.execute([a])?;
    }
    Ok(())
}

/// Migration 13's step in Rust: the events of `audit_events` (a row each, schema 12 and
/// before) move into batches in their stored order, one source at a time, their actors into
/// `audit_actors`, and the old table goes. An actor is the person most of its rows had (rows of
/// one actor could name two people when imports used different match rules; ties go to the
/// person seen first). A row without a 16-byte key gets the key an import would give it now.
/// The activity is counted again from the batches, so it counts what the actors are now.
pub fn move_rows_to_batches(conn: &Connection) -> Result<()> {
    let mut actors: HashMap<String, Actor> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    // Each actor's rows by person, in the order the people were first seen.
    let mut people: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT person_id, actor, at, action, resource, namespace, object_name, code, event_key, source
             FROM audit_events ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut batch = Batch::default();
        let mut source: Option<String> = None;
        while let Some(r) = rows.next()? {
            let row_source: Option<String> = r.get(9)?;
            if (row_source != source && !batch.is_empty()) || batch.len() == BATCH {
                append(conn, source.as_deref().unwrap_or(""), &std::mem::take(&mut batch))?;
            }
            source = row_source;
            let person: Option<i64> = r.get(0)?;
            let actor: String = r.get(1)?;
            let at_text: String = r.get(2)?;
            let at = super::formats::parse_time(&at_text).map_or(0, |t| t.timestamp());
            let text = |i: usize| -> rusqlite::Result<Option<Text>> {
                Ok(r.get::<_, Option<String>>(i)?.map(Text::from))
            };
            let ev = super::formats::Event {
                actor: Text::from(actor.as_str()),
                action: text(3)?.unwrap_or_default(),
                resource: text(4)?,
                namespace: text(5)?,
                name: text(6)?,
                at: time_of(at),
                code: r.get(7)?,
                id: None,
            };
            let key = match r.get_ref(8)?.as_bytes_or_null().ok().flatten().map(<[u8; 16]>::try_from) {
                Some(Ok(bytes)) => u128::from_be_bytes(bytes),
                _ => super::pipeline::event_key(&ev),
            };
            batch.push(&EventRef::of(&ev, key));
            let entry = actors.entry(actor).or_insert_with_key(|a| {
                order.push(a.clone());
                Actor::default()
            });
            entry.events += 1;
            if let Some(id) = person {
                let seen = people.entry(ev.actor.to_string()).or_default();
                match seen.iter_mut().find(|(p, _)| *p == id) {
                    Some((_, n)) => *n += 1,
                    None => seen.push((id, 1)),
                }
            }
        }
        append(conn, source.as_deref().unwrap_or(""), &batch)?;
    }
    for actor in &order {
        // The person with the most rows; the first seen of those with as many.
        let person = people.get(actor).and_then(|seen| {
            seen.iter()
                .enumerate()
                .max_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
                .map(|(_, (p, _))| *p)
        });
        add_actor(conn, actor, person, actors[actor].events)?;
    }
    conn.execute_batch("DROP TABLE audit_events")?;
    if !order.is_empty() {
        super::activity::refresh(conn, Utc::now())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(actor: &str, at: i64, key: u128) -> EventRef<'_> {
        EventRef {
            actor,
            action: "create pods/exec",
            resource: Some("pods"),
            namespace: if at % 2 == 0 { Some("shop") } else { None },
            name: None,
            at,
            code: if at % 3 == 0 { None } else { Some(201) },
            key,
        }
    }

    #[test]
    fn a_batch_reads_back_what_was_pushed() {
        let mut batch = Batch::default();
        let events: Vec<EventRef<'_>> = (0..50)
            .map(|i| {
                event(if i % 4 == 0 { "ana@example.com" } else { "bo" }, 1_700_000_000 + i, i as u128 * 7)
            })
            .collect();
        events.iter().for_each(|e| batch.push(e));
        let back = Batch::decode(&batch.encode()).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), events);
        assert_eq!(
            back.strings(),
            5,
            "each string once: two actors, the action, the resource, the namespace"
        );
    }

    #[test]
    fn a_damaged_batch_is_refused_with_what_is_wrong() {
        let mut batch = Batch::default();
        batch.push(&event("ana", 10, 1));
        let bytes = batch.encode();
        assert!(Batch::decode(&bytes[..bytes.len() - 1]).unwrap_err().contains("cut short"));
        assert!(Batch::decode(&[&bytes[..], &[0]].concat()).unwrap_err().contains("after the last key"));
        assert!(Batch::decode(b"RAB2").unwrap_err().contains("RAB1"));
        let mut bad = bytes.clone();
        // The actor's string number, after the magic, the count, the strings and the event count.
        let first_id = 4 + 4 + batch.all_strings().map(|s| 4 + s.len()).sum::<usize>() + 4;
        bad[first_id] = 9; // past the table
        assert!(Batch::decode(&bad).unwrap_err().contains("string number 9"));
        bad[first_id..].fill(0xff); // a varint that never ends
        assert!(Batch::decode(&bad).unwrap_err().contains("varint"));
    }

    #[test]
    fn varints_and_zigzags_read_back_at_their_limits() {
        for v in [0u64, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX), u64::MAX - 1, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut r = Bytes { rest: &out };
            assert_eq!(r.varint(), Ok(v));
            assert!(r.rest.is_empty());
        }
        for v in [0i64, 1, -1, 200, -86_400, i64::MAX, i64::MIN + 1, i64::MIN] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        let mut big = Batch::default();
        big.push(&EventRef { code: Some(i64::MAX), ..event("ana", i64::MAX, u128::MAX) });
        big.push(&EventRef { code: Some(-5), ..event("bo", i64::MIN + 7, 0) });
        let back = Batch::decode(&big.encode()).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), big.iter().collect::<Vec<_>>());
    }
}
