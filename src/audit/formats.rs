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

/// One audit event, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub actor: String,
    /// The verb, or `verb resource/subresource` for a subresource (`create pods/exec`).
    pub action: String,
    pub resource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// UTC, RFC 3339.
    pub at: DateTime<Utc>,
    pub code: Option<i64>,
    /// The source's own event id (`auditID`), when it has one.
    pub id: Option<String>,
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

/// The stored form of a time.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The action for a verb on a resource: `verb`, or `verb resource/subresource`.
pub fn action_of(verb: &str, resource: Option<&str>, subresource: Option<&str>) -> String {
    match (resource, subresource) {
        (Some(r), Some(s)) if !s.is_empty() => format!("{verb} {r}/{s}"),
        _ => verb.to_string(),
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
        actor: user.to_string(),
        action: action_of(verb, resource, sub),
        resource: resource.map(str::to_string),
        namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
        name: name.map(str::to_string),
        at,
        code: p.status.as_ref().and_then(|s| s.code),
        id: ev
            .operation
            .as_ref()
            .and_then(|o| o.id.as_deref())
            .or(ev.insert_id.as_deref())
            .map(str::to_string),
    }))
}

/// An `EventList` (a webhook backend's batch), its items left unparsed.
#[derive(Deserialize)]
struct K8sList<'a> {
    #[serde(borrow)]
    items: Option<Vec<&'a serde_json::value::RawValue>>,
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
    let ev: K8sEvent<'_> = match serde_json::from_str(text) {
        Ok(ev) => ev,
        Err(e) => return emit(Err(format!("not a JSON object: {e}"))),
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
    let at = DateTime::parse_from_rfc3339(ts)
        .map_err(|_| format!("field `requestReceivedTimestamp`: expected an RFC 3339 time, found {ts:?}"))?
        .with_timezone(&Utc);
    let (resource, sub, namespace, name) = match &ev.object_ref {
        Some(o) => {
            (o.resource.as_deref(), o.subresource.as_deref(), o.namespace.as_deref(), o.name.as_deref())
        }
        None => (None, None, None, None),
    };
    Ok(LineResult::Event(Event {
        actor: user.to_string(),
        action: action_of(verb, resource, sub),
        resource: resource.filter(|r| !r.is_empty()).map(str::to_string),
        namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
        name: name.filter(|n| !n.is_empty()).map(str::to_string),
        at,
        code: ev.response_status.and_then(|s| s.code),
        id: ev.audit_id.map(|s| s.into_owned()),
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
        actor,
        action,
        resource: get("resource"),
        namespace: get("namespace"),
        name: get("name"),
        at,
        code,
        id: get("id"),
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
