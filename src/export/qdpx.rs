//! REFI-QDA exports: a `.qdpx` project (a zip of `project.qde` and `Sources/`) and a `.qdc`
//! codebook. Users; the codebook as nested `Code`s; participants as `Case`s with their
//! attributes as `Variable`s; each transcript as a `TextSource` (plain text in `Sources/`,
//! a line per speaker's turn, `Speaker: text`) with its highlights as `PlainTextSelection`s and
//! their tags as `Coding`s; where a recording exists, an `AudioSource`/`VideoSource` whose
//! `Transcript` points at the same text with a `SyncPoint` at each segment's start and end;
//! session notes and findings as `Note`s; the NPS comments and feedback items the study's
//! highlights quote as `TextSource`s of their own (their score, segment, channel and user in
//! the `Description`), with those highlights as `PlainTextSelection`s and `Coding`s.
//! Positions count Unicode characters (code points). GUIDs are
//! derived from the workspace's ids, so exporting twice gives the same GUIDs.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::data::{SessionData, StudyData, TextItemData};
use super::esc;
use crate::coding::{HighlightRow, HighlightSource};

/// A stable GUID for `kind` and `key` within the study.
pub fn guid(study: i64, kind: &str, key: impl std::fmt::Display) -> String {
    let h = Sha256::digest(format!("rapport/{study}/{kind}/{key}").as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02X}")).collect();
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

/// A session's plain text for REFI-QDA, with each line's `(char start of text, char end, segment)`.
pub struct SourceText {
    pub text: String,
    /// Per segment: the character offsets of the line's start, of its text (after the
    /// speaker prefix) and of its end.
    pub lines: Vec<(usize, usize, usize)>,
}

/// The plain text of a session's transcript: a line per turn, `Speaker: text`, where a turn is
/// the segments one speaker says in a row (joined by spaces, so a highlight over several of
/// them is one run of the text); segments without a speaker are a line each.
pub fn source_text(session: &SessionData) -> SourceText {
    let mut text = String::new();
    let mut lines = Vec::new();
    let mut pos = 0usize;
    let mut previous: Option<&str> = None;
    for (i, g) in session.segments.iter().enumerate() {
        let speaker = g.speaker.as_deref().filter(|s| !s.is_empty());
        let same_turn = speaker.is_some() && speaker == previous;
        if i > 0 {
            text.push(if same_turn { ' ' } else { '\n' });
            pos += 1;
        }
        let line_start = pos;
        if let (Some(sp), false) = (speaker, same_turn) {
            let prefix = format!("{sp}: ");
            pos += prefix.chars().count();
            text.push_str(&prefix);
        }
        let text_start = pos;
        text.push_str(&g.text);
        pos += g.text.chars().count();
        lines.push((line_start, text_start, pos));
        previous = speaker;
    }
    SourceText { text, lines }
}

fn char_index(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn byte_index(s: &str, ch: usize) -> usize {
    s.char_indices().nth(ch).map(|(b, _)| b).unwrap_or(s.len())
}

/// Where a highlight's words are in the session's plain text, in characters `[start, end)`.
pub fn locate(session: &SessionData, src: &SourceText, h: &HighlightRow) -> Option<(usize, usize)> {
    let (hs, he) = (h.start_ms?, h.end_ms?);
    let overlapping: Vec<usize> = session
        .segments
        .iter()
        .enumerate()
        .filter(|(_, g)| g.end_ms > hs && g.start_ms < he)
        .map(|(i, _)| i)
        .collect();
    let first = *overlapping.first()?;
    let last = *overlapping.last()?;
    let from_byte = byte_index(&src.text, src.lines[first].1);
    if let Some(b) = src.text[from_byte..].find(&h.text) {
        let start = char_index(&src.text, from_byte + b);
        return Some((start, start + h.text.chars().count()));
    }
    // Several segments' words joined by spaces: from the first one's text to the last one's end.
    Some((src.lines[first].1, src.lines[last].2))
}

fn is_video(ext: &str) -> bool {
    matches!(ext.to_ascii_lowercase().as_str(), "mp4" | "mov" | "mkv" | "webm" | "avi" | "m4v")
}

/// A project ready to be zipped.
pub struct Project {
    /// `project.qde`.
    pub xml: String,
    /// Plain text sources: `(name in Sources/, text)`.
    pub texts: Vec<(String, String)>,
    /// Recordings: `(name in Sources/, sha256)`, the stored file of that name in `media/`.
    pub media: Vec<(String, String)>,
}

/// Writes the `project.qde` XML with the files of `Sources/` it refers to.
pub fn project_xml(data: &StudyData) -> Project {
    let sid = data.study.id;
    let user = guid(sid, "user", "rapport");
    let now = data.exported_at.clone();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"{}\" origin=\"Rapport {}\" creatingUserGUID=\"{user}\" creationDateTime=\"{now}\">\n",
        esc(&data.study.name),
        env!("CARGO_PKG_VERSION"),
    ));
    x.push_str(&format!("<Users><User guid=\"{user}\" name=\"Rapport\"/></Users>\n"));
    let code_guids: HashMap<String, String> =
        data.codebook.iter().map(|c| (c.path.clone(), guid(sid, "code", &c.path))).collect();
    if !data.codebook.is_empty() {
        x.push_str("<CodeBook><Codes>\n");
        x.push_str(&codes_xml(data, &code_guids));
        x.push_str("</Codes></CodeBook>\n");
    }
    // Variables: the directory fields and every attribute key.
    let mut var_names: Vec<String> = vec!["email".into(), "team".into(), "role".into(), "location".into()];
    for p in &data.participants {
        for k in p.attributes.keys() {
            if !var_names.contains(k) {
                var_names.push(k.clone());
            }
        }
    }
    if !data.participants.is_empty() {
        x.push_str("<Variables>");
        for v in &var_names {
            x.push_str(&format!(
                "<Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"Text\"/>",
                guid(sid, "variable", v),
                esc(v)
            ));
        }
        x.push_str("</Variables>\n<Cases>\n");
        for p in &data.participants {
            x.push_str(&format!("<Case guid=\"{}\" name=\"{}\">", guid(sid, "case", p.id), esc(&p.name)));
            let mut values: Vec<(String, String)> = vec![("email".into(), p.email.clone())];
            for (k, v) in [("team", &p.team), ("role", &p.role), ("location", &p.location)] {
                if let Some(v) = v {
                    values.push((k.into(), v.clone()));
                }
            }
            values.extend(p.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
            for (k, v) in values {
                x.push_str(&format!(
                    "<VariableValue><VariableRef targetGUID=\"{}\"/><TextValue>{}</TextValue></VariableValue>",
                    guid(sid, "variable", &k),
                    esc(&v)
                ));
            }
            for s in &p.sessions {
                if data.session(*s).is_some_and(|s| !s.segments.is_empty()) {
                    x.push_str(&format!("<SourceRef targetGUID=\"{}\"/>", guid(sid, "text", s)));
                }
            }
            x.push_str("</Case>\n");
        }
        x.push_str("</Cases>\n");
    }
    let mut texts = Vec::new();
    let mut media = Vec::new();
    let mut sources = String::new();
    let mut notes = String::new();
    for s in &data.sessions {
        let name = s
            .title
            .clone()
            .or_else(|| data.participant(s.person_id).map(|p| format!("Interview with {}", p.name)))
            .unwrap_or_else(|| format!("Session {}", s.id));
        let note_refs: String = s
            .notes
            .iter()
            .map(|n| format!("<NoteRef targetGUID=\"{}\"/>", guid(sid, "note", n.id)))
            .collect();
        for n in &s.notes {
            notes.push_str(&note_xml(
                data,
                &code_guids,
                &user,
                n.id,
                &format!("{name}, note at {}", super::report::clock(n.play_ms)),
                &n.text,
            ));
        }
        if s.segments.is_empty() {
            continue;
        }
        let text_guid = guid(sid, "text", s.id);
        let src = source_text(s);
        let file = format!("{text_guid}.txt");
        sources.push_str(&format!(
            "<TextSource guid=\"{text_guid}\" name=\"{}\" plainTextPath=\"internal://{file}\" creatingUser=\"{user}\" creationDateTime=\"{}\">\n",
            esc(&name),
            esc(&datetime(&s.at))
        ));
        for h in data
            .highlights
            .iter()
            .filter(|h| h.source == HighlightSource::Session && h.session_id == Some(s.id))
        {
            let Some((start, end)) = locate(s, &src, h) else { continue };
            sources.push_str(&selection_xml(data, &code_guids, &user, h, start, end));
        }
        sources.push_str(&note_refs);
        sources.push_str("</TextSource>\n");
        for r in &s.recordings {
            let kind = if is_video(&r.ext) { "VideoSource" } else { "AudioSource" };
            let media_name = format!("{}.{}", r.sha256, r.ext);
            sources.push_str(&format!(
                "<{kind} guid=\"{}\" name=\"{}\" path=\"internal://{media_name}\" creatingUser=\"{user}\">",
                guid(sid, "media", &r.sha256),
                esc(&r.file_name)
            ));
            sources.push_str(&format!(
                "<Transcript guid=\"{}\" name=\"{}\" plainTextPath=\"internal://{file}\">",
                guid(sid, "transcript", format!("{}/{}", s.id, r.sha256)),
                esc(&name)
            ));
            for (i, g) in s.segments.iter().enumerate() {
                let (line_start, _, line_end) = src.lines[i];
                sources.push_str(&format!(
                    "<SyncPoint guid=\"{}\" position=\"{line_start}\" timeStamp=\"{}\"/><SyncPoint guid=\"{}\" position=\"{line_end}\" timeStamp=\"{}\"/>",
                    guid(sid, "sync", format!("{}/{}/{i}/start", s.id, r.sha256)),
                    g.start_ms,
                    guid(sid, "sync", format!("{}/{}/{i}/end", s.id, r.sha256)),
                    g.end_ms
                ));
            }
            sources.push_str(&format!("</Transcript></{kind}>\n"));
            media.push((media_name, r.sha256.clone()));
        }
        texts.push((file, src.text));
    }
    for t in &data.text_sources {
        let kind = t.source.as_str();
        let text_guid = guid(sid, kind, t.id);
        let file = format!("{text_guid}.txt");
        sources.push_str(&format!(
            "<TextSource guid=\"{text_guid}\" name=\"{}\" plainTextPath=\"internal://{file}\" creatingUser=\"{user}\"",
            esc(&t.name())
        ));
        if let Some(at) = &t.submitted_at {
            sources.push_str(&format!(" creationDateTime=\"{}\"", esc(&datetime(at))));
        }
        sources.push_str(&format!(">\n<Description>{}</Description>\n", esc(&text_source_description(t))));
        for h in data
            .highlights
            .iter()
            .filter(|h| h.source == t.source && h.nps_id.or(h.feedback_id) == Some(t.id))
        {
            let (Some(start), Some(end)) = (h.start_char, h.end_char) else { continue };
            sources.push_str(&selection_xml(data, &code_guids, &user, h, start as usize, end as usize));
        }
        sources.push_str("</TextSource>\n");
        texts.push((file, t.text.clone()));
    }
    for f in &data.findings {
        let mut body = format!("Finding: {}\nStatus: {}", f.title, f.status.replace('_', " "));
        if let Some(s) = &f.severity {
            body.push_str(&format!("; severity: {s}"));
        }
        if let Some(b) = &f.body {
            body.push_str(&format!("\n\n{b}"));
        }
        for e in &f.evidence {
            body.push_str(&format!("\n\n\"{}\" — {}", e.text, super::report::attribution(data, e)));
        }
        notes.push_str(&format!(
            "<Note guid=\"{}\" name=\"{}\" creatingUser=\"{user}\"><PlainTextContent>{}</PlainTextContent></Note>\n",
            guid(sid, "finding", f.id),
            esc(&format!("Finding: {}", f.title)),
            esc(&body)
        ));
    }
    if !sources.is_empty() {
        x.push_str("<Sources>\n");
        x.push_str(&sources);
        x.push_str("</Sources>\n");
    }
    if !notes.is_empty() {
        x.push_str("<Notes>\n");
        x.push_str(&notes);
        x.push_str("</Notes>\n");
    }
    if let Some(goal) = &data.study.goal {
        x.push_str(&format!("<Description>{}</Description>\n", esc(goal)));
    }
    x.push_str("</Project>\n");
    Project { xml: x, texts, media }
}

/// What an NPS comment or feedback item is, for its `TextSource`'s `Description`:
/// `NPS response 12: score 3; plan: pro; by Maya; 2026-03-04T14:30:00Z`.
fn text_source_description(t: &TextItemData) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(score) = t.score {
        parts.push(format!("score {score}"));
    }
    parts.extend(t.segments.iter().cloned());
    if let Some(c) = &t.channel {
        parts.push(format!("channel: {c}"));
    }
    if let Some(p) = &t.person_name {
        parts.push(format!("by {p}"));
    }
    if let Some(at) = &t.submitted_at {
        parts.push(at.clone());
    }
    format!("{}: {}", t.name(), parts.join("; "))
}

fn note_xml(
    data: &StudyData,
    codes: &HashMap<String, String>,
    user: &str,
    note_id: i64,
    name: &str,
    text: &str,
) -> String {
    let mut x = format!(
        "<Note guid=\"{}\" name=\"{}\" creatingUser=\"{user}\"><PlainTextContent>{}</PlainTextContent>",
        guid(data.study.id, "note", note_id),
        esc(name),
        esc(text)
    );
    for h in data.highlights.iter().filter(|h| h.note_id == Some(note_id)) {
        if let Some(b) = text.find(&h.text) {
            let start = char_index(text, b);
            x.push_str(&selection_xml(data, codes, user, h, start, start + h.text.chars().count()));
        }
    }
    x.push_str("</Note>\n");
    x
}

fn selection_xml(
    data: &StudyData,
    codes: &HashMap<String, String>,
    user: &str,
    h: &HighlightRow,
    start: usize,
    end: usize,
) -> String {
    let sid = data.study.id;
    let name: String = h.text.chars().take(60).collect();
    let mut x = format!(
        "<PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\" creatingUser=\"{user}\">",
        guid(sid, "selection", h.id),
        esc(&name)
    );
    if let Some(c) = &h.comment {
        x.push_str(&format!("<Description>{}</Description>", esc(c)));
    }
    for t in &h.tags {
        if let Some(g) = codes.get(t) {
            x.push_str(&format!(
                "<Coding guid=\"{}\" creatingUser=\"{user}\"><CodeRef targetGUID=\"{g}\"/></Coding>",
                guid(sid, "coding", format!("{}/{t}", h.id))
            ));
        }
    }
    x.push_str("</PlainTextSelection>\n");
    x
}

/// The nested `Code` elements of the codebook.
fn codes_xml(data: &StudyData, guids: &HashMap<String, String>) -> String {
    fn children(data: &StudyData, guids: &HashMap<String, String>, parent: Option<&str>, out: &mut String) {
        for c in &data.codebook {
            let this_parent = c.path.rsplit_once('/').map(|(p, _)| p);
            if this_parent != parent {
                continue;
            }
            out.push_str(&format!(
                "<Code guid=\"{}\" name=\"{}\" isCodable=\"true\"",
                guids[&c.path],
                esc(&c.name)
            ));
            if let Some(color) = &c.color {
                out.push_str(&format!(" color=\"{}\"", esc(color)));
            }
            out.push('>');
            if let Some(d) = &c.description {
                out.push_str(&format!("<Description>{}</Description>", esc(d)));
            }
            children(data, guids, Some(&c.path), out);
            out.push_str("</Code>\n");
        }
    }
    let mut out = String::new();
    children(data, guids, None, &mut out);
    out
}

/// The `.qdc` codebook file.
pub fn codebook_xml(data: &StudyData) -> String {
    let guids: HashMap<String, String> =
        data.codebook.iter().map(|c| (c.path.clone(), guid(data.study.id, "code", &c.path))).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"Rapport {}\">\n<Codes>\n{}</Codes>\n</CodeBook>\n",
        env!("CARGO_PKG_VERSION"),
        codes_xml(data, &guids)
    )
}

/// An RFC 3339 time as `xsd:dateTime` (already one; a bare date gets midnight UTC).
fn datetime(at: &str) -> String {
    if at.len() == 10 {
        format!("{at}T00:00:00Z")
    } else {
        at.to_string()
    }
}
