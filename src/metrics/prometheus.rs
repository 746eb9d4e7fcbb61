//! Prometheus' HTTP API: `GET /api/v1/query_range`, split into pieces of at most
//! [`MAX_POINTS`] steps (Prometheus refuses more than 11,000 points a series) and joined.
//!
//! A bearer token comes from the caller (the CLI reads `RAPPORT_PROMETHEUS_TOKEN`). Every
//! request has a timeout; a 5xx answer or a connection error is retried with backoff (0.25 s,
//! 0.5 s, 1 s…) while the overall deadline (the timeout) allows, nothing else is. A bad query
//! gives Prometheus' own `error` text; an unreachable server one line naming the URL.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The most steps asked for in one request (Prometheus' limit is 11,000 points).
pub const MAX_POINTS: i64 = 10_000;

/// One series of a range query: its labels and `(unix_ms, value)` samples.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub token: Option<String>,
    pub timeout: Duration,
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<Series>,
}

#[derive(Deserialize)]
struct Series {
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

fn net_error(url: &str, message: impl std::fmt::Display) -> Error {
    Error::io(url, std::io::Error::other(message.to_string()))
}

fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    text
}

/// The pieces `[start, end]` (unix seconds) of a range, each at most [`MAX_POINTS`] steps.
pub fn split_range(start: i64, end: i64, step: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut from = start;
    while from <= end {
        let to = (from + (MAX_POINTS - 1) * step).min(end);
        out.push((from, to));
        from = to + step;
    }
    out
}

/// Runs a range query from `start` to `end` (unix seconds) every `step` seconds; the series
/// of all pieces joined by label set, in label order.
pub fn query_range(ep: &Endpoint, query: &str, start: i64, end: i64, step: i64) -> Result<Vec<RangeSeries>> {
    if step <= 0 {
        return Err(Error::invalid("--step", "expected a positive step"));
    }
    if end < start {
        return Err(Error::invalid("--to", "the end is before the start"));
    }
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("rapport/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(ep.timeout)
        .timeout(ep.timeout)
        .build()
        .map_err(|e| net_error(&ep.url, format!("cannot make an HTTP client: {e}")))?;
    let base = ep.url.trim_end_matches('/');
    let api = format!("{base}/api/v1/query_range");
    let deadline = Instant::now() + ep.timeout;
    let mut joined: BTreeMap<BTreeMap<String, String>, Vec<(i64, f64)>> = BTreeMap::new();
    for (from, to) in split_range(start, end, step) {
        let answer = fetch(&client, ep, &api, query, from, to, step, deadline)?;
        let data = answer.data.ok_or_else(|| net_error(&api, "Prometheus answered without data"))?;
        if data.result_type != "matrix" {
            return Err(Error::invalid(
                "--query",
                format!("expected a range vector (matrix), Prometheus gave a {}", data.result_type),
            ));
        }
        for s in data.result {
            let points = joined.entry(s.metric).or_default();
            for (t, v) in s.values {
                let value: f64 = match v.as_str() {
                    "NaN" => f64::NAN,
                    "+Inf" => f64::INFINITY,
                    "-Inf" => f64::NEG_INFINITY,
                    other => other
                        .parse()
                        .map_err(|_| net_error(&api, format!("not a number in the answer: {other:?}")))?,
                };
                points.push(((t * 1000.0).round() as i64, value));
            }
        }
    }
    Ok(joined
        .into_iter()
        .map(|(labels, mut points)| {
            points.sort_by_key(|p| p.0);
            points.dedup_by_key(|p| p.0);
            RangeSeries { labels, points }
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
fn fetch(
    client: &reqwest::blocking::Client,
    ep: &Endpoint,
    api: &str,
    query: &str,
    from: i64,
    to: i64,
    step: i64,
    deadline: Instant,
) -> Result<Answer> {
    let mut backoff = Duration::from_millis(250);
    loop {
        let url = reqwest::Url::parse_with_params(
            api,
            &[
                ("query", query.to_string()),
                ("start", from.to_string()),
                ("end", to.to_string()),
                ("step", step.to_string()),
            ],
        )
        .map_err(|e| Error::invalid("--url", format!("{api}: {e}")))?;
        let mut request = client.get(url);
        if let Some(token) = &ep.token {
            request = request.bearer_auth(token);
        }
        let retry_reason = match request.send() {
            Ok(resp) => {
                let status = resp.status();
                let body = resp.text().map_err(|e| net_error(api, with_causes(&e)))?;
                let answer: Option<Answer> = serde_json::from_str(&body).ok();
                if status.is_success() {
                    let a = answer.ok_or_else(|| net_error(api, "the answer is not Prometheus' JSON"))?;
                    if a.status == "success" {
                        return Ok(a);
                    }
                    return Err(prometheus_error(a));
                }
                if status.is_server_error() {
                    match answer {
                        Some(a) if a.error.is_some() && status.as_u16() != 503 => {
                            format!("{status}: {}", a.error.unwrap_or_default())
                        }
                        _ => format!("{status}"),
                    }
                } else {
                    return Err(match answer {
                        Some(a) if a.error.is_some() => prometheus_error(a),
                        _ if status.as_u16() == 401 || status.as_u16() == 403 => net_error(
                            api,
                            format!(
                                "{status}: the server wants a valid token (set RAPPORT_PROMETHEUS_TOKEN)"
                            ),
                        ),
                        _ => net_error(api, format!("{status}: {}", body.lines().next().unwrap_or(""))),
                    });
                }
            }
            Err(e) if e.is_timeout() => {
                return Err(net_error(api, format!("no answer within {} s", ep.timeout.as_secs_f64())))
            }
            Err(e) if e.is_connect() || e.is_request() => format!("cannot connect: {}", with_causes(&e)),
            Err(e) => return Err(net_error(api, with_causes(&e))),
        };
        if Instant::now() + backoff >= deadline {
            return Err(net_error(
                api,
                format!("{retry_reason} (gave up after {} s of retries)", ep.timeout.as_secs_f64()),
            ));
        }
        std::thread::sleep(backoff);
        backoff *= 2;
    }
}

fn prometheus_error(a: Answer) -> Error {
    let kind = a.error_type.unwrap_or_else(|| "error".into());
    Error::invalid("Prometheus", format!("{kind}: {}", a.error.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_split_into_pieces_of_at_most_ten_thousand_steps_that_meet_without_overlap() {
        let pieces = super::split_range(0, 25_000 * 15, 15);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0], (0, 9_999 * 15));
        assert_eq!(pieces[1].0, 10_000 * 15);
        assert_eq!(pieces[2], (20_000 * 15, 25_000 * 15));
        let steps: i64 = pieces.iter().map(|(a, b)| (b - a) / 15 + 1).sum();
        assert_eq!(steps, 25_001);
    }
}
