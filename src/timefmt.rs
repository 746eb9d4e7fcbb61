//! Parsing and formatting of the timestamps stored in the database (RFC 3339, UTC).

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

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

/// A time as a person types it (a session's time in the CLI or the form): RFC 3339, a bare
/// date, or a time without a zone (`2026-03-04T14:30`, `2026-03-04 14:30:15`), read as this
/// machine's local time, as a calendar or a `datetime-local` field means it. Files keep to
/// [`parse`], so what they say never depends on the machine that reads them.
pub fn normalise_typed(text: &str) -> Option<String> {
    let text = text.trim();
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            // A time that a clock change skips has no local reading; the earlier of two
            // readings is taken when the clock goes back.
            let t = Local.from_local_datetime(&naive).earliest()?.with_timezone(&Utc);
            return Some(t.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
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

    #[test]
    fn a_time_without_a_zone_is_read_as_local_time() {
        use chrono::{Local, TimeZone};
        let local = Local.with_ymd_and_hms(2026, 3, 4, 14, 30, 0).unwrap().with_timezone(&chrono::Utc);
        let local = local.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(super::normalise_typed("2026-03-04T14:30").as_deref(), Some(local.as_str()));
        assert_eq!(super::normalise_typed("2026-03-04 14:30:00").as_deref(), Some(local.as_str()));
        assert_eq!(super::normalise_typed("2026-03-04T14:30:00+01:00").unwrap(), "2026-03-04T13:30:00Z");
        assert!(super::normalise_typed("2026-03-04T25:30").is_none());
        assert!(super::parse("2026-03-04T14:30").is_none(), "files keep to RFC 3339");
    }
}
