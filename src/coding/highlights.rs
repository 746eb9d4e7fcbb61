//! Highlights: a time span of a session's transcript, words of one of its notes, or words of an
//! NPS response's comment or a feedback item's text (a span in Unicode code points), with tags
//! and a comment. A highlight keeps its exact words: the words selected in the window, or
//! the text of the segments inside the span when only times are given (the CLI; where the
//! speaker changes inside the span, the next one's name starts a new line).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{atomically, ensure_tag};
use crate::error::{Error, Result};
use crate::store;

/// Where a highlight's words come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HighlightSource {
    /// A time span of a session's transcript.
    #[default]
    Session,
    /// Words of a researcher's note of a session.
    Note,
    /// Words of an NPS response's comment.
    Nps,
    /// Words of an in-product feedback item's text.
    Feedback,
}

impl HighlightSource {
    /// The name stored in `highlights.source` and shown by `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            HighlightSource::Session => "session",
            HighlightSource::Note => "note",
            HighlightSource::Nps => "nps",
            HighlightSource::Feedback => "feedback",
        }
    }

    /// Reads `session`, `note`, `nps` or `feedback`.
    pub fn parse(value: &str) -> Result<HighlightSource> {
        match value.trim().to_ascii_lowercase().as_str() {
            "session" | "transcript" => Ok(HighlightSource::Session),
            "note" => Ok(HighlightSource::Note),
            "nps" => Ok(HighlightSource::Nps),
            "feedback" => Ok(HighlightSource::Feedback),
            other => Err(Error::invalid(
                "--source",
                format!("{other:?} is not one of session, note, nps, feedback"),
            )),
        }
    }

    /// Whether it is words of an NPS comment or a feedback item (no session, no time).
    pub fn is_text(self) -> bool {
        matches!(self, HighlightSource::Nps | HighlightSource::Feedback)
    }
}

/// A highlight as the session page shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HighlightView {
    pub id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

/// A new highlight: a span of a session's transcript, words of one of its notes, or words of
/// an NPS response's comment or a feedback item's text.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct HighlightInput {
    /// The session (a transcript span or a note's words); none for NPS and feedback.
    #[serde(default)]
    pub session_id: Option<i64>,
    #[serde(default)]
    pub start_ms: i64,
    #[serde(default)]
    pub end_ms: i64,
    /// Tag paths (made when missing).
    pub tags: Vec<String>,
    pub comment: Option<String>,
    /// The exact words selected; they must be in the transcript inside the span (or in the
    /// note, comment or text). `None` takes the whole segments inside the span (the whole
    /// note, comment or text).
    pub text: Option<String>,
    /// Highlight words of this note of the session instead of the transcript.
    #[serde(default)]
    pub note_id: Option<i64>,
    /// Highlight words of this NPS response's comment.
    #[serde(default)]
    pub nps_id: Option<i64>,
    /// Highlight words of this feedback item's text.
    #[serde(default)]
    pub feedback_id: Option<i64>,
    /// For an NPS comment or feedback text: the span `[start_char, end_char)` in Unicode code
    /// points. Without it, the span is where `text` first occurs.
    #[serde(default)]
    pub start_char: Option<i64>,
    #[serde(default)]
    pub end_char: Option<i64>,
}

/// A highlight with where it comes from, as lists, the findings board and exports show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HighlightRow {
    pub id: i64,
    /// session, note, nps or feedback.
    pub source: HighlightSource,
    /// The session (none for an NPS comment or a feedback item).
    pub session_id: Option<i64>,
    /// The session's study (none for an NPS comment or a feedback item).
    pub study_id: Option<i64>,
    pub session_title: Option<String>,
    /// The person interviewed, who answered the survey, or who gave the feedback (when the
    /// directory knows them).
    pub person_id: Option<i64>,
    /// Their name (for NPS: the respondent's name or email when the directory does not know
    /// them; for feedback: the user).
    pub person_name: Option<String>,
    pub person_role: Option<String>,
    /// The speaker of the segment where it starts (none for a note, comment or feedback).
    pub speaker: Option<String>,
    pub note_id: Option<i64>,
    pub nps_id: Option<i64>,
    pub feedback_id: Option<i64>,
    /// The span in the session (none for NPS and feedback).
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// The span in the comment or feedback text, in Unicode code points (none otherwise).
    pub start_char: Option<i64>,
    pub end_char: Option<i64>,
    /// An NPS response's score (0–10).
    pub score: Option<i64>,
    /// An NPS response's segment attributes as `key: value` pairs, by key.
    pub segments: Vec<String>,
    /// A feedback item's channel (its `source` column: in-app, email, …).
    pub channel: Option<String>,
    /// When the response or feedback was given (RFC 3339).
    pub submitted_at: Option<String>,
    pub text: String,
    pub tags: Vec<String>,
    pub comment: Option<String>,
    /// Findings that use it as evidence.
    pub findings: Vec<i64>,
}

impl HighlightRow {
    /// Who and where, in a few words: `Maya, session 2, 03:14`-like for a session (without
    /// the clock), `NPS 3 · role: SRE` for a response, `feedback · in-app` for feedback.
    pub fn origin(&self) -> String {
        match self.source {
            HighlightSource::Nps => {
                let mut out = format!("NPS {}", self.score.map(|s| s.to_string()).unwrap_or_default());
                if !self.segments.is_empty() {
                    out.push_str(" · ");
                    out.push_str(&self.segments.join(", "));
                }
                out
            }
            HighlightSource::Feedback => match &self.channel {
                Some(c) => format!("feedback · {c}"),
                None => "feedback".to_string(),
            },
            _ => self
                .session_title
                .clone()
                .unwrap_or_else(|| format!("session {}", self.session_id.unwrap_or(0))),
        }
    }
}

pub(super) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds a highlight over `[start_ms, end_ms]` of a session's transcript with tags.
/// The text is the transcript's segments inside the span.
pub fn add_highlight(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
    tags: &[String],
    comment: Option<&str>,
) -> Result<i64> {
    add(
        conn,
        &HighlightInput {
            session_id: Some(session_id),
            start_ms,
            end_ms,
            tags: tags.to_vec(),
            comment: comment.map(str::to_string),
            ..Default::default()
        },
    )
}

/// Adds a highlight; returns its id. Tags that do not exist yet are made.
pub fn add(conn: &Connection, input: &HighlightInput) -> Result<i64> {
    let given = [input.session_id.is_some(), input.nps_id.is_some(), input.feedback_id.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(Error::invalid(
            "highlight",
            "give exactly one of a session (--session), an NPS response (--nps) or a feedback item (--feedback)",
        ));
    }
    if let Some(nps_id) = input.nps_id {
        return super::text_spans::add(conn, HighlightSource::Nps, nps_id, input);
    }
    if let Some(feedback_id) = input.feedback_id {
        return super::text_spans::add(conn, HighlightSource::Feedback, feedback_id, input);
    }
    let session_id = input.session_id.expect("one source is given");
    crate::session::ensure(conn, session_id)?;
    let (start_ms, end_ms, text) = match input.note_id {
        Some(note_id) => {
            let note: Option<(i64, String)> = conn
                .query_row(
                    "SELECT at_ms, text FROM notes WHERE id = ?1 AND session_id = ?2",
                    params![note_id, session_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (at_ms, note_text) = note.ok_or_else(|| Error::not_found("note of this session", note_id))?;
            // The note's place in the main recording, where its evidence plays.
            let at_ms = crate::media::play_ms(at_ms, crate::media::main_offset_ms(conn, session_id)?);
            let text = match input.text.as_deref().map(squash).filter(|t| !t.is_empty()) {
                Some(t) if squash(&note_text).contains(&t) => t,
                Some(t) => return Err(Error::invalid("text", format!("{t:?} is not in note {note_id}"))),
                None => note_text,
            };
            (at_ms, at_ms, text)
        }
        None => {
            let (start_ms, end_ms) = (input.start_ms, input.end_ms);
            if end_ms <= start_ms {
                return Err(Error::invalid(
                    "--to",
                    format!("the highlight must end after it starts ({start_ms} ms)"),
                ));
            }
            let segments = span_segments(conn, session_id, start_ms, end_ms)?;
            let texts: Vec<&str> = segments.iter().map(|(_, t)| t.as_str()).collect();
            if texts.is_empty() {
                return Err(Error::invalid(
                    "highlight",
                    format!("session {session_id} has no transcript text between {start_ms} and {end_ms} ms"),
                ));
            }
            let joined = texts.join(" ");
            let text = match input.text.as_deref().map(squash).filter(|t| !t.is_empty()) {
                Some(t) if squash(&joined).contains(&t) => t,
                Some(t) => {
                    return Err(Error::invalid(
                        "text",
                        format!("{t:?} is not what the transcript says between {start_ms} and {end_ms} ms"),
                    ))
                }
                None => quote_of(&segments),
            };
            (start_ms, end_ms, text)
        }
    };
    let source = if input.note_id.is_some() { HighlightSource::Note } else { HighlightSource::Session };
    atomically(conn, || {
        conn.execute(
            "INSERT INTO highlights (source, session_id, note_id, start_ms, end_ms, text, comment, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                source.as_str(),
                session_id,
                input.note_id,
                start_ms,
                end_ms,
                text,
                input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()),
                store::now()
            ],
        )?;
        let id = conn.last_insert_rowid();
        set_tags(conn, id, &input.tags)?;
        Ok(id)
    })
}

/// Stores a highlight exactly as given (used by imports that carry their own text).
pub fn insert_raw(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
    text: &str,
    comment: Option<&str>,
    tag_ids: &[i64],
) -> Result<i64> {
    conn.execute(
        "INSERT INTO highlights (source, session_id, start_ms, end_ms, text, comment, created_at)
         VALUES ('session', ?1, ?2, ?3, ?4, ?5, ?6)",
        params![session_id, start_ms, end_ms.max(start_ms), text, comment, store::now()],
    )?;
    let id = conn.last_insert_rowid();
    for tag in tag_ids {
        conn.execute(
            "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id) VALUES (?1, ?2)",
            params![id, tag],
        )?;
    }
    Ok(id)
}

/// The segments inside a span: `(shown speaker, text)` in order.
fn span_segments(
    conn: &Connection,
    session_id: i64,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<(Option<String>, String)>> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(sp.name, pp.name, sp.label), g.text FROM segments g JOIN transcripts t ON t.id = g.transcript_id
         LEFT JOIN speakers sp ON sp.id = g.speaker_id LEFT JOIN people pp ON pp.id = sp.person_id
         WHERE t.session_id = ?1 AND g.end_ms > ?2 AND g.start_ms < ?3 ORDER BY g.start_ms, g.position",
    )?;
    let rows = stmt
        .query_map(params![session_id, start_ms, end_ms], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The words of whole segments as a quote: one speaker's segments joined by spaces, and
/// where the speaker changes a new line with the next one's name (`\nMaya: …`), the way a
/// transcript reads (and the way REFI-QDA exports lay it out, so the quote is one run there).
pub fn quote_of(segments: &[(Option<String>, String)]) -> String {
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for (i, (speaker, text)) in segments.iter().enumerate() {
        let speaker = speaker.as_deref().filter(|s| !s.is_empty());
        if i > 0 {
            match speaker {
                Some(sp) if Some(sp) == previous => out.push(' '),
                Some(sp) => {
                    out.push('\n');
                    out.push_str(sp);
                    out.push_str(": ");
                }
                None => out.push('\n'),
            }
        }
        out.push_str(text);
        previous = speaker;
    }
    out
}

pub(super) fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> Result<()> {
    conn.execute("DELETE FROM highlight_tags WHERE highlight_id = ?1", [id])?;
    for tag in tags.iter().filter(|t| !t.trim().is_empty()) {
        let tag_id = ensure_tag(conn, tag, None)?;
        conn.execute(
            "INSERT OR IGNORE INTO highlight_tags (highlight_id, tag_id) VALUES (?1, ?2)",
            params![id, tag_id],
        )?;
    }
    Ok(())
}

/// Changes a highlight's tags (replacing them) and comment (`None` keeps what is there; an
/// empty comment removes it).
pub fn update(
    conn: &Connection,
    id: i64,
    tags: Option<&[String]>,
    comment: Option<&str>,
) -> Result<HighlightRow> {
    get(conn, id)?;
    atomically(conn, || {
        if let Some(tags) = tags {
            set_tags(conn, id, tags)?;
        }
        if let Some(c) = comment {
            let c = Some(c.trim()).filter(|c| !c.is_empty());
            conn.execute("UPDATE highlights SET comment = ?2 WHERE id = ?1", params![id, c])?;
        }
        Ok(())
    })?;
    get(conn, id)
}

/// Deletes a highlight (it leaves the findings it was evidence of).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM highlights WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found("highlight", id));
    }
    Ok(())
}

/// Which highlights to list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct HighlightFilter {
    /// A study: its sessions' highlights, and the NPS and feedback highlights its findings
    /// cite (with `text_sources`, every NPS and feedback highlight).
    pub study_id: Option<i64>,
    pub session_id: Option<i64>,
    /// A tag path: highlights carrying it or one of its descendants.
    pub tag: Option<String>,
    /// Only highlights of this source.
    #[serde(default)]
    pub source: Option<HighlightSource>,
    /// Only highlights of this NPS response or of this feedback item.
    #[serde(default)]
    pub nps_id: Option<i64>,
    #[serde(default)]
    pub feedback_id: Option<i64>,
    /// With a study: also the NPS and feedback highlights no finding of it cites yet (the
    /// findings board offers them to drag in; they belong to no study).
    #[serde(default)]
    pub text_sources: bool,
}

/// SQL that is true when highlight `h` belongs to study `?N` (or `?N` is NULL): a session
/// of the study, or an NPS or feedback highlight cited by one of its findings.
pub fn in_study_sql(param: usize) -> String {
    format!(
        "(?{param} IS NULL OR h.session_id IN (SELECT id FROM sessions WHERE study_id = ?{param})
          OR (h.session_id IS NULL AND h.id IN (SELECT fe.highlight_id FROM finding_evidence fe
              JOIN findings f ON f.id = fe.finding_id WHERE f.study_id = ?{param})))"
    )
}

const ROW_SQL: &str = "
SELECT h.id, h.source, h.session_id, s.study_id, s.title, p.id, coalesce(p.name, r.respondent, r.email, fb.email), p.role,
       h.note_id, h.nps_id, h.feedback_id, h.start_ms, h.end_ms, h.start_char, h.end_char,
       h.text, h.comment,
       (SELECT group_concat(path, char(31)) FROM (SELECT t.path FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
         WHERE ht.highlight_id = h.id ORDER BY t.path)),
       (SELECT group_concat(finding_id, ',') FROM finding_evidence fe WHERE fe.highlight_id = h.id),
       CASE WHEN h.source = 'session' THEN
       (SELECT coalesce(sp.name, pp.name, sp.label) FROM segments g JOIN transcripts tr ON tr.id = g.transcript_id
         LEFT JOIN speakers sp ON sp.id = g.speaker_id LEFT JOIN people pp ON pp.id = sp.person_id
         WHERE tr.session_id = h.session_id AND g.end_ms > h.start_ms ORDER BY g.start_ms, g.position LIMIT 1) END,
       r.score, r.segments, fb.source, coalesce(r.submitted_at, fb.submitted_at)
FROM highlights h LEFT JOIN sessions s ON s.id = h.session_id
LEFT JOIN nps_responses r ON r.id = h.nps_id LEFT JOIN feedback_items fb ON fb.id = h.feedback_id
LEFT JOIN people p ON p.id = coalesce(s.person_id, r.person_id, fb.person_id)";

/// An NPS response's segment attributes (a JSON object) as sorted `key: value` pairs.
pub fn segment_pairs(json: Option<&str>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(j).ok())
        .map(|m| {
            m.into_iter()
                .filter_map(|(k, v)| {
                    let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                    (!v.trim().is_empty()).then(|| format!("{k}: {v}"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HighlightRow> {
    let tags: Option<String> = r.get(17)?;
    let findings: Option<String> = r.get(18)?;
    let source: String = r.get(1)?;
    let segments: Option<String> = r.get(21)?;
    Ok(HighlightRow {
        id: r.get(0)?,
        source: HighlightSource::parse(&source).unwrap_or_default(),
        session_id: r.get(2)?,
        study_id: r.get(3)?,
        session_title: r.get(4)?,
        person_id: r.get(5)?,
        person_name: r.get(6)?,
        person_role: r.get(7)?,
        note_id: r.get(8)?,
        nps_id: r.get(9)?,
        feedback_id: r.get(10)?,
        start_ms: r.get(11)?,
        end_ms: r.get(12)?,
        start_char: r.get(13)?,
        end_char: r.get(14)?,
        text: r.get(15)?,
        comment: r.get(16)?,
        tags: tags.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default(),
        findings: findings
            .map(|f| {
                let mut ids: Vec<i64> = f.split(',').filter_map(|x| x.parse().ok()).collect();
                ids.sort_unstable();
                ids
            })
            .unwrap_or_default(),
        speaker: r.get(19)?,
        score: r.get(20)?,
        segments: segment_pairs(segments.as_deref()),
        channel: r.get(22)?,
        submitted_at: r.get(23)?,
    })
}

/// One highlight.
pub fn get(conn: &Connection, id: i64) -> Result<HighlightRow> {
    conn.query_row(&format!("{ROW_SQL} WHERE h.id = ?1"), [id], row)
        .optional()?
        .ok_or_else(|| Error::not_found("highlight", id))
}

/// Highlights matching `filter`: sessions' by session time, then NPS and feedback ones by
/// when they were given.
pub fn list(conn: &Connection, filter: &HighlightFilter) -> Result<Vec<HighlightRow>> {
    let tag_path = filter.tag.as_deref().map(super::normalise_path).transpose()?;
    if let Some(path) = &tag_path {
        super::resolve_tag(conn, path)?;
    }
    let study = if filter.text_sources {
        format!("({} OR (?1 IS NOT NULL AND h.session_id IS NULL))", in_study_sql(1))
    } else {
        in_study_sql(1)
    };
    let mut stmt = conn.prepare(&format!(
        "{ROW_SQL} WHERE {study} AND (?2 IS NULL OR h.session_id = ?2)
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
                WHERE ht.highlight_id = h.id AND (t.path = ?3 COLLATE NOCASE OR t.path LIKE ?3 || '/%')))
           AND (?4 IS NULL OR h.source = ?4) AND (?5 IS NULL OR h.nps_id = ?5) AND (?6 IS NULL OR h.feedback_id = ?6)
         ORDER BY h.session_id IS NULL, s.at, h.session_id, h.start_ms, h.source,
                  coalesce(r.submitted_at, fb.submitted_at), h.nps_id, h.feedback_id, h.start_char, h.id"
    ))?;
    let rows = stmt
        .query_map(
            params![
                filter.study_id,
                filter.session_id,
                tag_path,
                filter.source.map(HighlightSource::as_str),
                filter.nps_id,
                filter.feedback_id
            ],
            row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The highlights of a session in time order, with their tag paths.
pub fn highlights_of_session(conn: &Connection, session_id: i64) -> Result<Vec<HighlightView>> {
    Ok(list(conn, &HighlightFilter { session_id: Some(session_id), ..Default::default() })?
        .into_iter()
        .map(|h| HighlightView {
            id: h.id,
            start_ms: h.start_ms.unwrap_or(0),
            end_ms: h.end_ms.unwrap_or(0),
            text: h.text,
            tags: h.tags,
            note: h.comment,
        })
        .collect())
}

/// The ids of the highlights of these sessions.
pub fn ids_of_sessions(conn: &Connection, sessions: &[i64]) -> Result<Vec<i64>> {
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    let mut stmt =
        conn.prepare("SELECT id FROM highlights WHERE session_id IN (SELECT value FROM json_each(?1))")?;
    let rows = stmt.query_map([ids], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The ids of the highlights of a session that overlap one of the `(session, start_ms,
/// end_ms)` spans.
pub fn ids_overlapping(conn: &Connection, spans: &[(i64, i64, i64)]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM highlights WHERE session_id = ?1 AND note_id IS NULL AND start_ms < ?3 AND end_ms > ?2",
    )?;
    let mut out = std::collections::BTreeSet::new();
    for (session, start, end) in spans {
        for id in stmt.query_map(params![session, start, end], |r| r.get::<_, i64>(0))? {
            out.insert(id?);
        }
    }
    Ok(out.into_iter().collect())
}

/// Deletes these highlights (a forget's: they leave the findings they were evidence of).
/// Writes no transaction of its own. Returns how many went.
pub fn delete_many(conn: &Connection, ids: &[i64]) -> Result<i64> {
    let ids = serde_json::to_string(ids).expect("ids serialise");
    Ok(conn.execute("DELETE FROM highlights WHERE id IN (SELECT value FROM json_each(?1))", [ids])? as i64)
}
