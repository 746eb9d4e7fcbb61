//! Full-text search over everything said and written: transcript segments, session notes,
//! highlights, findings, NPS comments and feedback items, in a tantivy index in `index/`.
//!
//! SQLite stays the truth. Triggers (migration 2) log every change to searchable text in
//! `search_changes`; the index keeps the last change it applied (the store's change
//! counter) and its schema version in its commit payload. [`SearchIndex::open`] compares
//! them and, without being asked, rebuilds a missing, unreadable or older-schema index and
//! catches up an index left behind (say, by a crash between the two commits). Writers call
//! [`sync`] after they commit, so a write and its index update are one operation.

mod collect;
mod documents;
mod query;
mod saved;
mod schema;

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};
use ts_rs::TS;

pub use documents::{DocRow, Selector};
pub use query::{parse, Clause, ParsedQuery, KINDS};
pub use saved::{delete_saved, list_saved, mentioning, save_search, SavedSearch};
pub use schema::{Fields, INDEX_SCHEMA_VERSION};

use crate::error::{Error, Result};
use crate::progress::{CancelToken, NoProgress, Outcome, Progress};
use crate::workspace::Workspace;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Newest moment first (session time plus the offset in the recording).
    Time,
}

/// Options of one search.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SearchOptions {
    pub limit: usize,
    pub offset: usize,
    pub sort: SortBy,
    /// Also count all matches by study, kind and speaker.
    pub counts: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { limit: 20, offset: 0, sort: SortBy::Relevance, counts: true }
    }
}

/// One result.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Hit {
    pub kind: String,
    /// The row id of the segment, note, highlight, finding, NPS response or feedback item.
    pub id: i64,
    pub study: Option<String>,
    pub study_id: Option<i64>,
    pub session: Option<i64>,
    pub person: Option<String>,
    pub speaker: Option<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    /// RFC 3339 date of the session or item.
    pub date: String,
    /// HTML-escaped text around the match, matched terms inside `<mark>…</mark>`.
    pub snippet: String,
    pub score: f32,
}

/// A value and how many matches have it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Bucket {
    pub value: String,
    pub count: i64,
}

/// Matches counted by study, kind and speaker.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(rename = "SearchCounts")] // `Counts` in TypeScript is the workspace's.
pub struct Counts {
    pub study: Vec<Bucket>,
    pub kind: Vec<Bucket>,
    pub speaker: Vec<Bucket>,
}

/// What a search returns.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SearchResults {
    pub total: i64,
    /// True when nothing matched exactly and these are typo-tolerant matches.
    pub fuzzy: bool,
    pub hits: Vec<Hit>,
    pub counts: Option<Counts>,
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    UpToDate,
    CaughtUp,
    Rebuilt,
}

/// What a sync or rebuild did, and the change counter the index is now at.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncReport {
    pub action: SyncAction,
    pub documents: i64,
    pub seq: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    schema: u32,
    seq: i64,
}

/// An open index of one workspace.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

/// How long a sync or rebuild waits for another process's index writer before giving up
/// (the change log keeps what it would have applied, for the next sync).
pub const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

fn writer_busy() -> Error {
    Error::Integrity(format!(
        "search index: another process kept it busy for more than {} s; the next search catches up",
        WRITER_WAIT.as_secs()
    ))
}

fn index_err(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Integrity(format!("{}: search index: {e}", dir.display()))
}

/// The store's change counter: the highest `search_changes.seq` ever handed out.
pub fn store_seq(conn: &Connection) -> Result<i64> {
    let seq: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT seq FROM sqlite_sequence WHERE name = 'search_changes'",
        [],
        |r| r.get(0),
    ))?;
    Ok(seq.unwrap_or(0))
}

/// Asks for a full rebuild at the next sync (after a forget: a rebuild writes new segments
/// and drops the old files, so no deleted text stays behind in the index's files).
pub fn request_rebuild(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO search_changes (kind, ref_id) VALUES ('all', 0)", [])?;
    Ok(())
}

/// Opens the workspace's index and brings it up to date with the store.
pub fn sync(ws: &Workspace) -> Result<SyncReport> {
    SearchIndex::open(ws)?.sync(ws.conn(), &NoProgress)
}

impl SearchIndex {
    /// Opens (or creates) the index in the workspace's `index/` folder, without syncing it.
    pub fn open_unsynced(ws: &Workspace) -> Result<SearchIndex> {
        let dir = ws.root().join("index");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let (schema, fields) = schema::build();
        let mmap = tantivy::directory::MmapDirectory::open(&dir).map_err(|e| index_err(&dir, e))?;
        let index = match Index::open_or_create(mmap, schema.clone()) {
            Ok(index) => index,
            // An index of another schema or a damaged one: start over; sync rebuilds it.
            Err(_) => {
                clear_dir(&dir)?;
                let mmap = tantivy::directory::MmapDirectory::open(&dir).map_err(|e| index_err(&dir, e))?;
                Index::create(mmap, schema, Default::default()).map_err(|e| index_err(&dir, e))?
            }
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| index_err(&dir, e))?;
        Ok(SearchIndex { index, reader, fields })
    }

    /// Opens the index and syncs it with the store (rebuilding or catching up as needed).
    pub fn open(ws: &Workspace) -> Result<SearchIndex> {
        let index = SearchIndex::open_unsynced(ws)?;
        index.sync(ws.conn(), &NoProgress)?;
        Ok(index)
    }

    fn payload(&self) -> Option<Payload> {
        let metas = self.index.load_metas().ok()?;
        serde_json::from_str(metas.payload.as_deref()?).ok()
    }

    /// The change counter the index has applied, if it has a valid commit of this schema.
    pub fn indexed_seq(&self) -> Option<i64> {
        self.payload().filter(|p| p.schema == INDEX_SCHEMA_VERSION).map(|p| p.seq)
    }

    /// The index's writer, or none while another process (or another index of this
    /// workspace in this one) holds tantivy's writer lock.
    fn try_writer(&self, threads: usize, heap: usize) -> Result<Option<IndexWriter>> {
        match self.index.writer_with_num_threads(threads, heap) {
            Ok(w) => Ok(Some(w)),
            Err(tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _)) => {
                Ok(None)
            }
            Err(e) => Err(Error::Integrity(format!("search index: cannot write to it: {e}"))),
        }
    }

    /// The index's writer, waiting (bounded by [`WRITER_WAIT`]) while another holds it.
    fn writer(&self, threads: usize, heap: usize) -> Result<IndexWriter> {
        let deadline = std::time::Instant::now() + WRITER_WAIT;
        loop {
            if let Some(w) = self.try_writer(threads, heap)? {
                return Ok(w);
            }
            if std::time::Instant::now() >= deadline {
                return Err(writer_busy());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn rebuild_writer(&self) -> Result<Option<IndexWriter>> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        self.try_writer(threads, 64_000_000 * threads)
    }

    /// Loads the other processes' commits into the reader, so a search sees them.
    fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(|e| Error::Integrity(format!("search index: {e}")))
    }

    fn up_to_date(&self, seq: i64) -> Result<SyncReport> {
        self.reload()?;
        Ok(SyncReport { action: SyncAction::UpToDate, documents: self.num_docs() as i64, seq })
    }

    /// Brings the index up to date: nothing, a catch-up from the change log, or a rebuild.
    ///
    /// Several processes may sync one workspace's index (the app and the CLI): the store's
    /// change log is the truth and whoever holds tantivy's writer lock drains it. A sync takes
    /// the lock only for its own work; while another holds it, it waits (bounded by
    /// [`WRITER_WAIT`]) and then decides again from the index's latest commit, which the other
    /// may have brought up to date already. The reader reloads before a search sees the
    /// answer, so a search sees what another process indexed.
    pub fn sync(&self, conn: &Connection, progress: &dyn Progress) -> Result<SyncReport> {
        let deadline = std::time::Instant::now() + WRITER_WAIT;
        loop {
            // The index's commit first, then the store's counter: the index commits only what
            // the store committed before, so `indexed <= seq` unless the store was replaced.
            let indexed = self.indexed_seq();
            let seq = store_seq(conn)?;
            if indexed == Some(seq) {
                return self.up_to_date(seq);
            }
            let catching_up = indexed.is_some_and(|i| i < seq);
            let writer = if catching_up { self.try_writer(1, 20_000_000)? } else { self.rebuild_writer()? };
            let Some(writer) = writer else {
                if std::time::Instant::now() >= deadline {
                    return Err(writer_busy());
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
                continue;
            };
            // With the lock held, decide again: another process may have synced meanwhile.
            let indexed = self.indexed_seq();
            let seq = store_seq(conn)?;
            return match indexed {
                Some(i) if i == seq => {
                    drop(writer);
                    self.up_to_date(seq)
                }
                Some(i) if i < seq => self.catch_up(writer, conn, i, seq, progress),
                _ => match self.rebuild_with(writer, conn, progress, &CancelToken::new())? {
                    Outcome::Done(r) => Ok(r),
                    Outcome::Cancelled => unreachable!("a fresh token is never cancelled"),
                },
            };
        }
    }

    fn add(&self, writer: &IndexWriter, row: DocRow) -> Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("{}:{}", row.kind, row.ref_id));
        doc.add_text(f.kind, row.kind);
        doc.add_u64(f.ref_id, row.ref_id as u64);
        if let Some(s) = row.session {
            doc.add_u64(f.session, s as u64);
        }
        if let Some(s) = row.study_id {
            doc.add_u64(f.study_id, s as u64);
            doc.add_text(f.study, &row.study);
            doc.add_text(f.study_name, &row.study);
        }
        if !row.person_name.is_empty() || !row.person_email.is_empty() {
            doc.add_text(f.person, format!("{} {}", row.person_name, row.person_email));
            doc.add_text(
                f.person_name,
                if row.person_name.is_empty() { &row.person_email } else { &row.person_name },
            );
        }
        if let Some(s) = &row.speaker {
            doc.add_text(f.speaker, s);
            doc.add_text(f.speaker_name, s);
        }
        if let Some(r) = &row.role {
            doc.add_text(f.role, r);
        }
        if let Some(t) = &row.team {
            doc.add_text(f.team, t);
        }
        for t in &row.tags {
            doc.add_text(f.tag, t);
        }
        doc.add_u64(f.start_ms, row.start_ms.max(0) as u64);
        doc.add_u64(f.end_ms, row.end_ms.max(0) as u64);
        let date = crate::timefmt::parse(&row.date).map(|d| d.timestamp()).unwrap_or(0);
        doc.add_i64(f.date, date);
        doc.add_i64(f.time_key, date.saturating_mul(1000).saturating_add(row.start_ms));
        doc.add_text(f.text, &row.text);
        doc.add_text(f.text_exact, &row.text);
        writer.add_document(doc).map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        Ok(())
    }

    fn commit(&self, writer: &mut IndexWriter, conn: &Connection, seq: i64) -> Result<()> {
        let mut prepared =
            writer.prepare_commit().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        let payload =
            serde_json::to_string(&Payload { schema: INDEX_SCHEMA_VERSION, seq }).expect("serialises");
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        self.reader.reload().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        // The index has everything up to `seq`: the log before it is no longer needed.
        conn.execute("DELETE FROM search_changes WHERE seq <= ?1", [seq])?;
        Ok(())
    }

    /// Rebuilds the whole index from the store (waiting, bounded, while another process
    /// holds the index's writer).
    pub fn rebuild(
        &self,
        conn: &Connection,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<Outcome<SyncReport>> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        let writer = self.writer(threads, 64_000_000 * threads)?;
        self.rebuild_with(writer, conn, progress, cancel)
    }

    fn rebuild_with(
        &self,
        mut writer: IndexWriter,
        conn: &Connection,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<Outcome<SyncReport>> {
        let seq = store_seq(conn)?;
        let total = documents::count_all(conn)?;
        writer.delete_all_documents().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        progress.begin("indexing", Some(total));
        let mut done = 0u64;
        let mut cancelled = false;
        documents::for_each(conn, Selector::All, &mut |row| {
            if cancelled {
                return Ok(());
            }
            self.add(&writer, row)?;
            done += 1;
            if done.is_multiple_of(4096) {
                progress.advance(done);
                cancelled = cancel.is_cancelled();
            }
            Ok(())
        })?;
        if cancelled {
            writer.rollback().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
            return Ok(Outcome::Cancelled);
        }
        progress.advance(done);
        self.commit(&mut writer, conn, seq)?;
        writer.wait_merging_threads().map_err(|e| Error::Integrity(format!("search index: {e}")))?;
        Ok(Outcome::Done(SyncReport { action: SyncAction::Rebuilt, documents: done as i64, seq }))
    }

    fn catch_up(
        &self,
        mut writer: IndexWriter,
        conn: &Connection,
        from: i64,
        to: i64,
        progress: &dyn Progress,
    ) -> Result<SyncReport> {
        let mut stmt =
            conn.prepare("SELECT DISTINCT kind, ref_id FROM search_changes WHERE seq > ?1 AND seq <= ?2")?;
        let changes = stmt
            .query_map([from, to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // A gap in the log (pruned by another index) or a change that touches many documents
        // (a renamed study, tag or person) is cheaper and safer as a rebuild.
        let oldest: Option<i64> = conn.query_row("SELECT min(seq) FROM search_changes", [], |r| r.get(0))?;
        let gap = oldest.is_none_or(|o| o > from + 1);
        if gap || changes.iter().any(|(k, _)| k == "all") {
            return match self.rebuild_with(writer, conn, progress, &CancelToken::new())? {
                Outcome::Done(r) => Ok(r),
                Outcome::Cancelled => unreachable!("a fresh token is never cancelled"),
            };
        }
        // Single documents first, whole sessions last: a delete only removes documents added
        // before it, so a session's re-added documents must come after every delete.
        for (kind, id) in &changes {
            let Some(kind) = KINDS.iter().find(|k| *k == kind) else { continue };
            writer.delete_term(Term::from_field_text(self.fields.key, &format!("{kind}:{id}")));
            documents::for_each(conn, Selector::One(kind, *id), &mut |row| self.add(&writer, row))?;
        }
        let sessions: BTreeSet<i64> =
            changes.iter().filter(|(k, _)| k == "session").map(|(_, id)| *id).collect();
        for id in &sessions {
            writer.delete_term(Term::from_field_u64(self.fields.session, *id as u64));
            documents::for_each(conn, Selector::Session(*id), &mut |row| self.add(&writer, row))?;
        }
        self.commit(&mut writer, conn, to)?;
        Ok(SyncReport { action: SyncAction::CaughtUp, documents: self.num_docs() as i64, seq: to })
    }

    /// How many documents the index holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn tokens(&self, field: tantivy::schema::Field, text: &str) -> Result<Vec<String>> {
        let mut analyzer =
            self.index.tokenizer_for_field(field).map_err(|e| Error::Integrity(e.to_string()))?;
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        Ok(out)
    }

    fn terms_query(&self, field: tantivy::schema::Field, text: &str) -> Result<Option<Box<dyn Query>>> {
        let terms: Vec<Term> =
            self.tokens(field, text)?.iter().map(|t| Term::from_field_text(field, t)).collect();
        Ok(match terms.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs))),
            _ => Some(Box::new(PhraseQuery::new(terms))),
        })
    }

    fn clause_query(&self, clause: &Clause, fuzzy: bool) -> Result<Option<Box<dyn Query>>> {
        let f = &self.fields;
        Ok(match clause {
            Clause::Word(w)
                if fuzzy && w.chars().count() >= 5 && !w.contains(|c: char| !c.is_alphanumeric()) =>
            {
                let term = Term::from_field_text(f.text_exact, &w.to_lowercase());
                let distance = if w.chars().count() >= 8 { 2 } else { 1 };
                Some(Box::new(FuzzyTermQuery::new(term, distance, true)))
            }
            Clause::Word(w) => self.terms_query(f.text, w)?,
            Clause::Phrase(p) => self.terms_query(f.text_exact, p)?,
            Clause::Prefix(p) => {
                let pattern = format!("{}.*", regex_escape(p));
                Some(Box::new(
                    RegexQuery::from_pattern(&pattern, f.text_exact)
                        .map_err(|e| Error::invalid("query", e.to_string()))?,
                ))
            }
            Clause::Field { field, value } => {
                let target = match field.as_str() {
                    "speaker" => f.speaker,
                    "study" => f.study,
                    "person" => f.person,
                    "role" => f.role,
                    "team" => f.team,
                    _ => f.tag,
                };
                Some(self.terms_query(target, value)?.unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery)))
            }
            Clause::Session(id) => {
                Some(Box::new(TermQuery::new(Term::from_field_u64(f.session, *id), IndexRecordOption::Basic)))
            }
            Clause::Kind(k) => {
                Some(Box::new(TermQuery::new(Term::from_field_text(f.kind, k), IndexRecordOption::Basic)))
            }
            Clause::After(t) => Some(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.date, *t)),
                Bound::Unbounded,
            ))),
            Clause::Before(t) => Some(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(Term::from_field_i64(f.date, *t)),
            ))),
        })
    }

    fn build_query(&self, parsed: &ParsedQuery, fuzzy: bool) -> Result<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &parsed.groups {
            let mut alternatives = Vec::new();
            for c in group {
                if let Some(q) = self.clause_query(c, fuzzy)? {
                    alternatives.push((Occur::Should, q));
                }
            }
            match alternatives.len() {
                0 => {}
                1 => clauses.push((Occur::Must, alternatives.pop().expect("one").1)),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives)))),
            }
        }
        if clauses.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        for c in &parsed.excluded {
            if let Some(q) = self.clause_query(c, false)? {
                clauses.push((Occur::MustNot, q));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The stemmed words of the query's text clauses, for marking snippets.
    fn highlight_query(&self, parsed: &ParsedQuery) -> Result<BooleanQuery> {
        let mut terms = Vec::new();
        for c in parsed.groups.iter().flatten() {
            if let Clause::Word(t) | Clause::Phrase(t) = c {
                for tok in self.tokens(self.fields.text, t)? {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.text, &tok),
                        IndexRecordOption::Basic,
                    ));
                    terms.push((Occur::Should, q));
                }
            }
        }
        Ok(BooleanQuery::new(terms))
    }

    /// Runs a query.
    pub fn search(&self, input: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let parsed = query::parse(input)?;
        let searcher = self.reader.searcher();
        let mut fuzzy = false;
        let mut query = self.build_query(&parsed, false)?;
        let mut total = searcher.search(&*query, &Count).map_err(|e| Error::Integrity(e.to_string()))?;
        let has_long_word =
            parsed.groups.iter().flatten().any(|c| matches!(c, Clause::Word(w) if w.chars().count() >= 5));
        if total == 0 && has_long_word {
            query = self.build_query(&parsed, true)?;
            total = searcher.search(&*query, &Count).map_err(|e| Error::Integrity(e.to_string()))?;
            fuzzy = total > 0;
        }
        let limit = opts.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(opts.offset);
        let addresses: Vec<(f32, tantivy::DocAddress)> = match opts.sort {
            SortBy::Relevance => searcher.search(&*query, &top.order_by_score()),
            SortBy::Time => searcher
                .search(&*query, &top.order_by_fast_field::<i64>("time_key", Order::Desc))
                .map(|v| v.into_iter().map(|(_, a)| (0.0, a)).collect()),
        }
        .map_err(|e| Error::Integrity(e.to_string()))?;
        let mut snippets =
            SnippetGenerator::create(&searcher, &self.highlight_query(&parsed)?, self.fields.text)
                .map_err(|e| Error::Integrity(e.to_string()))?;
        snippets.set_max_num_chars(180);
        let f = &self.fields;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::Integrity(e.to_string()))?;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64());
            let snippet = snippets.snippet_from_doc(&doc);
            let snippet = if snippet.fragment().is_empty() {
                escape_html(&truncate_chars(&text_of(f.text).unwrap_or_default(), 180))
            } else {
                mark(&snippet)
            };
            let date = doc.get_first(f.date).and_then(|v| v.as_i64()).unwrap_or(0);
            hits.push(Hit {
                kind: text_of(f.kind).unwrap_or_default(),
                id: u64_of(f.ref_id).unwrap_or(0) as i64,
                study: text_of(f.study_name),
                study_id: u64_of(f.study_id).map(|v| v as i64),
                session: u64_of(f.session).map(|v| v as i64),
                person: text_of(f.person_name),
                speaker: text_of(f.speaker_name),
                start_ms: u64_of(f.start_ms).unwrap_or(0) as i64,
                end_ms: u64_of(f.end_ms).unwrap_or(0) as i64,
                date: chrono::DateTime::from_timestamp(date, 0)
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                snippet,
                score,
            });
        }
        let counts = if opts.counts {
            Some(
                searcher
                    .search(&*query, &collect::CountsCollector)
                    .map_err(|e| Error::Integrity(e.to_string()))?,
            )
        } else {
            None
        };
        Ok(SearchResults { total: total as i64, fuzzy, hits, counts })
    }
}

fn clear_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let removed =
            if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        removed.map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"<>@".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn truncate_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n).collect();
    out.push('…');
    out
}

/// The snippet, HTML-escaped, with its matches inside `<mark>`.
fn mark(snippet: &tantivy::snippet::Snippet) -> String {
    let text = snippet.fragment();
    let mut out = String::new();
    let mut at = 0;
    for range in snippet.highlighted() {
        out.push_str(&escape_html(&text[at..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[range.clone()]));
        out.push_str("</mark>");
        at = range.end;
    }
    out.push_str(&escape_html(&text[at..]));
    out
}
