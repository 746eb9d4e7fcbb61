//! Each person's activity, derived from their audit events: counts by action, resource and
//! namespace, events by week, active days, first and last seen, a tier and an observed role.
//!
//! Writes `activity`, rebuilt whole after every import (tiers are quantiles over everyone):
//! each row keeps its [`Tally`], so an import adds its own events' tally ([`add`]) instead of
//! reading every stored event again; [`refresh`] counts from the stored events (after a relink,
//! or when a row has no tally yet). See ARCHITECTURE.md for how the tier and the observed role are decided
//! and their limits.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;

/// How much a person uses the platform, relative to everyone in the log.
pub const TIERS: [&str; 4] = ["power", "regular", "occasional", "dormant"];

/// What a person's actions say they do.
pub const ROLES: [&str; 5] = ["service", "operations", "automation", "test", "observer"];

/// One signal that decided an observed role, with its share of the person's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RoleSignal {
    pub signal: String,
    pub share: f64,
}

/// A person's activity as the profile shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Activity {
    pub events: i64,
    pub active_days: i64,
    /// Active days in the 90 days before the refresh (what the tier ranks).
    pub active_days_90: i64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub tier: Option<String>,
    pub observed_role: Option<String>,
    /// What decided the observed role: the category's share first, then its top actions.
    pub role_why: Vec<RoleSignal>,
    #[ts(type = "Record<string, number>")]
    pub by_action: BTreeMap<String, i64>,
    #[ts(type = "Record<string, number>")]
    pub by_resource: BTreeMap<String, i64>,
    #[ts(type = "Record<string, number>")]
    pub by_namespace: BTreeMap<String, i64>,
    /// Events per week, keyed by the week's Monday (`YYYY-MM-DD`).
    #[ts(type = "Record<string, number>")]
    pub by_week: BTreeMap<String, i64>,
}

/// One person's activity, or none before any of their events was imported.
pub fn get(conn: &Connection, person_id: i64) -> Result<Option<Activity>> {
    let row = conn
        .query_row(
            "SELECT events, active_days, active_days_90, first_seen, last_seen, tier, observed_role, role_why,
                    by_action, by_resource, by_namespace, by_week
             FROM activity WHERE person_id = ?1",
            [person_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    [r.get::<_, String>(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?],
                ))
            },
        )
        .optional()?;
    Ok(row.map(|(events, active_days, active_days_90, first_seen, last_seen, tier, observed_role, json)| {
        let map = |s: &str| serde_json::from_str(s).unwrap_or_default();
        Activity {
            events,
            active_days,
            active_days_90,
            first_seen,
            last_seen,
            tier,
            observed_role,
            role_why: serde_json::from_str(&json[0]).unwrap_or_default(),
            by_action: map(&json[1]),
            by_resource: map(&json[2]),
            by_namespace: map(&json[3]),
            by_week: map(&json[4]),
        }
    }))
}

/// What a person's activity is derived from, kept beside it (the `tally` column) so an import
/// adds its own events to it in memory instead of counting every stored event again.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Tally {
    #[serde(default)]
    actor_is_service_account: bool,
    events: i64,
    first: Option<String>,
    last: Option<String>,
    /// Events per day (`YYYY-MM-DD`).
    days: BTreeMap<String, i64>,
    /// The hours of the day (UTC) with an event.
    hours: BTreeSet<u32>,
    /// Counts by `action\0resource\0namespace` (the other counts are its sums).
    mix: FxHashMap<String, i64>,
    /// The mix key being looked up (kept to spare an allocation per event).
    #[serde(skip)]
    scratch: String,
}

impl Tally {
    /// Counts one event (`at` as stored: RFC 3339, UTC).
    pub fn add(
        &mut self,
        actor: &str,
        action: &str,
        resource: Option<&str>,
        namespace: Option<&str>,
        at: &str,
    ) {
        self.add_mix(actor, action, resource, namespace, 1);
        self.add_span(at, at);
        if let Some(h) = at.get(11..13).and_then(|h| h.parse().ok()) {
            self.hours.insert(h);
        }
        bump(&mut self.days, at.get(..10).unwrap_or(at), 1);
    }

    /// Counts `n` events of an actor's action on a resource in a namespace (their days, hours
    /// and times go in through [`add_day`](Self::add_day), [`add_hour`](Self::add_hour) and
    /// [`add_span`](Self::add_span)).
    pub fn add_mix(
        &mut self,
        actor: &str,
        action: &str,
        resource: Option<&str>,
        namespace: Option<&str>,
        n: i64,
    ) {
        self.actor_is_service_account |= actor.starts_with("system:serviceaccount:");
        self.events += n;
        let key = &mut self.scratch;
        key.clear();
        key.push_str(action);
        key.push('\0');
        key.push_str(resource.unwrap_or(""));
        key.push('\0');
        key.push_str(namespace.unwrap_or(""));
        match self.mix.get_mut(key.as_str()) {
            Some(m) => *m += n,
            None => {
                self.mix.insert(key.clone(), n);
            }
        }
    }

    /// Counts `n` events on a day (`YYYY-MM-DD`).
    pub fn add_day(&mut self, day: &str, n: i64) {
        bump(&mut self.days, day, n);
    }

    /// Marks an hour of the day (UTC) with an event.
    pub fn add_hour(&mut self, hour: u32) {
        self.hours.insert(hour);
    }

    /// Widens first and last seen to take in `first` and `last` (as stored).
    pub fn add_span(&mut self, first: &str, last: &str) {
        if self.first.as_deref().is_none_or(|f| first < f) {
            self.first = Some(first.to_string());
        }
        if self.last.as_deref().is_none_or(|l| last > l) {
            self.last = Some(last.to_string());
        }
    }

    /// Adds another tally of the same person.
    pub fn merge(&mut self, other: Tally) {
        self.actor_is_service_account |= other.actor_is_service_account;
        self.events += other.events;
        if let Some(f) = other.first {
            if self.first.as_ref().is_none_or(|mine| f < *mine) {
                self.first = Some(f);
            }
        }
        if let Some(l) = other.last {
            if self.last.as_ref().is_none_or(|mine| l > *mine) {
                self.last = Some(l);
            }
        }
        for (day, n) in other.days {
            *self.days.entry(day).or_default() += n;
        }
        self.hours.extend(other.hours);
        for (key, n) in other.mix {
            *self.mix.entry(key).or_default() += n;
        }
    }

    /// Counts by action, by resource and by namespace (sums of the mix).
    fn marginals(&self) -> [BTreeMap<String, i64>; 3] {
        let mut out: [BTreeMap<String, i64>; 3] = Default::default();
        for (key, n) in &self.mix {
            for (i, part) in key.split('\0').enumerate().take(3) {
                if i == 0 || !part.is_empty() {
                    *out[i].entry(part.to_string()).or_default() += n;
                }
            }
        }
        out
    }

    /// Events per week, keyed by the week's Monday.
    fn by_week(&self) -> BTreeMap<String, i64> {
        let mut weeks = BTreeMap::new();
        for (day, n) in &self.days {
            *weeks.entry(week_of(day)).or_default() += n;
        }
        weeks
    }
}

/// Rebuilds every person's activity from the stored events (one pass over the batches, each
/// event counted for the person its actor is). `now` bounds the 90 days the tier ranks. Call
/// inside a transaction.
pub fn refresh(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    let people: HashMap<String, i64> = super::events::actors(conn)?
        .into_iter()
        .filter_map(|(actor, a)| a.person.map(|id| (actor, id)))
        .collect();
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    super::events::each(conn, |e| {
        if let Some(id) = people.get(e.actor) {
            tallies.entry(*id).or_default().add(e.actor, e.action, e.resource, e.namespace, &e.at_text());
        }
    })?;
    write(conn, &tallies, now)
}

/// Adds an import's tallies to the stored ones and rewrites every person's activity, without
/// reading the events again. Returns false (and writes nothing) when some stored activity has
/// no tally (written before tallies were kept): then [`refresh`] is the way.
pub fn add(conn: &Connection, new: BTreeMap<i64, Tally>, now: DateTime<Utc>) -> Result<bool> {
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    {
        let mut stmt = conn.prepare("SELECT person_id, tally FROM activity")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let Some(t) =
                r.get_ref(1)?.as_str_or_null().ok().flatten().and_then(|j| serde_json::from_str(j).ok())
            else {
                return Ok(false);
            };
            tallies.insert(id, t);
        }
    }
    for (id, t) in new {
        tallies.entry(id).or_default().merge(t);
    }
    write(conn, &tallies, now)?;
    Ok(true)
}

/// Writes every person's activity (the table whole: tiers are quantiles over everyone).
fn write(conn: &Connection, tallies: &BTreeMap<i64, Tally>, now: DateTime<Utc>) -> Result<()> {
    let since = (now - Duration::days(90)).format("%Y-%m-%d").to_string();
    let recent: BTreeMap<i64, i64> =
        tallies.iter().map(|(id, t)| (*id, t.days.keys().filter(|d| **d >= since).count() as i64)).collect();
    let thresholds = tier_thresholds(recent.values().copied().filter(|d| *d > 0).collect());

    conn.execute("DELETE FROM activity", [])?;
    let mut insert = conn.prepare(
        "INSERT INTO activity (person_id, events, first_seen, last_seen, active_days, by_action, by_resource,
           by_service, by_namespace, by_week, active_days_90, tier, observed_role, role_why, updated_at, tally)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '{}', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let updated = crate::store::now();
    let json = |v: &BTreeMap<String, i64>| serde_json::to_string(v).unwrap_or_default();
    for (id, t) in tallies {
        let d90 = recent[id];
        let tier = tier_of(d90, thresholds);
        let [by_action, by_resource, by_namespace] = t.marginals();
        let (role, why) = observed_role(t, by_namespace.len());
        insert.execute(params![
            id,
            t.events,
            t.first,
            t.last,
            t.days.len() as i64,
            json(&by_action),
            json(&by_resource),
            json(&by_namespace),
            json(&t.by_week()),
            d90,
            tier,
            role,
            serde_json::to_string(&why).unwrap_or_default(),
            updated,
            serde_json::to_string(t).unwrap_or_default(),
        ])?;
    }
    Ok(())
}

/// Adds one to `key`'s count, allocating the key only the first time.
fn bump(map: &mut BTreeMap<String, i64>, key: &str, n: i64) {
    match map.get_mut(key) {
        Some(m) => *m += n,
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

/// The Monday of the week of a `YYYY-MM-DD` day.
fn week_of(day: &str) -> String {
    use chrono::{Datelike, NaiveDate};
    match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => {
            (d - Duration::days(d.weekday().num_days_from_monday() as i64)).format("%Y-%m-%d").to_string()
        }
        Err(_) => day.to_string(),
    }
}

/// The 25th and 75th percentiles (nearest rank) of the active people's recent active days.
fn tier_thresholds(mut days: Vec<i64>) -> (i64, i64) {
    if days.is_empty() {
        return (0, 0);
    }
    days.sort_unstable();
    let n = days.len() - 1;
    let lo = days[(n as f64 * 0.25).floor() as usize];
    let hi = days[(n as f64 * 0.75).ceil() as usize];
    (lo, hi)
}

/// Dormant: no active day in the last 90; power: at or above the 75th percentile (and above
/// the 25th); occasional: at or below the 25th (and below the 75th); regular between.
pub fn tier_of(d90: i64, (lo, hi): (i64, i64)) -> &'static str {
    if d90 == 0 {
        "dormant"
    } else if d90 >= hi && d90 > lo {
        "power"
    } else if d90 <= lo && d90 < hi {
        "occasional"
    } else {
        "regular"
    }
}

const READ_VERBS: [&str; 3] = ["get", "list", "watch"];
const WORKLOADS: [&str; 12] = [
    "deployments",
    "services",
    "configmaps",
    "secrets",
    "ingresses",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "horizontalpodautoscalers",
    "cronjobs",
    "pods",
    "serviceaccounts",
];

/// Whether a namespace looks like one for tests (`test`, `ci`, `e2e`, `qa`, `sandbox`,
/// `preview` as a `-`/`_`-separated word).
pub fn is_test_namespace(ns: &str) -> bool {
    ns.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|w| matches!(w, "test" | "tests" | "testing" | "ci" | "e2e" | "qa" | "sandbox" | "preview"))
}

/// Whether an action is operations work: exec, attach, port-forward, scale, rollback,
/// eviction, deleting pods, anything on nodes.
pub fn is_ops_action(action: &str, resource: Option<&str>) -> bool {
    let verb = action.split(' ').next().unwrap_or(action);
    resource == Some("nodes")
        || action.contains("pods/exec")
        || action.contains("pods/attach")
        || action.contains("pods/portforward")
        || action.contains("pods/eviction")
        || action.ends_with("/scale")
        || action.contains("/rollback")
        || (verb == "delete" && resource == Some("pods"))
        || (verb == "deletecollection")
}

fn verb_of(action: &str) -> &str {
    action.split(' ').next().unwrap_or(action)
}

/// Decides the observed role from the mix of actions; returns it with the signals that
/// decided it (see ARCHITECTURE.md).
fn observed_role(t: &Tally, namespaces: usize) -> (&'static str, Vec<RoleSignal>) {
    let total = t.events.max(1) as f64;
    let mut read = 0i64;
    let mut ops: HashMap<String, i64> = HashMap::new();
    let mut test: HashMap<String, i64> = HashMap::new();
    let mut service: HashMap<String, i64> = HashMap::new();
    for (key, n) in &t.mix {
        let mut parts = key.split('\0');
        let action = parts.next().unwrap_or("").to_string();
        let resource = parts.next().filter(|r| !r.is_empty()).map(str::to_string);
        let ns = parts.next().filter(|r| !r.is_empty()).map(str::to_string);
        let (action, resource, ns) = (&action, &resource, &ns);
        let in_test = ns.as_deref().is_some_and(is_test_namespace);
        if READ_VERBS.contains(&verb_of(action)) && !action.contains('/') {
            read += n;
        }
        if is_ops_action(action, resource.as_deref()) {
            *ops.entry(action.clone()).or_default() += n;
        } else if in_test || matches!(resource.as_deref(), Some("jobs")) {
            let label = match ns {
                Some(ns) if in_test => format!("{action} in {ns}"),
                _ => action.clone(),
            };
            *test.entry(label).or_default() += n;
        } else if !READ_VERBS.contains(&verb_of(action))
            && resource.as_deref().is_some_and(|r| WORKLOADS.contains(&r))
        {
            *service.entry(action.clone()).or_default() += n;
        }
    }
    let sum = |m: &HashMap<String, i64>| m.values().sum::<i64>() as f64 / total;
    let top = |m: &HashMap<String, i64>| {
        let mut v: Vec<(&String, &i64)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        v.into_iter()
            .take(3)
            .map(|(k, n)| RoleSignal { signal: k.clone(), share: round(*n as f64 / total) })
            .collect::<Vec<_>>()
    };
    let with = |label: String, share: f64, rest: Vec<RoleSignal>| {
        let mut v = vec![RoleSignal { signal: label, share: round(share) }];
        v.extend(rest);
        v
    };
    if t.actor_is_service_account {
        return ("automation", with("a service account".into(), 1.0, vec![]));
    }
    if t.events >= 100 && t.hours.len() >= 20 {
        let share = t.hours.len() as f64 / 24.0;
        return (
            "automation",
            with(format!("active in {} of 24 hours of the day", t.hours.len()), share, vec![]),
        );
    }
    let read_share = read as f64 / total;
    if read_share >= 0.9 {
        return ("observer", with("get, list, watch (read-only)".into(), read_share, vec![]));
    }
    let cross = if namespaces >= 5 { 0.15 } else { 0.0 };
    let scores = [
        ("operations", sum(&ops) + cross, &ops, "operations actions"),
        ("test", sum(&test), &test, "test namespaces and jobs"),
        ("service", sum(&service) + 0.25 * read_share, &service, "changes to workloads"),
    ];
    let best = scores
        .iter()
        .fold(None::<&(&str, f64, &HashMap<String, i64>, &str)>, |acc, s| match acc {
            Some(a) if a.1 >= s.1 => Some(a),
            _ => Some(s),
        })
        .expect("three scores");
    if best.1 <= 0.0 {
        return ("observer", with("get, list, watch (read-only)".into(), read_share, vec![]));
    }
    let mut why = with(best.3.to_string(), sum(best.2), top(best.2));
    if best.0 == "operations" && namespaces >= 5 {
        why.push(RoleSignal { signal: format!("work across {namespaces} namespaces"), share: 0.0 });
    }
    (best.0, why)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_split_at_the_quartiles_and_idle_people_are_dormant() {
        let th = tier_thresholds(vec![1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(th, (3, 7));
        assert_eq!(tier_of(0, th), "dormant");
        assert_eq!(tier_of(1, th), "occasional");
        assert_eq!(tier_of(5, th), "regular");
        assert_eq!(tier_of(9, th), "power");
        assert_eq!(tier_of(4, tier_thresholds(vec![4, 4, 4])), "regular", "all equal: nobody stands out");
    }

    #[test]
    fn test_namespaces_are_words_not_substrings() {
        assert!(is_test_namespace("checkout-e2e"));
        assert!(is_test_namespace("ci"));
        assert!(!is_test_namespace("latest-service"), "`test` inside a word is not a test namespace");
    }
}
