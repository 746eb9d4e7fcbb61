//! The speakers of a session: list, rename, merge, and link to a person.
//!
//! A speaker is known by its label (what the file or the engine called it). It shows as its
//! rename when it has one, else as the linked person's name, else as its label: linking
//! "Speaker 2" to priya.raman@example.com makes it "Priya Raman" in every view and export, and
//! the same person can be linked from any number of sessions. Verbs accept a speaker's label
//! or its shown name.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::atomically;
use crate::error::{Error, Result};

/// A speaker of a session, with how much they said.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SpeakerView {
    pub id: i64,
    pub label: String,
    /// What the transcript shows: the rename, else the linked person's name, else the label.
    pub name: String,
    /// The name a rename gave, if any.
    pub renamed: Option<String>,
    pub person_email: Option<String>,
    pub person_name: Option<String>,
    pub segments: i64,
    pub speaking_ms: i64,
}

/// What merging two speakers did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SpeakerMerge {
    /// The label of the speaker that was merged away.
    pub removed: String,
    /// How many segments moved to `into`.
    pub moved: i64,
    pub into: SpeakerView,
}

const VIEW_SQL: &str = "
SELECT sp.id, sp.label, coalesce(sp.name, p.name, sp.label), sp.name, p.email, p.name,
       (SELECT count(*) FROM segments g WHERE g.speaker_id = sp.id),
       (SELECT coalesce(sum(g.end_ms - g.start_ms), 0) FROM segments g WHERE g.speaker_id = sp.id),
       (SELECT min(g.start_ms) FROM segments g WHERE g.speaker_id = sp.id) AS first_ms
FROM speakers sp LEFT JOIN people p ON p.id = sp.person_id";

fn view_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SpeakerView> {
    Ok(SpeakerView {
        id: r.get(0)?,
        label: r.get(1)?,
        name: r.get(2)?,
        renamed: r.get(3)?,
        person_email: r.get(4)?,
        person_name: r.get(5)?,
        segments: r.get(6)?,
        speaking_ms: r.get(7)?,
    })
}

/// The session's speakers in order of their first words.
pub fn list_speakers(conn: &Connection, session_id: i64) -> Result<Vec<SpeakerView>> {
    crate::session::ensure(conn, session_id)?;
    let mut stmt = conn.prepare(&format!(
        "{VIEW_SQL} WHERE sp.session_id = ?1 ORDER BY first_ms IS NULL, first_ms, sp.label"
    ))?;
    let rows = stmt.query_map([session_id], view_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One speaker by id.
pub fn speaker(conn: &Connection, id: i64) -> Result<SpeakerView> {
    conn.query_row(&format!("{VIEW_SQL} WHERE sp.id = ?1"), [id], view_row)
        .optional()?
        .ok_or_else(|| Error::not_found("speaker", id))
}

/// The id of the session's speaker whose label, or else shown name, is `key` (exactly, else
/// ignoring case).
pub fn resolve_speaker(conn: &Connection, session_id: i64, key: &str) -> Result<i64> {
    let key = key.trim();
    let speakers = list_speakers(conn, session_id)?;
    let by = |exact: bool| -> Vec<&SpeakerView> {
        let eq = |a: &str| if exact { a == key } else { a.to_lowercase() == key.to_lowercase() };
        let labels: Vec<_> = speakers.iter().filter(|s| eq(&s.label)).collect();
        if labels.is_empty() {
            speakers.iter().filter(|s| eq(&s.name)).collect()
        } else {
            labels
        }
    };
    let mut found = by(true);
    if found.is_empty() {
        found = by(false);
    }
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => {
            let known: Vec<&str> = speakers.iter().map(|s| s.label.as_str()).collect();
            Err(Error::invalid(
                "speaker",
                format!(
                    "session {session_id} has no speaker {key:?}; its speakers are: {}",
                    if known.is_empty() {
                        "none (import or transcribe first)".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ))
        }
        many => Err(Error::invalid(
            "speaker",
            format!(
                "{key:?} names {} speakers of session {session_id} ({}); use a label",
                many.len(),
                many.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Renames the session's speaker `key` to `new_name`. Refuses a name another speaker of the
/// session already shows (merge them instead).
pub fn rename_speaker(conn: &Connection, session_id: i64, key: &str, new_name: &str) -> Result<SpeakerView> {
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err(Error::invalid("NEW_NAME", "a speaker's name must not be empty"));
    }
    atomically(conn, || {
        let id = resolve_speaker(conn, session_id, key)?;
        let clash = list_speakers(conn, session_id)?
            .into_iter()
            .find(|s| s.id != id && s.name.eq_ignore_ascii_case(new_name));
        if let Some(other) = clash {
            return Err(Error::invalid(
                "NEW_NAME",
                format!(
                    "speaker {:?} of session {session_id} is already called {:?}; to make them one, run \
                     `rapport speaker merge --session {session_id} {:?} {:?}`",
                    other.label, other.name, key, other.label
                ),
            ));
        }
        conn.execute("UPDATE speakers SET name = ?2 WHERE id = ?1", params![id, new_name])?;
        speaker(conn, id)
    })
}

/// Moves every segment of speaker `from` to speaker `into` and removes `from`. `into` keeps
/// its name; it takes `from`'s person when it has none.
pub fn merge_speakers(conn: &Connection, session_id: i64, from: &str, into: &str) -> Result<SpeakerMerge> {
    atomically(conn, || {
        let from_id = resolve_speaker(conn, session_id, from)?;
        let into_id = resolve_speaker(conn, session_id, into)?;
        if from_id == into_id {
            return Err(Error::invalid("INTO", format!("{from:?} and {into:?} are the same speaker")));
        }
        let removed = speaker(conn, from_id)?.label;
        let moved = conn.execute(
            "UPDATE segments SET speaker_id = ?2 WHERE speaker_id = ?1",
            params![from_id, into_id],
        )?;
        conn.execute(
            "UPDATE speakers SET person_id = coalesce(person_id, (SELECT person_id FROM speakers WHERE id = ?1))
             WHERE id = ?2",
            params![from_id, into_id],
        )?;
        conn.execute("DELETE FROM speakers WHERE id = ?1", [from_id])?;
        Ok(SpeakerMerge { removed, moved: moved as i64, into: speaker(conn, into_id)? })
    })
}

/// Links the session's speaker `label` (or shown name) to a person: the same voice is the same
/// person across sessions. The speaker then shows as the person's name unless it was renamed.
pub fn link_speaker(conn: &Connection, session_id: i64, label: &str, person_id: i64) -> Result<()> {
    atomically(conn, || {
        let id = resolve_speaker(conn, session_id, label)?;
        // A name equal to the label is not a rename (older imports stored the label as the name).
        conn.execute(
            "UPDATE speakers SET person_id = ?2, name = CASE WHEN name = label THEN NULL ELSE name END WHERE id = ?1",
            params![id, person_id],
        )?;
        Ok(())
    })
}

/// Removes the session's speakers that no segment refers to.
pub(crate) fn drop_unused(conn: &Connection, session_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM speakers WHERE session_id = ?1
           AND NOT EXISTS (SELECT 1 FROM segments g WHERE g.speaker_id = speakers.id)",
        [session_id],
    )?;
    Ok(())
}

/// Links unlinked speakers whose label is the interviewee's name to the interviewee.
pub(crate) fn link_interviewee(conn: &Connection, session_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE speakers SET person_id = (SELECT s.person_id FROM sessions s WHERE s.id = ?1)
         WHERE session_id = ?1 AND person_id IS NULL
           AND lower(label) = (SELECT lower(p.name) FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id = ?1)",
        [session_id],
    )?;
    Ok(())
}

/// The time spans `(session, start_ms, end_ms)` of every segment spoken by a speaker linked to
/// `person_id` (in any session), for a forget to find the highlights over them.
pub fn spans_of_person(conn: &Connection, person_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT sp.session_id, g.start_ms, g.end_ms FROM segments g JOIN speakers sp ON sp.id = g.speaker_id
         WHERE sp.person_id = ?1",
    )?;
    let rows = stmt.query_map([person_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Deletes every speaker linked to `person_id` with the segments they speak (their words in
/// other people's sessions) and the speakers' voices. Writes no transaction of its own (a
/// forget runs it inside its own). Returns (segments, speakers) deleted.
pub fn forget_person(conn: &Connection, person_id: i64) -> Result<(i64, i64)> {
    let segments = conn.execute(
        "DELETE FROM segments WHERE speaker_id IN (SELECT id FROM speakers WHERE person_id = ?1)",
        [person_id],
    )?;
    let speakers = conn.execute("DELETE FROM speakers WHERE person_id = ?1", [person_id])?;
    Ok((segments as i64, speakers as i64))
}
