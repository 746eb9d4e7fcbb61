//! Audit logs: who did what on the platform. Imports Kubernetes audit Events and other
//! tools' exports (JSON Lines, CSV with `--map`), plain or gzipped, streamed a line at a
//! time in one transaction; matches actors to people; derives each person's activity.
//!
//! Owns `audit_events` and `activity`. An event counts once: the same `auditID` (or,
//! without one, the same actor, action, resource, namespace, name and time) is a duplicate,
//! so re-importing a file changes nothing. `formats` reads files, `activity` derives the
//! profiles (counts, tiers, observed roles), `chart` draws a person's activity over time.

pub mod activity;
pub mod chart;
pub mod formats;

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::people::directory::utf8;
use crate::people::Rejected;
use crate::progress::{CancelToken, Outcome, Progress};
pub use formats::{AuditFormat, Event, FieldMap};
use formats::{LineResult, Skip};

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
    {
        AuditFormat::K8s
    } else if t.starts_with('{') {
        AuditFormat::Jsonl
    } else {
        AuditFormat::Csv
    }
}

/// Who an actor is among the people.
struct Matcher {
    rule: MatchRule,
    by_email: HashMap<String, i64>,
    by_other: HashMap<String, Option<i64>>,
    cache: HashMap<String, Option<i64>>,
}

impl Matcher {
    fn load(conn: &Connection, rule: MatchRule) -> Result<Matcher> {
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

    fn person(&mut self, actor: &str) -> Option<i64> {
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

/// The key that makes an event count once.
fn event_key(ev: &Event) -> Vec<u8> {
    let mut h = Sha256::new();
    match &ev.id {
        Some(id) => {
            h.update(b"id\0");
            h.update(id.as_bytes());
        }
        None => {
            for part in [
                ev.actor.as_str(),
                ev.action.as_str(),
                ev.resource.as_deref().unwrap_or(""),
                ev.namespace.as_deref().unwrap_or(""),
                ev.name.as_deref().unwrap_or(""),
            ] {
                h.update(part.as_bytes());
                h.update(b"\0");
            }
            h.update(ev.at.timestamp_nanos_opt().unwrap_or_default().to_le_bytes());
        }
    }
    h.finalize()[..16].to_vec()
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

    // The dedup keys are random: a larger page cache for the import keeps the index in memory
    // (64 MiB at most), then the connection's own size comes back.
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -65536)?;
    let result = import_lines(conn, reader, &source, format, &map, opts, progress, cancel, &read, path);
    conn.pragma_update(None, "cache_size", cache)?;
    result
}

/// The body of [`import_file`]: one transaction over the lines of an opened file.
#[allow(clippy::too_many_arguments)]
fn import_lines(
    conn: &Connection,
    reader: Box<dyn BufRead + Send + '_>,
    source: &str,
    format: AuditFormat,
    map: &FieldMap,
    opts: &AuditImportOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
    read: &std::sync::atomic::AtomicU64,
    path: &Path,
) -> Result<Outcome<AuditImportReport>> {
    let source = source.to_string();
    let map = map.clone();
    let tx = conn.unchecked_transaction()?;
    let mut sink = Sink::new(&tx, opts, &source)?;
    sink.report.format = Some(format);
    let tick = |progress: &dyn Progress| progress.advance(read.load(std::sync::atomic::Ordering::Relaxed));
    match format {
        AuditFormat::K8s | AuditFormat::Jsonl => {
            // Two threads: this one stores, the other reads and parses a batch of lines ahead
            // (at most four batches wait, so memory stays bounded).
            let include_system = opts.include_system;
            let outcome = std::thread::scope(|scope| -> Result<bool> {
                let (send, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
                let parser_cancel = cancel.clone();
                let parser_source = source.clone();
                let parser_map = map.clone();
                scope.spawn(move || {
                    read_json_lines(
                        reader,
                        &parser_source,
                        format,
                        &parser_map,
                        include_system,
                        &parser_cancel,
                        path,
                        &send,
                    )
                });
                let mut seen = 0usize;
                for batch in batches {
                    match batch {
                        Batch::Lines(lines) => {
                            for (line, result) in lines {
                                sink.take(result, line)?;
                            }
                        }
                        Batch::Failed(e) => return Err(e),
                        Batch::Cancelled => return Ok(true),
                    }
                    seen += 1;
                    if seen.is_multiple_of(4) {
                        tick(progress);
                    }
                }
                Ok(false)
            })?;
            if outcome {
                return Ok(Outcome::Cancelled);
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
            let cols = formats::CsvColumns::new(&header, &map, &source)?;
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
                sink.take(cols.event(&rec, &map, opts.include_system), line)?;
            }
        }
    }
    tick(progress);
    if cancel.is_cancelled() {
        return Ok(Outcome::Cancelled);
    }
    let mut report = sink.finish(&tx)?;
    if !report.rejected.is_empty() && !opts.skip_invalid {
        let first = &report.rejected[0];
        let more = report.rejected.len() - 1;
        let tail = if more > 0 { format!(" (and {more} more bad lines)") } else { String::new() };
        return Err(Error::invalid(
            match first.line {
                Some(line) => format!("{source}:{line}"),
                None => source.clone(),
            },
            format!("{}{tail}; nothing was imported (--skip-invalid imports the good lines)", first.reason),
        ));
    }
    progress.begin("deriving activity", None);
    activity::refresh(&tx, chrono::Utc::now())?;
    if opts.dry_run {
        report.dry_run = true;
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(Outcome::Done(report))
}

/// What the parsing thread hands the storing one.
enum Batch {
    /// Lines with their numbers (0 for the items of one JSON value).
    Lines(Vec<(u64, std::result::Result<LineResult, String>)>),
    /// Reading failed (I/O, not UTF-8, a whole-file value that is not JSON): the import stops.
    Failed(Error),
    /// The cancel token was tripped.
    Cancelled,
}

const BATCH: usize = 1024;

/// Reads JSON Lines (or, for k8s, one JSON value spanning the file) and sends parsed batches
/// until the end, an error, a cancel, or the receiver going away.
#[allow(clippy::too_many_arguments)]
fn read_json_lines(
    mut reader: Box<dyn BufRead + Send + '_>,
    source: &str,
    format: AuditFormat,
    map: &FieldMap,
    include_system: bool,
    cancel: &CancelToken,
    path: &Path,
    send: &std::sync::mpsc::SyncSender<Batch>,
) {
    let fail = |e: Error| {
        let _ = send.send(Batch::Failed(e));
    };
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    let mut lines = Vec::with_capacity(BATCH);
    loop {
        buf.clear();
        let n = match reader.read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => return fail(Error::io(path, e)),
        };
        if n == 0 {
            break;
        }
        line_no += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            return fail(Error::invalid(
                format!("{source}:{line_no}"),
                "not UTF-8 text; save the file as UTF-8",
            ));
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        if line_no == 1 && format == AuditFormat::K8s && starts_whole_value(text) {
            // A JSON array, an EventList or a pretty-printed file: one JSON value.
            let mut rest = buf.clone();
            if let Err(e) = reader.read_to_end(&mut rest) {
                return fail(Error::io(path, e));
            }
            let all = match utf8(&rest, source) {
                Ok(all) => all,
                Err(e) => return fail(e),
            };
            let value: serde_json::Value = match serde_json::from_str(all.trim_start_matches('\u{feff}')) {
                Ok(v) => v,
                Err(e) => {
                    return fail(Error::invalid(
                        format!("{source}:{}:{}", e.line(), e.column()),
                        format!("not valid JSON: {e}"),
                    ))
                }
            };
            match formats::k8s_list(value, include_system) {
                Ok(items) => lines.extend(items.into_iter().map(|i| (0, i))),
                Err(e) => return fail(Error::invalid(source, e)),
            }
            break;
        }
        let result = match format {
            AuditFormat::K8s => formats::k8s_event(text, include_system),
            _ => formats::jsonl_event(text, map, include_system),
        };
        lines.push((line_no, result));
        if lines.len() == BATCH {
            if cancel.is_cancelled() {
                let _ = send.send(Batch::Cancelled);
                return;
            }
            if send.send(Batch::Lines(std::mem::replace(&mut lines, Vec::with_capacity(BATCH)))).is_err() {
                return; // the storing side stopped (an error there)
            }
        }
    }
    if !lines.is_empty() {
        let _ = send.send(Batch::Lines(lines));
    }
}

/// Whether the first line of a k8s file starts one JSON value spanning the file (a JSON
/// array, an `EventList`, a pretty-printed Event) rather than JSON Lines.
fn starts_whole_value(text: &str) -> bool {
    if text.starts_with('[') {
        return true;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v.get("kind").and_then(|k| k.as_str()) == Some("EventList"),
        // A line that is only the start of an object (`{`, `{"kind": "EventList",`).
        Err(e) => text.starts_with('{') && e.is_eof(),
    }
}

/// Takes parsed lines: stores events, counts duplicates and skips, collects rejects.
struct Sink<'c> {
    insert: rusqlite::Statement<'c>,
    matcher: Matcher,
    source: String,
    report: AuditImportReport,
    /// Actors of this file no person matched.
    unmatched: std::collections::HashSet<String>,
    people: std::collections::HashSet<i64>,
}

impl<'c> Sink<'c> {
    fn new(conn: &'c Connection, opts: &AuditImportOptions, source: &str) -> Result<Sink<'c>> {
        let insert = conn.prepare(
            "INSERT INTO audit_events (person_id, actor, at, action, resource, namespace, object_name, code, event_key, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(event_key) DO NOTHING",
        )?;
        Ok(Sink {
            insert,
            matcher: Matcher::load(conn, opts.match_rule.clone())?,
            source: Path::new(source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            report: AuditImportReport::default(),
            unmatched: Default::default(),
            people: Default::default(),
        })
    }

    fn take(&mut self, result: std::result::Result<LineResult, String>, line: u64) -> Result<()> {
        match result {
            Err(reason) => {
                if self.report.rejected.len() < 1000 {
                    self.report.rejected.push(Rejected { line: (line > 0).then_some(line), reason });
                }
            }
            Ok(LineResult::Blank) => {}
            Ok(LineResult::Skipped(Skip::Stage)) => self.report.skipped_stages += 1,
            Ok(LineResult::Skipped(Skip::System)) => self.report.skipped_system += 1,
            Ok(LineResult::Event(ev)) => {
                let person = self.matcher.person(&ev.actor);
                match person {
                    Some(id) => {
                        self.people.insert(id);
                    }
                    None => {
                        if !self.unmatched.contains(&ev.actor) {
                            self.unmatched.insert(ev.actor.clone());
                        }
                    }
                }
                let added = self.insert.execute(params![
                    person,
                    ev.actor,
                    formats::format_time(&ev.at),
                    ev.action,
                    ev.resource,
                    ev.namespace,
                    ev.name,
                    ev.code,
                    event_key(&ev),
                    self.source
                ])?;
                if added == 1 {
                    self.report.events += 1;
                } else {
                    self.report.duplicates += 1;
                }
            }
        }
        Ok(())
    }

    /// The report, with each unmatched actor's count of (distinct) events in the workspace.
    fn finish(self, conn: &Connection) -> Result<AuditImportReport> {
        let mut report = self.report;
        report.matched_people = self.people.len() as i64;
        let mut count =
            conn.prepare("SELECT count(*) FROM audit_events WHERE actor = ?1 AND person_id IS NULL")?;
        let mut unmatched = Vec::new();
        for actor in self.unmatched {
            let events: i64 = count.query_row([&actor], |r| r.get(0))?;
            unmatched.push(ActorCount { actor, events });
        }
        unmatched.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.actor.cmp(&b.actor)));
        report.unmatched_actors = unmatched;
        Ok(report)
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

/// Links events of actors that match people now (after a directory import) and refreshes
/// the activity. Returns how many events were linked.
pub fn relink(conn: &Connection, rule: &MatchRule) -> Result<i64> {
    let mut matcher = Matcher::load(conn, rule.clone())?;
    let actors: Vec<String> = conn
        .prepare("SELECT DISTINCT actor FROM audit_events WHERE person_id IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut linked = 0;
    for actor in actors {
        if let Some(id) = matcher.person(&actor) {
            linked += conn.execute(
                "UPDATE audit_events SET person_id = ?1 WHERE actor = ?2 AND person_id IS NULL",
                params![id, actor],
            )? as i64;
        }
    }
    if linked > 0 {
        activity::refresh(conn, chrono::Utc::now())?;
    }
    Ok(linked)
}

/// Deletes a person's audit events: those matched to them and those whose actor is their
/// email (alone or after a `prefix:`), matched or not. Writes no transaction of its own (a
/// forget runs it inside its own). Returns how many went. (`activity` goes with the person.)
pub fn forget_person(conn: &Connection, person_id: i64, email: &str) -> Result<i64> {
    let n = conn.execute(
        "DELETE FROM audit_events WHERE person_id = ?1 OR lower(actor) = lower(?2)
         OR substr(lower(actor), -length(?2) - 1) = ':' || lower(?2)",
        params![person_id, email],
    )?;
    Ok(n as i64)
}
