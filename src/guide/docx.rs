//! Reading a guide from a `.docx` (what Word, Google Docs and LibreOffice write).
//!
//! A `.docx` is a zip of XML parts (ECMA-376 / ISO/IEC 29500). This reads the zip's central
//! directory itself (stored and deflated entries, CRC-checked), then `word/document.xml`
//! and `word/styles.xml` with an XML reader: a paragraph styled `Title` is the title and
//! headings are sections (when there is no `Title`, a lone top-level heading is the title);
//! list paragraphs (`w:numPr`) at level 0 are questions and deeper ones their probes; a
//! plain paragraph ending in `?` inside a section is a question too, and other plain
//! paragraphs are the intro, a section's note or the interviewer note of the question
//! above. Style ids are looked up in `styles.xml`, so headings in any language are found by
//! their built-in name or outline level. Errors name the file and the paragraph.

use std::io::Read;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{format, GuideDoc, GuideQuestion, GuideSection};
use crate::error::{Error, Result};

/// What one paragraph of the document is.
#[derive(Debug, Clone, PartialEq)]
enum Para {
    Title(String),
    Heading(u8, String),
    Item(u8, String),
    Plain(String),
}

/// Parses a `.docx` file's bytes. `name` is used in messages; `fallback_title` is the
/// title when the document has no heading for one.
pub fn parse(bytes: &[u8], name: &str, fallback_title: &str) -> Result<GuideDoc> {
    let zip = Zip::open(bytes, name)?;
    let document = zip
        .read("word/document.xml")?
        .ok_or_else(|| Error::invalid(name, "not a Word document: the zip has no word/document.xml"))?;
    let styles = match zip.read("word/styles.xml")? {
        Some(xml) => styles(&xml, name)?,
        None => Vec::new(),
    };
    let paras = paragraphs(&document, &styles, name)?;
    build(paras, name, fallback_title)
}

fn build(paras: Vec<(usize, Para)>, name: &str, fallback_title: &str) -> Result<GuideDoc> {
    let has_title = paras.iter().any(|(_, p)| matches!(p, Para::Title(_)));
    let top =
        paras.iter().filter_map(|(_, p)| if let Para::Heading(l, _) = p { Some(*l) } else { None }).min();
    let lone_top = top.filter(|t| {
        paras.iter().filter(|(_, p)| matches!(p, Para::Heading(l, _) if l == t)).count() == 1
            && paras.iter().any(|(_, p)| matches!(p, Para::Heading(l, _) if l > t))
    });
    let mut doc = GuideDoc::default();
    let mut title: Option<String> = None;
    for (n, para) in paras {
        let at = || format!("{name}: paragraph {n}");
        match para {
            Para::Title(t) => {
                if title.is_none() {
                    title = Some(t)
                } else {
                    doc.sections.push(GuideSection { title: t, ..GuideSection::default() })
                }
            }
            Para::Heading(level, t) if !has_title && Some(level) == lone_top && title.is_none() => {
                title = Some(t)
            }
            Para::Heading(_, t) => doc.sections.push(GuideSection { title: t, ..GuideSection::default() }),
            Para::Item(0, t) => push_question(&mut doc, &t, &at)?,
            Para::Item(_, t) => {
                let q = doc.sections.last_mut().and_then(|s| s.questions.last_mut());
                match q {
                    Some(q) => q.probes.push(t),
                    // An indented item with no question above is a question.
                    None => push_question(&mut doc, &t, &at)?,
                }
            }
            Para::Plain(t) => {
                let in_section = !doc.sections.is_empty();
                let note = t.strip_prefix("Note:").or_else(|| t.strip_prefix('>')).map(str::trim);
                if note.is_none() && in_section && (t.ends_with('?') || t.ends_with('}')) {
                    push_question(&mut doc, &t, &at)?;
                    continue;
                }
                let note = note.unwrap_or(&t).to_string();
                match doc.sections.last_mut() {
                    None => {
                        if !doc.intro.is_empty() {
                            doc.intro.push_str("\n\n");
                        }
                        doc.intro.push_str(&note);
                    }
                    Some(s) => match s.questions.last_mut() {
                        Some(q) => match &mut q.note {
                            Some(n) => {
                                n.push('\n');
                                n.push_str(&note);
                            }
                            None => q.note = Some(note),
                        },
                        None => {
                            if !s.note.is_empty() {
                                s.note.push_str("\n\n");
                            }
                            s.note.push_str(&note);
                        }
                    },
                }
            }
        }
    }
    doc.title = title.unwrap_or_else(|| fallback_title.to_string());
    if doc.question_count() == 0 {
        return Err(Error::invalid(
            name,
            "no questions found: expected list items (numbered or bulleted) or paragraphs ending in `?` under a heading",
        ));
    }
    Ok(doc)
}

fn push_question(doc: &mut GuideDoc, text: &str, at: &dyn Fn() -> String) -> Result<()> {
    let (text, kind, minutes) = format::attributes(text, at)?;
    if doc.sections.is_empty() {
        doc.sections.push(GuideSection::default());
    }
    let section = doc.sections.last_mut().expect("a section");
    section.questions.push(GuideQuestion { text, kind, minutes, ..GuideQuestion::default() });
    Ok(())
}

/// A paragraph style: its id, and whether it is the title, a heading (level) or a list
/// (level), from its name or outline level.
struct Style {
    id: String,
    title: bool,
    heading: Option<u8>,
    list: Option<u8>,
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| local(a.key.as_ref().as_bytes()) == key.as_bytes())
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

fn xml_error(name: &str, part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> Error {
    Error::invalid(name, format!("{part} is not well-formed XML at byte {}: {e}", reader.buffer_position()))
}

fn styles(xml: &str, name: &str) -> Result<Vec<Style>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<Style> = None;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(name, "word/styles.xml", &reader, e))?;
        match event {
            Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref().as_bytes()) {
                b"style" => {
                    if let Some(s) = current.take() {
                        out.push(s);
                    }
                    current =
                        attr(&e, "styleId").map(|id| Style { id, title: false, heading: None, list: None });
                }
                b"name" => {
                    if let (Some(s), Some(v)) = (current.as_mut(), attr(&e, "val")) {
                        let v = v.to_ascii_lowercase();
                        s.title |= v == "title";
                        if let Some(n) = v.strip_prefix("heading ").and_then(|n| n.trim().parse::<u8>().ok())
                        {
                            s.heading = Some(n);
                        }
                        for prefix in ["list bullet", "list number", "list paragraph", "list"] {
                            if let Some(rest) = v.strip_prefix(prefix) {
                                let n = rest.trim().parse::<u8>().unwrap_or(1);
                                s.list = Some(n.saturating_sub(1));
                                break;
                            }
                        }
                    }
                }
                // A list style (LibreOffice's "List Number" carries its numbering in the style).
                b"numPr" => {
                    if let Some(s) = current.as_mut() {
                        s.list.get_or_insert(0);
                    }
                }
                b"ilvl" => {
                    if let (Some(s), Some(v)) =
                        (current.as_mut(), attr(&e, "val").and_then(|v| v.parse().ok()))
                    {
                        s.list = Some(v);
                    }
                }
                b"outlineLvl" => {
                    if let (Some(s), Some(v)) = (current.as_mut(), attr(&e, "val")) {
                        if let Ok(n) = v.parse::<u8>() {
                            if n < 9 && s.heading.is_none() && !s.title {
                                s.heading = Some(n + 1);
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) if local(e.name().as_ref().as_bytes()) == b"style" => {
                if let Some(s) = current.take() {
                    out.push(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn paragraphs(xml: &str, styles: &[Style], name: &str) -> Result<Vec<(usize, Para)>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut n = 0;
    // The paragraph being read: its style id, list level, outline level and text.
    let mut in_para = false;
    let mut style: Option<String> = None;
    let mut ilvl: Option<u8> = None;
    let mut outline: Option<u8> = None;
    let mut text = String::new();
    let mut in_text = false;
    let mut skip_depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(name, "word/document.xml", &reader, e))?;
        match event {
            Event::Start(e) => {
                let tag = local(e.name().as_ref().as_bytes()).to_vec();
                if skip_depth > 0 {
                    skip_depth += 1;
                    continue;
                }
                match tag.as_slice() {
                    b"p" => {
                        in_para = true;
                        n += 1;
                        style = None;
                        ilvl = None;
                        outline = None;
                        text.clear();
                    }
                    b"t" => in_text = true,
                    // Deleted text of tracked changes, field codes, footnote marks: not content.
                    // (and the fallback copy of content Word also gives in a newer form).
                    b"del" | b"instrText" | b"delText" | b"rPr" | b"Fallback" => skip_depth = 1,
                    _ => empty_tag(&e, &tag, &mut style, &mut ilvl, &mut outline, &mut text),
                }
            }
            Event::Empty(e) => {
                if skip_depth > 0 {
                    continue;
                }
                let tag = local(e.name().as_ref().as_bytes()).to_vec();
                empty_tag(&e, &tag, &mut style, &mut ilvl, &mut outline, &mut text);
            }
            Event::Text(t) if in_text && skip_depth == 0 => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text && skip_depth == 0 => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    text.push(c);
                }
            }
            Event::CData(t) if in_text && skip_depth == 0 => {
                text.push_str(t.as_ref());
            }
            Event::End(e) => {
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                match local(e.name().as_ref().as_bytes()) {
                    b"t" => in_text = false,
                    b"p" if in_para => {
                        in_para = false;
                        let t = format::one_line(&text);
                        if t.is_empty() {
                            continue;
                        }
                        let st = style.as_deref().and_then(|id| styles.iter().find(|s| s.id == id));
                        let by_id = style.as_deref().map(str::to_ascii_lowercase);
                        let is_title = st.is_some_and(|s| s.title) || by_id.as_deref() == Some("title");
                        let heading = st.and_then(|s| s.heading).or(outline.map(|o| o + 1)).or_else(|| {
                            by_id
                                .as_deref()
                                .and_then(|id| id.strip_prefix("heading"))
                                .and_then(|n| n.parse().ok())
                        });
                        let list = ilvl.or(st.and_then(|s| s.list).filter(|_| ilvl.is_none()));
                        let para = if is_title {
                            Para::Title(t)
                        } else if let Some(h) = heading {
                            Para::Heading(h, t)
                        } else if let Some(l) = list {
                            Para::Item(l, t)
                        } else {
                            Para::Plain(t)
                        };
                        out.push((n, para));
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn empty_tag(
    e: &BytesStart<'_>,
    tag: &[u8],
    style: &mut Option<String>,
    ilvl: &mut Option<u8>,
    outline: &mut Option<u8>,
    text: &mut String,
) {
    match tag {
        b"pStyle" => *style = attr(e, "val"),
        b"ilvl" => *ilvl = attr(e, "val").and_then(|v| v.parse().ok()),
        // A list without a level element is at level 0.
        b"numId" if attr(e, "val").as_deref() != Some("0") => {
            ilvl.get_or_insert(0);
        }
        b"outlineLvl" => *outline = attr(e, "val").and_then(|v| v.parse().ok()).filter(|v: &u8| *v < 9),
        b"tab" | b"br" | b"cr" => text.push(' '),
        b"noBreakHyphen" => text.push('-'),
        _ => {}
    }
}

/// The entries of a zip archive, read from its central directory.
/// The most one part of a `.docx` may inflate to (a guide's document.xml is kilobytes).
const MAX_PART_BYTES: u64 = 64 << 20;

struct Zip<'a> {
    bytes: &'a [u8],
    name: &'a str,
    entries: Vec<Entry>,
}

struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    local_offset: usize,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Zip<'a> {
    fn open(bytes: &'a [u8], name: &'a str) -> Result<Zip<'a>> {
        let bad = |what: &str| Error::invalid(name, format!("not a .docx (zip) file: {what}"));
        if bytes.len() < 22 {
            return Err(bad("too short"));
        }
        let from = bytes.len().saturating_sub(22 + 65535);
        let eocd = (from..=bytes.len() - 22)
            .rev()
            .find(|&i| u32_at(bytes, i) == Some(0x0605_4b50))
            .ok_or_else(|| bad("no end of central directory"))?;
        let count = u16_at(bytes, eocd + 10).ok_or_else(|| bad("truncated"))? as usize;
        let cd_offset = u32_at(bytes, eocd + 16).ok_or_else(|| bad("truncated"))? as usize;
        let mut entries = Vec::with_capacity(count);
        let mut at = cd_offset;
        for i in 0..count {
            let truncated = || bad(&format!("central directory entry {} is truncated", i + 1));
            if u32_at(bytes, at) != Some(0x0201_4b50) {
                return Err(truncated());
            }
            let field16 = |o: usize| u16_at(bytes, at + o).ok_or_else(truncated);
            let field32 = |o: usize| u32_at(bytes, at + o).ok_or_else(truncated);
            let method = field16(10)?;
            let crc = field32(16)?;
            let compressed = field32(20)? as usize;
            let size = field32(24)? as usize;
            let name_len = field16(28)? as usize;
            let extra_len = field16(30)? as usize;
            let comment_len = field16(32)? as usize;
            let local_offset = field32(42)? as usize;
            let entry_name = bytes.get(at + 46..at + 46 + name_len).ok_or_else(truncated)?;
            entries.push(Entry {
                name: String::from_utf8_lossy(entry_name).into_owned(),
                method,
                crc,
                compressed,
                size,
                local_offset,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Zip { bytes, name, entries })
    }

    /// The text of one entry, if the archive has it.
    fn read(&self, path: &str) -> Result<Option<String>> {
        let Some(e) = self.entries.iter().find(|e| e.name == path) else { return Ok(None) };
        let bad = |what: String| Error::invalid(self.name, format!("{path} in the zip: {what}"));
        let b = self.bytes;
        if u32_at(b, e.local_offset) != Some(0x0403_4b50) {
            return Err(bad("no local header where the directory says".into()));
        }
        let name_len = u16_at(b, e.local_offset + 26).unwrap_or(0) as usize;
        let extra_len = u16_at(b, e.local_offset + 28).unwrap_or(0) as usize;
        let start = e.local_offset + 30 + name_len + extra_len;
        let data = b.get(start..start.saturating_add(e.compressed)).ok_or_else(|| bad("truncated".into()))?;
        // The size the directory claims is checked before anything is inflated or allocated,
        // and the inflater stops one byte past it: a zip bomb is refused, not unpacked.
        if e.size as u64 > MAX_PART_BYTES {
            return Err(bad(format!(
                "inflates to {} MiB; a document's parts are read up to {} MiB (refused as a zip bomb)",
                (e.size as u64).div_ceil(1 << 20),
                MAX_PART_BYTES >> 20
            )));
        }
        let mut out = Vec::with_capacity(e.size.min(data.len().saturating_mul(8)));
        match e.method {
            0 => out.extend_from_slice(data),
            8 => {
                flate2::read::DeflateDecoder::new(data)
                    .take(e.size as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|err| bad(format!("cannot inflate: {err}")))?;
            }
            m => {
                return Err(bad(format!("compression method {m} is not supported (only stored and deflate)")))
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(&out);
        if out.len() != e.size || crc.sum() != e.crc {
            return Err(bad("damaged (size or CRC-32 does not match)".into()));
        }
        let text = String::from_utf8(out).map_err(|_| bad("not UTF-8 XML".into()))?;
        Ok(Some(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text)))
    }
}
