//! Verbs of search: `search QUERY`, `index rebuild`, saved searches.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use rapport::progress::{CancelToken, Outcome};
use rapport::search::{self, SearchIndex, SearchOptions, SortBy};
use rapport::study;

use crate::bar::{TermBar, Unit};
use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Search everything said and written: transcripts, notes, highlights, findings, NPS comments, feedback.
    ///
    /// Words must all match (stemmed: "rollbacks" finds "rollback"); "exact phrases"; -excluded;
    /// a OR b; prefix*; filters speaker: study: session: person: role: team: tag: kind:
    /// after:YYYY-MM-DD before:YYYY-MM-DD. When nothing matches, words of 5+ letters are retried
    /// with typo tolerance, and the result says so.
    Search {
        query: String,
        /// How many hits to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Order of the hits.
        #[arg(long, value_enum, default_value_t = Sort::Relevance)]
        sort: Sort,
    },
    /// The search index.
    Index {
        #[command(subcommand)]
        command: IndexCmd,
    },
    /// Saved searches.
    #[command(name = "saved-search")]
    SavedSearch {
        #[command(subcommand)]
        command: SavedCmd,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Sort {
    Relevance,
    Time,
}

#[derive(Subcommand)]
pub enum IndexCmd {
    /// Rebuild the index from the database.
    Rebuild,
}

#[derive(Subcommand)]
pub enum SavedCmd {
    /// Save a query under a name (in a study with --study).
    Add {
        name: String,
        query: String,
        #[arg(long)]
        study: Option<String>,
    },
    /// List saved searches.
    List {
        #[arg(long)]
        study: Option<String>,
    },
    /// Delete a saved search.
    Delete { id: i64 },
}

/// Plain-text form of a snippet: marks as ANSI bold on a terminal, else as **…**.
fn plain(snippet: &str) -> String {
    let (on, off) = if std::io::stdout().is_terminal() { ("\x1b[1m", "\x1b[0m") } else { ("**", "**") };
    snippet
        .replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn mmss(ms: i64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    match cmd {
        Cmd::Search { query, limit, sort } => {
            let index = SearchIndex::open(&ws)?;
            let sort = match sort {
                Sort::Relevance => SortBy::Relevance,
                Sort::Time => SortBy::Time,
            };
            let results =
                index.search(query, &SearchOptions { limit: *limit, sort, ..Default::default() })?;
            if ctx.json {
                ctx.print_json(&results)?;
            } else {
                if results.fuzzy {
                    println!("no exact matches; showing close spellings");
                }
                println!("{} match(es)", results.total);
                for h in &results.hits {
                    let place = match h.session {
                        Some(s) => format!("session {s} at {}", mmss(h.start_ms)),
                        None => h.date.get(..10).unwrap_or("").to_string(),
                    };
                    let who = h.speaker.clone().or(h.person.clone()).unwrap_or_default();
                    println!("\n[{}] {} · {} · {}", h.kind, h.study.clone().unwrap_or_default(), place, who);
                    println!("  {}", plain(&h.snippet));
                }
            }
        }
        Cmd::Index { command: IndexCmd::Rebuild } => {
            let index = SearchIndex::open_unsynced(&ws)?;
            let bar = TermBar::new(Unit::Items, "");
            match index.rebuild(ws.conn(), &bar, &CancelToken::new())? {
                Outcome::Done(report) => {
                    bar.finish();
                    if ctx.json {
                        ctx.print_json(&report)?;
                    } else {
                        println!("indexed {} documents", report.documents);
                    }
                }
                Outcome::Cancelled => {
                    return Err(rapport::Error::Cancelled("the index was left as it was".into()).into())
                }
            }
        }
        Cmd::SavedSearch { command } => match command {
            SavedCmd::Add { name, query, study: key } => {
                let study_id = key.as_deref().map(|k| study::resolve(ws.conn(), k)).transpose()?;
                let id = search::save_search(ws.conn(), study_id, name, query)?;
                ctx.print_id(id)?;
            }
            SavedCmd::List { study: key } => {
                let study_id = key.as_deref().map(|k| study::resolve(ws.conn(), k)).transpose()?;
                let list = search::list_saved(ws.conn(), study_id)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for s in list {
                        println!("{:>4}  {:<24} {}", s.id, s.name, s.query);
                    }
                }
            }
            SavedCmd::Delete { id } => search::delete_saved(ws.conn(), *id)?,
        },
    }
    Ok(ExitCode::SUCCESS)
}
