//! Verbs of deploy insights: the service catalog, deploys and incidents, DORA, gates,
//! Prometheus metrics, NPS and feedback, releases and their before/after, and charts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use rapport::coding::HighlightSource;
use rapport::deploys::{self, dora, gates, ImportOptions, Window};
use rapport::nps::items::{self, ItemFilter};
use rapport::nps::{self, report::NpsQuery, NpsMap};
use rapport::releases::{self, Statistic};
use rapport::{catalog, charts, metrics};

use crate::ctx::{date, Ctx};

/// `println!` for a reader that may stop early (`rapport dora | head -1`): a closed pipe ends
/// the output quietly instead of a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Subcommand)]
pub enum Cmd {
    /// The service catalog (Backstage catalog-info.yaml or a CSV service,owner_team,system,tier).
    Catalog {
        #[command(subcommand)]
        command: CatalogCmd,
    },
    /// Deploy events.
    Deploys {
        #[command(subcommand)]
        command: DeploysCmd,
    },
    /// Incidents.
    Incidents {
        #[command(subcommand)]
        command: IncidentsCmd,
    },
    /// DORA's four keys per service and overall (definitions in the README).
    Dora {
        #[arg(long)]
        service: Option<String>,
        /// The environment of the deploys counted; `all` for every one.
        #[arg(long, default_value = "production")]
        env: String,
        /// Start (inclusive): a date or an RFC 3339 time.
        #[arg(long)]
        from: Option<String>,
        /// End (a date: through that day; a time: exclusive).
        #[arg(long)]
        to: Option<String>,
    },
    /// Per gate: how often it blocked, how often a block was overridden, and by whom.
    Gates {
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// Metric series pulled from Prometheus.
    Metrics {
        #[command(subcommand)]
        command: MetricsCmd,
    },
    /// NPS survey responses.
    Nps {
        #[command(subcommand)]
        command: NpsCmd,
    },
    /// In-product feedback.
    Feedback {
        #[command(subcommand)]
        command: FeedbackCmd,
    },
    /// Releases: what shipped, linked to the findings that asked for it.
    Release {
        #[command(subcommand)]
        command: ReleaseCmd,
    },
    /// A statistic before and after a release, over equal windows.
    Compare {
        #[arg(long)]
        release: i64,
        /// A metric's name.
        #[arg(long, group = "stat")]
        metric: Option<String>,
        /// The NPS.
        #[arg(long, group = "stat")]
        nps: bool,
        /// A DORA key (deployments, lead_time_median_hours, change_failure_rate, time_to_restore_median_hours…).
        #[arg(long, group = "stat")]
        dora: Option<String>,
        /// A gate's block rate.
        #[arg(long, group = "stat")]
        gate: Option<String>,
        /// Each window's length (days: 30d or 30).
        #[arg(long, default_value = "30d")]
        window: String,
    },
    /// Draw a chart: nps, dora, gates or metric NAME, as .svg or .png.
    Chart {
        /// nps, dora, gates or metric.
        kind: String,
        /// The metric's name (for `metric`).
        name: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 900)]
        width: u32,
        #[arg(long, default_value_t = 420)]
        height: u32,
        /// dora: the service; gates: the service.
        #[arg(long)]
        service: Option<String>,
        /// dora: the key drawn.
        #[arg(long, default_value = "deployments")]
        key: String,
        /// nps: month or quarter.
        #[arg(long)]
        period: Option<String>,
        /// nps: only responses with this segment attribute (FIELD=VALUE).
        #[arg(long = "where", value_name = "FIELD=VALUE")]
        segment: Vec<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum CatalogCmd {
    /// Import a catalog file or folder (upsert: importing again changes nothing).
    Import {
        path: PathBuf,
        /// Only say what would be imported.
        #[arg(long)]
        dry_run: bool,
    },
    /// Services with their owner team and its people; systems; teams.
    List,
    /// Remove a service, system, group or user from the catalog.
    Delete {
        /// component, system, group or user.
        kind: String,
        name: String,
    },
}

#[derive(Subcommand)]
pub enum DeploysCmd {
    /// Import deploys: CSV, JSON Lines (with gates) or DevLake webhook JSON.
    Import {
        file: PathBuf,
        /// Leave bad rows out (listed) instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        /// The service of DevLake deployments that name none.
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum IncidentsCmd {
    /// Import incidents: CSV id,service,started,resolved or JSON Lines.
    Import {
        file: PathBuf,
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum MetricsCmd {
    /// Pull a range from Prometheus' HTTP API (token from RAPPORT_PROMETHEUS_TOKEN).
    Pull {
        /// The server, e.g. http://127.0.0.1:9090.
        #[arg(long)]
        url: String,
        /// PromQL.
        #[arg(long)]
        query: String,
        /// The name to keep the series under.
        #[arg(long)]
        name: String,
        /// RFC 3339, unix seconds, now, or relative (-30d).
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        #[arg(long, default_value = "now", allow_hyphen_values = true)]
        to: String,
        /// 15s, 1m, 1h or seconds.
        #[arg(long)]
        step: String,
        /// Seconds before giving up on the server (retries included).
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
    /// Metrics in the workspace.
    List,
    /// A metric's series and points.
    Show { name: String },
    /// Delete a metric and its points.
    Delete { name: String },
    /// The bearer token of a server, kept in the OS keyring (RAPPORT_PROMETHEUS_TOKEN overrides it).
    Token {
        #[command(subcommand)]
        command: TokenCmd,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Keep a token for the server: read from stdin (first line), never from the command line.
    Set {
        #[arg(long)]
        url: String,
    },
    /// Whether a token is kept for the server (the token is not shown).
    Show {
        #[arg(long)]
        url: String,
    },
    /// Forget the server's token.
    Delete {
        #[arg(long)]
        url: String,
    },
}

#[derive(Subcommand)]
pub enum NpsCmd {
    /// Import an NPS CSV (Delighted's export is recognised without a map).
    Import {
        file: PathBuf,
        /// FIELD=COLUMN for score, comment, time, email, respondent, tags.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// NPS with its 95% interval, by a segment field and by period.
    Report {
        /// A segment attribute to break down by.
        #[arg(long)]
        by: Option<String>,
        /// month or quarter.
        #[arg(long, default_value = "month")]
        period: String,
        /// Only responses with this segment attribute (FIELD=VALUE).
        #[arg(long = "where", value_name = "FIELD=VALUE")]
        segment: Vec<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// NPS responses with a comment, newest first, with their highlights.
    Comments {
        /// Only comments containing these words (any case).
        #[arg(long)]
        contains: Option<String>,
        /// Only highlighted comments.
        #[arg(long)]
        highlighted: bool,
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// Delete an NPS response and its highlights (without --yes: say what would go).
    Delete {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum FeedbackCmd {
    /// Import feedback: CSV with time, user, text, source, optional rating.
    Import {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// Feedback items, newest first, with their highlights.
    List {
        /// Only items whose text contains these words (any case).
        #[arg(long)]
        contains: Option<String>,
        /// Only highlighted items.
        #[arg(long)]
        highlighted: bool,
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// Delete a feedback item and its highlights (without --yes: say what would go).
    Delete {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum ReleaseCmd {
    /// Add a release.
    Add {
        #[arg(long)]
        service: String,
        #[arg(long)]
        at: String,
        #[arg(long)]
        title: String,
        #[arg(long = "finding")]
        findings: Vec<i64>,
    },
    /// Releases in time order.
    List {
        #[arg(long)]
        service: Option<String>,
    },
    /// Change a release (what is not given stays; --finding replaces the links).
    Edit {
        id: i64,
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long = "finding")]
        findings: Option<Vec<i64>>,
    },
    /// Delete a release.
    Delete { id: i64 },
}

fn segments(pairs: &[String]) -> rapport::Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).ok_or_else(|| {
                rapport::Error::invalid("--where", format!("expected FIELD=VALUE, found {p:?}"))
            })
        })
        .collect()
}

fn opt_num(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{:.2}{unit}", x)).unwrap_or_else(|| "—".into())
}

fn window_days(text: &str) -> rapport::Result<i64> {
    let t = text.trim().trim_end_matches('d');
    t.parse()
        .map_err(|_| rapport::Error::invalid("--window", format!("expected days like 30d, found {text:?}")))
}

pub fn run(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let mut ws = ctx.open()?;
    match cmd {
        Cmd::Catalog { command } => match command {
            CatalogCmd::Import { path, dry_run } => {
                let r = if *dry_run {
                    catalog::preview(ws.conn_mut(), path)?
                } else {
                    catalog::import(ws.conn_mut(), path)?
                };
                if ctx.json {
                    ctx.print_json(&r)?;
                } else {
                    say!(
                        "{} components, {} systems, {} groups, {} users ({} new, {} documents of other kinds skipped)",
                        r.components, r.systems, r.groups, r.users, r.added, r.skipped
                    );
                }
            }
            CatalogCmd::List => {
                let c = catalog::list(ws.conn())?;
                if ctx.json {
                    ctx.print_json(&c)?;
                } else {
                    for s in &c.services {
                        say!(
                            "{:<24} owner {:<16} system {:<16} tier {:<8} {} people",
                            s.name,
                            s.owner_team.as_deref().unwrap_or("—"),
                            s.system.as_deref().unwrap_or("—"),
                            s.tier.as_deref().unwrap_or("—"),
                            s.owner_people.len()
                        );
                    }
                    say!(
                        "{} services, {} systems, {} teams, {} users",
                        c.services.len(),
                        c.systems.len(),
                        c.teams.len(),
                        c.users
                    );
                }
            }
            CatalogCmd::Delete { kind, name } => {
                catalog::delete(ws.conn(), &kind.to_ascii_lowercase(), name)?;
            }
        },
        Cmd::Deploys { command: DeploysCmd::Import { file, skip_invalid, service, dry_run } } => {
            let opts = ImportOptions { skip_invalid: *skip_invalid, service: service.clone() };
            let r = deploys::import_deploys_file(ws.conn_mut(), file, &opts, !dry_run)?;
            print_import(ctx, &r, "deploys")?;
        }
        Cmd::Incidents { command: IncidentsCmd::Import { file, skip_invalid, dry_run } } => {
            let r = deploys::import_incidents_file(ws.conn_mut(), file, *skip_invalid, !dry_run)?;
            print_import(ctx, &r, "incidents")?;
        }
        Cmd::Dora { service, env, from, to } => {
            let q = dora::DoraQuery {
                service: service.clone(),
                environment: (env != "all").then(|| env.clone()),
                window: Window::parse(from.as_deref(), to.as_deref())?,
                services: Vec::new(),
            };
            let r = dora::report(ws.conn(), &q)?;
            if ctx.json {
                ctx.print_json(&r)?;
            } else {
                say!(
                    "{:<24} {:>7} {:>5} {:>9} {:<10} {:>10} {:>6} {:>10}",
                    "service",
                    "deploys",
                    "days",
                    "days/week",
                    "tier",
                    "lead (h)",
                    "CFR",
                    "restore (h)"
                );
                for k in r.services.iter().chain(std::iter::once(&r.overall)) {
                    say!(
                        "{:<24} {:>7} {:>5} {:>9} {:<10} {:>10} {:>6} {:>10}",
                        k.service.as_deref().unwrap_or("overall"),
                        k.deployments,
                        k.deployment_days,
                        opt_num(k.deployment_days_per_week_median, ""),
                        k.tier.as_deref().unwrap_or("—"),
                        opt_num(k.lead_time_median_hours, ""),
                        k.change_failure_rate
                            .map(|c| format!("{:.0}%", c * 100.0))
                            .unwrap_or_else(|| "—".into()),
                        opt_num(k.time_to_restore_median_hours, "")
                    );
                }
            }
        }
        Cmd::Gates { service, from, to } => {
            let r = gates::report(
                ws.conn(),
                service.as_deref(),
                &Window::parse(from.as_deref(), to.as_deref())?,
            )?;
            if ctx.json {
                ctx.print_json(&r)?;
            } else if r.gates.is_empty() {
                say!("no gate results");
            } else {
                for g in &r.gates {
                    let who: Vec<String> = g
                        .overridden_by
                        .iter()
                        .map(|o| format!("{} ×{}", o.by.as_deref().unwrap_or("unknown"), o.count))
                        .collect();
                    say!(
                        "{:<20} {:>5} evaluated, {:>4} blocks ({} overridden){}",
                        g.name,
                        g.evaluations,
                        g.blocks,
                        g.overridden,
                        if who.is_empty() { String::new() } else { format!(" by {}", who.join(", ")) }
                    );
                }
            }
        }
        Cmd::Metrics { command } => match command {
            MetricsCmd::Pull { url, query, name, from, to, step, timeout } => {
                let token = metrics::token::for_url(url);
                let timeout = Duration::from_secs_f64(timeout.max(0.1));
                let req = metrics::PullRequest::from_text(url, query, name, from, to, step, token, timeout)?;
                let r = metrics::pull(ws.conn_mut(), &req)?;
                if ctx.json {
                    ctx.print_json(&r)?;
                } else {
                    say!("{}: {} series, {} points ({} requests)", r.name, r.series, r.points, r.requests);
                }
            }
            MetricsCmd::List => {
                let list = metrics::list(ws.conn())?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for m in &list {
                        say!(
                            "{:<24} {} series, {} points  {}",
                            m.name,
                            m.series,
                            m.points,
                            m.query.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            MetricsCmd::Show { name } => {
                let d = metrics::show(ws.conn(), name, None)?;
                if ctx.json {
                    ctx.print_json(&d)?;
                } else {
                    say!("{}  {}", d.name, d.query.as_deref().unwrap_or(""));
                    for s in &d.series {
                        say!("  {:?}: {} points", s.labels, s.points.len());
                    }
                }
            }
            MetricsCmd::Delete { name } => metrics::delete(ws.conn(), name)?,
            MetricsCmd::Token { command } => match command {
                TokenCmd::Set { url } => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    let kept = metrics::token::set(url, &line)?;
                    let place = match &kept {
                        metrics::token::Kept::Keyring => "the OS keyring".to_string(),
                        metrics::token::Kept::File(p) => p.display().to_string(),
                    };
                    if ctx.json {
                        ctx.print_json(&serde_json::json!({
                            "origin": metrics::token::origin(url)?,
                            "stored": true,
                            "keyring": kept == metrics::token::Kept::Keyring,
                        }))?;
                    } else {
                        say!("token kept for {} in {place}", metrics::token::origin(url)?);
                    }
                }
                TokenCmd::Show { url } => {
                    let stored = metrics::token::stored(url)?;
                    let from_env = std::env::var(metrics::token::ENV).is_ok_and(|t| !t.trim().is_empty());
                    if ctx.json {
                        ctx.print_json(&serde_json::json!({ "origin": metrics::token::origin(url)?, "stored": stored, "env": from_env }))?;
                    } else {
                        say!(
                            "{}: {}{}",
                            metrics::token::origin(url)?,
                            if stored {
                                "a token is kept in the OS keyring"
                            } else {
                                "no token in the OS keyring"
                            },
                            if from_env {
                                format!(" ({} is set and is used instead)", metrics::token::ENV)
                            } else {
                                String::new()
                            }
                        );
                    }
                }
                TokenCmd::Delete { url } => {
                    let had = metrics::token::delete(url)?;
                    if ctx.json {
                        ctx.print_json(&serde_json::json!({ "deleted": had }))?;
                    } else {
                        say!("{}", if had { "token forgotten" } else { "there was no token" });
                    }
                }
            },
        },
        Cmd::Nps { command } => match command {
            NpsCmd::Import { file, map, dry_run } => {
                let r = nps::import_file(ws.conn_mut(), file, &NpsMap::parse(map)?, !dry_run)?;
                if ctx.json {
                    ctx.print_json(&r)?;
                } else {
                    say!("{} responses added ({} already there) of {} rows", r.added, r.duplicates, r.rows);
                }
            }
            NpsCmd::Comments { contains, highlighted, limit } => {
                let filter = ItemFilter {
                    id: None,
                    contains: contains.clone(),
                    highlighted: *highlighted,
                    limit: Some(*limit),
                };
                let list = items::comments(ws.conn(), &filter)?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for c in list {
                        say!(
                            "{:>5}  {:>2}  {}  {}  [{} highlighted]  {}",
                            c.id,
                            c.score,
                            date(&c.submitted_at),
                            c.respondent.as_deref().unwrap_or(""),
                            c.highlights.len(),
                            c.comment
                        );
                    }
                }
            }
            NpsCmd::Delete { id, yes } => {
                delete_item(ctx, &ws, HighlightSource::Nps, *id, *yes)?;
            }
            NpsCmd::Report { by, period, segment, from, to } => {
                let q = NpsQuery {
                    by: by.clone(),
                    period: Some(period.clone()),
                    segment: segments(segment)?,
                    window: Window::parse(from.as_deref(), to.as_deref())?,
                };
                let r = nps::report::report(ws.conn(), &q)?;
                if ctx.json {
                    ctx.print_json(&r)?;
                } else if let Some(m) = &r.message {
                    say!("{m}");
                } else {
                    let ci = |c: Option<(f64, f64)>| {
                        c.map(|(a, b)| format!("[{a:.1}, {b:.1}]")).unwrap_or_default()
                    };
                    say!(
                        "NPS {:.1} {} (n = {}; {} promoters, {} passives, {} detractors)",
                        r.nps.unwrap_or(0.0),
                        ci(r.ci95),
                        r.n,
                        r.promoters,
                        r.passives,
                        r.detractors
                    );
                    for g in &r.by {
                        say!(
                            "  {:<20} {:>6.1} {} n = {}",
                            g.key.as_deref().unwrap_or("(none)"),
                            g.nps.unwrap_or(0.0),
                            ci(g.ci95),
                            g.n
                        );
                    }
                    for p in &r.periods {
                        say!("  {:<10} {:>6.1} {} n = {}", p.period, p.nps.unwrap_or(0.0), ci(p.ci95), p.n);
                    }
                    for c in r.changes.iter().filter(|c| c.significant) {
                        say!(
                            "  {} → {}: {:+.1} (significant, p = {:.3})",
                            c.from,
                            c.to,
                            c.difference,
                            c.p_value
                        );
                    }
                    for t in &r.tags {
                        say!("  tag {:<16} n = {:<4} impact {}", t.tag, t.count, opt_num(t.impact, ""));
                    }
                }
            }
        },
        Cmd::Feedback { command: FeedbackCmd::List { contains, highlighted, limit } } => {
            let filter = ItemFilter {
                id: None,
                contains: contains.clone(),
                highlighted: *highlighted,
                limit: Some(*limit),
            };
            let list = items::feedback(ws.conn(), &filter)?;
            if ctx.json {
                ctx.print_json(&list)?;
            } else {
                for f in list {
                    say!(
                        "{:>5}  {}  {}  {}  [{} highlighted]  {}",
                        f.id,
                        f.submitted_at.as_deref().map(date).unwrap_or(""),
                        f.channel.as_deref().unwrap_or(""),
                        f.user.as_deref().unwrap_or(""),
                        f.highlights.len(),
                        f.text
                    );
                }
            }
        }
        Cmd::Feedback { command: FeedbackCmd::Delete { id, yes } } => {
            delete_item(ctx, &ws, HighlightSource::Feedback, *id, *yes)?;
        }
        Cmd::Feedback { command: FeedbackCmd::Import { file, dry_run } } => {
            let r = nps::import_feedback_file(ws.conn_mut(), file, !dry_run)?;
            if ctx.json {
                ctx.print_json(&r)?;
            } else {
                say!(
                    "{} feedback items added ({} already there, {} linked to people)",
                    r.added,
                    r.duplicates,
                    r.linked
                );
            }
        }
        Cmd::Release { command } => match command {
            ReleaseCmd::Add { service, at, title, findings } => {
                let id = releases::add(ws.conn(), service, at, title, findings)?;
                ctx.print_id(id)?;
            }
            ReleaseCmd::List { service } => {
                let list = releases::list(ws.conn(), service.as_deref())?;
                if ctx.json {
                    ctx.print_json(&list)?;
                } else {
                    for r in &list {
                        let f: Vec<String> = r.findings.iter().map(|f| format!("#{}", f.id)).collect();
                        say!("{:>4}  {}  {:<20} {}  {}", r.id, r.at, r.service, r.title, f.join(" "));
                    }
                }
            }
            ReleaseCmd::Edit { id, service, at, title, findings } => {
                let r = releases::get(ws.conn(), *id)?;
                let ids: Vec<i64> =
                    findings.clone().unwrap_or_else(|| r.findings.iter().map(|f| f.id).collect());
                releases::update(
                    ws.conn(),
                    *id,
                    service.as_deref().unwrap_or(&r.service),
                    at.as_deref().unwrap_or(&r.at),
                    title.as_deref().unwrap_or(&r.title),
                    &ids,
                )?;
            }
            ReleaseCmd::Delete { id } => releases::delete(ws.conn(), *id)?,
        },
        Cmd::Compare { release, metric, nps, dora, gate, window } => {
            let stat = match (metric, nps, dora, gate) {
                (Some(m), _, _, _) => Statistic::Metric(m.clone()),
                (_, true, _, _) => Statistic::Nps,
                (_, _, Some(k), _) => Statistic::Dora(k.clone()),
                (_, _, _, Some(g)) => Statistic::Gate(g.clone()),
                _ => {
                    return Err(rapport::Error::invalid(
                        "compare",
                        "give one of --metric NAME, --nps, --dora KEY, --gate NAME",
                    )
                    .into())
                }
            };
            let c = releases::compare(ws.conn(), *release, &stat, window_days(window)?)?;
            if ctx.json {
                ctx.print_json(&c)?;
            } else {
                say!(
                    "{} around release {} ({}): before {} (n = {}), after {} (n = {}), difference {}{}",
                    c.statistic,
                    c.release.id,
                    c.release.title,
                    opt_num(c.before.value, ""),
                    c.before.n,
                    opt_num(c.after.value, ""),
                    c.after.n,
                    opt_num(c.difference, ""),
                    c.ci95.map(|(a, b)| format!(" (95% interval {a:.2} to {b:.2})")).unwrap_or_default()
                );
            }
        }
        Cmd::Chart { kind, name, out, width, height, service, key, period, segment, from, to } => {
            let window = Window::parse(from.as_deref(), to.as_deref())?;
            let kind = match kind.as_str() {
                "nps" => charts::ChartKind::Nps(NpsQuery {
                    by: None,
                    period: period.clone(),
                    segment: segments(segment)?,
                    window,
                }),
                "dora" => charts::ChartKind::Dora {
                    query: dora::DoraQuery {
                        service: service.clone(),
                        environment: Some("production".into()),
                        window,
                        services: Vec::new(),
                    },
                    key: key.clone(),
                },
                "gates" => charts::ChartKind::Gates { services: service.iter().cloned().collect(), window },
                "metric" => {
                    let name = name.clone().ok_or_else(|| {
                        rapport::Error::invalid("chart metric", "expected the metric's NAME")
                    })?;
                    let range = match (&window.from, &window.to) {
                        (None, None) => None,
                        (f, t) => Some((
                            f.as_deref()
                                .and_then(rapport::timefmt::parse)
                                .map(|d| d.timestamp())
                                .unwrap_or(i64::MIN / 1000),
                            t.as_deref()
                                .and_then(rapport::timefmt::parse)
                                .map(|d| d.timestamp())
                                .unwrap_or(i64::MAX / 1000),
                        )),
                    };
                    charts::ChartKind::Metric { name, range }
                }
                other => {
                    return Err(rapport::Error::invalid(
                        "chart",
                        format!("expected nps, dora, gates or metric, found {other:?}"),
                    )
                    .into())
                }
            };
            charts::write(ws.conn(), &charts::ChartRequest { kind, width: *width, height: *height }, out)?;
            if ctx.json {
                ctx.print_json(&serde_json::json!({ "out": out, "width": width, "height": height }))?;
            } else {
                say!("{}", out.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import(ctx: &Ctx, r: &deploys::DeployImport, what: &str) -> anyhow::Result<()> {
    if ctx.json {
        return ctx.print_json(r);
    }
    say!(
        "{} {what} added ({} already there) of {} rows ({}), {} gate results",
        r.added,
        r.duplicates,
        r.rows,
        r.format,
        r.gates
    );
    for s in &r.skipped {
        say!("skipped {s}");
    }
    Ok(())
}

/// `nps delete` and `feedback delete`: the plan without `--yes`, the deletion with it.
fn delete_item(
    ctx: &Ctx,
    ws: &rapport::Workspace,
    source: HighlightSource,
    id: i64,
    yes: bool,
) -> anyhow::Result<()> {
    let r = items::delete(ws.conn(), source, id, yes)?;
    let what = if source == HighlightSource::Nps { "NPS response" } else { "feedback item" };
    if ctx.json {
        ctx.print_json(&r)?;
    } else if yes {
        println!(
            "deleted {what} {id} with {} highlights (evidence of {} findings)",
            r.highlights, r.findings
        );
    } else {
        println!(
            "would delete {what} {id} with {} highlights (evidence of {} findings); add --yes to delete",
            r.highlights, r.findings
        );
    }
    Ok(())
}
