//! Deletes that reach everywhere: forgetting a person, deleting a session, deleting a study.
//!
//! Owns `deletion_log` (migration `DELETION_LOG`): one row per forget or delete with who ran
//! it (the OS user), when, what kind of thing went and how many rows of each kind, never the
//! person's name, email or words. Every delete of people's data goes through here, the CLI's
//! and the window's alike, so each reaches the same places:
//!
//! - a **session**: its transcript (segments and their edit history), speakers and their
//!   voices, notes, highlights (the findings they backed keep their text and count the
//!   evidence they lost), recordings, and the files in `media/` no other session uses;
//! - a **study**: all its sessions as above, its findings and everything else it owns;
//! - a **person**: their sessions as above; their words in other sessions (segments of
//!   speakers linked to them, and the highlights over those words); their audit events
//!   (matched to them, or with their email as the actor), activity, outreach and
//!   invitations; NPS responses and feedback items linked to them or carrying their email;
//!   voice profiles linked to them; catalog users with their email; saved searches naming
//!   them; the `manager` field of the people who report to them; the person.
//!
//! Each runs in one transaction with SQLite's `secure_delete` on (freed space is zeroed),
//! removes the unused media files after the commit, rewrites the database (`VACUUM`: pages
//! written before secure delete was on may keep old text in their free space) and
//! checkpoints the WAL, so the deleted bytes leave the database files too. Each also asks the
//! search index for a full rebuild at its next sync (the CLI and the app sync right after a
//! write): deleted documents would otherwise stay in the index's segment files until a merge.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::session::{self, DeletePlan};
use crate::{catalog, coding, diarize, finding, media, nps, people, search, store, study, transcript};

/// What forgetting a person removes (shown before, returned after).
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct ForgetPlan {
    pub email: String,
    pub name: String,
    /// Their sessions with what is in them.
    pub sessions: DeletePlan,
    /// Their words in other people's sessions (segments of speakers linked to them).
    pub segments_elsewhere: i64,
    /// Highlights over those words.
    pub highlights_elsewhere: i64,
    /// Findings that lose evidence (they keep their text and say so).
    pub findings_losing_evidence: i64,
    pub audit_events: i64,
    pub outreach: i64,
    pub participations: i64,
    pub nps_responses: i64,
    pub feedback_items: i64,
    pub voice_profiles: i64,
    pub catalog_users: i64,
    pub saved_searches: i64,
}

/// One entry of the deletion log.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeletionLogEntry {
    pub id: i64,
    pub at: String,
    /// The OS user who ran it.
    pub actor: String,
    /// person, session or study.
    pub what: String,
    /// Rows (and files) removed, by kind.
    #[ts(type = "Record<string, number>")]
    pub counts: BTreeMap<String, i64>,
}

/// Who is deleting: the OS user, else "unknown".
fn actor() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

fn count(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<i64> {
    Ok(conn.query_row(sql, p, |r| r.get(0))?)
}

/// What names a person in a saved query: their email, and their name when it is long
/// enough not to match other words by chance.
fn words_of<'a>(email: &'a str, name: &'a str) -> Vec<&'a str> {
    let mut words = vec![email];
    if name.trim().chars().count() >= 4 {
        words.push(name.trim());
    }
    words
}

fn sessions_of_person(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM sessions WHERE person_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The highlights a person's forget removes: those of their sessions and those over their
/// words elsewhere (the second list is the part outside their sessions).
fn person_highlights(conn: &Connection, id: i64, sessions: &[i64]) -> Result<(Vec<i64>, Vec<i64>)> {
    let own = coding::highlights::ids_of_sessions(conn, sessions)?;
    let spans = transcript::speakers::spans_of_person(conn, id)?;
    let elsewhere: Vec<i64> =
        coding::highlights::ids_overlapping(conn, &spans)?.into_iter().filter(|h| !own.contains(h)).collect();
    Ok((own, elsewhere))
}

fn findings_backed_by(conn: &Connection, highlights: &[i64]) -> Result<i64> {
    let ids = serde_json::to_string(highlights).expect("ids serialise");
    count(
        conn,
        "SELECT count(DISTINCT finding_id) FROM finding_evidence WHERE highlight_id IN (SELECT value FROM json_each(?1))",
        [ids],
    )
}

/// What forgetting the person `id` removes.
pub fn person_plan(conn: &Connection, id: i64) -> Result<ForgetPlan> {
    let p = people::get(conn, id)?;
    let sessions = sessions_of_person(conn, id)?;
    let (own, elsewhere) = person_highlights(conn, id, &sessions)?;
    let all: Vec<i64> = own.iter().chain(&elsewhere).copied().collect();
    let by_id = |sql: &str| count(conn, sql, [id]);
    Ok(ForgetPlan {
        sessions: session::plan_for(conn, "person", &p.email, &sessions)?,
        segments_elsewhere: by_id(
            "SELECT count(*) FROM segments g JOIN speakers sp ON sp.id = g.speaker_id
             JOIN transcripts t ON t.id = g.transcript_id JOIN sessions s ON s.id = t.session_id
             WHERE sp.person_id = ?1 AND s.person_id IS NOT ?1",
        )?,
        highlights_elsewhere: elsewhere.len() as i64,
        findings_losing_evidence: findings_backed_by(conn, &all)?,
        audit_events: crate::audit::person_event_count(conn, id, &p.email)?,
        outreach: by_id("SELECT count(*) FROM outreach WHERE person_id = ?1")?,
        participations: by_id("SELECT count(*) FROM participations WHERE person_id = ?1")?,
        nps_responses: count(
            conn,
            "SELECT count(*) FROM nps_responses WHERE person_id = ?1 OR lower(email) = lower(?2)
             OR lower(respondent) = lower(?2) OR (?3 <> '' AND lower(respondent) = lower(?3))",
            params![id, p.email, p.name],
        )?,
        feedback_items: count(
            conn,
            "SELECT count(*) FROM feedback_items WHERE person_id = ?1 OR lower(email) = lower(?2)",
            params![id, p.email],
        )?,
        voice_profiles: by_id("SELECT count(*) FROM voice_profiles WHERE person_id = ?1")?,
        catalog_users: count(
            conn,
            "SELECT count(*) FROM catalog_entities WHERE kind = 'user' AND lower(email) = lower(?1)",
            [&p.email],
        )?,
        saved_searches: search::mentioning(conn, &words_of(&p.email, &p.name))?.len() as i64,
        email: p.email,
        name: p.name,
    })
}

/// Counts of a session or study delete, for the log.
fn plan_counts(plan: &DeletePlan) -> BTreeMap<String, i64> {
    BTreeMap::from([
        ("sessions".into(), plan.sessions),
        ("segments".into(), plan.segments),
        ("highlights".into(), plan.highlights),
        ("notes".into(), plan.notes),
        ("recordings".into(), plan.recordings),
        ("findings".into(), plan.findings),
        ("media_files".into(), plan.files_removed.len() as i64),
    ])
}

fn log(conn: &Connection, what: &str, counts: &BTreeMap<String, i64>) -> Result<()> {
    conn.execute(
        "INSERT INTO deletion_log (at, actor, what, counts) VALUES (?1, ?2, ?3, ?4)",
        params![store::now(), actor(), what, serde_json::to_string(counts).expect("counts serialise")],
    )?;
    Ok(())
}

/// Deletes these sessions with everything in them inside the caller's transaction: the
/// findings they back note the evidence they lose; returns the media files to remove after
/// the commit.
fn remove_sessions(conn: &Connection, media_dir: &Path, sessions: &[i64]) -> Result<Vec<PathBuf>> {
    let highlights = coding::highlights::ids_of_sessions(conn, sessions)?;
    finding::note_evidence_removed(conn, &highlights)?;
    let shas = media::shas_of_sessions(conn, sessions)?;
    session::delete_rows(conn, sessions)?;
    media::forget_unreferenced(conn, media_dir, &shas)
}

/// Runs `f` in one transaction with secure delete on, then removes `files` it returns,
/// rewrites the database (`VACUUM`: free space of pages written before secure delete was on
/// may still hold old text) and checkpoints the WAL, so the deleted bytes leave the
/// database's files, and asks the index for a rebuild (so they leave the index's files too).
fn atomically<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<(T, Vec<PathBuf>)>) -> Result<T> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let tx = conn.unchecked_transaction()?;
    let (out, files) = f(&tx)?;
    search::request_rebuild(&tx)?;
    tx.commit()?;
    media::remove_files(&files);
    // Best effort: the delete is done; another process reading at this moment may keep the
    // WAL (or the rewrite) from finishing, and the next delete tries again.
    if let Err(e) = conn.execute_batch("VACUUM") {
        eprintln!("rapport: warning: the database could not be rewritten after the delete: {e}");
    }
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    Ok(out)
}

/// Deletes a session with everything in it (see [`session::delete_plan`]) and logs it.
pub fn delete_session(conn: &Connection, media_dir: &Path, id: i64) -> Result<DeletePlan> {
    let plan = session::delete_plan(conn, id)?;
    atomically(conn, |tx| {
        let files = remove_sessions(tx, media_dir, &[id])?;
        log(tx, "session", &plan_counts(&plan))?;
        Ok((plan, files))
    })
}

/// Deletes a study with its sessions, findings and everything in them (see
/// [`study::delete_plan`]) and logs it.
pub fn delete_study(conn: &Connection, media_dir: &Path, id: i64) -> Result<DeletePlan> {
    let plan = study::delete_plan(conn, id)?;
    atomically(conn, |tx| {
        let sessions: Vec<i64> = tx
            .prepare("SELECT id FROM sessions WHERE study_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let files = remove_sessions(tx, media_dir, &sessions)?;
        study::delete_row(tx, id)?;
        log(tx, "study", &plan_counts(&plan))?;
        Ok((plan, files))
    })
}

/// Forgets a person everywhere (see the module's list) in one transaction, logs the counts
/// (not the person) and asks the search index for a rebuild. Returns what went.
pub fn forget_person(conn: &Connection, media_dir: &Path, id: i64) -> Result<ForgetPlan> {
    let plan = person_plan(conn, id)?;
    atomically(conn, |tx| {
        let sessions = sessions_of_person(tx, id)?;
        let (_, elsewhere) = person_highlights(tx, id, &sessions)?;
        finding::note_evidence_removed(tx, &elsewhere)?;
        coding::highlights::delete_many(tx, &elsewhere)?;
        let files = remove_sessions(tx, media_dir, &sessions)?;
        transcript::speakers::forget_person(tx, id)?;
        crate::audit::forget_person(tx, id, &plan.email)?;
        nps::forget_person(tx, id, &plan.email, &plan.name)?;
        diarize::profiles::forget_person(tx, id)?;
        catalog::forget_email(tx, &plan.email)?;
        for saved in search::mentioning(tx, &words_of(&plan.email, &plan.name))? {
            search::delete_saved(tx, saved)?;
        }
        people::delete_row(tx, id)?;
        let mut counts = plan_counts(&plan.sessions);
        counts.extend([
            ("people".into(), 1),
            ("segments_elsewhere".into(), plan.segments_elsewhere),
            ("highlights_elsewhere".into(), plan.highlights_elsewhere),
            ("findings_losing_evidence".into(), plan.findings_losing_evidence),
            ("audit_events".into(), plan.audit_events),
            ("outreach".into(), plan.outreach),
            ("participations".into(), plan.participations),
            ("nps_responses".into(), plan.nps_responses),
            ("feedback_items".into(), plan.feedback_items),
            ("voice_profiles".into(), plan.voice_profiles),
            ("catalog_users".into(), plan.catalog_users),
            ("saved_searches".into(), plan.saved_searches),
        ]);
        log(tx, "person", &counts)?;
        Ok((plan, files))
    })
}

/// The deletion log, newest first.
pub fn log_entries(conn: &Connection) -> Result<Vec<DeletionLogEntry>> {
    let mut stmt = conn.prepare("SELECT id, at, actor, what, counts FROM deletion_log ORDER BY id DESC")?;
    let rows = stmt.query_map([], |r| {
        let counts: String = r.get(4)?;
        Ok(DeletionLogEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            what: r.get(3)?,
            counts: serde_json::from_str(&counts).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
