//! Reading audit files into [`Event`]s: Kubernetes `audit.k8s.io/v1` Events (the API
//! server's log backend: one JSON object per line; an `EventList` on a line, as a webhook
//! backend's batch; a JSON array or a multi-line `EventList` too), other tools' JSON Lines and
//! CSV through `--map FIELD=PATH` (dotted paths), plain or gzipped.
//!
//! This module reads one line (or record); `pipeline` reads JSON Lines in blocks on threads
//! (bounded memory). A JSON array or multi-line `EventList` is one JSON value, read whole.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// The kinds of audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditFormat {
    /// Kubernetes `audit.k8s.io/v1` (or `v1beta1`) Events.
    K8s,
    /// One JSON object per line, fields found with `--map`.
    Jsonl,
    /// CSV with a header row, columns found with `--map`.
    Csv,
}

impl AuditFormat {
    /// Parses `k8s`, `jsonl` or `csv`.
    pub fn parse(text: &str) -> Result<AuditFormat> {
        match text.to_ascii_lowercase().as_str() {
            "k8s" | "kubernetes" => Ok(AuditFormat::K8s),
            "jsonl" | "json" | "ndjson" => Ok(AuditFormat::Jsonl),
            "csv" => Ok(AuditFormat::Csv),
            other => Err(Error::invalid("--format", format!("expected k8s, jsonl or csv, found {other:?}"))),
        }
    }
}

/// Text of an event's field: kept inline up to 24 bytes (most actors, verbs, resources,
/// namespaces and times), so a parsed event rarely allocates.
pub type Text = compact_str::CompactString;

/// One audit event, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub actor: Text,
    /// The verb, or `verb resource/subresource` for a subresource (`create pods/exec`).
    pub action: Text,
    pub resource: Option<Text>,
    pub namespace: Option<Text>,
    pub name: Option<Text>,
    /// UTC, RFC 3339.
    pub at: DateTime<Utc>,
    pub code: Option<i64>,
    /// The source's own event id (`auditID`), when it has one.
    pub id: Option<Text>,
}

/// What one line gave.
#[derive(Debug)]
pub enum LineResult {
    Event(Event),
    /// Not counted (another stage than `ResponseComplete`, a `system:` user).
    Skipped(Skip),
    /// Nothing on the line.
    Blank,
}

/// Why a line was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Stage,
    System,
}

/// The fields `--map` can set, and which are required.
pub const MAP_FIELDS: [(&str, bool); 8] = [
    ("actor", true),
    ("action", true),
    ("time", true),
    ("resource", false),
    ("namespace", false),
    ("name", false),
    ("code", false),
    ("id", false),
];

/// Where each field is found in a JSON Lines or CSV record: a dotted path or a column name.
#[derive(Debug, Clone, Default)]
pub struct FieldMap {
    paths: BTreeMap<&'static str, Vec<String>>,
}

impl FieldMap {
    /// Builds a map from `FIELD=PATH` pairs; an unknown field or a missing required one is
    /// an error naming it. Defaults: each field's own name (and `timestamp`, `user`, `verb`).
    pub fn new(pairs: &[(String, String)], format: AuditFormat) -> Result<FieldMap> {
        let mut paths = BTreeMap::new();
        for (field, path) in pairs {
            let Some((name, _)) = MAP_FIELDS.iter().find(|(f, _)| f == field) else {
                let known: Vec<&str> = MAP_FIELDS.iter().map(|(f, _)| *f).collect();
                return Err(Error::invalid(
                    format!("--map {field}={path}"),
                    format!("unknown field `{field}`; the fields are: {}", known.join(", ")),
                ));
            };
            if path.trim().is_empty() {
                return Err(Error::invalid(format!("--map {field}="), "expected a path after `=`"));
            }
            let segs = if format == AuditFormat::Csv {
                vec![path.trim().to_string()]
            } else {
                path.trim().split('.').map(str::to_string).collect()
            };
            paths.insert(*name, segs);
        }
        for (field, _) in MAP_FIELDS {
            paths.entry(field).or_insert_with(|| vec![field.to_string()]);
        }
        Ok(FieldMap { paths })
    }

    fn path(&self, field: &str) -> &[String] {
        self.paths.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The column names a CSV needs for the required fields.
    fn required_columns(&self) -> Vec<(&'static str, String)> {
        MAP_FIELDS.iter().filter(|(_, req)| *req).map(|(f, _)| (*f, self.path(f).join("."))).collect()
    }
}

/// Opens `reader` as plain or gzipped (by its magic bytes).
pub fn decompress<'a>(reader: impl Read + Send + 'a) -> std::io::Result<Box<dyn BufRead + Send + 'a>> {
    let mut buf = BufReader::with_capacity(1 << 16, reader);
    let head = buf.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(buf))))
    } else {
        Ok(Box::new(buf))
    }
}

/// Parses a time: RFC 3339, or epoch seconds / milliseconds (a number of 12 digits or more
/// is milliseconds).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(n) = t.parse::<f64>() {
        return epoch(n);
    }
    DateTime::parse_from_rfc3339(t).ok().map(|d| d.with_timezone(&Utc))
}

fn epoch(n: f64) -> Option<DateTime<Utc>> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = if n >= 1e11 { n } else { n * 1000.0 };
    Utc.timestamp_millis_opt(ms as i64).single()
}

/// An RFC 3339 time in UTC. The form the API server writes (`2026-11-02T09:15:00.123456Z`)
/// is read by hand; any other (an offset, a lower-case `t`, a leap second, more than nine
/// digits of fraction) by chrono, with the same result.
pub fn rfc3339_utc(text: &str) -> Option<DateTime<Utc>> {
    fn fast(b: &[u8]) -> Option<DateTime<Utc>> {
        if b.len() < 20 || b[b.len() - 1] != b'Z' || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        let (y, mo, d, h, mi, sec) =
            (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
        let nanos = match &b[19..b.len() - 1] {
            [] => 0,
            [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
                num(20..20 + digits.len())? * 10u32.pow(9 - digits.len() as u32)
            }
            _ => return None,
        };
        if sec > 59 {
            return None;
        }
        let date = chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)?;
        Some(date.and_hms_nano_opt(h, mi, sec, nanos)?.and_utc())
    }
    fast(text.as_bytes()).or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|d| d.with_timezone(&Utc)))
}

/// The stored form of a time.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// [`format_time`] as [`Text`], written by hand for the years 0–9999 (chrono's formatter
/// parses its pattern at every call, a good part of an import's time per event).
pub fn time_text(t: &DateTime<Utc>) -> Text {
    use chrono::{Datelike, Timelike};
    let (y, leap) = (t.year(), t.nanosecond() >= 1_000_000_000);
    if !(0..=9999).contains(&y) || leap {
        return Text::from(format_time(t));
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, y as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    Text::from(std::str::from_utf8(&b).expect("ASCII digits"))
}

/// The action for a verb on a resource: `verb`, or `verb resource/subresource`.
pub fn action_of(verb: &str, resource: Option<&str>, subresource: Option<&str>) -> Text {
    match (resource, subresource) {
        (Some(r), Some(s)) if !s.is_empty() => compact_str::format_compact!("{verb} {r}/{s}"),
        _ => Text::from(verb),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sUser<'a> {
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sObjectRef<'a> {
    #[serde(borrow)]
    resource: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subresource: Option<Cow<'a, str>>,
    #[serde(borrow)]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct K8sStatus {
    code: Option<i64>,
}

/// The fields of an `audit.k8s.io` Event that Rapport reads; the rest is skipped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sEvent<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "auditID")]
    audit_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stage: Option<Cow<'a, str>>,
    #[serde(borrow)]
    verb: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user: Option<K8sUser<'a>>,
    #[serde(borrow)]
    impersonated_user: Option<K8sUser<'a>>,
    #[serde(borrow)]
    object_ref: Option<K8sObjectRef<'a>>,
    response_status: Option<K8sStatus>,
    #[serde(borrow)]
    request_received_timestamp: Option<Cow<'a, str>>,
    /// Read when `requestReceivedTimestamp` is missing (it is required in v1 and v1beta1).
    #[serde(borrow)]
    stage_timestamp: Option<Cow<'a, str>>,
    /// `audit.k8s.io/v1alpha1`'s one time; a Cloud Logging entry's time.
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    /// A GKE audit entry as Cloud Logging exports it (`protoPayload` is an AuditLog).
    #[serde(borrow)]
    proto_payload: Option<GkePayload<'a>>,
    #[serde(borrow)]
    operation: Option<GkeOperation<'a>>,
    #[serde(borrow)]
    insert_id: Option<Cow<'a, str>>,
}

impl<'a> From<super::k8s_scan::Fields<'a>> for K8sEvent<'a> {
    fn from(f: super::k8s_scan::Fields<'a>) -> Self {
        let text = |s: Option<&'a str>| s.map(Cow::Borrowed);
        let user = |present: bool, name: Option<&'a str>| present.then(|| K8sUser { username: text(name) });
        K8sEvent {
            kind: text(f.kind),
            audit_id: text(f.audit_id),
            stage: text(f.stage),
            verb: text(f.verb),
            user: user(f.has_user, f.user),
            impersonated_user: user(f.has_impersonated_user, f.impersonated_user),
            object_ref: f.has_object_ref.then(|| K8sObjectRef {
                resource: text(f.resource),
                subresource: text(f.subresource),
                namespace: text(f.namespace),
                name: text(f.name),
            }),
            response_status: f.has_response_status.then_some(K8sStatus { code: f.code }),
            request_received_timestamp: text(f.request_received_timestamp),
            stage_timestamp: text(f.stage_timestamp),
            timestamp: text(f.timestamp),
            // The scanner gives up on GKE entries.
            proto_payload: None,
            operation: None,
            insert_id: None,
        }
    }
}

/// The parts of a Cloud Logging AuditLog payload a GKE audit entry is read from.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GkePayload<'a> {
    #[serde(borrow)]
    authentication_info: Option<GkeAuth<'a>>,
    /// `io.k8s.core.v1.pods.exec.create`: the verb is the last part.
    #[serde(borrow)]
    method_name: Option<Cow<'a, str>>,
    /// `core/v1/namespaces/shop/pods/web-1/exec`, `core/v1/nodes/n1`.
    #[serde(borrow)]
    resource_name: Option<Cow<'a, str>>,
    status: Option<GkeStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GkeAuth<'a> {
    #[serde(borrow)]
    principal_email: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct GkeStatus {
    code: Option<i64>,
}

/// A Cloud Logging entry's operation: its id is the request's `auditID`; `last` is false on
/// the first of two entries of a long request.
#[derive(Deserialize)]
struct GkeOperation<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    last: Option<bool>,
}

/// Reads a GKE audit entry (Cloud Logging's `LogEntry` with an AuditLog `protoPayload`).
fn gke_from(
    ev: &K8sEvent<'_>,
    p: &GkePayload<'_>,
    include_system: bool,
) -> std::result::Result<LineResult, String> {
    if ev.operation.as_ref().and_then(|o| o.last) == Some(false) {
        return Ok(LineResult::Skipped(Skip::Stage));
    }
    let user = p
        .authentication_info
        .as_ref()
        .and_then(|a| a.principal_email.as_deref())
        .filter(|u| !u.is_empty())
        .ok_or("field `protoPayload.authenticationInfo.principalEmail`: expected a user, found none")?;
    if !include_system && user.starts_with("system:") {
        return Ok(LineResult::Skipped(Skip::System));
    }
    let method = p.method_name.as_deref().unwrap_or("");
    let verb =
        method.rsplit('.').next().filter(|v| !v.is_empty()).ok_or(
            "field `protoPayload.methodName`: expected io.k8s.GROUP.VERSION.RESOURCE.VERB, found none",
        )?;
    // group/version/[namespaces/NS/]resource[/name[/subresource]]
    let parts: Vec<&str> = p.resource_name.as_deref().unwrap_or("").split('/').collect();
    let rest: &[&str] = match parts.as_slice() {
        [_, _, "namespaces", _, rest @ ..] if !rest.is_empty() => rest,
        [_, _, rest @ ..] => rest,
        _ => &[],
    };
    let namespace = match parts.as_slice() {
        [_, _, "namespaces", ns, _, ..] => Some(*ns),
        _ => None,
    };
    let resource = rest.first().copied().filter(|r| !r.is_empty());
    let name = rest.get(1).copied().filter(|n| !n.is_empty());
    let sub = rest.get(2).copied().filter(|s| !s.is_empty());
    let ts = ev.timestamp.as_deref().ok_or("field `timestamp`: expected a time, found none")?;
    let at = DateTime::parse_from_rfc3339(ts)
        .map_err(|_| format!("field `timestamp`: expected an RFC 3339 time, found {ts:?}"))?
        .with_timezone(&Utc);
    Ok(LineResult::Event(Event {
        actor: Text::from(user),
        action: action_of(verb, resource, sub),
        resource: resource.map(Text::from),
        namespace: namespace.filter(|n| !n.is_empty()).map(Text::from),
        name: name.map(Text::from),
        at,
        code: p.status.as_ref().and_then(|s| s.code),
        id: ev.operation.as_ref().and_then(|o| o.id.as_deref()).or(ev.insert_id.as_deref()).map(Text::from),
    }))
}

/// An `EventList` (a webhook backend's batch), its items left unparsed.
#[derive(Deserialize)]
struct K8sList<'a> {
    #[serde(borrow)]
    items: Option<Vec<&'a serde_json::value::RawValue>>,
}

/// The usual line of a Kubernetes audit log read straight from its bytes: one Event, all
/// ASCII (so valid UTF-8 without a separate check), trimmed. `None` for anything else, which
/// [`k8s_line`] reads once the line is known to be UTF-8 text.
pub fn k8s_line_ascii(line: &[u8], include_system: bool) -> Option<std::result::Result<LineResult, String>> {
    let fields = super::k8s_scan::scan_ascii(line)?;
    Some(k8s_from(K8sEvent::from(fields), include_system))
}

/// Reads one line of a Kubernetes audit log: an Event, or an `EventList` (each item), or
/// either after a time and a space (as CloudWatch Logs exports to S3 write them). Each result
/// goes to `emit` in order.
pub fn k8s_line(
    text: &str,
    include_system: bool,
    emit: &mut dyn FnMut(std::result::Result<LineResult, String>),
) {
    let text = strip_time_prefix(text);
    // The scanner reads the usual line several times faster; anything else (and every error)
    // is serde_json's.
    let scanned = super::k8s_scan::scan(text.as_bytes()).map(K8sEvent::from);
    let ev: K8sEvent<'_> = match scanned {
        Some(ev) => ev,
        None => match serde_json::from_str(text) {
            Ok(ev) => ev,
            Err(e) => return emit(Err(format!("not a JSON object: {e}"))),
        },
    };
    if ev.kind.as_deref() == Some("EventList") {
        match serde_json::from_str::<K8sList<'_>>(text) {
            Ok(list) => {
                for (i, item) in list.items.unwrap_or_default().into_iter().enumerate() {
                    emit(k8s_event(item.get(), include_system).map_err(|e| format!("items[{i}]: {e}")));
                }
            }
            Err(e) => emit(Err(format!("field `items`: expected a list of Events: {e}"))),
        }
        return;
    }
    emit(k8s_from(ev, include_system))
}

/// A line `2024-05-01T10:00:00.000Z {...}` without its time (CloudWatch Logs' export to S3
/// puts the ingestion time before each event); any other text as it is.
fn strip_time_prefix(text: &str) -> &str {
    if text.starts_with('{') {
        return text;
    }
    match text.find('{') {
        Some(at) if at <= 40 && text.as_bytes()[0].is_ascii_digit() => {
            let prefix = text[..at].trim();
            if DateTime::parse_from_rfc3339(prefix).is_ok() || prefix.parse::<f64>().is_ok() {
                &text[at..]
            } else {
                text
            }
        }
        _ => text,
    }
}

/// Reads one Kubernetes audit Event (a JSON object's text).
pub fn k8s_event(text: &str, include_system: bool) -> std::result::Result<LineResult, String> {
    let ev: K8sEvent<'_> = serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    k8s_from(ev, include_system)
}

fn k8s_from(ev: K8sEvent<'_>, include_system: bool) -> std::result::Result<LineResult, String> {
    if let Some(kind) = ev.kind.as_deref() {
        if kind != "Event" {
            return Err(format!("field `kind`: expected Event, found {kind:?}"));
        }
    }
    match (ev.stage.as_deref(), &ev.proto_payload) {
        (Some("ResponseComplete"), _) => {}
        (Some(_), _) => return Ok(LineResult::Skipped(Skip::Stage)),
        (None, Some(p)) => return gke_from(&ev, p, include_system),
        (None, None) => return Err("field `stage`: expected a stage (ResponseComplete…), found none".into()),
    }
    let user = ev
        .impersonated_user
        .as_ref()
        .and_then(|u| u.username.as_deref())
        .filter(|u| !u.is_empty())
        .or_else(|| ev.user.as_ref().and_then(|u| u.username.as_deref()))
        .filter(|u| !u.is_empty())
        .ok_or("field `user.username`: expected a user name, found none")?;
    if !include_system && user.starts_with("system:") {
        return Ok(LineResult::Skipped(Skip::System));
    }
    let verb =
        ev.verb.as_deref().filter(|v| !v.is_empty()).ok_or("field `verb`: expected a verb, found none")?;
    let ts = ev
        .request_received_timestamp
        .as_deref()
        .or(ev.stage_timestamp.as_deref())
        .or(ev.timestamp.as_deref())
        .ok_or("field `requestReceivedTimestamp`: expected a time, found none")?;
    let at = rfc3339_utc(ts).ok_or_else(|| {
        format!("field `requestReceivedTimestamp`: expected an RFC 3339 time, found {ts:?}")
    })?;
    let (resource, sub, namespace, name) = match &ev.object_ref {
        Some(o) => {
            (o.resource.as_deref(), o.subresource.as_deref(), o.namespace.as_deref(), o.name.as_deref())
        }
        None => (None, None, None, None),
    };
    Ok(LineResult::Event(Event {
        actor: Text::from(user),
        action: action_of(verb, resource, sub),
        resource: resource.filter(|r| !r.is_empty()).map(Text::from),
        namespace: namespace.filter(|n| !n.is_empty()).map(Text::from),
        name: name.filter(|n| !n.is_empty()).map(Text::from),
        at,
        code: ev.response_status.and_then(|s| s.code),
        id: ev.audit_id.as_deref().map(Text::from),
    }))
}

/// The events of a whole JSON value that is an array of Events or an `EventList`.
pub fn k8s_list(
    value: Value,
    include_system: bool,
) -> std::result::Result<Vec<std::result::Result<LineResult, String>>, String> {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut obj) => match obj.remove("items") {
            Some(Value::Array(items)) => items,
            _ if obj.get("kind").and_then(Value::as_str) == Some("Event") => vec![Value::Object(obj)],
            _ => return Err("expected an audit Event, a JSON array of them or an EventList".into()),
        },
        _ => return Err("expected an audit Event, a JSON array of them or an EventList".into()),
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let text = item.to_string();
            k8s_event(&text, include_system).map_err(|e| format!("items[{i}]: {e}"))
        })
        .collect())
}

fn lookup<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Builds an event from looked-up field texts (JSON Lines and CSV share this).
fn mapped_event(
    map: &FieldMap,
    get: impl Fn(&str) -> Option<String>,
    include_system: bool,
) -> std::result::Result<LineResult, String> {
    let need = |f: &str| {
        get(f).ok_or_else(|| {
            format!("field `{}` (the {f}): expected a value, found none", map.path(f).join("."))
        })
    };
    let actor = need("actor")?;
    if !include_system && actor.starts_with("system:") {
        return Ok(LineResult::Skipped(Skip::System));
    }
    let action = need("action")?;
    let time = need("time")?;
    let at = parse_time(&time).ok_or_else(|| {
        format!(
            "field `{}` (the time): expected RFC 3339 or epoch seconds or milliseconds, found {time:?}",
            map.path("time").join(".")
        )
    })?;
    let code = match get("code") {
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            format!("field `{}` (the code): expected a whole number, found {c:?}", map.path("code").join("."))
        })?),
        None => None,
    };
    Ok(LineResult::Event(Event {
        actor: Text::from(actor),
        action: Text::from(action),
        resource: get("resource").map(Text::from),
        namespace: get("namespace").map(Text::from),
        name: get("name").map(Text::from),
        at,
        code,
        id: get("id").map(Text::from),
    }))
}

/// Reads one JSON Lines record through the field map.
pub fn jsonl_event(
    text: &str,
    map: &FieldMap,
    include_system: bool,
) -> std::result::Result<LineResult, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    if !v.is_object() {
        return Err("expected a JSON object".into());
    }
    mapped_event(map, |f| lookup(&v, map.path(f)).and_then(value_text), include_system)
}

/// A CSV audit file's header: each field's column index.
pub struct CsvColumns {
    index: BTreeMap<&'static str, usize>,
}

impl CsvColumns {
    /// Finds the mapped columns in the header; a missing required one is an error naming it.
    pub fn new(header: &csv::StringRecord, map: &FieldMap, source: &str) -> Result<CsvColumns> {
        let names: Vec<&str> = header.iter().map(|h| h.trim().trim_start_matches('\u{feff}')).collect();
        let mut index = BTreeMap::new();
        for (field, _) in MAP_FIELDS {
            let col = map.path(field).join(".");
            if let Some(i) = names.iter().position(|n| *n == col) {
                index.insert(field, i);
            }
        }
        for (field, col) in map.required_columns() {
            if !index.contains_key(field) {
                return Err(Error::invalid(
                    format!("{source}:1"),
                    format!(
                        "missing column `{col}` for the {field} (use --map {field}=COLUMN); the header has: {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        Ok(CsvColumns { index })
    }

    /// Reads one CSV record.
    pub fn event(
        &self,
        rec: &csv::StringRecord,
        map: &FieldMap,
        include_system: bool,
    ) -> std::result::Result<LineResult, String> {
        if rec.iter().all(|f| f.trim().is_empty()) {
            return Ok(LineResult::Blank);
        }
        if let Some(f) = rec.iter().find(|f| f.len() > crate::limits::FIELD) {
            return Err(format!("a field of {} bytes; fields are read up to 1 MiB", f.len()));
        }
        mapped_event(
            map,
            |f| {
                let i = *self.index.get(f)?;
                rec.get(i).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
            },
            include_system,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_read_times_equal_chronos_and_the_rest_fall_back_to_it() {
        for text in [
            "2026-11-02T09:15:00Z",
            "2026-11-02T09:15:00.1Z",
            "2026-11-02T09:15:00.123456Z",
            "2026-11-02T09:15:00.123456789Z",
            "2026-11-02T09:15:00.1234567891Z",
            "2024-02-29T23:59:59.999999Z",
            "2026-11-02t09:15:00Z",
            "2026-11-02T09:15:00+02:00",
            "2026-11-02T09:15:00.5-05:30",
            "2016-12-31T23:59:60Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-02-30T09:15:00Z",
            "2026-13-02T09:15:00Z",
            "2026-11-02T24:00:00Z",
            "2026-11-02T09:60:00Z",
            "2026-11-02T09:15:00.Z",
            "2026-11-02T09:15:0aZ",
            "2026-11-02 09:15:00Z",
            "+2026-11-02T09:15:00Z",
            "2026-11-02T09:15:00",
            "",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text).ok().map(|d| d.with_timezone(&Utc));
            assert_eq!(rfc3339_utc(text), chrono, "{text:?}");
        }
    }

    #[test]
    fn the_hand_written_time_text_equals_chronos() {
        for secs in [0i64, 59, 86_399, 951_782_400, 1_762_160_400, 253_402_300_799, -1, -62_135_596_800] {
            let t = Utc.timestamp_opt(secs, 0).unwrap();
            assert_eq!(time_text(&t), format_time(&t), "{secs}");
        }
        let far = Utc.timestamp_opt(253_402_300_800, 0).unwrap(); // the year 10000
        assert_eq!(time_text(&far), format_time(&far));
    }
}
