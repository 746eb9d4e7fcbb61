//! Outreach: each contact attempt (channel, status, when), who needs a follow-up, the board
//! of invitations by status, and what an invitation is sent as: a `mailto:` link with
//! subject and body, Slack-ready text, and once a time is agreed an `.ics` file (RFC 5545,
//! one VEVENT whose UID stays the same when the time changes; SEQUENCE counts the changes).
//!
//! Writes `outreach` and updates `participations` (status, schedule, consent, incentive).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::audit::formats::format_time;
use crate::error::{Error, Result};

/// Contact channels.
pub const CHANNELS: [&str; 4] = ["slack", "email", "word-of-mouth", "other"];
/// Outreach statuses.
pub const STATUSES: [&str; 6] = ["contacted", "followed-up", "scheduled", "declined", "no-response", "done"];

/// A new contact attempt.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct OutreachInput {
    pub person_id: i64,
    pub study_id: Option<i64>,
    pub channel: String,
    pub status: String,
    pub note: Option<String>,
    /// When it happened; none: now.
    pub at: Option<String>,
}

/// A logged contact attempt.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OutreachEntry {
    pub id: i64,
    pub person_id: i64,
    pub email: String,
    pub study: Option<String>,
    pub channel: String,
    pub status: String,
    pub at: String,
    pub note: Option<String>,
}

fn check(value: &str, allowed: &[&str], field: &str) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("--{field}"),
            format!("expected one of {}, found {value:?}", allowed.join(", ")),
        ))
    }
}

/// Logs a contact attempt; when the person was invited to the study, the invitation
/// follows (scheduled, declined, done → attended). Returns the entry.
pub fn log(conn: &Connection, input: &OutreachInput, now: DateTime<Utc>) -> Result<OutreachEntry> {
    check(&input.channel, &CHANNELS, "channel")?;
    check(&input.status, &STATUSES, "status")?;
    crate::people::get(conn, input.person_id)?;
    let at = match input.at.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(t) => crate::timefmt::normalise(t).ok_or_else(|| {
            Error::invalid("--at", format!("expected a time like 2026-03-04T14:30:00Z, found {t:?}"))
        })?,
        None => format_time(&now),
    };
    let study_id = match input.study_id {
        Some(id) => Some(crate::study::get(conn, id)?.id),
        None => conn
            .query_row(
                "SELECT study_id FROM participations WHERE person_id = ?1 ORDER BY invited_at DESC LIMIT 1",
                [input.person_id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?,
    };
    let participation: Option<i64> = match study_id {
        Some(s) => conn
            .query_row(
                "SELECT id FROM participations WHERE person_id = ?1 AND study_id = ?2",
                params![input.person_id, s],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO outreach (person_id, study_id, channel, status, at, note, participation_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![input.person_id, study_id, input.channel, input.status, at, input.note, participation],
    )?;
    let id = tx.last_insert_rowid();
    if let Some(p) = participation {
        let status = match input.status.as_str() {
            "scheduled" => Some("scheduled"),
            "declined" => Some("declined"),
            "done" => Some("attended"),
            _ => None,
        };
        if let Some(s) = status {
            tx.execute("UPDATE participations SET status = ?2 WHERE id = ?1", params![p, s])?;
        }
    }
    tx.commit()?;
    entry(conn, id)
}

/// One logged contact attempt.
pub fn entry(conn: &Connection, id: i64) -> Result<OutreachEntry> {
    conn.query_row(
        "SELECT o.id, o.person_id, p.email, s.name, o.channel, o.status, o.at, o.note
         FROM outreach o JOIN people p ON p.id = o.person_id LEFT JOIN studies s ON s.id = o.study_id WHERE o.id = ?1",
        [id],
        |r| {
            Ok(OutreachEntry {
                id: r.get(0)?,
                person_id: r.get(1)?,
                email: r.get(2)?,
                study: r.get(3)?,
                channel: r.get(4)?,
                status: r.get(5)?,
                at: r.get(6)?,
                note: r.get(7)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::not_found("outreach entry", id))
}

/// Deletes a logged contact attempt.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM outreach WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("outreach entry", id));
    }
    Ok(())
}

/// Someone whose last contact got no answer yet and is at least `days` old.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Due {
    pub person_id: i64,
    pub email: String,
    pub name: String,
    pub study: Option<String>,
    pub last_status: String,
    pub last_channel: String,
    pub last_at: String,
    pub days_since: i64,
}

/// Who needs a follow-up: the latest contact (per person and study) is `contacted` or
/// `followed-up` and at least `days` days old. Oldest first.
pub fn due(conn: &Connection, days: u32, now: DateTime<Utc>) -> Result<Vec<Due>> {
    let cutoff = format_time(&(now - Duration::days(days as i64)));
    let mut stmt = conn.prepare(
        "SELECT o.person_id, p.email, p.name, s.name, o.status, o.channel, o.at
         FROM outreach o JOIN people p ON p.id = o.person_id LEFT JOIN studies s ON s.id = o.study_id
         WHERE o.id = (SELECT o2.id FROM outreach o2 WHERE o2.person_id = o.person_id
                         AND o2.study_id IS o.study_id ORDER BY o2.at DESC, o2.id DESC LIMIT 1)
           AND o.status IN ('contacted', 'followed-up') AND o.at <= ?1
         ORDER BY o.at, p.email",
    )?;
    let rows = stmt.query_map([cutoff], |r| {
        let at: String = r.get(6)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, at))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (person_id, email, name, study, last_status, last_channel, last_at) = row?;
        let days_since = crate::timefmt::parse(&last_at).map(|t| (now - t).num_days()).unwrap_or(0);
        out.push(Due { person_id, email, name, study, last_status, last_channel, last_at, days_since });
    }
    Ok(out)
}

/// One invitation as the Outreach board shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Participation {
    pub id: i64,
    pub person_id: i64,
    pub email: String,
    pub name: String,
    pub study_id: i64,
    pub study: String,
    /// invited, scheduled, attended, no-show, declined, cancelled.
    pub status: String,
    /// The latest contact's status and time, if any.
    pub last_contact: Option<String>,
    pub last_contact_at: Option<String>,
    /// A follow-up is due (see [`due`]).
    pub follow_up_due: bool,
    pub invited_at: String,
    pub scheduled_at: Option<String>,
    pub duration_min: i64,
    pub consent_form: Option<String>,
    pub consent_signed_at: Option<String>,
    pub incentive_amount: Option<f64>,
    pub incentive_currency: Option<String>,
    pub incentive_paid_at: Option<String>,
    pub why: Option<String>,
}

const PARTICIPATION_SQL: &str = "
SELECT x.id, x.person_id, p.email, p.name, x.study_id, s.name, x.status,
       (SELECT o.status FROM outreach o WHERE o.person_id = x.person_id AND o.study_id = x.study_id ORDER BY o.at DESC, o.id DESC LIMIT 1),
       (SELECT o.at FROM outreach o WHERE o.person_id = x.person_id AND o.study_id = x.study_id ORDER BY o.at DESC, o.id DESC LIMIT 1),
       x.invited_at, x.scheduled_at, x.duration_min, x.consent_form, x.consent_signed_at,
       x.incentive_amount, x.incentive_currency, x.incentive_paid_at, x.why
FROM participations x JOIN people p ON p.id = x.person_id JOIN studies s ON s.id = x.study_id";

/// The invitations of a study (or of all), with their latest contact; `days` decides when a
/// follow-up is due.
pub fn board(
    conn: &Connection,
    study_id: Option<i64>,
    days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Participation>> {
    let cutoff = format_time(&(now - Duration::days(days as i64)));
    let mut stmt = conn.prepare(&format!(
        "{PARTICIPATION_SQL} WHERE ?1 IS NULL OR x.study_id = ?1 ORDER BY x.invited_at, p.email"
    ))?;
    let rows = stmt.query_map([study_id], |r| row(r, &cutoff))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn row(r: &rusqlite::Row<'_>, cutoff: &str) -> rusqlite::Result<Participation> {
    let last_contact: Option<String> = r.get(7)?;
    let last_contact_at: Option<String> = r.get(8)?;
    let follow_up_due = matches!(last_contact.as_deref(), Some("contacted" | "followed-up"))
        && last_contact_at.as_deref().is_some_and(|at| at <= cutoff);
    Ok(Participation {
        id: r.get(0)?,
        person_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        study_id: r.get(4)?,
        study: r.get(5)?,
        status: r.get(6)?,
        last_contact,
        last_contact_at,
        follow_up_due,
        invited_at: r.get(9)?,
        scheduled_at: r.get(10)?,
        duration_min: r.get(11)?,
        consent_form: r.get(12)?,
        consent_signed_at: r.get(13)?,
        incentive_amount: r.get(14)?,
        incentive_currency: r.get(15)?,
        incentive_paid_at: r.get(16)?,
        why: r.get(17)?,
    })
}

/// One invitation by id.
pub fn participation(conn: &Connection, id: i64) -> Result<Participation> {
    conn.query_row(&format!("{PARTICIPATION_SQL} WHERE x.id = ?1"), [id], |r| row(r, ""))
        .optional()?
        .ok_or_else(|| Error::not_found("invitation", id))
}

/// Changes to an invitation; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ParticipationUpdate {
    pub status: Option<String>,
    pub scheduled_at: Option<String>,
    pub duration_min: Option<i64>,
    pub consent_form: Option<String>,
    pub consent_signed_at: Option<String>,
    pub incentive_amount: Option<f64>,
    pub incentive_currency: Option<String>,
    pub incentive_paid_at: Option<String>,
}

const PARTICIPATION_STATUSES: [&str; 6] =
    ["invited", "scheduled", "attended", "no-show", "declined", "cancelled"];

/// Updates an invitation. A new scheduled time bumps the `.ics` SEQUENCE (the UID stays).
pub fn update(conn: &Connection, id: i64, u: &ParticipationUpdate) -> Result<Participation> {
    let before = participation(conn, id)?;
    if let Some(s) = &u.status {
        check(s, &PARTICIPATION_STATUSES, "status")?;
    }
    let time = |field: &str, v: &Option<String>| -> Result<Option<String>> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(t) => crate::timefmt::normalise(t).map(Some).ok_or_else(|| {
                Error::invalid(field, format!("expected a time like 2026-03-04T14:30:00Z, found {t:?}"))
            }),
            None => Ok(None),
        }
    };
    let scheduled = time("scheduled_at", &u.scheduled_at)?;
    let signed = time("consent_signed_at", &u.consent_signed_at)?;
    let paid = time("incentive_paid_at", &u.incentive_paid_at)?;
    if let Some(c) = &u.incentive_currency {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(Error::invalid(
                "incentive_currency",
                format!("expected an ISO 4217 code like EUR, found {c:?}"),
            ));
        }
    }
    let moved = scheduled.is_some() && before.scheduled_at.is_some() && scheduled != before.scheduled_at;
    conn.execute(
        "UPDATE participations SET status = coalesce(?2, status), scheduled_at = coalesce(?3, scheduled_at),
           duration_min = coalesce(?4, duration_min), consent_form = coalesce(?5, consent_form),
           consent_signed_at = coalesce(?6, consent_signed_at), incentive_amount = coalesce(?7, incentive_amount),
           incentive_currency = coalesce(upper(?8), incentive_currency), incentive_paid_at = coalesce(?9, incentive_paid_at),
           ics_sequence = ics_sequence + ?10
         WHERE id = ?1",
        params![
            id,
            u.status,
            scheduled,
            u.duration_min,
            u.consent_form,
            signed,
            u.incentive_amount,
            u.incentive_currency,
            paid,
            moved as i64
        ],
    )?;
    participation(conn, id)
}

/// Deletes an invitation (its outreach stays, unlinked).
pub fn delete_participation(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM participations WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("invitation", id));
    }
    Ok(())
}

/// A stable UID for an invitation's calendar event.
pub fn new_uid(person_id: i64, study_id: i64, at: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{person_id}\0{study_id}\0{at}").as_bytes());
    let hex: String = h.finalize()[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@rapport.local")
}

/// The default invitation text; placeholders `{name}`, `{first_name}`, `{study}`, `{goal}`,
/// `{times}`, `{duration}`.
pub const DEFAULT_TEMPLATE: &str = "Subject: Would you talk to us about {study}?\n\n\
Hi {first_name},\n\n\
We're talking to people who use the platform every day for our research on {study}. \
Would you have {duration} minutes for a conversation? It's not a test: we want to learn how you work.\n\n\
Some times that suit us:\n{times}\n\n\
Reply with a time that works, or another one. Thank you!";

/// An invitation rendered for each way of sending it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RenderedInvitation {
    pub subject: String,
    pub body: String,
    /// `mailto:` link (RFC 6068) with subject and body.
    pub mailto: String,
    /// The same message for Slack (bold subject, plain body).
    pub slack: String,
}

fn pct(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Fills a template (`Subject: …` first line, then the body) for an invitation. `times`
/// are proposed times (RFC 3339), listed one a line.
pub fn render(
    conn: &Connection,
    participation_id: i64,
    template: Option<&str>,
    times: &[String],
) -> Result<RenderedInvitation> {
    let p = participation(conn, participation_id)?;
    let goal: Option<String> = conn
        .query_row("SELECT goal FROM studies WHERE id = ?1", [p.study_id], |r| r.get(0))
        .optional()?
        .flatten();
    let template = template.filter(|t| !t.trim().is_empty()).unwrap_or(DEFAULT_TEMPLATE);
    let mut listed = Vec::new();
    for t in times {
        let time = crate::timefmt::parse(t).ok_or_else(|| {
            Error::invalid("times", format!("expected a time like 2026-03-04T14:30:00Z, found {t:?}"))
        })?;
        listed.push(format!("- {}", time.format("%A %d %B, %H:%M UTC")));
    }
    let first_name = p.name.split_whitespace().next().unwrap_or(&p.name).to_string();
    let fill = |s: &str| {
        s.replace("{name}", &p.name)
            .replace("{first_name}", &first_name)
            .replace("{study}", &p.study)
            .replace("{goal}", goal.as_deref().unwrap_or(""))
            .replace("{duration}", &p.duration_min.to_string())
            .replace(
                "{times}",
                &if listed.is_empty() { "- (to be agreed)".to_string() } else { listed.join("\n") },
            )
    };
    let filled = fill(template);
    let (subject, body) = match filled.strip_prefix("Subject:") {
        Some(rest) => {
            let (s, b) = rest.split_once('\n').unwrap_or((rest, ""));
            (s.trim().to_string(), b.trim_start_matches('\n').to_string())
        }
        None => (format!("Research conversation: {}", p.study), filled.clone()),
    };
    let crlf = body.replace("\r\n", "\n").replace('\n', "\r\n");
    let mailto = format!("mailto:{}?subject={}&body={}", pct(&p.email), pct(&subject), pct(&crlf));
    let slack = format!("*{subject}*\n\n{body}");
    Ok(RenderedInvitation { subject, body, mailto, slack })
}

fn ics_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += n;
    }
    out.push_str("\r\n");
    out
}

/// The invitation's calendar file: one VEVENT at its scheduled time.
pub fn ics(conn: &Connection, participation_id: i64, now: DateTime<Utc>) -> Result<String> {
    let p = participation(conn, participation_id)?;
    let (uid, sequence): (String, i64) = conn.query_row(
        "SELECT ics_uid, ics_sequence FROM participations WHERE id = ?1",
        [participation_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let start = p.scheduled_at.as_deref().and_then(crate::timefmt::parse).ok_or_else(|| {
        Error::invalid("scheduled_at", format!("{} has no agreed time yet; schedule one first", p.email))
    })?;
    let end = start + Duration::minutes(p.duration_min.max(1));
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Rapport//Research interviews//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{uid}"),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(start)),
        format!("DTEND:{}", stamp(end)),
        format!("SEQUENCE:{sequence}"),
        format!("SUMMARY:{}", ics_escape(&format!("Research conversation: {}", p.study))),
        format!(
            "DESCRIPTION:{}",
            ics_escape(&format!("An interview for the study {} with {}.", p.study, p.name))
        ),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT:mailto:{}",
            ics_escape(&p.name).replace(':', ""),
            p.email
        ),
        "STATUS:CONFIRMED".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ] {
        out.push_str(&fold(&line));
    }
    Ok(out)
}

/// A study's invitations as CSV: email, name, status, invited, scheduled, strata, why.
pub fn invitations_csv(conn: &Connection, study_id: i64) -> Result<String> {
    let rows = board(conn, Some(study_id), 5, Utc::now())?;
    let mut strata_of = conn.prepare("SELECT strata FROM participations WHERE id = ?1")?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Integrity(format!("writing CSV: {e}"));
    w.write_record(["email", "name", "status", "invited_at", "scheduled_at", "strata", "why"])
        .map_err(fail)?;
    for p in rows {
        let strata: String = strata_of.query_row([p.id], |r| r.get(0))?;
        let strata: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&strata).unwrap_or_default();
        let strata = strata.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        w.write_record([
            p.email,
            p.name,
            p.status,
            p.invited_at,
            p.scheduled_at.unwrap_or_default(),
            strata,
            p.why.unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Integrity(format!("writing CSV: {e}")))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = super::fold(&line);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), line);
    }
}
