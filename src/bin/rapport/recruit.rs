//! Verbs on people, audit logs, recruiting and outreach.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use rapport::audit::{self, AuditFormat, AuditImportOptions, MatchRule};
use rapport::deletion;
use rapport::people::{self, ContactStatus, DirectoryFormat};
use rapport::progress::{CancelToken, Outcome};
use rapport::recruit::outreach::{self, OutreachInput, ParticipationUpdate};
use rapport::recruit::{self, RecruitOptions};
use rapport::study;

use crate::bar::{TermBar, Unit};
use crate::ctx::{date, Ctx};

#[derive(Subcommand)]
pub enum Cmd {
    /// People in the user population.
    People {
        #[command(subcommand)]
        command: PeopleCmd,
    },
    /// Audit logs: who did what on the platform.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// Choose people to invite to a study: exclusions, a screener, a stratified pick.
    Recruit(RecruitArgs),
    /// Contact attempts, follow-ups and invitations.
    Outreach {
        #[command(subcommand)]
        command: OutreachCmd,
    },
}

#[derive(Subcommand)]
pub enum PeopleCmd {
    /// Import a directory: a CSV, Slack's users.list JSON or a SCIM 2.0 ListResponse.
    Import {
        file: PathBuf,
        /// csv, slack or scim (default: told from the content).
        #[arg(long)]
        format: Option<String>,
        /// Import the good rows of a file with bad ones.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// List people.
    List,
    /// One person's profile: directory fields, activity, observed role, history.
    Show {
        email: String,
        /// Also write the activity chart (SVG) to this file.
        #[arg(long, value_name = "FILE.svg")]
        chart: Option<PathBuf>,
    },
    /// Set whether a person may be contacted: free, opted-out, do-not-contact, blocklist.
    Set {
        email: String,
        #[arg(long)]
        status: String,
    },
    /// Forget a person everywhere: their sessions (recordings, transcripts, highlights,
    /// notes), their words in other sessions, audit events, activity, outreach, invitations,
    /// NPS responses, feedback, voices, catalog user and saved searches naming them. Without
    /// --yes, only says what would go.
    Forget {
        email: String,
        #[arg(long)]
        yes: bool,
    },
    /// The log of forgets and deletes: who, when, how many of each kind (no personal data).
    Deletions,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Import an audit log (plain or gzipped): k8s, jsonl or csv.
    Import {
        file: PathBuf,
        /// k8s, jsonl or csv (default: told from the file).
        #[arg(long)]
        format: Option<String>,
        /// Where a field is in a jsonl/csv record: actor=PATH, action=, resource=, time=, namespace=, name=, code=, id=.
        #[arg(long = "map", value_name = "FIELD=PATH")]
        map: Vec<String>,
        /// How actors match people: username=email (default), username=local-part, username=attribute:NAME.
        #[arg(long = "match", value_name = "RULE")]
        match_rule: Option<String>,
        /// Count system: users (service accounts, controllers) too.
        #[arg(long)]
        include_system: bool,
        /// Import the good lines of a file with bad ones.
        #[arg(long)]
        skip_invalid: bool,
        /// Read and report, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args)]
pub struct RecruitArgs {
    /// The study (id or name).
    #[arg(long)]
    study: String,
    /// How many people to pick.
    #[arg(long)]
    size: u32,
    /// A screener expression (repeatable; all must hold), e.g. 'observed_role in (operations, service)'.
    #[arg(long = "where", value_name = "EXPR")]
    wheres: Vec<String>,
    /// Fields to stratify by (default observed_role,tier).
    #[arg(long, value_delimiter = ',')]
    stratify: Vec<String>,
    /// Days after an interview or invitation before someone is invited again.
    #[arg(long, default_value_t = 90)]
    cooldown_days: u32,
    /// Invitations a person may get in 12 months.
    #[arg(long, default_value_t = 3)]
    max_invites_per_year: u32,
    /// Seed of the pick (the same seed gives the same pick).
    #[arg(long)]
    seed: Option<u64>,
    /// Show the pick without writing invitations.
    #[arg(long)]
    dry_run: bool,
    /// Also write the people picked to this CSV file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum OutreachCmd {
    /// Log a contact attempt.
    Log {
        email: String,
        /// slack, email, word-of-mouth or other.
        #[arg(long)]
        channel: String,
        /// contacted, followed-up, scheduled, declined, no-response or done.
        #[arg(long)]
        status: String,
        #[arg(long)]
        note: Option<String>,
        /// The study (id or name; default: the person's latest invitation's).
        #[arg(long)]
        study: Option<String>,
        /// When it happened (default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Delete a logged contact (by its id, from `people show --json`'s history): with --yes.
    Delete {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
    /// Who needs a follow-up: the last contact got no answer for DAYS days.
    Due {
        #[arg(long, default_value_t = 5)]
        days: u32,
    },
    /// Invitations with their status and latest contact.
    List {
        #[arg(long)]
        study: Option<String>,
    },
    /// Change an invitation: status, agreed time, consent, incentive.
    Set {
        email: String,
        #[arg(long)]
        study: String,
        /// invited, scheduled, attended, no-show, declined, cancelled.
        #[arg(long)]
        status: Option<String>,
        /// The agreed time (RFC 3339).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        duration_min: Option<i64>,
        #[arg(long)]
        consent_form: Option<String>,
        #[arg(long)]
        consent_signed: Option<String>,
        #[arg(long)]
        incentive: Option<f64>,
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        paid: Option<String>,
    },
    /// The invitation message: subject, body, mailto: link and Slack text.
    Message {
        email: String,
        #[arg(long)]
        study: String,
        /// A template file (`Subject: …` first; {name} {first_name} {study} {goal} {times} {duration}).
        #[arg(long)]
        template: Option<PathBuf>,
        /// A proposed time (repeatable).
        #[arg(long = "time")]
        times: Vec<String>,
    },
    /// Write the invitation's calendar file (.ics) once a time is agreed.
    Ics {
        email: String,
        #[arg(long)]
        study: String,
        #[arg(long)]
        out: PathBuf,
    },
}

fn print_forget(ctx: &Ctx, plan: &deletion::ForgetPlan, done: bool) -> anyhow::Result<()> {
    if ctx.json {
        let mut value = serde_json::to_value(plan)?;
        value["deleted"] = serde_json::Value::Bool(done);
        return ctx.print_json(&value);
    }
    let verb = if done { "forgot" } else { "would forget" };
    let s = &plan.sessions;
    println!("{verb} {} <{}>:", plan.name, plan.email);
    println!(
        "  {} sessions ({} transcript segments, {} highlights, {} notes, {} recordings, {} stored files)",
        s.sessions,
        s.segments,
        s.highlights,
        s.notes,
        s.recordings,
        s.files_removed.len()
    );
    println!(
        "  {} segments and {} highlights in other sessions; {} findings lose evidence (they keep their text)",
        plan.segments_elsewhere, plan.highlights_elsewhere, plan.findings_losing_evidence
    );
    println!(
        "  {} audit events, {} outreach entries, {} invitations, {} NPS responses, {} feedback items",
        plan.audit_events, plan.outreach, plan.participations, plan.nps_responses, plan.feedback_items
    );
    println!(
        "  {} voice profiles, {} catalog users, {} saved searches",
        plan.voice_profiles, plan.catalog_users, plan.saved_searches
    );
    if !done {
        anyhow::bail!("nothing was deleted: add --yes to forget them");
    }
    Ok(())
}

fn participation_id(conn: &rusqlite::Connection, email: &str, study_key: &str) -> anyhow::Result<i64> {
    let person = people::resolve(conn, email)?;
    let study_id = study::resolve(conn, study_key)?;
    let id: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT id FROM participations WHERE person_id = ?1 AND study_id = ?2",
        [person, study_id],
        |r| r.get(0),
    ))?;
    id.ok_or_else(|| {
        anyhow::Error::new(rapport::Error::not_found("invitation", format!("{email} in {study_key}")))
    })
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let ws = ctx.open()?;
    let conn = ws.conn();
    let now = chrono::Utc::now();
    match cmd {
        Cmd::People { command } => match command {
            PeopleCmd::Import { file, format, skip_invalid } => {
                let format = format.as_deref().map(DirectoryFormat::parse).transpose()?;
                let bytes = rapport::limits::read(file, rapport::limits::TABLE, "people directory")?;
                let source = file.display().to_string();
                let report = people::directory::import(conn, &bytes, &source, format, *skip_invalid)?;
                audit::relink(conn, &MatchRule::Email)?;
                if ctx.json {
                    ctx.print_json(&report)?;
                } else {
                    println!(
                        "{} created, {} updated, {} rejected",
                        report.created,
                        report.updated,
                        report.rejected.len()
                    );
                    for r in &report.rejected {
                        println!(
                            "  rejected {}: {}",
                            r.line.map(|l| format!("line {l}")).unwrap_or_default(),
                            r.reason
                        );
                    }
                }
            }
            PeopleCmd::List => {
                let list = people::list(conn)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for p in list {
                        println!(
                            "{:<32} {:<24} {:<12} {:<18} {:<12} {:<10} {}",
                            p.email,
                            p.name,
                            p.team.unwrap_or_default(),
                            p.role.unwrap_or_default(),
                            p.observed_role.unwrap_or_else(|| "-".into()),
                            p.tier.unwrap_or_else(|| "-".into()),
                            p.contact_status.as_str()
                        );
                    }
                }
            }
            PeopleCmd::Show { email, chart } => {
                let id = people::resolve(conn, email)?;
                let profile = people::profile(conn, id)?;
                if let Some(path) = chart {
                    let svg = people::profile::activity_chart(conn, id)?;
                    std::fs::write(path, svg).map_err(|e| rapport::Error::io(path, e))?;
                }
                if ctx.json {
                    ctx.print_json(&profile)?;
                } else {
                    println!("{} <{}>", profile.name, profile.email);
                    println!(
                        "  team {}  role {}  contact {}",
                        profile.team.as_deref().unwrap_or("-"),
                        profile.role.as_deref().unwrap_or("-"),
                        profile.contact_status.as_str()
                    );
                    match &profile.activity {
                        Some(a) => {
                            println!(
                                "  observed role {}  tier {}  {} events on {} days ({} .. {})",
                                a.observed_role.as_deref().unwrap_or("-"),
                                a.tier.as_deref().unwrap_or("-"),
                                a.events,
                                a.active_days,
                                a.first_seen.as_deref().map(date).unwrap_or("-"),
                                a.last_seen.as_deref().map(date).unwrap_or("-")
                            );
                            let why: Vec<String> = a
                                .role_why
                                .iter()
                                .map(|s| format!("{} ({:.0}%)", s.signal, s.share * 100.0))
                                .collect();
                            println!("  why: {}", why.join(", "));
                        }
                        None => println!("  no audit activity"),
                    }
                    for h in &profile.history {
                        println!(
                            "  {}  {:<10} {:<12} {}",
                            date(&h.at),
                            h.kind,
                            h.status,
                            h.study.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            PeopleCmd::Set { email, status } => {
                let status =
                    ContactStatus::parse(status).map_err(|m| rapport::Error::invalid("--status", m))?;
                let p = people::set_contact_status(conn, people::resolve(conn, email)?, status)?;
                if ctx.json {
                    ctx.print_json(&p)?;
                } else {
                    println!("{} is now {}", p.email, p.contact_status.as_str());
                }
            }
            PeopleCmd::Forget { email, yes } => {
                let id = people::resolve(conn, email)?;
                let plan = if *yes {
                    deletion::forget_person(conn, &ws.media_dir(), id)?
                } else {
                    deletion::person_plan(conn, id)?
                };
                print_forget(ctx, &plan, *yes)?;
            }
            PeopleCmd::Deletions => {
                let entries = deletion::log_entries(conn)?;
                if ctx.json {
                    ctx.print_json(&entries)?;
                } else {
                    for e in entries {
                        let counts: Vec<String> = e
                            .counts
                            .iter()
                            .filter(|(_, n)| **n > 0)
                            .map(|(k, n)| format!("{n} {k}"))
                            .collect();
                        println!("{}  {:<8} by {}: {}", e.at, e.what, e.actor, counts.join(", "));
                    }
                }
            }
        },
        Cmd::Audit {
            command: AuditCmd::Import { file, format, map, match_rule, include_system, skip_invalid, dry_run },
        } => {
            let mut pairs = Vec::new();
            for m in map {
                let (k, v) = m.split_once('=').ok_or_else(|| {
                    rapport::Error::invalid(
                        format!("--map {m}"),
                        "expected FIELD=PATH, like actor=actor.login",
                    )
                })?;
                pairs.push((k.trim().to_string(), v.trim().to_string()));
            }
            let opts = AuditImportOptions {
                format: format.as_deref().map(AuditFormat::parse).transpose()?,
                map: pairs,
                match_rule: match_rule.as_deref().map(MatchRule::parse).transpose()?.unwrap_or_default(),
                include_system: *include_system,
                skip_invalid: *skip_invalid,
                dry_run: *dry_run,
            };
            let cancel = CancelToken::new();
            let on_signal = cancel.clone();
            ctrlc::set_handler(move || on_signal.cancel()).context("installing the Ctrl-C handler")?;
            let bar = TermBar::new(Unit::Bytes, "audit");
            let outcome = audit::import_file(conn, file, &opts, &bar, &cancel);
            bar.finish();
            let report = match outcome? {
                Outcome::Done(r) => r,
                Outcome::Cancelled => {
                    return Err(rapport::Error::Cancelled("nothing was changed".into()).into())
                }
            };
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!(
                    "{} events, {} duplicates, {} people matched, {} actors unmatched{}",
                    report.events,
                    report.duplicates,
                    report.matched_people,
                    report.unmatched_actors.len(),
                    if report.dry_run { " (dry run: nothing was written)" } else { "" }
                );
                for a in report.unmatched_actors.iter().take(20) {
                    println!("  unmatched {:<40} {:>8} events", a.actor, a.events);
                }
                for r in &report.rejected {
                    println!("  rejected line {}: {}", r.line.unwrap_or(0), r.reason);
                }
            }
        }
        Cmd::Recruit(a) => {
            let opts = RecruitOptions {
                study_id: study::resolve(conn, &a.study)?,
                size: a.size,
                wheres: a.wheres.clone(),
                stratify: a.stratify.clone(),
                cooldown_days: Some(a.cooldown_days),
                max_invites_per_year: Some(a.max_invites_per_year),
                seed: a.seed,
                dry_run: a.dry_run,
            };
            let result = recruit::recruit(conn, &opts, now)?;
            if let Some(path) = &a.csv {
                std::fs::write(path, recruit::selected_csv(&result)?)
                    .map_err(|e| rapport::Error::io(path, e))?;
            }
            if ctx.json {
                ctx.print_json(&result)?;
            } else {
                println!(
                    "selected {} (seed {}){}",
                    result.selected.len(),
                    result.seed,
                    if a.dry_run { ", dry run" } else { "" }
                );
                for s in &result.selected {
                    println!("  {:<32} {}", s.email, s.why);
                }
                println!("strata:");
                for s in &result.strata {
                    let key: Vec<String> = s.key.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    println!(
                        "  {:<48} {:>4} eligible {:>3} selected",
                        key.join(", "),
                        s.eligible,
                        s.selected
                    );
                }
                println!("excluded {} (screened out {}):", result.excluded.len(), result.screened_out);
                for e in &result.excluded {
                    println!("  {:<32} {:<16} {}", e.email, e.reason, e.detail);
                }
            }
        }
        Cmd::Outreach { command } => match command {
            OutreachCmd::Log { email, channel, status, note, study: s, at } => {
                let input = OutreachInput {
                    person_id: people::resolve(conn, email)?,
                    study_id: s.as_deref().map(|k| study::resolve(conn, k)).transpose()?,
                    channel: channel.clone(),
                    status: status.clone(),
                    note: note.clone(),
                    at: at.clone(),
                };
                let entry = outreach::log(conn, &input, now)?;
                if ctx.json {
                    ctx.print_json(&entry)?;
                } else {
                    println!(
                        "logged {} {} via {} on {}",
                        entry.email,
                        entry.status,
                        entry.channel,
                        date(&entry.at)
                    );
                }
            }
            OutreachCmd::Delete { id, yes } => {
                let entry = outreach::entry(conn, *id)?;
                if *yes {
                    outreach::delete(conn, *id)?;
                }
                if ctx.json {
                    ctx.print_json(&serde_json::json!({ "entry": entry, "deleted": yes }))?;
                } else {
                    println!(
                        "{} {} {} via {} on {}",
                        if *yes { "deleted" } else { "would delete" },
                        entry.email,
                        entry.status,
                        entry.channel,
                        date(&entry.at)
                    );
                }
                if !*yes {
                    anyhow::bail!("nothing was deleted: add --yes to delete it");
                }
            }
            OutreachCmd::Due { days } => {
                let list = outreach::due(conn, *days, now)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for d in list {
                        println!(
                            "{:<32} {:<12} {} days ago via {} {}",
                            d.email,
                            d.last_status,
                            d.days_since,
                            d.last_channel,
                            d.study.unwrap_or_default()
                        );
                    }
                }
            }
            OutreachCmd::List { study: s } => {
                let study_id = s.as_deref().map(|k| study::resolve(conn, k)).transpose()?;
                let list = outreach::board(conn, study_id, 5, now)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for p in list {
                        println!(
                            "{:<32} {:<10} {:<12} {}{}",
                            p.email,
                            p.status,
                            p.last_contact.unwrap_or_else(|| "-".into()),
                            p.study,
                            if p.follow_up_due { "  follow-up due" } else { "" }
                        );
                    }
                }
            }
            OutreachCmd::Set {
                email,
                study: s,
                status,
                at,
                duration_min,
                consent_form,
                consent_signed,
                incentive,
                currency,
                paid,
            } => {
                let id = participation_id(conn, email, s)?;
                let u = ParticipationUpdate {
                    status: status.clone(),
                    scheduled_at: at.clone(),
                    duration_min: *duration_min,
                    consent_form: consent_form.clone(),
                    consent_signed_at: consent_signed.clone(),
                    incentive_amount: *incentive,
                    incentive_currency: currency.clone(),
                    incentive_paid_at: paid.clone(),
                };
                let p = outreach::update(conn, id, &u)?;
                if ctx.json {
                    ctx.print_json(&p)?;
                } else {
                    println!("{} in {}: {}", p.email, p.study, p.status);
                }
            }
            OutreachCmd::Message { email, study: s, template, times } => {
                let id = participation_id(conn, email, s)?;
                let text = template
                    .as_ref()
                    .map(|p| std::fs::read_to_string(p).map_err(|e| rapport::Error::io(p, e)))
                    .transpose()?;
                let m = outreach::render(conn, id, text.as_deref(), times)?;
                if ctx.json {
                    ctx.print_json(&m)?;
                } else {
                    println!("Subject: {}\n\n{}\n\n{}", m.subject, m.body, m.mailto);
                }
            }
            OutreachCmd::Ics { email, study: s, out } => {
                let id = participation_id(conn, email, s)?;
                let text = outreach::ics(conn, id, now)?;
                std::fs::write(out, text).map_err(|e| rapport::Error::io(out, e))?;
                if ctx.json {
                    ctx.print_json(&serde_json::json!({"path": out}))?;
                } else {
                    println!("{}", out.display());
                }
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
