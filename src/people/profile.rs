//! One person's page: the directory's fields, attributes, contact status, the activity the
//! audit logs give (with the observed role and why), and their history (outreach,
//! invitations, sessions), newest first.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::ContactStatus;
use crate::audit::activity::{self, Activity};
use crate::error::{Error, Result};

/// Something that happened with a person.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryItem {
    pub at: String,
    /// `outreach`, `invitation` or `session`.
    pub kind: String,
    /// The outreach or participation status, or the session's title.
    pub status: String,
    pub study: Option<String>,
    pub channel: Option<String>,
    pub note: Option<String>,
    /// The outreach entry's id (`kind` `outreach`): what `outreach delete` takes.
    pub outreach_id: Option<i64>,
}

/// A person's profile (`rapport people show`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PersonProfile {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub manager: Option<String>,
    pub location: Option<String>,
    pub observed_role: Option<String>,
    pub contact_status: ContactStatus,
    pub consent: bool,
    #[ts(type = "Record<string, unknown>")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub activity: Option<Activity>,
    pub history: Vec<HistoryItem>,
}

/// The profile of the person with this id.
pub fn profile(conn: &Connection, id: i64) -> Result<PersonProfile> {
    let row = conn
        .query_row(
            "SELECT email, name, team, role, manager, location, contact_status, consent, attributes
             FROM people WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::not_found("person", id))?;
    let (email, name, team, role, manager, location, status, consent, attrs) = row;
    let activity = activity::get(conn, id)?;
    let mut history = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT o.at, 'outreach', o.status, s.name, o.channel, o.note, o.id FROM outreach o
               LEFT JOIN studies s ON s.id = o.study_id WHERE o.person_id = ?1
             UNION ALL
             SELECT p.invited_at, 'invitation', p.status, s.name, NULL, p.why, NULL FROM participations p
               JOIN studies s ON s.id = p.study_id WHERE p.person_id = ?1
             UNION ALL
             SELECT x.at, 'session', coalesce(x.title, 'interview'), s.name, NULL, NULL, NULL FROM sessions x
               JOIN studies s ON s.id = x.study_id WHERE x.person_id = ?1
             ORDER BY 1 DESC",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(HistoryItem {
                at: r.get(0)?,
                kind: r.get(1)?,
                status: r.get(2)?,
                study: r.get(3)?,
                channel: r.get(4)?,
                note: r.get(5)?,
                outreach_id: r.get(6)?,
            })
        })?;
        for h in rows {
            history.push(h?);
        }
    }
    Ok(PersonProfile {
        id,
        email,
        name,
        team,
        role,
        manager,
        location,
        observed_role: activity.as_ref().and_then(|a| a.observed_role.clone()),
        contact_status: ContactStatus::parse(&status).unwrap_or(ContactStatus::Free),
        consent,
        attributes: serde_json::from_str(&attrs).unwrap_or_default(),
        activity,
        history,
    })
}

/// The SVG chart of a person's events per week (an empty chart before any event).
pub fn activity_chart(conn: &Connection, id: i64) -> Result<String> {
    let by_week = activity::get(conn, id)?.map(|a| a.by_week).unwrap_or_default();
    crate::audit::chart::weekly_svg(&by_week, 640, 200)
}
