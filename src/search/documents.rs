//! Reading search documents out of the store: one per transcript segment, note, highlight,
//! finding, NPS comment and feedback item, with what filters and results need (study,
//! session, person, speaker, role, team, tags, times, text).

use std::collections::HashMap;

use rusqlite::{params_from_iter, Connection};

use crate::error::Result;

/// One document as read from the store.
#[derive(Debug, Clone, Default)]
pub struct DocRow {
    pub kind: &'static str,
    pub ref_id: i64,
    pub session: Option<i64>,
    pub study_id: Option<i64>,
    pub study: String,
    pub person_name: String,
    pub person_email: String,
    pub speaker: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    /// RFC 3339: the session's time (plus nothing: offsets are in start_ms), or the item's own.
    pub date: String,
    pub text: String,
}

/// Which documents to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    All,
    /// Segments, notes and highlights of one session.
    Session(i64),
    /// One document of a kind by its row id.
    One(&'static str, i64),
}

// Columns, in order: ref_id, session, study_id, study, person_name, person_email, speaker,
// role, team, tags (joined by char 31), start_ms, end_ms, date, text.
const SEGMENTS: &str = "
SELECT g.id, s.id, s.study_id, st.name, coalesce(p.name, ''), coalesce(p.email, ''),
       coalesce(sp.name, sp.label), sx.role, sx.team, NULL,
       g.start_ms, g.end_ms, s.at, g.text
FROM segments g JOIN transcripts t ON t.id = g.transcript_id JOIN sessions s ON s.id = t.session_id
JOIN studies st ON st.id = s.study_id LEFT JOIN people p ON p.id = s.person_id
LEFT JOIN speakers sp ON sp.id = g.speaker_id
LEFT JOIN people sx ON sx.id = coalesce(sp.person_id, CASE WHEN coalesce(sp.name, sp.label) = p.name THEN p.id END)";

// A note's place in the session's main recording (media::MAIN_FIRST orders the recordings
// main first): its session time less that recording's start offset.
macro_rules! note_play_ms {
    () => {
        "max(0, n.at_ms - coalesce((SELECT r.offset_ms FROM recordings r WHERE r.session_id = s.id
           ORDER BY (r.id IS (SELECT t.recording_id FROM transcripts t WHERE t.session_id = r.session_id)) DESC, r.id
           LIMIT 1), 0))"
    };
}

const NOTES: &str = concat!(
    "
SELECT n.id, s.id, s.study_id, st.name, coalesce(p.name, ''), coalesce(p.email, ''), NULL, p.role, p.team, NULL,
       ",
    note_play_ms!(),
    ", ",
    note_play_ms!(),
    ", s.at, n.text
FROM notes n JOIN sessions s ON s.id = n.session_id JOIN studies st ON st.id = s.study_id
LEFT JOIN people p ON p.id = s.person_id"
);

// Highlights of a session (its transcript or notes), of an NPS comment or of a feedback item.
const HIGHLIGHTS: &str = "
SELECT h.id, s.id, s.study_id, coalesce(st.name, ''), coalesce(p.name, r.respondent, ''),
       coalesce(p.email, r.email, fb.email, ''),
       CASE WHEN h.session_id IS NOT NULL THEN
       (SELECT coalesce(sp.name, sp.label) FROM segments g JOIN transcripts t ON t.id = g.transcript_id
          LEFT JOIN speakers sp ON sp.id = g.speaker_id
         WHERE t.session_id = s.id AND g.start_ms <= h.start_ms ORDER BY g.start_ms DESC LIMIT 1) END,
       coalesce(p.role, json_extract(r.segments, '$.role')), coalesce(p.team, json_extract(r.segments, '$.team')),
       (SELECT group_concat(tg.path, char(31)) FROM highlight_tags ht JOIN tags tg ON tg.id = ht.tag_id WHERE ht.highlight_id = h.id),
       coalesce(h.start_ms, 0), coalesce(h.end_ms, 0), coalesce(s.at, r.submitted_at, fb.submitted_at, ''),
       h.text || coalesce(char(10) || h.comment, '')
FROM highlights h LEFT JOIN sessions s ON s.id = h.session_id LEFT JOIN studies st ON st.id = s.study_id
LEFT JOIN nps_responses r ON r.id = h.nps_id LEFT JOIN feedback_items fb ON fb.id = h.feedback_id
LEFT JOIN people p ON p.id = coalesce(s.person_id, r.person_id, fb.person_id)";

const FINDINGS: &str = "
SELECT f.id, NULL, f.study_id, st.name, '', '', NULL, NULL, NULL,
       (SELECT group_concat(path, char(31)) FROM (SELECT DISTINCT tg.path FROM finding_evidence fe
          JOIN highlight_tags ht ON ht.highlight_id = fe.highlight_id JOIN tags tg ON tg.id = ht.tag_id
         WHERE fe.finding_id = f.id)),
       0, 0, f.created_at, f.title || coalesce(char(10) || f.body, '')
FROM findings f JOIN studies st ON st.id = f.study_id";

const NPS: &str = "
SELECT r.id, NULL, NULL, '', coalesce(p.name, r.respondent, ''), coalesce(r.email, ''), NULL,
       coalesce(json_extract(r.segments, '$.role'), p.role), coalesce(json_extract(r.segments, '$.team'), p.team),
       (SELECT group_concat(path, char(31)) FROM (SELECT DISTINCT tg.path FROM highlights h
          JOIN highlight_tags ht ON ht.highlight_id = h.id JOIN tags tg ON tg.id = ht.tag_id WHERE h.nps_id = r.id)),
       0, 0, r.submitted_at, r.comment
FROM nps_responses r LEFT JOIN people p ON p.id = r.person_id
WHERE r.comment IS NOT NULL AND r.comment != ''";

const FEEDBACK: &str = "
SELECT f.id, NULL, NULL, '', coalesce(p.name, ''), coalesce(f.email, ''), NULL, p.role, p.team,
       (SELECT group_concat(path, char(31)) FROM (SELECT DISTINCT tg.path FROM highlights h
          JOIN highlight_tags ht ON ht.highlight_id = h.id JOIN tags tg ON tg.id = ht.tag_id WHERE h.feedback_id = f.id)),
       0, 0, coalesce(f.submitted_at, ''), f.text
FROM feedback_items f LEFT JOIN people p ON p.id = f.person_id";

fn run(
    conn: &Connection,
    kind: &'static str,
    sql: &str,
    filter: &str,
    args: &[i64],
    f: &mut dyn FnMut(DocRow) -> Result<()>,
) -> Result<()> {
    let joiner = if sql.contains("\nWHERE ") { " AND " } else { " WHERE " };
    let full = if filter.is_empty() { sql.to_string() } else { format!("{sql}{joiner}{filter}") };
    let mut stmt = conn.prepare_cached(&full)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = rows.next()? {
        let tags: Option<String> = r.get(9)?;
        f(DocRow {
            kind,
            ref_id: r.get(0)?,
            session: r.get(1)?,
            study_id: r.get(2)?,
            study: r.get(3)?,
            person_name: r.get(4)?,
            person_email: r.get(5)?,
            speaker: r.get(6)?,
            role: r.get(7)?,
            team: r.get(8)?,
            tags: tags.map(|t| t.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default(),
            start_ms: r.get(10)?,
            end_ms: r.get(11)?,
            date: r.get(12)?,
            text: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
        })?;
    }
    Ok(())
}

/// The tagged spans of highlights, by session: a segment carries the tags of every
/// highlight it overlaps. Read once, rather than a subquery per segment.
/// Highlight spans `(start_ms, end_ms, tag path)` by session id.
type TagSpans = HashMap<i64, Vec<(i64, i64, String)>>;

fn tag_spans(conn: &Connection, session: Option<i64>) -> Result<TagSpans> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.session_id, h.start_ms, h.end_ms, tg.path FROM highlights h
         JOIN highlight_tags ht ON ht.highlight_id = h.id JOIN tags tg ON tg.id = ht.tag_id
         WHERE h.session_id IS NOT NULL AND h.source = 'session' AND (?1 IS NULL OR h.session_id = ?1)",
    )?;
    let mut spans = TagSpans::new();
    let mut rows = stmt.query([session])?;
    while let Some(r) = rows.next()? {
        spans.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?, r.get(3)?));
    }
    Ok(spans)
}

/// Calls `f` with every document the selector names.
pub fn for_each(
    conn: &Connection,
    selector: Selector,
    f: &mut dyn FnMut(DocRow) -> Result<()>,
) -> Result<()> {
    let spans = match selector {
        Selector::All => tag_spans(conn, None)?,
        Selector::Session(id) => tag_spans(conn, Some(id))?,
        Selector::One("segment", id) => {
            let session: Option<i64> = conn
                .query_row(
                    "SELECT t.session_id FROM segments g JOIN transcripts t ON t.id = g.transcript_id WHERE g.id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .ok();
            match session {
                Some(s) => tag_spans(conn, Some(s))?,
                None => HashMap::new(),
            }
        }
        Selector::One(..) => HashMap::new(),
    };
    let f = &mut |mut row: DocRow| {
        if row.kind == "segment" {
            if let Some(list) = row.session.and_then(|s| spans.get(&s)) {
                for (start, end, tag) in list {
                    if *start < row.end_ms && *end > row.start_ms && !row.tags.contains(tag) {
                        row.tags.push(tag.clone());
                    }
                }
            }
        }
        f(row)
    };
    let per_session: [(&'static str, &str, &str); 3] =
        [("segment", SEGMENTS, "g"), ("note", NOTES, "n"), ("highlight", HIGHLIGHTS, "h")];
    let standalone: [(&'static str, &str, &str); 3] =
        [("finding", FINDINGS, "f"), ("nps", NPS, "r"), ("feedback", FEEDBACK, "f")];
    match selector {
        Selector::All => {
            for (kind, sql, _) in per_session.iter().chain(standalone.iter()) {
                run(conn, kind, sql, "", &[], f)?;
            }
        }
        Selector::Session(id) => {
            for (kind, sql, _) in per_session {
                run(conn, kind, sql, "s.id = ?1", &[id], f)?;
            }
        }
        Selector::One(kind, id) => {
            if let Some((k, sql, alias)) =
                per_session.iter().chain(standalone.iter()).find(|(k, _, _)| *k == kind)
            {
                run(conn, k, sql, &format!("{alias}.id = ?1"), &[id], f)?;
            }
        }
    }
    Ok(())
}

/// How many documents [`Selector::All`] yields (for progress).
pub fn count_all(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM segments) + (SELECT count(*) FROM notes) + (SELECT count(*) FROM highlights)
              + (SELECT count(*) FROM findings) + (SELECT count(*) FROM nps_responses WHERE comment IS NOT NULL AND comment != '')
              + (SELECT count(*) FROM feedback_items)",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
