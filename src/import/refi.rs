//! Reading REFI-QDA: a `.qdpx` project or a `.qdc` codebook written by NVivo, ATLAS.ti,
//! MAXQDA, QualCoder, Taguette or Rapport. The XML is checked against the rules of the
//! schema that an import depends on (root element and namespace, required attributes, GUID
//! and integer formats, known elements under `Project`) before anything is written; then, in
//! one savepoint: codes become tags (nested paths; colour and description kept where the tag
//! has none), cases become people (their variables as attributes), text sources become
//! sessions with a transcript (one segment per line; times from the sync points of an
//! audio/video transcript of the same text, else the character offsets; the text read from
//! the archive (`internal://`), from `relative://` paths under the project's `basePath` or
//! beside the `.qdpx`, or from absolute paths and `file://` URLs), selections with
//! codings become highlights, notes attached to a source become the session's notes. What
//! cannot be mapped is listed in the report, never dropped silently.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::safezip::SafeZip;
use super::schema::{
    check_root, norm_guid, schema_error, validate, CODEBOOK_NS, PROJECT_CHILDREN, PROJECT_NS,
};
use super::sources::{source_text, Origin};
use super::xml::{self, Node};
use crate::coding::{self, highlights};
use crate::error::{Error, Result};
use crate::transcript::Cue;

/// What an import brought in (or, for a preview, would bring in).
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct RefiImportReport {
    /// The study the sources went into (none for a codebook).
    pub study_id: Option<i64>,
    pub study: Option<String>,
    pub study_created: bool,
    /// Codes read; how many of them were new tags.
    pub codes: i64,
    pub codes_new: i64,
    pub sources: i64,
    pub sessions: Vec<i64>,
    pub codings: i64,
    pub cases: i64,
    pub notes: i64,
    /// What could not be mapped, one line each.
    pub not_imported: Vec<String>,
    /// True when nothing was written (a preview).
    pub dry_run: bool,
}

/// A code name as one level of a tag path (`/` separates levels in Rapport).
fn level(name: &str) -> String {
    let n = name.trim().replace('/', "∕");
    if n.is_empty() {
        "(unnamed code)".into()
    } else {
        n
    }
}

struct Ctx<'a> {
    conn: &'a Connection,
    report: RefiImportReport,
    codes: HashMap<String, i64>,
    /// The project's notes by GUID: `(name, text)`.
    notes: HashMap<String, (String, String)>,
    /// Notes that found a place (the rest are listed as not imported).
    notes_used: Vec<String>,
    origin: Origin,
}

fn import_codes(ctx: &mut Ctx<'_>, parent: Option<&str>, node: &Node) -> Result<()> {
    for code in node.all("Code") {
        let name = level(code.attr("name").unwrap_or(""));
        let path = match parent {
            Some(p) => format!("{p}/{name}"),
            None => name,
        };
        let existed = coding::resolve_tag(ctx.conn, &path).is_ok();
        let id = coding::ensure_tag(ctx.conn, &path, None)?;
        let tag = coding::codebook::get(ctx.conn, id)?;
        // The code's description, and its memos (notes it refers to) after it.
        let mut parts: Vec<String> = code.child_text("Description").into_iter().collect();
        for r in code.all("NoteRef") {
            let g = norm_guid(r.attr("targetGUID").unwrap_or_default());
            if let Some((_, t)) = ctx.notes.get(&g) {
                parts.push(t.clone());
                ctx.notes_used.push(g);
            }
        }
        let description = Some(parts.join("\n\n")).filter(|d| !d.trim().is_empty());
        let color = code.attr("color").and_then(|c| coding::codebook::normalise_color(c).ok());
        coding::codebook::edit(
            ctx.conn,
            id,
            if tag.description.is_none() { description.as_deref() } else { None },
            if tag.color.is_none() { color.as_deref() } else { None },
        )?;
        ctx.report.codes += 1;
        if !existed {
            ctx.report.codes_new += 1;
        }
        if let Some(g) = code.attr("guid") {
            ctx.codes.insert(norm_guid(g), id);
        }
        import_codes(ctx, Some(&path), code)?;
    }
    Ok(())
}

/// Maps a character position to a time through sync points (sorted by position), linearly
/// between them; without sync points the position itself.
fn pos_to_ms(pos: usize, syncs: &[(usize, i64)]) -> i64 {
    if syncs.is_empty() {
        return pos as i64;
    }
    let after = syncs.iter().position(|(p, _)| *p >= pos);
    match after {
        Some(0) => syncs[0].1,
        Some(i) => {
            let (p0, t0) = syncs[i - 1];
            let (p1, t1) = syncs[i];
            if p1 == p0 {
                return t1;
            }
            t0 + ((t1 - t0) as f64 * (pos - p0) as f64 / (p1 - p0) as f64).round() as i64
        }
        None => syncs.last().expect("not empty").1,
    }
}

struct Line {
    start: usize,
    end: usize,
    text: String,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    for raw in text.split('\n') {
        let n = raw.chars().count();
        let clean = raw.trim_end_matches('\r');
        if !clean.trim().is_empty() {
            out.push(Line { start: pos, end: pos + clean.chars().count(), text: clean.to_string() });
        }
        pos += n + 1;
    }
    out
}

fn substring(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end.saturating_sub(start)).collect::<String>().replace('\r', "")
}

fn note_texts(
    zip: &mut Option<SafeZip>,
    origin: &Origin,
    root: &Node,
) -> Result<HashMap<String, (String, String)>> {
    let mut notes = HashMap::new();
    if let Some(n) = root.first("Notes") {
        for note in n.all("Note") {
            let name = note.attr("name").unwrap_or("note").to_string();
            if let Ok(text) = source_text(zip, origin, note)? {
                notes.insert(norm_guid(note.attr("guid").unwrap_or_default()), (name, text));
            }
        }
    }
    Ok(notes)
}

/// A `Transcript`'s sync points (character position, time in ms), in order; a point whose
/// numbers do not parse is left out.
fn sync_points(transcript: &Node) -> Vec<(usize, i64)> {
    let mut syncs: Vec<(usize, i64)> = transcript
        .all("SyncPoint")
        .filter_map(|s| {
            Some((
                s.attr("position")?.trim().parse::<usize>().ok()?,
                s.attr("timeStamp")?.trim().parse().ok()?,
            ))
        })
        .collect();
    syncs.sort();
    syncs
}

/// Imports a parsed, validated project into `study_id`.
fn import_project(ctx: &mut Ctx<'_>, zip: &mut Option<SafeZip>, root: &Node, study_id: i64) -> Result<()> {
    ctx.notes = note_texts(zip, &ctx.origin, root)?;
    if let Some(cb) = root.first("CodeBook") {
        if let Some(codes) = cb.first("Codes") {
            import_codes(ctx, None, codes)?;
        }
    }
    if let Some(users) = root.first("Users") {
        let n = users.all("User").count();
        if n > 0 {
            ctx.report
                .not_imported
                .push(format!("{n} users (Rapport does not keep the coders of a project)"));
        }
    }
    // Variables and cases.
    let mut variables: HashMap<String, String> = HashMap::new();
    if let Some(vars) = root.first("Variables") {
        for v in vars.all("Variable") {
            variables.insert(
                norm_guid(v.attr("guid").unwrap_or_default()),
                v.attr("name").unwrap_or("").to_string(),
            );
        }
    }
    let mut source_person: HashMap<String, i64> = HashMap::new();
    if let Some(cases) = root.first("Cases") {
        for case in cases.all("Case") {
            let guid = norm_guid(case.attr("guid").unwrap_or_default());
            let name = case.attr("name").unwrap_or("").trim().to_string();
            let mut values: BTreeMap<String, String> = BTreeMap::new();
            for vv in case.all("VariableValue") {
                let Some(var) = vv.first("VariableRef").and_then(|r| r.attr("targetGUID")) else { continue };
                let Some(var_name) = variables.get(&norm_guid(var)) else {
                    ctx.report
                        .not_imported
                        .push(format!("case \"{name}\": a value of an unknown variable {var}"));
                    continue;
                };
                let value = vv
                    .children
                    .iter()
                    .find(|c| c.name.ends_with("Value") && c.name != "VariableRef")
                    .map(|c| c.text.trim().to_string())
                    .unwrap_or_default();
                values.insert(var_name.clone(), value);
            }
            let email = values
                .iter()
                .find(|(k, v)| {
                    matches!(k.to_ascii_lowercase().as_str(), "email" | "e-mail") && v.contains('@')
                })
                .map(|(_, v)| v.clone());
            let email = match email {
                Some(e) => e,
                None => {
                    let e = format!("case-{}@refi-qda.invalid", &guid[..8].to_ascii_lowercase());
                    ctx.report
                        .not_imported
                        .push(format!("case \"{name}\" has no email; added to the directory as {e}"));
                    e
                }
            };
            let person =
                crate::people::ensure(ctx.conn, &email, Some(if name.is_empty() { &email } else { &name }))?;
            crate::people::merge_attributes(ctx.conn, person, &values)?;
            ctx.report.cases += 1;
            for s in case.all("SourceRef") {
                source_person.insert(norm_guid(s.attr("targetGUID").unwrap_or_default()), person);
            }
            let selections = case.all("SelectionRef").count() + case.all("CodeRef").count();
            if selections > 0 {
                ctx.report.not_imported.push(format!(
                    "case \"{name}\": {selections} codes or selections linked to the case itself"
                ));
            }
        }
    }

    let Some(sources) = root.first("Sources") else { return Ok(()) };
    // Transcripts of audio and video, by the text they point at, with their sync points.
    let mut syncs_by_text: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    let mut transcript_by_text: HashMap<String, &Node> = HashMap::new();
    let mut transcript_nodes: Vec<(&Node, &Node)> = Vec::new();
    for media in sources.children.iter().filter(|c| c.name == "AudioSource" || c.name == "VideoSource") {
        let name = media.attr("name").or(media.attr("path")).unwrap_or("recording");
        ctx.report.not_imported.push(format!(
            "{} \"{name}\": the recording itself (add it to the session with `rapport recording add`)",
            if media.name == "AudioSource" { "audio" } else { "video" }
        ));
        for t in media.all("Transcript") {
            let syncs = sync_points(t);
            let key = t.attr("plainTextPath").map(str::to_string).unwrap_or_default();
            if !key.is_empty() {
                syncs_by_text.insert(key.clone(), syncs);
                transcript_by_text.insert(key, t);
            }
            transcript_nodes.push((media, t));
        }
    }
    let media_of: HashMap<*const Node, &Node> =
        transcript_nodes.iter().map(|(m, t)| (*t as *const Node, *m)).collect();
    let mut session_of_media: HashMap<*const Node, i64> = HashMap::new();
    let text_paths: Vec<String> =
        sources.all("TextSource").filter_map(|t| t.attr("plainTextPath").map(str::to_string)).collect();

    let mut texts: Vec<&Node> = sources.all("TextSource").collect();
    // A PDF's text representation (MAXQDA, NVivo) and a picture's text description are texts too.
    let mut named: HashMap<*const Node, String> = HashMap::new();
    let mut read_texts: std::collections::HashSet<*const Node> = std::collections::HashSet::new();
    for (kind, inner) in [("PDFSource", "Representation"), ("PictureSource", "TextDescription")] {
        for s in sources.all(kind) {
            if let Some(rep) = s.first(inner) {
                named.insert(rep as *const Node, s.attr("name").unwrap_or("source").to_string());
                texts.push(rep);
            }
        }
    }
    // A transcript whose text no TextSource carries is a source of its own.
    for (_, t) in &transcript_nodes {
        if t.attr("plainTextPath").is_none_or(|p| !text_paths.iter().any(|x| x == p)) {
            texts.push(t);
        }
    }
    for src in texts {
        let name = named
            .get(&(src as *const Node))
            .cloned()
            .or_else(|| src.attr("name").map(str::to_string))
            .unwrap_or_else(|| "source".into());
        let guid = norm_guid(src.attr("guid").unwrap_or_default());
        let text = match source_text(zip, &ctx.origin, src)? {
            Ok(t) => t,
            Err(why) => {
                let sel = src.all("PlainTextSelection").count();
                ctx.report.not_imported.push(format!(
                    "source \"{name}\": {why}{}",
                    if sel > 0 {
                        format!("; its {sel} coded selections were not imported")
                    } else {
                        String::new()
                    }
                ));
                continue;
            }
        };
        let syncs = src
            .attr("plainTextPath")
            .and_then(|p| syncs_by_text.get(p))
            .cloned()
            .or_else(|| (src.name == "Transcript").then(|| sync_points(src)))
            .unwrap_or_default();
        let cues: Vec<Cue> = lines(&text)
            .iter()
            .map(|l| {
                let (a, b) = (pos_to_ms(l.start, &syncs), pos_to_ms(l.end, &syncs));
                Cue::new(a, b.max(a), None, &l.text)
            })
            .collect();
        let at = src
            .attr("creationDateTime")
            .and_then(crate::timefmt::normalise)
            .unwrap_or_else(crate::store::now);
        let session = crate::session::create_imported(
            ctx.conn,
            study_id,
            source_person.get(&guid).copied(),
            &at,
            Some(&name),
        )?;
        if !cues.is_empty() {
            crate::transcript::store(ctx.conn, session, "refi-qda", &cues)?;
        }
        ctx.report.sources += 1;
        ctx.report.sessions.push(session);
        read_texts.insert(src as *const Node);
        let total = text.chars().count();
        // Selections by character positions, and a transcript's selections between two of
        // its sync points.
        // A text source's audio/video transcript (same text) brings its sync points and selections.
        let mut holders: Vec<&Node> = vec![src];
        if src.name == "TextSource" {
            if let Some(t) = src.attr("plainTextPath").and_then(|p| transcript_by_text.get(p)) {
                holders.push(t);
            }
        }
        if let Some(media) = holders.iter().find_map(|h| media_of.get(&(*h as *const Node))) {
            session_of_media.insert(*media as *const Node, session);
        }
        let sync_at: HashMap<String, usize> = holders
            .iter()
            .flat_map(|h| h.all("SyncPoint"))
            .filter_map(|p| Some((norm_guid(p.attr("guid")?), p.attr("position")?.trim().parse().ok()?)))
            .collect();
        let mut spans: Vec<(&Node, Option<(usize, usize)>)> = Vec::new();
        for sel in src.all("PlainTextSelection") {
            let pos = |a: &str| sel.attr(a).and_then(|v| v.trim().parse::<usize>().ok());
            spans.push((sel, pos("startPosition").zip(pos("endPosition"))));
        }
        for sel in holders.iter().flat_map(|h| h.all("TranscriptSelection")) {
            let at = |a: &str| sel.attr(a).and_then(|g| sync_at.get(&norm_guid(g)).copied());
            spans.push((sel, at("fromSyncPoint").zip(at("toSyncPoint"))));
        }
        for (sel, span) in spans {
            let sel_name = sel.attr("name").unwrap_or("selection");
            let Some((start, end)) = span.filter(|(a, b)| a < b && *b <= total) else {
                ctx.report.not_imported.push(format!(
                    "source \"{name}\": selection \"{sel_name}\" has no span inside the text ({total} characters)"
                ));
                continue;
            };
            let (tag_ids, comment) = codes_and_comment(ctx, sel, &name);
            highlights::insert_raw(
                ctx.conn,
                session,
                pos_to_ms(start, &syncs),
                pos_to_ms(end, &syncs),
                &substring(&text, start, end),
                comment.as_deref(),
                &tag_ids,
            )?;
            ctx.report.codings += tag_ids.len() as i64;
        }
        if let Some(d) = src.child_text("Description").filter(|d| !d.trim().is_empty()) {
            crate::session::add_note(ctx.conn, session, 0, &format!("Description: {}", d.trim()))?;
        }
        let values = src.all("VariableValue").count();
        if values > 0 {
            ctx.report.not_imported.push(format!(
                "source \"{name}\": {values} variable values of the source itself (Rapport keeps attributes on people)"
            ));
        }
        let whole = src.all("Coding").count();
        if whole > 0 {
            ctx.report.not_imported.push(format!("source \"{name}\": {whole} codings of the whole source"));
        }
        for r in src.all("NoteRef") {
            let g = norm_guid(r.attr("targetGUID").unwrap_or_default());
            if let Some((_, t)) = ctx.notes.get(&g).cloned() {
                crate::session::add_note(ctx.conn, session, 0, &t)?;
                ctx.report.notes += 1;
                ctx.notes_used.push(g);
            }
        }
    }
    // Coded time spans of a recording whose transcript came in: highlights over that time.
    for media in sources.children.iter().filter(|c| c.name == "AudioSource" || c.name == "VideoSource") {
        let name = media.attr("name").or(media.attr("path")).unwrap_or("recording").to_string();
        let kind = if media.name == "AudioSource" { "AudioSelection" } else { "VideoSelection" };
        let sels: Vec<&Node> = media.all(kind).collect();
        if sels.is_empty() {
            continue;
        }
        let Some(&session) = session_of_media.get(&(media as *const Node)) else {
            ctx.report.not_imported.push(format!(
                "\"{name}\": {} coded time spans of the recording ({kind}; it has no transcript to hold them)",
                sels.len()
            ));
            continue;
        };
        let segments = crate::transcript::segments(ctx.conn, session)?;
        for sel in sels {
            let ms = |a: &str| sel.attr(a).and_then(|v| v.trim().parse::<i64>().ok());
            let (Some(begin), Some(end)) = (ms("begin"), ms("end")) else { continue };
            let words: Vec<&str> = segments
                .iter()
                .filter(|g| g.end_ms > begin && g.start_ms < end)
                .map(|g| g.text.as_str())
                .collect();
            if words.is_empty() || end <= begin {
                ctx.report
                    .not_imported
                    .push(format!("\"{name}\": the coded span {begin}–{end} ms has no transcript text"));
                continue;
            }
            let (tag_ids, comment) = codes_and_comment(ctx, sel, &name);
            highlights::insert_raw(
                ctx.conn,
                session,
                begin,
                end,
                &words.join(" "),
                comment.as_deref(),
                &tag_ids,
            )?;
            ctx.report.codings += tag_ids.len() as i64;
        }
    }
    for (kind, inner, sel) in [
        ("PictureSource", "TextDescription", "PictureSelection"),
        ("PDFSource", "Representation", "PDFSelection"),
    ] {
        for s in sources.all(kind) {
            let what = if kind == "PDFSource" { "PDF" } else { "picture" };
            let name = s.attr("name").unwrap_or("");
            let n = s.all(sel).count();
            ctx.report.not_imported.push(if s.first(inner).is_some_and(|r| read_texts.contains(&(r as *const Node))) {
                format!("{what} \"{name}\": only its text came in; the file itself and its {n} coded areas did not")
            } else {
                format!("{what} \"{name}\" with {n} coded areas (Rapport reads text sources only)")
            });
        }
    }
    for (g, (name, _)) in &ctx.notes {
        if !ctx.notes_used.contains(g) {
            ctx.report
                .not_imported
                .push(format!("note \"{name}\": not attached to a source (Rapport keeps notes on sessions)"));
        }
    }
    for kind in ["Links", "Sets", "Graphs"] {
        if let Some(n) = root.first(kind) {
            let count = n.children.len();
            if count > 0 {
                ctx.report.not_imported.push(format!("{count} {} ({kind})", kind.to_lowercase()));
            }
        }
    }
    Ok(())
}

/// The tags a selection is coded with, and its comment (its description and the notes it
/// refers to); codings of unknown codes are listed.
fn codes_and_comment(ctx: &mut Ctx<'_>, sel: &Node, source: &str) -> (Vec<i64>, Option<String>) {
    let sel_name = sel.attr("name").unwrap_or("selection");
    let mut tag_ids = Vec::new();
    for coding in sel.all("Coding") {
        let target = coding.first("CodeRef").and_then(|r| r.attr("targetGUID")).unwrap_or_default();
        match ctx.codes.get(&norm_guid(target)) {
            Some(id) => tag_ids.push(*id),
            None => ctx.report.not_imported.push(format!(
                "source \"{source}\": a coding of \"{sel_name}\" refers to an unknown code {target}"
            )),
        }
    }
    let mut comment: Vec<String> = sel.child_text("Description").into_iter().collect();
    for r in sel.all("NoteRef") {
        let g = norm_guid(r.attr("targetGUID").unwrap_or_default());
        if let Some((_, t)) = ctx.notes.get(&g) {
            comment.push(t.clone());
            ctx.notes_used.push(g);
        }
    }
    let comment = comment.join("\n\n");
    (tag_ids, Some(comment).filter(|c| !c.trim().is_empty()))
}

fn with_savepoint<T>(conn: &Connection, dry_run: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::store::savepoint(conn, "rapport_refi", !dry_run, f)
}

/// Imports a `.qdpx` project into the study `study` (id or name), or a new study named after
/// the project. With `dry_run`, says what would come in and writes nothing.
pub fn import_qdpx(
    conn: &Connection,
    path: &Path,
    study: Option<&str>,
    dry_run: bool,
) -> Result<RefiImportReport> {
    let mut zip = SafeZip::open(path)?;
    let qde = zip
        .find("project.qde")
        .or_else(|| {
            let qdes: Vec<&String> = zip
                .names
                .iter()
                .filter(|n| !n.contains('/') && n.to_ascii_lowercase().ends_with(".qde"))
                .collect();
            (qdes.len() == 1).then(|| qdes[0].clone())
        })
        .ok_or_else(|| {
            Error::invalid(
                path.display().to_string(),
                "the archive holds no project.qde (a .qdpx project must)",
            )
        })?;
    let bytes = zip.read(&qde)?;
    let label = format!("{}: {qde}", path.display());
    let text = String::from_utf8(bytes).map_err(|_| Error::invalid(&label, "not UTF-8 (REFI-QDA XML is)"))?;
    let root = xml::parse(&label, &text)?;
    check_root(&label, &root, "Project", PROJECT_NS)?;
    validate(&label, &root)?;
    for c in &root.children {
        if !PROJECT_CHILDREN.contains(&c.name.as_str()) {
            return Err(schema_error(&label, c, "is not an element of <Project>"));
        }
    }
    let mut zip = Some(zip);
    with_savepoint(conn, dry_run, || {
        let (study_id, created) = match study {
            Some(key) => (crate::study::resolve(conn, key)?, false),
            None => {
                let base =
                    root.attr("name").map(str::trim).filter(|n| !n.is_empty()).unwrap_or("Imported project");
                // A study of that name already here keeps it: the import gets a name of its own.
                let mut name = base.to_string();
                let mut n = 1;
                while crate::study::resolve(conn, &name).is_ok() {
                    n += 1;
                    name = format!("{base} (imported {n})");
                }
                let goal = root.child_text("Description");
                (crate::study::create(conn, &name, goal.as_deref(), None)?, true)
            }
        };
        let mut ctx = Ctx {
            conn,
            report: RefiImportReport::default(),
            codes: HashMap::new(),
            notes: HashMap::new(),
            notes_used: Vec::new(),
            origin: Origin::of(path, &root),
        };
        import_project(&mut ctx, &mut zip, &root, study_id)?;
        let mut report = ctx.report;
        report.study_id = Some(study_id);
        report.study = Some(crate::study::get(conn, study_id)?.name);
        report.study_created = created;
        report.dry_run = dry_run;
        Ok(report)
    })
}

/// Imports a `.qdc` codebook (codes with descriptions and colours).
pub fn import_qdc(conn: &Connection, path: &Path, dry_run: bool) -> Result<RefiImportReport> {
    let shown = path.display().to_string();
    let bytes = crate::limits::read(path, crate::limits::CODEBOOK, "codebook")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(&shown, "not a UTF-8 text file (a .qdc codebook is XML)"))?;
    let root = xml::parse(&shown, &text)?;
    check_root(&shown, &root, "CodeBook", CODEBOOK_NS)?;
    validate(&shown, &root)?;
    let codes = root.first("Codes").ok_or_else(|| schema_error(&shown, &root, "needs a <Codes> element"))?;
    with_savepoint(conn, dry_run, || {
        let mut ctx = Ctx {
            conn,
            report: RefiImportReport::default(),
            codes: HashMap::new(),
            notes: HashMap::new(),
            notes_used: Vec::new(),
            origin: Origin::default(),
        };
        import_codes(&mut ctx, None, codes)?;
        if let Some(sets) = root.first("Sets") {
            if !sets.children.is_empty() {
                ctx.report.not_imported.push(format!("{} sets of codes", sets.children.len()));
            }
        }
        let mut report = ctx.report;
        report.dry_run = dry_run;
        Ok(report)
    })
}
