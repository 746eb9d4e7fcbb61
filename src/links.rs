//! Deep links: `rapport://study/ID`, `rapport://session/ID?t=SECONDS` and
//! `rapport://finding/ID`, parsed, checked against the workspace and turned into the place
//! the app opens. The app and `rapport open URL` share this.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeepLinkKind {
    Study,
    Session,
    Finding,
}

/// A parsed and resolved link.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LinkTarget {
    pub kind: DeepLinkKind,
    pub id: i64,
    /// A moment of a session, in milliseconds.
    pub t_ms: Option<i64>,
    /// The study it belongs to (the study itself for a study link).
    pub study_id: i64,
    /// What the thing is called, for a person to read.
    pub title: String,
    /// The canonical form of the link.
    pub url: String,
}

/// The link to a study.
pub fn study_url(id: i64) -> String {
    format!("rapport://study/{id}")
}

/// The link to a moment of a session (`t` in whole seconds when given).
pub fn session_url(id: i64, t_ms: Option<i64>) -> String {
    match t_ms {
        Some(ms) => format!("rapport://session/{id}?t={}", ms.max(0) / 1000),
        None => format!("rapport://session/{id}"),
    }
}

/// The link to a finding.
pub fn finding_url(id: i64) -> String {
    format!("rapport://finding/{id}")
}

/// A link to the outside that the window may hand to the system's own handler (the mail
/// program, the web browser): `mailto:`, `https://` or `http://`, at most 32 kB, with no space or
/// control character (a handler could take the rest for another argument). Anything else, a
/// `file:` URL or a program's own scheme among them, is refused.
pub fn external(url: &str) -> Result<String> {
    let url = url.trim();
    let bad = |why: &str| Error::invalid(url.chars().take(200).collect::<String>(), why.to_string());
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("mailto:") || lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(bad("only mailto:, https:// and http:// links open outside the app"));
    }
    if url.len() > 32 * 1024 {
        return Err(bad("the link is longer than 32 kB"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("a link to open has no spaces or control characters (percent-encode them)"));
    }
    Ok(url.to_string())
}

/// Parses a link without looking anything up: its kind, id and moment.
pub fn parse(url: &str) -> Result<(DeepLinkKind, i64, Option<i64>)> {
    let bad = |why: &str| Error::invalid(url.to_string(), why.to_string());
    let rest = url.trim().strip_prefix("rapport://").ok_or_else(|| {
        bad("expected a link starting with rapport:// (study/ID, session/ID?t=SECONDS, finding/ID)")
    })?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.trim_end_matches('/');
    let (kind, id) = path.split_once('/').ok_or_else(|| bad("expected rapport://KIND/ID"))?;
    let kind = match kind {
        "study" | "studies" => DeepLinkKind::Study,
        "session" | "sessions" => DeepLinkKind::Session,
        "finding" | "findings" => DeepLinkKind::Finding,
        other => return Err(bad(&format!("unknown kind {other:?}; expected study, session or finding"))),
    };
    let id: i64 =
        id.parse().map_err(|_| bad(&format!("expected a number after {path:?}'s kind, got {id:?}")))?;
    let mut t_ms = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "t" {
            if kind != DeepLinkKind::Session {
                return Err(bad("only a session link takes ?t=SECONDS"));
            }
            let v = v.trim_end_matches('s');
            let secs: f64 =
                v.parse().map_err(|_| bad(&format!("t must be a number of seconds, got {v:?}")))?;
            if !(0.0..1e9).contains(&secs) {
                return Err(bad("t must be zero or more seconds"));
            }
            t_ms = Some((secs * 1000.0).round() as i64);
        }
    }
    Ok((kind, id, t_ms))
}

/// Parses a link and checks that what it points at exists in this workspace.
pub fn resolve(conn: &Connection, url: &str) -> Result<LinkTarget> {
    let (kind, id, t_ms) = parse(url)?;
    let (study_id, title) = match kind {
        DeepLinkKind::Study => {
            let s = crate::study::get(conn, id)?;
            (s.id, s.name)
        }
        DeepLinkKind::Session => {
            let s = crate::session::get(conn, id)?;
            let who = if s.person_name.is_empty() { s.person_email.clone() } else { s.person_name.clone() };
            (s.study_id, format!("{who}, {}", s.at.get(..10).unwrap_or(&s.at)))
        }
        DeepLinkKind::Finding => conn
            .query_row("SELECT study_id, title FROM findings WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| Error::not_found("finding", id))?,
    };
    let url = match kind {
        DeepLinkKind::Study => study_url(id),
        DeepLinkKind::Session => session_url(id, t_ms),
        DeepLinkKind::Finding => finding_url(id),
    };
    Ok(LinkTarget { kind, id, t_ms, study_id, title, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_kinds_and_a_moment() {
        assert_eq!(parse("rapport://study/3").unwrap(), (DeepLinkKind::Study, 3, None));
        assert_eq!(parse("rapport://session/7?t=95").unwrap(), (DeepLinkKind::Session, 7, Some(95_000)));
        assert_eq!(parse("rapport://finding/2/").unwrap(), (DeepLinkKind::Finding, 2, None));
    }

    #[test]
    fn refuses_other_schemes_kinds_and_times() {
        assert!(parse("https://study/3").is_err());
        assert!(parse("rapport://person/3").is_err());
        assert_eq!(
            external(" mailto:a%40b.example?subject=Hi%20there ").unwrap(),
            "mailto:a%40b.example?subject=Hi%20there"
        );
        assert!(external("HTTPS://example.org/x").is_ok());
        for refused in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "rapport://study/1",
            "https://a.example/ b",
            "ssh://host",
            "",
            "mailto",
        ] {
            assert!(external(refused).is_err(), "{refused}");
        }
        assert!(parse("rapport://study/x").is_err());
        assert!(parse("rapport://study/3?t=5").is_err());
        assert!(parse("rapport://session/3?t=-5").is_err());
    }
}
