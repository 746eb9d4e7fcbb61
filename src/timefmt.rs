//! Parsing and formatting of the timestamps stored in the database (RFC 3339, UTC).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Parses an RFC 3339 time or a bare `YYYY-MM-DD` date and returns it as UTC RFC 3339 text.
pub fn normalise(text: &str) -> Option<String> {
    parse(text).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A date as a person gives it: a bare `YYYY-MM-DD` date stays as written; an RFC 3339 time
/// is normalised to UTC.
pub fn normalise_date(text: &str) -> Option<String> {
    let text = text.trim();
    if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Some(text.to_string());
    }
    normalise(text)
}

/// Parses an RFC 3339 time or a bare `YYYY-MM-DD` date (midnight UTC).
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(super::normalise("2026-03-04T16:30:00+02:00").unwrap(), "2026-03-04T14:30:00Z");
        assert_eq!(super::normalise("2026-03-04").unwrap(), "2026-03-04T00:00:00Z");
        assert!(super::normalise("03/04/2026").is_none());
    }
}
