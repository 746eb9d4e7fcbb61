//! Recruiting: choosing who to invite to a study. Exclusions first (contact status, cooldown,
//! invitations in the last 12 months, earlier no-shows, already invited), then the screener
//! (`screener`), then a stratified pick (`select`), deterministic for a seed. Selecting writes
//! an invitation (a participation) for each person picked.
//!
//! Owns `participations` (invitations, schedule, consent, incentive) and `outreach` (in
//! `outreach`, with the invitation templates, `mailto:` links and `.ics` files).

pub mod outreach;
pub mod screener;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use screener::{CountFilter, Expr, Op};

/// The options of a recruit run (`rapport recruit`).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RecruitOptions {
    pub study_id: i64,
    pub size: u32,
    /// Screener expressions; all must hold.
    #[serde(default)]
    pub wheres: Vec<String>,
    /// Fields to stratify by; empty: `observed_role`, `tier`.
    #[serde(default)]
    pub stratify: Vec<String>,
    /// Days after an interview or invitation before a person may be invited again (90).
    pub cooldown_days: Option<u32>,
    /// Invitations a person may get in 12 months (3).
    pub max_invites_per_year: Option<u32>,
    /// The seed of the pick; none: a new one, reported in the result.
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// Say who would be picked without writing invitations.
    #[serde(default)]
    pub dry_run: bool,
}

/// A person picked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Selected {
    pub person_id: i64,
    pub email: String,
    pub name: String,
    #[ts(type = "Record<string, string>")]
    pub strata: BTreeMap<String, String>,
    pub why: String,
}

/// A person left out before the screener, with the rule that did it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Excluded {
    pub person_id: i64,
    pub email: String,
    /// `opted-out`, `do-not-contact`, `blocklist`, `already-invited`, `cooldown`,
    /// `invitation-limit` or `no-show`.
    pub reason: String,
    pub detail: String,
}

/// One stratum: its key, how many passed the screener in it, how many were picked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Stratum {
    #[ts(type = "Record<string, string>")]
    pub key: BTreeMap<String, String>,
    pub eligible: i64,
    pub selected: i64,
}

/// What a recruit run chose.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecruitResult {
    pub selected: Vec<Selected>,
    pub excluded: Vec<Excluded>,
    pub strata: Vec<Stratum>,
    /// People not excluded whom the screener left out.
    pub screened_out: i64,
    #[ts(type = "number")]
    pub seed: u64,
    /// Invitations written (0 for a dry run).
    pub invitations: i64,
}

/// A person as the screener sees them.
#[derive(Debug, Clone)]
struct Candidate {
    id: i64,
    email: String,
    name: String,
    text: HashMap<&'static str, Option<String>>,
    attributes: serde_json::Map<String, serde_json::Value>,
    events: i64,
    active_days: i64,
    sessions: i64,
    last_seen: Option<DateTime<Utc>>,
    first_seen: Option<DateTime<Utc>>,
}

const TEXT_FIELDS: [&str; 9] =
    ["email", "name", "team", "role", "manager", "location", "contact_status", "observed_role", "tier"];
const NUM_FIELDS: [&str; 3] = ["events", "active_days", "sessions"];
const AGO_FIELDS: [&str; 2] = ["last_seen", "first_seen"];

fn load_candidates(conn: &Connection) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.email, p.name, p.team, p.role, p.manager, p.location, p.contact_status,
                a.observed_role, a.tier, coalesce(a.events, 0), coalesce(a.active_days, 0),
                (SELECT count(*) FROM sessions s WHERE s.person_id = p.id), a.last_seen, a.first_seen, p.attributes
         FROM people p LEFT JOIN activity a ON a.person_id = p.id ORDER BY p.email",
    )?;
    let rows = stmt.query_map([], |r| {
        let mut text = HashMap::new();
        for (i, f) in TEXT_FIELDS.iter().enumerate() {
            text.insert(*f, r.get::<_, Option<String>>(i + 1)?);
        }
        let time = |s: Option<String>| s.and_then(|s| crate::timefmt::parse(&s));
        let attrs: String = r.get(15)?;
        Ok(Candidate {
            id: r.get(0)?,
            email: r.get(1)?,
            name: r.get(2)?,
            text,
            attributes: serde_json::from_str(&attrs).unwrap_or_default(),
            events: r.get(10)?,
            active_days: r.get(11)?,
            sessions: r.get(12)?,
            last_seen: time(r.get(13)?),
            first_seen: time(r.get(14)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Checks that every field the expression names exists; an error names its column.
fn validate(expr: &Expr, attributes: &BTreeSet<String>, src: &str) -> Result<()> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            validate(a, attributes, src)?;
            validate(b, attributes, src)
        }
        Expr::Not(a) => validate(a, attributes, src),
        Expr::Count { .. } => Ok(()),
        Expr::Compare { field, column, op, value } => {
            let fail =
                |message: String| Err(Error::invalid(format!("--where {src:?}, column {column}"), message));
            if NUM_FIELDS.contains(&field.as_str()) && value.parse::<i64>().is_err() {
                return fail(format!("{field} is a number; found {value:?}"));
            }
            if AGO_FIELDS.contains(&field.as_str()) {
                if screener::duration_s(value).is_none() {
                    return fail(format!(
                        "{field} compares how long ago, like {field} <= 14d; found {value:?}"
                    ));
                }
                if *op == Op::Contains {
                    return fail(format!("~ compares text; {field} compares how long ago"));
                }
            }
            check_field(field, *column, attributes, src)
        }
        Expr::In { field, column, .. } => check_field(field, *column, attributes, src),
    }
}

fn check_field(field: &str, column: usize, attributes: &BTreeSet<String>, src: &str) -> Result<()> {
    let known = TEXT_FIELDS.contains(&field)
        || NUM_FIELDS.contains(&field)
        || AGO_FIELDS.contains(&field)
        || attributes.contains(field);
    if known {
        return Ok(());
    }
    let mut all: Vec<&str> =
        TEXT_FIELDS.iter().chain(NUM_FIELDS.iter()).chain(AGO_FIELDS.iter()).copied().collect();
    all.extend(attributes.iter().map(String::as_str));
    Err(Error::invalid(
        format!("--where {src:?}, column {column}"),
        format!("unknown field {field:?}; the fields are: {}", all.join(", ")),
    ))
}

fn collect_counts<'e>(expr: &'e Expr, out: &mut Vec<&'e CountFilter>) {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            collect_counts(a, out);
            collect_counts(b, out);
        }
        Expr::Not(a) => collect_counts(a, out),
        Expr::Count { filter, .. } => out.push(filter),
        _ => {}
    }
}

/// Each person's stored events that pass the filter (one pass over the audit batches).
fn count_events(conn: &Connection, f: &CountFilter, now: DateTime<Utc>) -> Result<HashMap<i64, i64>> {
    let since = f.within_s.map(|s| (now - Duration::seconds(s)).timestamp());
    let people: HashMap<String, i64> = crate::audit::events::actors(conn)?
        .into_iter()
        .filter_map(|(actor, a)| a.person.map(|id| (actor, id)))
        .collect();
    let mut counts = HashMap::new();
    crate::audit::events::each(conn, |e| {
        let Some(id) = people.get(e.actor) else { return };
        let passes = f.action.as_deref().is_none_or(|a| a == e.action)
            && f.resource.as_deref().is_none_or(|r| Some(r) == e.resource)
            && f.namespace.as_deref().is_none_or(|n| Some(n) == e.namespace)
            && since.is_none_or(|s| e.at >= s);
        if passes {
            *counts.entry(*id).or_default() += 1;
        }
    })?;
    Ok(counts)
}

struct Eval<'a> {
    now: DateTime<Utc>,
    counts: Vec<(&'a CountFilter, HashMap<i64, i64>)>,
}

impl Eval<'_> {
    fn text(c: &Candidate, field: &str) -> Option<String> {
        match c.text.get(field) {
            Some(v) => v.clone(),
            None => c.attributes.get(field).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
        }
    }

    fn holds(&self, e: &Expr, c: &Candidate) -> bool {
        match e {
            Expr::And(a, b) => self.holds(a, c) && self.holds(b, c),
            Expr::Or(a, b) => self.holds(a, c) || self.holds(b, c),
            Expr::Not(a) => !self.holds(a, c),
            Expr::Count { filter, op, value } => {
                let n = self
                    .counts
                    .iter()
                    .find(|(f, _)| std::ptr::eq(*f, filter))
                    .and_then(|(_, m)| m.get(&c.id))
                    .copied()
                    .unwrap_or(0);
                op.holds(n.cmp(value))
            }
            Expr::In { field, values, negated, .. } => {
                let v = Self::text(c, field);
                let hit = v.is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(&v)));
                hit != *negated
            }
            Expr::Compare { field, op, value, .. } => {
                if let Some(n) = match field.as_str() {
                    "events" => Some(c.events),
                    "active_days" => Some(c.active_days),
                    "sessions" => Some(c.sessions),
                    _ => None,
                } {
                    return value.parse::<i64>().is_ok_and(|v| op.holds(n.cmp(&v)));
                }
                if AGO_FIELDS.contains(&field.as_str()) {
                    let t = if field == "last_seen" { c.last_seen } else { c.first_seen };
                    let ago = t.map(|t| (self.now - t).num_seconds()).unwrap_or(i64::MAX);
                    return screener::duration_s(value).is_some_and(|d| op.holds(ago.cmp(&d)));
                }
                let v = Self::text(c, field);
                match (op, v) {
                    (Op::Ne, None) => true,
                    (_, None) => false,
                    (Op::Contains, Some(v)) => v.to_lowercase().contains(&value.to_lowercase()),
                    (op, Some(v)) => op.holds(v.to_lowercase().cmp(&value.to_lowercase())),
                }
            }
        }
    }
}

/// A small deterministic generator (splitmix64) for the seeded pick.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Why each person is excluded (the first rule that applies), by person id.
fn exclusions(
    conn: &Connection,
    people: &[Candidate],
    study_id: i64,
    cooldown_days: u32,
    max_invites: u32,
    now: DateTime<Utc>,
) -> Result<HashMap<i64, (String, String)>> {
    let cooldown_since = crate::audit::formats::format_time(&(now - Duration::days(cooldown_days as i64)));
    let year_since = crate::audit::formats::format_time(&(now - Duration::days(365)));
    let mut out = HashMap::new();
    let mut last_session = conn.prepare("SELECT max(at) FROM sessions WHERE person_id = ?1 AND at >= ?2")?;
    let mut last_invite = conn.prepare(
        "SELECT max(p.invited_at), (SELECT s.name FROM studies s WHERE s.id = p.study_id)
         FROM participations p WHERE p.person_id = ?1 AND p.invited_at >= ?2",
    )?;
    let mut invites =
        conn.prepare("SELECT count(*) FROM participations WHERE person_id = ?1 AND invited_at >= ?2")?;
    let mut no_show = conn.prepare(
        "SELECT p.invited_at, s.name FROM participations p JOIN studies s ON s.id = p.study_id
         WHERE p.person_id = ?1 AND p.status = 'no-show' ORDER BY p.invited_at DESC LIMIT 1",
    )?;
    let mut in_study =
        conn.prepare("SELECT count(*) FROM participations WHERE person_id = ?1 AND study_id = ?2")?;
    for c in people {
        let status = c.text["contact_status"].clone().unwrap_or_else(|| "free".into());
        if status != "free" {
            let detail = match status.as_str() {
                "blocklist" => "on the blocklist (never overridable)",
                "opted-out" => "opted out of research",
                _ => "marked do-not-contact",
            };
            out.insert(c.id, (status, detail.to_string()));
            continue;
        }
        let in_this: i64 = in_study.query_row(params![c.id, study_id], |r| r.get(0))?;
        if in_this > 0 {
            out.insert(c.id, ("already-invited".into(), "already invited to this study".into()));
            continue;
        }
        let session: Option<String> = last_session.query_row(params![c.id, cooldown_since], |r| r.get(0))?;
        if let Some(at) = session {
            out.insert(
                c.id,
                (
                    "cooldown".into(),
                    format!(
                        "interviewed on {}, inside the {cooldown_days}-day cooldown",
                        &at[..10.min(at.len())]
                    ),
                ),
            );
            continue;
        }
        let (invited, study): (Option<String>, Option<String>) =
            last_invite.query_row(params![c.id, cooldown_since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if let Some(at) = invited {
            out.insert(
                c.id,
                (
                    "cooldown".into(),
                    format!(
                        "invited on {} ({}), inside the {cooldown_days}-day cooldown",
                        &at[..10.min(at.len())],
                        study.unwrap_or_default()
                    ),
                ),
            );
            continue;
        }
        let n: i64 = invites.query_row(params![c.id, year_since], |r| r.get(0))?;
        if n >= max_invites as i64 {
            out.insert(
                c.id,
                (
                    "invitation-limit".into(),
                    format!("{n} invitations in the last 12 months (at most {max_invites})"),
                ),
            );
            continue;
        }
        let ns: Option<(String, String)> = {
            use rusqlite::OptionalExtension;
            no_show.query_row([c.id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?
        };
        if let Some((at, study)) = ns {
            out.insert(
                c.id,
                (
                    "no-show".into(),
                    format!("did not show up for {study} (invited {})", &at[..10.min(at.len())]),
                ),
            );
        }
    }
    Ok(out)
}

/// Seats per stratum: one for every stratum first (the largest strata first when there are
/// fewer seats than strata), then one at a time to the stratum furthest below its
/// proportional share, never more than it has people.
pub fn allocate(sizes: &[usize], seats: usize) -> Vec<usize> {
    let mut out = vec![0; sizes.len()];
    let total: usize = sizes.iter().sum();
    let mut order: Vec<usize> = (0..sizes.len()).filter(|i| sizes[*i] > 0).collect();
    order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
    let mut left = seats.min(total);
    for i in order {
        if left == 0 {
            break;
        }
        out[i] = 1;
        left -= 1;
    }
    while left > 0 {
        let best = (0..sizes.len()).filter(|i| out[*i] < sizes[*i]).max_by(|a, b| {
            let deficit = |i: usize| seats as f64 * sizes[i] as f64 / total as f64 - out[i] as f64;
            deficit(*a).partial_cmp(&deficit(*b)).unwrap_or(std::cmp::Ordering::Equal).then(b.cmp(a))
        });
        match best {
            Some(i) => out[i] += 1,
            None => break,
        }
        left -= 1;
    }
    out
}

/// Runs the exclusions, the screener and the stratified pick; unless `dry_run`, writes an
/// invitation for each person picked (one transaction). `now` is the time of the run.
pub fn recruit(conn: &Connection, opts: &RecruitOptions, now: DateTime<Utc>) -> Result<RecruitResult> {
    crate::study::get(conn, opts.study_id)?;
    if opts.size == 0 {
        return Err(Error::invalid("--size", "expected at least 1 person"));
    }
    let people = load_candidates(conn)?;
    let attributes: BTreeSet<String> = people.iter().flat_map(|p| p.attributes.keys().cloned()).collect();
    let mut exprs = Vec::new();
    for src in opts.wheres.iter().filter(|s| !s.trim().is_empty()) {
        let e = screener::parse(src).map_err(|e| e.into_error(src))?;
        validate(&e, &attributes, src)?;
        exprs.push(e);
    }
    let stratify: Vec<String> = if opts.stratify.is_empty() {
        vec!["observed_role".into(), "tier".into()]
    } else {
        opts.stratify.iter().map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
    };
    for f in &stratify {
        if !(TEXT_FIELDS.contains(&f.as_str()) || attributes.contains(f)) {
            let mut all: Vec<&str> = TEXT_FIELDS.to_vec();
            all.extend(attributes.iter().map(String::as_str));
            return Err(Error::invalid(
                format!("--stratify {f}"),
                format!("unknown field {f:?}; stratify by one of: {}", all.join(", ")),
            ));
        }
    }
    let mut filters = Vec::new();
    for e in &exprs {
        collect_counts(e, &mut filters);
    }
    let mut counts = Vec::new();
    for f in filters {
        counts.push((f, count_events(conn, f, now)?));
    }
    let eval = Eval { now, counts };

    let excluded_by = exclusions(
        conn,
        &people,
        opts.study_id,
        opts.cooldown_days.unwrap_or(90),
        opts.max_invites_per_year.unwrap_or(3),
        now,
    )?;
    let mut excluded = Vec::new();
    let mut strata: BTreeMap<Vec<String>, Vec<&Candidate>> = BTreeMap::new();
    let mut screened_out = 0;
    for c in &people {
        if let Some((reason, detail)) = excluded_by.get(&c.id) {
            excluded.push(Excluded {
                person_id: c.id,
                email: c.email.clone(),
                reason: reason.clone(),
                detail: detail.clone(),
            });
            continue;
        }
        if !exprs.iter().all(|e| eval.holds(e, c)) {
            screened_out += 1;
            continue;
        }
        let key = stratify.iter().map(|f| Eval::text(c, f).unwrap_or_else(|| "unknown".into())).collect();
        strata.entry(key).or_default().push(c);
    }

    let seed = opts.seed.unwrap_or_else(|| now.timestamp_nanos_opt().unwrap_or_default() as u64);
    let mut rng = SplitMix(seed);
    let keys: Vec<Vec<String>> = strata.keys().cloned().collect();
    for members in strata.values_mut() {
        rng.shuffle(members);
    }
    let sizes: Vec<usize> = keys.iter().map(|k| strata[k].len()).collect();
    let seats = allocate(&sizes, opts.size as usize);
    let where_text =
        opts.wheres.iter().filter(|s| !s.trim().is_empty()).cloned().collect::<Vec<_>>().join(" and ");
    let mut selected = Vec::new();
    let mut report_strata = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let map: BTreeMap<String, String> = stratify.iter().cloned().zip(key.iter().cloned()).collect();
        let label = map.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        for (n, c) in strata[key].iter().take(seats[i]).enumerate() {
            let screened =
                if where_text.is_empty() { String::new() } else { format!("; matched {where_text}") };
            selected.push(Selected {
                person_id: c.id,
                email: c.email.clone(),
                name: c.name.clone(),
                strata: map.clone(),
                why: format!(
                    "seat {} of {} in stratum {label} ({} eligible){screened}",
                    n + 1,
                    seats[i],
                    sizes[i]
                ),
            });
        }
        report_strata.push(Stratum { key: map, eligible: sizes[i] as i64, selected: seats[i] as i64 });
    }

    let mut invitations = 0;
    if !opts.dry_run {
        let tx = conn.unchecked_transaction()?;
        let at = crate::audit::formats::format_time(&now);
        for s in &selected {
            tx.execute(
                "INSERT INTO participations (person_id, study_id, status, invited_at, strata, why, ics_uid)
                 VALUES (?1, ?2, 'invited', ?3, ?4, ?5, ?6)",
                params![
                    s.person_id,
                    opts.study_id,
                    at,
                    serde_json::to_string(&s.strata).unwrap_or_default(),
                    s.why,
                    outreach::new_uid(s.person_id, opts.study_id, &at)
                ],
            )?;
            invitations += 1;
        }
        tx.commit()?;
    }
    Ok(RecruitResult { selected, excluded, strata: report_strata, screened_out, seed, invitations })
}

/// Renders selected people as CSV (email, name, strata…, why).
pub fn selected_csv(result: &RecruitResult) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let strata: Vec<String> =
        result.strata.first().map(|s| s.key.keys().cloned().collect()).unwrap_or_default();
    let mut header = vec!["email".to_string(), "name".to_string()];
    header.extend(strata.iter().cloned());
    header.push("why".into());
    let fail = |e: csv::Error| Error::Integrity(format!("writing CSV: {e}"));
    w.write_record(&header).map_err(fail)?;
    for s in &result.selected {
        let mut row = vec![s.email.clone(), s.name.clone()];
        row.extend(strata.iter().map(|k| s.strata.get(k).cloned().unwrap_or_default()));
        row.push(s.why.clone());
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Integrity(format!("writing CSV: {e}")))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_stratum_gets_a_seat_before_any_gets_a_second() {
        assert_eq!(super::allocate(&[1, 3, 40], 6), vec![1, 1, 4]);
        assert_eq!(super::allocate(&[10, 10], 3).iter().sum::<usize>(), 3);
        assert_eq!(super::allocate(&[2, 1], 10), vec![2, 1], "never more seats than people");
        assert_eq!(super::allocate(&[1, 5, 2], 2), vec![0, 1, 1], "fewer seats than strata: largest first");
    }
}
