//! Audit logs: who did what on the platform. Imports Kubernetes audit Events and other
//! tools' exports (JSON Lines, CSV with `--map`), plain or gzipped, streamed in one
//! transaction; matches actors to people; derives each person's activity.
//!
//! Owns `audit_batches`, `audit_actors` and `activity`. An event counts once: the same
//! `auditID` (or, without one, the same actor, action, resource, namespace, name and time) is
//! a duplicate, so re-importing a file changes nothing. `formats` reads a line (`k8s_scan`
//! reads the usual Kubernetes line without serde), `pipeline` reads JSON Lines on threads (a
//! reader, parsers, blocks back in file order), `sink` stores (dedup against the stored keys
//! held in memory, people matched, tallies per person),
//! `events` packs the stored events in batches and keeps the actors, `activity` derives the
//! profiles (counts, tiers, observed roles), `chart` draws a person's activity over time.

pub mod activity;
pub mod chart;
pub mod events;
pub mod formats;
mod k8s_scan;
pub mod pipeline;
mod sink;

use std::io::{BufRead, Read};
use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::people::directory::utf8;
use crate::people::Rejected;
use crate::progress::{CancelToken, Outcome, Progress};
pub use formats::{AuditFormat, Event, FieldMap};
use sink::{Matcher, Sink};

/// How actors are matched to people. Matching by email is always tried first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum MatchRule {
    /// The actor (or its part after the last `:`) is the person's email.
    #[default]
    Email,
    /// The actor is the local part of the person's email (`username=local-part`).
    LocalPart,
    /// The actor equals the person's attribute of this name (`username=attribute:github`).
    Attribute(String),
}

impl MatchRule {
    /// Parses `email`, `local-part` or `attribute:NAME`, optionally written `username=…`.
    pub fn parse(text: &str) -> Result<MatchRule> {
        let rule = text.trim();
        let rule = rule.strip_prefix("username=").or_else(|| rule.strip_prefix("actor=")).unwrap_or(rule);
        match rule {
            "email" => Ok(MatchRule::Email),
            "local-part" | "localpart" => Ok(MatchRule::LocalPart),
            _ => match rule.strip_prefix("attribute:") {
                Some(name) if !name.is_empty() => Ok(MatchRule::Attribute(name.to_string())),
                _ => Err(Error::invalid(
                    format!("--match {text}"),
                    "expected username=email, username=local-part or username=attribute:NAME",
                )),
            },
        }
    }
}

/// The options of an audit import.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct AuditImportOptions {
    /// Null: told from the file (a `.csv` name is CSV; JSON with `auditID`/`stage` is k8s).
    pub format: Option<AuditFormat>,
    /// `FIELD=PATH` pairs for JSON Lines and CSV.
    pub map: Vec<(String, String)>,
    pub match_rule: MatchRule,
    /// Count `system:` users (service accounts, controllers) too.
    pub include_system: bool,
    /// Import the good lines of a file with bad ones (listed in `rejected`).
    pub skip_invalid: bool,
    /// Read and count everything, then roll back: what an import would do.
    pub dry_run: bool,
}

/// An actor no person matched, with how many events they have in this file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ActorCount {
    pub actor: String,
    pub events: i64,
}

/// What an audit import did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct AuditImportReport {
    pub format: Option<AuditFormat>,
    /// Events added (new, counted ones).
    pub events: i64,
    /// Events already in the workspace (or earlier in the file).
    pub duplicates: i64,
    /// Lines of other stages than ResponseComplete.
    pub skipped_stages: i64,
    /// Lines of `system:` users (without `include_system`).
    pub skipped_system: i64,
    /// People whose events are in this file.
    pub matched_people: i64,
    pub unmatched_actors: Vec<ActorCount>,
    pub rejected: Vec<Rejected>,
    /// True when nothing was written (`dry_run`).
    pub dry_run: bool,
}

/// Tells the format from the file's name and first bytes.
pub fn sniff(path: &Path, head: &[u8]) -> AuditFormat {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        return AuditFormat::Csv;
    }
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    if t.starts_with('[')
        || text.contains("\"auditID\"")
        || text.contains("audit.k8s.io")
        || text.contains("\"stage\"")
        || text.contains("\"protoPayload\"")
    {
        AuditFormat::K8s
    } else if t.starts_with('{') {
        AuditFormat::Jsonl
    } else {
        AuditFormat::Csv
    }
}

/// Imports an audit file in one transaction (nothing is kept on an error or a cancel),
/// then refreshes every person's activity. Progress is in bytes of the (compressed) file.
pub fn import_file(
    conn: &Connection,
    path: &Path,
    opts: &AuditImportOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<AuditImportReport>> {
    let source = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let total = file.metadata().map(|m| m.len()).ok();
    let counted =
        CountingReader { inner: file, read: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)) };
    let read = counted.read.clone();
    let mut reader = formats::decompress(counted).map_err(|e| Error::io(path, e))?;
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?.to_vec();
    let format = opts.format.unwrap_or_else(|| sniff(path, &head));
    let map = FieldMap::new(&opts.map, format)?;
    if format == AuditFormat::K8s && !opts.map.is_empty() {
        return Err(Error::invalid("--map", "the k8s format has fixed fields; --map is for jsonl and csv"));
    }
    progress.begin("reading audit events", total);
    import_lines(conn, reader, &source, format, &map, opts, progress, cancel, &read, path, total)
}

/// The body of [`import_file`]: one transaction over the lines of an opened file.
#[allow(clippy::too_many_arguments)]
fn import_lines(
    conn: &Connection,
    mut reader: Box<dyn BufRead + Send + '_>,
    source: &str,
    format: AuditFormat,
    map: &FieldMap,
    opts: &AuditImportOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
    read: &std::sync::atomic::AtomicU64,
    path: &Path,
    size: Option<u64>,
) -> Result<Outcome<AuditImportReport>> {
    // Immediate: the keys read at the start stay the workspace's until the commit.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let mut sink = Sink::new(&tx, opts, source)?;
    // About one counted event per 2 kB of a Kubernetes log (every request's two stages of
    // about 700 bytes): room for their keys up front, not grown (and rehashed) as they come.
    // (At most 2^21 up front: a larger file's set grows as it needs to.)
    sink.expect_events(size.map_or(0, |b| (b / 2000).min(1 << 21) as usize));
    sink.report.format = Some(format);
    let tick = |progress: &dyn Progress| progress.advance(read.load(std::sync::atomic::Ordering::Relaxed));
    match format {
        AuditFormat::K8s | AuditFormat::Jsonl => {
            let parse = pipeline::ParseOptions {
                source: source.to_string(),
                format,
                map: map.clone(),
                include_system: opts.include_system,
            };
            // The first line that is not blank tells a whole-file JSON value from JSON Lines.
            let mut head = Vec::with_capacity(4096);
            let mut first_line = 1u64;
            loop {
                head.clear();
                let limit = crate::limits::AUDIT_LINE as u64 + 1;
                if (&mut reader).take(limit).read_until(b'\n', &mut head).map_err(|e| Error::io(path, e))?
                    == 0
                {
                    break;
                }
                let text = String::from_utf8_lossy(&head);
                if !text.trim_start_matches('\u{feff}').trim().is_empty() {
                    break;
                }
                first_line += 1;
            }
            let first = std::str::from_utf8(&head).unwrap_or("").trim_start_matches('\u{feff}').trim();
            if format == AuditFormat::K8s && starts_whole_value(first) {
                let mut all = std::mem::take(&mut head);
                (&mut reader)
                    .take(crate::limits::TABLE)
                    .read_to_end(&mut all)
                    .map_err(|e| Error::io(path, e))?;
                if all.len() as u64 >= crate::limits::TABLE {
                    return Err(Error::invalid(
                        source,
                        format!(
                            "a single JSON value of more than {} MiB; write the events one per line (JSON Lines) to import a larger log",
                            crate::limits::TABLE >> 20
                        ),
                    ));
                }
                for item in whole_value(&all, source, opts.include_system)? {
                    sink.take(item, 0)?;
                }
            } else {
                let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
                let cancelled = pipeline::run(
                    reader,
                    head,
                    first_line,
                    &parse,
                    workers,
                    cancel,
                    path,
                    |lines, skipped, events| {
                        sink.skipped(skipped);
                        for (line, result) in lines {
                            sink.take(result, line)?;
                        }
                        sink.take_batch(events)?;
                        tick(progress);
                        Ok(())
                    },
                )?;
                if cancelled {
                    return Ok(Outcome::Cancelled);
                }
            }
        }
        AuditFormat::Csv => {
            let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
            let header = csv
                .byte_headers()
                .map_err(|e| Error::invalid(format!("{source}:1"), format!("unreadable header row: {e}")))?
                .clone();
            let header = csv::StringRecord::from_byte_record(header).map_err(|_| {
                Error::invalid(format!("{source}:1"), "not UTF-8 text; save the file as UTF-8")
            })?;
            let cols = formats::CsvColumns::new(&header, map, source)?;
            let mut raw = csv::ByteRecord::new();
            let mut n = 0u64;
            loop {
                let more = csv.read_byte_record(&mut raw).map_err(|e| {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    Error::invalid(format!("{source}:{line}"), e.to_string())
                })?;
                if !more {
                    break;
                }
                let line = raw.position().map(|p| p.line()).unwrap_or(0);
                n += 1;
                if n.is_multiple_of(4096) {
                    if cancel.is_cancelled() {
                        return Ok(Outcome::Cancelled);
                    }
                    tick(progress);
                }
                let rec = csv::StringRecord::from_byte_record(raw.clone()).map_err(|_| {
                    Error::invalid(format!("{source}:{line}"), "not UTF-8 text; save the file as UTF-8")
                })?;
                sink.take(pipeline::item(cols.event(&rec, map, opts.include_system)), line)?;
            }
        }
    }
    tick(progress);
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    sink.flush()?;
    let rejected = &sink.report.rejected;
    if !rejected.is_empty() && !opts.skip_invalid {
        let first = &rejected[0];
        let more = rejected.len() - 1;
        let tail = if more > 0 { format!(" (and {more} more bad lines)") } else { String::new() };
        return Err(Error::invalid(
            match first.line {
                Some(line) => format!("{source}:{line}"),
                None => source.to_string(),
            },
            format!("{}{tail}; nothing was imported (--skip-invalid imports the good lines)", first.reason),
        ));
    }
    let sink::Finished { mut report, tallies, stored_people, linked_stored } = sink.finish()?;
    progress.begin("deriving activity", None);
    let now = chrono::Utc::now();
    // Everyone with stored events must have an activity row with a tally to add to; else
    // (a workspace from before tallies were kept, or an actor's earlier events that became a
    // person's) count from the stored events once.
    let with_rows: std::collections::HashSet<i64> = tx
        .prepare("SELECT person_id FROM activity WHERE tally IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if linked_stored
        || !stored_people.iter().all(|id| with_rows.contains(id))
        || !activity::add(&tx, tallies, now)?
    {
        activity::refresh(&tx, now)?;
    }
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    if opts.dry_run {
        report.dry_run = true;
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(Outcome::Done(report))
}

/// The events of a file that is one JSON value (or several, one after the other): a JSON
/// array of Events, an `EventList`, a pretty-printed Event. Read whole.
fn whole_value(
    bytes: &[u8],
    source: &str,
    include_system: bool,
) -> Result<Vec<std::result::Result<pipeline::Item, String>>> {
    let all = utf8(bytes, source)?;
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_str(all.trim_start_matches('\u{feff}'))
        .into_iter::<serde_json::Value>();
    for value in stream {
        let value = value.map_err(|e| {
            Error::invalid(format!("{source}:{}:{}", e.line(), e.column()), format!("not valid JSON: {e}"))
        })?;
        let items = formats::k8s_list(value, include_system).map_err(|e| Error::invalid(source, e))?;
        out.extend(items.into_iter().map(pipeline::item));
    }
    Ok(out)
}

/// Whether the first line of a k8s file starts one JSON value spanning the file (a JSON
/// array, an `EventList` or an Event printed over several lines) rather than JSON Lines (of
/// Events, or of `EventList`s each on its line).
fn starts_whole_value(text: &str) -> bool {
    if text.starts_with('[') {
        return true;
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => false,
        // A line that is only the start of an object (`{`, `{"kind": "EventList",`).
        Err(e) => text.starts_with('{') && e.is_eof(),
    }
}

/// Counts the bytes read from the file, for progress.
struct CountingReader<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Links the actors that match people now (after a directory import) and refreshes the
/// activity. Returns how many events were linked.
pub fn relink(conn: &Connection, rule: &MatchRule) -> Result<i64> {
    let mut matcher = Matcher::load(conn, rule.clone())?;
    let mut linked = 0;
    for (actor, a) in events::actors(conn)? {
        if a.person.is_some() {
            continue;
        }
        if let Some(id) = matcher.person(&actor) {
            events::link_actor(conn, &actor, id)?;
            linked += a.events;
        }
    }
    if linked > 0 {
        activity::refresh(conn, chrono::Utc::now())?;
    }
    Ok(linked)
}

/// How many stored events [`forget_person`] would delete.
pub fn person_event_count(conn: &Connection, person_id: i64, email: &str) -> Result<i64> {
    Ok(events::actors_of_person(conn, person_id, email)?.iter().map(|(_, n)| n).sum())
}

/// Deletes a person's audit events: those of actors matched to them and those whose actor is
/// their email (alone or after a `prefix:`), matched or not, and those actors. Writes no
/// transaction of its own (a forget runs it inside its own). Returns how many events went.
/// (`activity` goes with the person.)
pub fn forget_person(conn: &Connection, person_id: i64, email: &str) -> Result<i64> {
    let actors: Vec<String> =
        events::actors_of_person(conn, person_id, email)?.into_iter().map(|(a, _)| a).collect();
    if actors.is_empty() {
        return Ok(0);
    }
    let gone: std::collections::HashSet<&str> = actors.iter().map(String::as_str).collect();
    let n = events::retain(conn, |e| !gone.contains(e.actor))?;
    events::drop_actors(conn, &actors)?;
    Ok(n)
}

/// Every stored event's count by actor, counted from the batches themselves.
pub fn events_by_actor(conn: &Connection) -> Result<std::collections::BTreeMap<String, i64>> {
    let mut out = std::collections::BTreeMap::new();
    events::each(conn, |e| {
        if let Some(n) = out.get_mut(e.actor) {
            *n += 1;
        } else {
            out.insert(e.actor.to_string(), 1);
        }
    })?;
    Ok(out)
}
