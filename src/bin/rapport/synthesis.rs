//! Verbs from highlights to what a team reads: `highlight`, `tag` (the codebook),
//! `finding`, `export` and `import` (REFI-QDA).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use rapport::coding::{
    self, codebook, highlights, HighlightFilter, HighlightInput, HighlightSource, TagInput,
};
use rapport::export::{self, ExportFormat, ExportOptions};
use rapport::finding::{self, FindingInput, FindingPatch, LinkKind};
use rapport::{import, study, transcript};

use crate::ctx::Ctx;

#[derive(Subcommand)]
pub enum Cmd {
    /// Highlights: tagged spans of a transcript, a note, an NPS comment or a feedback item.
    Highlight {
        #[command(subcommand)]
        command: HighlightCmd,
    },
    /// The codebook: hierarchical tags (`Deploy/Gates`).
    Tag {
        #[command(subcommand)]
        command: TagCmd,
    },
    /// Findings: claims backed by highlights.
    Finding {
        #[command(subcommand)]
        command: FindingCmd,
    },
    /// Export a study: csv (zip), md, html (--slides), json, qdpx, qdc, jira.
    Export {
        /// The study (id or name).
        #[arg(long)]
        study: String,
        #[arg(long, value_parser = ["csv", "md", "html", "json", "qdpx", "qdc", "jira"])]
        format: String,
        /// Where to write (default: the workspace's exports/ folder).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Replace names, emails and phone numbers with pseudonyms; leave recordings out.
        #[arg(long)]
        redact: bool,
        /// Another name to redact (repeatable); implies --redact.
        #[arg(long = "redact-name", value_name = "NAME")]
        redact_names: Vec<String>,
        /// With --format html: slides, one finding per slide.
        #[arg(long)]
        slides: bool,
        /// With --format md: one GitHub issue body per finding reviewed or later (a folder).
        #[arg(long)]
        per_finding: bool,
    },
    /// Import a REFI-QDA project (qdpx) or codebook (qdc) from another tool.
    Import {
        #[arg(value_parser = ["qdpx", "qdc"])]
        kind: String,
        file: PathBuf,
        /// The study to put the sources in (default: a new study named after the project).
        #[arg(long)]
        study: Option<String>,
        /// Say what would come in, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum HighlightCmd {
    /// Highlight a span of a session's transcript, or words of an NPS comment or a feedback
    /// item, with tags.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["session", "nps", "feedback"])))]
    Add {
        #[arg(long)]
        session: Option<i64>,
        /// Words of this NPS response's comment (--from/--to are then character offsets).
        #[arg(long, value_name = "ID")]
        nps: Option<i64>,
        /// Words of this feedback item's text (--from/--to are then character offsets).
        #[arg(long, value_name = "ID")]
        feedback: Option<i64>,
        /// Start: milliseconds or a timestamp (1:38, 00:01:38.5) of a session; for --nps and
        /// --feedback the first character (counted in Unicode code points from 0).
        #[arg(long, value_name = "MS|CHAR")]
        from: Option<String>,
        /// End: milliseconds or a timestamp; for --nps and --feedback the character after the last.
        #[arg(long, value_name = "MS|CHAR")]
        to: Option<String>,
        /// Highlight words of this note of the session (with --text) instead of the transcript.
        #[arg(long, value_name = "NOTE_ID", conflicts_with_all = ["from", "to", "nps", "feedback"])]
        in_note: Option<i64>,
        /// A tag path (repeatable); missing tags are made.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// A comment.
        #[arg(long)]
        note: Option<String>,
        /// The exact words (they must be in the transcript inside the span; for --nps and
        /// --feedback without --from/--to, where they first occur is the span).
        #[arg(long)]
        text: Option<String>,
    },
    /// List highlights.
    List {
        #[arg(long)]
        session: Option<i64>,
        /// Highlights with this tag or one of its children.
        #[arg(long)]
        tag: Option<String>,
        /// A study: its sessions' highlights and the NPS and feedback ones its findings cite.
        #[arg(long)]
        study: Option<String>,
        /// Only highlights of one source.
        #[arg(long, value_parser = ["session", "note", "nps", "feedback"])]
        source: Option<String>,
        /// Only highlights of this NPS response.
        #[arg(long, value_name = "ID")]
        nps: Option<i64>,
        /// Only highlights of this feedback item.
        #[arg(long, value_name = "ID")]
        feedback: Option<i64>,
    },
    /// Change a highlight's tags (given tags replace them) or comment.
    Edit {
        id: i64,
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a highlight.
    Delete { id: i64 },
}

#[derive(Subcommand)]
pub enum TagCmd {
    /// The codebook with counts of highlights, sessions and people per tag.
    List {
        #[arg(long)]
        study: Option<String>,
    },
    /// One tag's highlights per session and per person.
    Show {
        tag: String,
        #[arg(long)]
        study: Option<String>,
    },
    /// Add a tag (missing parents are made).
    Add {
        path: String,
        #[arg(long)]
        description: Option<String>,
        /// A colour like #e07a5f.
        #[arg(long)]
        color: Option<String>,
    },
    /// Change a tag's description or colour ("" removes it).
    Edit {
        tag: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        color: Option<String>,
    },
    /// Rename a tag's own level; its children follow.
    Rename { tag: String, name: String },
    /// Move a tag (with its children) under another, or to the top.
    Move {
        tag: String,
        /// The new parent tag.
        #[arg(long, conflicts_with = "top")]
        to: Option<String>,
        /// Move to the top level.
        #[arg(long)]
        top: bool,
    },
    /// Merge a tag into another: its highlights and children follow, it is removed.
    Merge { from: String, into: String },
    /// Delete a tag and its children (highlights stay); without --yes, says what would go.
    Delete {
        tag: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum FindingCmd {
    /// Add a finding.
    Add {
        #[arg(long)]
        study: String,
        #[arg(long)]
        title: String,
        /// The statement.
        #[arg(long)]
        body: Option<String>,
        /// Highlight ids (repeatable).
        #[arg(long = "evidence", value_name = "ID")]
        evidence: Vec<i64>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        severity: Option<String>,
        #[arg(long)]
        confidence: Option<String>,
    },
    /// Link a finding to services, metrics or NPS segments (or remove links with --remove).
    Link {
        id: i64,
        #[arg(long = "service")]
        services: Vec<String>,
        #[arg(long = "metric")]
        metrics: Vec<String>,
        #[arg(long = "nps", value_name = "SEGMENT")]
        nps: Vec<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Change a finding: status (draft, reviewed, shared, acted-on), severity, confidence, title, body.
    Set {
        id: i64,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        severity: Option<String>,
        #[arg(long)]
        confidence: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body: Option<String>,
    },
    /// Add or remove evidence.
    Evidence {
        id: i64,
        #[arg(long = "add", value_name = "HIGHLIGHT")]
        add: Vec<i64>,
        #[arg(long = "remove", value_name = "HIGHLIGHT")]
        remove: Vec<i64>,
    },
    /// List findings with their evidence.
    List {
        #[arg(long)]
        study: Option<String>,
    },
    /// One finding.
    Show { id: i64 },
    /// Delete a finding (its highlights stay).
    Delete {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
}

fn time_ms(field: &str, s: &str) -> anyhow::Result<i64> {
    if let Ok(ms) = s.trim().parse::<i64>() {
        return Ok(ms);
    }
    transcript::parse_timestamp(s.trim()).ok_or_else(|| {
        rapport::Error::invalid(field, format!("{s:?} is neither milliseconds nor a timestamp like 1:38"))
            .into()
    })
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    let conn = ws.conn();
    match cmd {
        Cmd::Highlight { command } => match command {
            HighlightCmd::Add { session, nps, feedback, from, to, in_note, tags, note, text } => {
                let mut input = HighlightInput {
                    session_id: *session,
                    nps_id: *nps,
                    feedback_id: *feedback,
                    tags: tags.clone(),
                    comment: note.clone(),
                    text: text.clone(),
                    note_id: *in_note,
                    ..Default::default()
                };
                if session.is_some() {
                    if in_note.is_none() && (from.is_none() || to.is_none()) {
                        return Err(rapport::Error::invalid(
                            "--from",
                            "a transcript highlight needs --from and --to (or --in-note with --text)",
                        )
                        .into());
                    }
                    let ms =
                        |field: &str, v: &Option<String>| v.as_deref().map(|v| time_ms(field, v)).transpose();
                    input.start_ms = ms("--from", from)?.unwrap_or(0);
                    input.end_ms = ms("--to", to)?.unwrap_or(0);
                } else {
                    let chars = |field: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
                        v.as_deref()
                            .map(|v| {
                                v.trim().parse::<i64>().map_err(|_| {
                                    rapport::Error::invalid(
                                        field,
                                        format!("{v:?} is not a character offset (a whole number from 0)"),
                                    )
                                    .into()
                                })
                            })
                            .transpose()
                    };
                    input.start_char = chars("--from", from)?;
                    input.end_char = chars("--to", to)?;
                }
                let id = highlights::add(conn, &input)?;
                ctx.print_id(id)?;
            }
            HighlightCmd::List { session, tag, study: key, source, nps, feedback } => {
                let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
                let list = highlights::list(
                    conn,
                    &HighlightFilter {
                        study_id,
                        session_id: *session,
                        tag: tag.clone(),
                        source: source.as_deref().map(HighlightSource::parse).transpose()?,
                        nps_id: *nps,
                        feedback_id: *feedback,
                        text_sources: false,
                    },
                )?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for h in list {
                        let place = match (h.session_id, h.start_ms, h.start_char) {
                            (Some(s), Some(ms), _) => {
                                format!("session {s:<3} {:>8}", export::report::clock(ms))
                            }
                            (_, _, Some(c)) => format!(
                                "{} {:<4} @{c}",
                                h.source.as_str(),
                                h.nps_id.or(h.feedback_id).unwrap_or(0)
                            ),
                            _ => h.source.as_str().to_string(),
                        };
                        println!(
                            "{:>4}  {place:<20}  [{}]  {}",
                            h.id,
                            h.tags.join(", "),
                            h.text.chars().take(80).collect::<String>()
                        );
                    }
                }
            }
            HighlightCmd::Edit { id, tags, no_tags, note } => {
                let tags =
                    if *no_tags { Some(Vec::new()) } else { Some(tags.clone()).filter(|t| !t.is_empty()) };
                let h = highlights::update(conn, *id, tags.as_deref(), note.as_deref())?;
                if ctx.json {
                    ctx.print_json(&h)?;
                } else {
                    println!("highlight {}: [{}]", h.id, h.tags.join(", "));
                }
            }
            HighlightCmd::Delete { id } => {
                highlights::delete(conn, *id)?;
                if ctx.json {
                    ctx.print_json(&serde_json::json!({"deleted": id}))?;
                } else {
                    println!("deleted highlight {id}");
                }
            }
        },
        Cmd::Tag { command } => run_tag(ctx, conn, command)?,
        Cmd::Finding { command } => run_finding(ctx, conn, command)?,
        Cmd::Export { study: key, format, out, redact, redact_names, slides, per_finding } => {
            let study_id = study::resolve(conn, key)?;
            let opts = ExportOptions {
                redact: *redact || !redact_names.is_empty(),
                redact_names: redact_names.clone(),
                slides: *slides,
                per_finding: *per_finding,
            };
            let report = export::export(&ws, study_id, ExportFormat::parse(format)?, &opts, out.as_deref())?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!("wrote {}", report.path);
                for r in &report.redactions {
                    println!("  redacted {} {}", r.count, r.what);
                }
            }
        }
        Cmd::Import { kind, file, study: key, dry_run } => {
            let report = if kind == "qdc" {
                import::import_qdc(conn, file, *dry_run)?
            } else {
                import::import_qdpx(conn, file, key.as_deref(), *dry_run)?
            };
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                if let Some(s) = &report.study {
                    println!("study: {s}{}", if report.study_created { " (new)" } else { "" });
                }
                println!(
                    "{} codes ({} new), {} sources, {} codings, {} cases, {} notes{}",
                    report.codes,
                    report.codes_new,
                    report.sources,
                    report.codings,
                    report.cases,
                    report.notes,
                    if report.dry_run { " (dry run: nothing written)" } else { "" }
                );
                if !report.not_imported.is_empty() {
                    println!("not imported:");
                    for line in &report.not_imported {
                        println!("  - {line}");
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_tag(ctx: &Ctx, conn: &rusqlite::Connection, command: &TagCmd) -> anyhow::Result<()> {
    let study_of = |key: &Option<String>| key.as_deref().map(|k| study::resolve(conn, k)).transpose();
    let print_tag = |t: &codebook::TagView| -> anyhow::Result<()> {
        if ctx.json {
            ctx.print_json(t)
        } else {
            println!("tag {}: {}", t.id, t.path);
            Ok(())
        }
    };
    match command {
        TagCmd::List { study: key } => {
            let list = codebook::list(conn, study_of(key)?)?;
            if ctx.json {
                ctx.print_json(&list)?;
            } else {
                println!(
                    "{:>4}  {:<40} {:>10} {:>8} {:>6}",
                    "id", "path", "highlights", "sessions", "people"
                );
                for t in list {
                    println!(
                        "{:>4}  {:<40} {:>10} {:>8} {:>6}",
                        t.id, t.path, t.highlights, t.sessions, t.people
                    );
                }
            }
        }
        TagCmd::Show { tag, study: key } => {
            let usage = codebook::usage(conn, coding::resolve_tag(conn, tag)?, study_of(key)?)?;
            if ctx.json {
                ctx.print_json(&usage)?;
            } else {
                println!("{} ({} highlights)", usage.tag.path, usage.tag.highlights);
                for r in &usage.by_session {
                    println!("  session {:>4}  {:<40} {}", r.id, r.label, r.highlights);
                }
                for r in &usage.by_person {
                    println!("  person  {:>4}  {:<40} {}", r.id, r.label, r.highlights);
                }
            }
        }
        TagCmd::Add { path, description, color } => {
            let t = codebook::add(
                conn,
                &TagInput { path: path.clone(), description: description.clone(), color: color.clone() },
            )?;
            if ctx.json {
                ctx.print_json(&t)?;
            } else {
                println!("{}", t.id);
            }
        }
        TagCmd::Edit { tag, description, color } => {
            let id = coding::resolve_tag(conn, tag)?;
            print_tag(&codebook::edit(conn, id, description.as_deref(), color.as_deref())?)?;
        }
        TagCmd::Rename { tag, name } => {
            print_tag(&codebook::rename(conn, coding::resolve_tag(conn, tag)?, name)?)?;
        }
        TagCmd::Move { tag, to, top } => {
            let id = coding::resolve_tag(conn, tag)?;
            let parent = match (to, top) {
                (Some(p), _) => Some(coding::resolve_tag(conn, p)?),
                (None, true) => None,
                (None, false) => {
                    return Err(rapport::Error::invalid("tag move", "say where: --to PARENT or --top").into())
                }
            };
            print_tag(&codebook::move_to(conn, id, parent)?)?;
        }
        TagCmd::Merge { from, into } => {
            let m =
                codebook::merge(conn, coding::resolve_tag(conn, from)?, coding::resolve_tag(conn, into)?)?;
            if ctx.json {
                ctx.print_json(&m)?;
            } else {
                println!(
                    "merged {} into {}: {} highlights, {} child tags",
                    m.from, m.into, m.highlights, m.children
                );
            }
        }
        TagCmd::Delete { tag, yes } => {
            let id = coding::resolve_tag(conn, tag)?;
            let plan = if *yes { codebook::delete(conn, id)? } else { codebook::delete_plan(conn, id)? };
            if ctx.json {
                let mut v = serde_json::to_value(&plan)?;
                v["deleted"] = serde_json::json!(yes);
                ctx.print_json(&v)?;
            } else {
                println!(
                    "{} {}: {} tags ({}), {} tag marks on highlights, {} highlights left without a tag",
                    if *yes { "deleted" } else { "would delete" },
                    plan.path,
                    plan.tags.len(),
                    plan.tags.join(", "),
                    plan.codings,
                    plan.highlights_left_untagged
                );
                if !yes {
                    println!("run again with --yes to delete");
                }
            }
        }
    }
    Ok(())
}

fn run_finding(ctx: &Ctx, conn: &rusqlite::Connection, command: &FindingCmd) -> anyhow::Result<()> {
    let print = |f: &finding::FindingSummary| -> anyhow::Result<()> {
        if ctx.json {
            ctx.print_json(f)
        } else {
            println!(
                "finding {}: {} [{}{}] ({} evidence, {} people)",
                f.id,
                f.title,
                f.status,
                f.severity.as_deref().map(|s| format!(", {s}")).unwrap_or_default(),
                f.evidence.len(),
                f.people
            );
            Ok(())
        }
    };
    match command {
        FindingCmd::Add { study: key, title, body, evidence, status, severity, confidence } => {
            let study_id = study::resolve(conn, key)?;
            let id = finding::create_with(
                conn,
                study_id,
                &FindingInput {
                    title: title.clone(),
                    body: body.clone(),
                    status: status.clone(),
                    severity: severity.clone(),
                    confidence: confidence.clone(),
                    evidence: evidence.clone(),
                },
            )?;
            ctx.print_id(id)?;
        }
        FindingCmd::Link { id, services, metrics, nps, remove } => {
            for (kind, values) in
                [(LinkKind::Service, services), (LinkKind::Metric, metrics), (LinkKind::Nps, nps)]
            {
                for v in values {
                    if *remove {
                        finding::unlink(conn, *id, kind, v)?;
                    } else {
                        finding::link(conn, *id, kind, v)?;
                    }
                }
            }
            print(&finding::get(conn, *id)?)?;
        }
        FindingCmd::Set { id, status, severity, confidence, title, body } => {
            let f = finding::update(
                conn,
                *id,
                &FindingPatch {
                    title: title.clone(),
                    body: body.clone(),
                    status: status.clone(),
                    severity: severity.clone(),
                    confidence: confidence.clone(),
                },
            )?;
            print(&f)?;
        }
        FindingCmd::Evidence { id, add, remove } => {
            for h in add {
                finding::add_evidence(conn, *id, *h)?;
            }
            for h in remove {
                finding::remove_evidence(conn, *id, *h)?;
            }
            print(&finding::get(conn, *id)?)?;
        }
        FindingCmd::List { study: key } => {
            let study_id = key.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
            let list = finding::list(conn, study_id)?;
            if ctx.json {
                ctx.print_json(&list)?;
            } else {
                for f in list {
                    println!(
                        "{:>4}  {}  ({}, {} evidence, {} people, {})",
                        f.id,
                        f.title,
                        f.status,
                        f.evidence.len(),
                        f.people,
                        f.study
                    );
                }
            }
        }
        FindingCmd::Show { id } => {
            let f = finding::get(conn, *id)?;
            if ctx.json {
                ctx.print_json(&f)?;
            } else {
                print(&f)?;
                if let Some(b) = &f.body {
                    println!("  {b}");
                }
                for e in &f.evidence {
                    let place = match (e.session_id, e.start_ms, e.nps_id, e.feedback_id) {
                        (Some(s), Some(ms), _, _) => format!("session {s}, {}", export::report::clock(ms)),
                        (_, _, Some(n), _) => format!("NPS response {n}, score {}", e.score.unwrap_or(0)),
                        (_, _, _, Some(fb)) => {
                            format!(
                                "feedback {fb}{}",
                                e.channel.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
                            )
                        }
                        _ => e.source.as_str().to_string(),
                    };
                    let who = e.speaker.as_deref().unwrap_or(&e.person_name);
                    println!("  {who} (highlight {}, {place}): {}", e.highlight_id, e.text);
                }
            }
        }
        FindingCmd::Delete { id, yes } => {
            let f = finding::get(conn, *id)?;
            if *yes {
                finding::delete(conn, *id)?;
            }
            if ctx.json {
                ctx.print_json(&serde_json::json!({"id": id, "title": f.title, "deleted": yes}))?;
            } else if *yes {
                println!("deleted finding {id}: {}", f.title);
            } else {
                println!(
                    "would delete finding {id}: {} ({} evidence links; the highlights stay)",
                    f.title,
                    f.evidence.len()
                );
                println!("run again with --yes to delete");
            }
        }
    }
    Ok(())
}
