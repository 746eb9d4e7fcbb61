//! Reading JSON Lines audit files on several threads: one thread reads the (decompressed)
//! file in blocks of whole lines, parser threads turn each block into events, and the caller
//! takes the blocks back in file order (so line numbers, the first bad line and "the first of
//! two equal events" mean what they mean in a one-thread read).
//!
//! Memory is bounded: at most [`IN_FLIGHT`] blocks of about [`BLOCK`] bytes are read and not
//! yet taken (a token goes back to the reader when the caller has taken a block). Everything
//! per event that does not need the database (parsing, the dedup key) is done
//! by the parser threads; the caller only stores.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::progress::CancelToken;

use super::events::{Batch, EventRef};
use super::formats::{self, AuditFormat, Event, FieldMap, LineResult};

/// About how many bytes of whole lines go to a parser at a time.
pub const BLOCK: usize = 1 << 20;
/// How many blocks may be read ahead of the caller.
pub const IN_FLIGHT: usize = 8;

/// An event ready to store: the parsed event with its dedup key.
#[derive(Debug)]
pub struct Parsed {
    pub event: Event,
    /// The dedup key: 128 bits of SHA-256 over the `auditID` (or the event's fields).
    pub key: u128,
}

/// What one line gave, ready to store.
#[derive(Debug)]
pub enum Item {
    Event(Box<Parsed>),
    Line(LineResult),
}

/// One block's results, in line order: (line number, result). An item of a whole-file value
/// (a JSON array, an `EventList` spanning lines) has line 0; the items of an `EventList` on
/// one line share that line's number.
pub type Lines = Vec<(u64, std::result::Result<Item, String>)>;

/// Lines not counted, by why (counted by the parsers: no item each).
#[derive(Debug, Default, Clone, Copy)]
pub struct Skipped {
    /// Of another stage than ResponseComplete.
    pub stages: i64,
    /// Of a `system:` user.
    pub system: i64,
}

/// What the reading side hands the caller, in file order.
pub enum Block {
    /// A block's events (in a batch of its own: the parser numbered their strings), the
    /// lines that gave something else (a reject), and the lines not counted.
    Lines(Lines, Skipped, Box<Batch>),
    /// Reading failed (I/O, not UTF-8): the import stops with this error.
    Failed(Error),
}

/// What the parsers need to know.
#[derive(Clone)]
pub struct ParseOptions {
    pub source: String,
    pub format: AuditFormat,
    pub map: FieldMap,
    pub include_system: bool,
}

/// Turns one line's result into a storable item (its key computed here).
pub fn item(result: std::result::Result<LineResult, String>) -> std::result::Result<Item, String> {
    match result? {
        LineResult::Event(event) => {
            let key = event_key(&event);
            Ok(Item::Event(Box::new(Parsed { event, key })))
        }
        other => Ok(Item::Line(other)),
    }
}

/// The key that makes an event count once: the `auditID`, or without one the actor, action,
/// resource, namespace, name and time.
pub fn event_key(ev: &Event) -> u128 {
    use sha2::{Digest, Sha256};
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
    let digest = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(first)
}

/// Parses one line of a k8s or JSON Lines file (which may give several events: an
/// `EventList` written on one line, as a webhook backend's batch is).
fn parse_line(
    text: &str,
    opts: &ParseOptions,
    line: u64,
    out: &mut Lines,
    skipped: &mut Skipped,
    events: &mut Batch,
) {
    let mut put = |r| put_result(r, line, out, skipped, events);
    match opts.format {
        AuditFormat::K8s => formats::k8s_line(text, opts.include_system, &mut put),
        _ => put(formats::jsonl_event(text, &opts.map, opts.include_system)),
    }
}

/// Puts one line's result where it goes: an event in the block's batch, a skip in the counts,
/// anything else (a reject, a one-by-one event) in `out`.
fn put_result(
    r: std::result::Result<LineResult, String>,
    line: u64,
    out: &mut Lines,
    skipped: &mut Skipped,
    events: &mut Batch,
) {
    match r {
        Ok(LineResult::Event(ev)) => {
            events.push(&EventRef::of(&ev, event_key(&ev)));
        }
        Ok(LineResult::Skipped(formats::Skip::Stage)) => skipped.stages += 1,
        Ok(LineResult::Skipped(formats::Skip::System)) => skipped.system += 1,
        Ok(LineResult::Blank) => {}
        r => out.push((line, item(r))),
    }
}

/// Parses a block of whole lines whose first line is `first_line`.
fn parse_block(bytes: &[u8], first_line: u64, opts: &ParseOptions, mut events: Box<Batch>) -> Block {
    let mut out = Vec::new();
    let mut skipped = Skipped::default();
    let mut line = first_line;
    let mut rest = bytes;
    while !rest.is_empty() {
        let (raw, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        // The usual Kubernetes line, all ASCII: read from its bytes, no UTF-8 check needed.
        if opts.format == AuditFormat::K8s {
            let trimmed = raw.trim_ascii();
            if trimmed.first() == Some(&b'{') {
                if let Some(r) = formats::k8s_line_ascii(trimmed, opts.include_system) {
                    put_result(r, line, &mut out, &mut skipped, &mut events);
                    line += 1;
                    rest = next;
                    continue;
                }
            }
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            return Block::Failed(Error::invalid(
                format!("{}:{line}", opts.source),
                "not UTF-8 text; save the file as UTF-8",
            ));
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if !text.is_empty() {
            parse_line(text, opts, line, &mut out, &mut skipped, &mut events);
        }
        line += 1;
        rest = next;
    }
    Block::Lines(out, skipped, events)
}

/// What the reader thread hands a parser: a block of whole lines (sequence number, first
/// line's number, bytes), or a read error in its place.
enum Raw {
    Bytes(u64, u64, Vec<u8>),
    Failed(u64, Error),
}

/// Reads `reader` (positioned at line `first_line`, with `head` the bytes already taken from
/// it) on a reader thread and `workers` parser threads, and calls `take` with each block in
/// file order (its items, its skipped lines, its events). Stops at the end, at a read error,
/// at the first error `take` returns, or when `cancel` trips (then returns `Ok(true)`).
#[allow(clippy::too_many_arguments)]
pub fn run<F>(
    reader: Box<dyn BufRead + Send + '_>,
    head: Vec<u8>,
    first_line: u64,
    opts: &ParseOptions,
    workers: usize,
    cancel: &CancelToken,
    path: &Path,
    mut take: F,
) -> crate::error::Result<bool>
where
    F: FnMut(Lines, Skipped, &Batch) -> crate::error::Result<()>,
{
    std::thread::scope(|scope| {
        let (tokens_back, tokens) = sync_channel::<()>(IN_FLIGHT);
        for _ in 0..IN_FLIGHT {
            let _ = tokens_back.send(());
        }
        let (send_raw, raw) = sync_channel::<Raw>(IN_FLIGHT);
        let raw = Arc::new(Mutex::new(raw));
        let (send_done, done) = sync_channel::<(u64, Block)>(IN_FLIGHT);
        // Parsed blocks' buffers go back to the reader: no fresh megabyte (and its page
        // faults) per block.
        let (send_spare, spares) = sync_channel::<Vec<u8>>(IN_FLIGHT + workers.max(1));
        // And taken blocks' batches go back to the parsers, emptied, their memory kept.
        let (batches_back, batches) = sync_channel::<Box<Batch>>(IN_FLIGHT + workers.max(1));
        let batches = Arc::new(Mutex::new(batches));
        let reader_cancel = cancel.clone();
        scope.spawn(move || {
            read_blocks(reader, head, first_line, tokens, &spares, send_raw, &reader_cancel, path)
        });
        for _ in 0..workers.max(1) {
            let raw = raw.clone();
            let send_done = send_done.clone();
            let send_spare = send_spare.clone();
            let batches = batches.clone();
            scope.spawn(move || parse_blocks(&raw, &send_done, &send_spare, &batches, opts));
        }
        drop(send_spare);
        drop(send_done);
        let result = take_in_order(&done, &tokens_back, &batches_back, cancel, &mut take);
        // Dropping the channels stops the other threads wherever they are.
        drop(done);
        drop(tokens_back);
        result
    })
}

/// The caller's side: blocks back in sequence order, a token back for each.
fn take_in_order<F>(
    done: &Receiver<(u64, Block)>,
    tokens_back: &SyncSender<()>,
    batches_back: &SyncSender<Box<Batch>>,
    cancel: &CancelToken,
    take: &mut F,
) -> crate::error::Result<bool>
where
    F: FnMut(Lines, Skipped, &Batch) -> crate::error::Result<()>,
{
    let mut waiting: BTreeMap<u64, Block> = BTreeMap::new();
    let mut next = 0u64;
    loop {
        while let Some(block) = waiting.remove(&next) {
            if cancel.is_cancelled() {
                return Ok(true);
            }
            match block {
                Block::Lines(lines, skipped, mut batch) => {
                    take(lines, skipped, &batch)?;
                    batch.clear();
                    let _ = batches_back.try_send(batch);
                }
                Block::Failed(e) => return Err(e),
            }
            next += 1;
            let _ = tokens_back.send(());
        }
        match done.recv() {
            Ok((seq, block)) => {
                waiting.insert(seq, block);
            }
            Err(_) => break, // every parser finished
        }
    }
    Ok(cancel.is_cancelled())
}

/// The reader thread: blocks of whole lines with their first line number, one token each.
#[allow(clippy::too_many_arguments)]
fn read_blocks(
    mut reader: Box<dyn BufRead + Send + '_>,
    head: Vec<u8>,
    first_line: u64,
    tokens: Receiver<()>,
    spares: &Receiver<Vec<u8>>,
    send: SyncSender<Raw>,
    cancel: &CancelToken,
    path: &Path,
) {
    let mut filled = head.len();
    let mut block = head;
    let mut line = first_line;
    let mut seq = 0u64;
    let mut at_end = false;
    while !at_end {
        if cancel.is_cancelled() || tokens.recv().is_err() {
            return;
        }
        // Fill to about BLOCK bytes, then to the end of that line. The reads go straight into
        // the block (a buffered reader passes a read this large through when it holds nothing).
        if block.len() < BLOCK {
            block.resize(BLOCK, 0); // a recycled buffer is long enough already: no zeroing
        }
        let mut failed = None;
        while filled < BLOCK {
            match reader.read(&mut block[filled..BLOCK]) {
                Ok(0) => {
                    at_end = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        block.truncate(filled);
        if !at_end && failed.is_none() && !block.ends_with(b"\n") {
            // The rest of the last line, read up to the line limit, never whole: a file
            // without line breaks (or a gzip bomb) cannot fill the memory.
            let limit = crate::limits::AUDIT_LINE as u64 + 1;
            match (&mut reader).take(limit).read_until(b'\n', &mut block) {
                Ok(_) => at_end = !block.ends_with(b"\n"),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            let _ = send.send(Raw::Failed(seq, Error::io(path, e)));
            return;
        }
        let body = block.strip_suffix(b"\n").unwrap_or(&block);
        let last_line = body.len() - memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        if last_line > crate::limits::AUDIT_LINE {
            let at = line + memchr::memchr_iter(b'\n', body).count() as u64;
            let _ = send.send(Raw::Failed(
                seq,
                Error::invalid(
                    format!("{}:{at}", path.display()),
                    format!(
                        "a line of more than {} bytes (16 MiB); audit lines are read up to that",
                        crate::limits::AUDIT_LINE
                    ),
                ),
            ));
            return;
        }
        if block.is_empty() {
            return;
        }
        let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
        let next = spares.try_recv().unwrap_or_default();
        if send.send(Raw::Bytes(seq, line, std::mem::replace(&mut block, next))).is_err() {
            return;
        }
        filled = 0;
        seq += 1;
        line += lines;
    }
}

/// A parser thread: takes raw blocks until the reader is done, sends them parsed (and the
/// raw block's buffer back to the reader), each in a batch the caller gave back if it can.
fn parse_blocks(
    raw: &Mutex<Receiver<Raw>>,
    send: &SyncSender<(u64, Block)>,
    spare: &SyncSender<Vec<u8>>,
    batches: &Mutex<Receiver<Box<Batch>>>,
    opts: &ParseOptions,
) {
    loop {
        let next = raw.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let (seq, block) = match next {
            Ok(Raw::Bytes(seq, first_line, bytes)) => {
                let batch = batches.lock().unwrap_or_else(|p| p.into_inner()).try_recv().unwrap_or_default();
                let parsed = parse_block(&bytes, first_line, opts, batch);
                let _ = spare.try_send(bytes);
                (seq, parsed)
            }
            Ok(Raw::Failed(seq, e)) => (seq, Block::Failed(e)),
            Err(_) => return,
        };
        if send.send((seq, block)).is_err() {
            return;
        }
    }
}
