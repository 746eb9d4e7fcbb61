//! The guide's Markdown form: what `guide import FILE.md` reads and `guide export` writes.
//!
//! ```text
//! # Title
//!
//! An optional intro paragraph.
//!
//! ## Section
//!
//! An optional paragraph about the section.
//!
//! 1. A question {kind: task, minutes: 5}
//!    > an interviewer note
//!    - a probe
//! ```
//! Questions are numbered items (`1.` or `1)`) or top-level bullets (`-`, `*`, `+`); probes
//! are items indented under a question; `>` lines indented under a question are its
//! interviewer note; a trailing `{kind: open|closed|task|rating, minutes: N}` sets the kind
//! and the time budget. [`write`] produces one canonical form, and [`parse`] of a canonical
//! file followed by [`write`] gives it back byte for byte.

use super::{GuideDoc, GuideQuestion, GuideSection, QuestionKind};
use crate::error::{Error, Result};

/// Where a line of the file sits in the guide while reading.
#[derive(Clone, Copy, PartialEq)]
enum Last {
    /// Nothing yet, or the title.
    Top,
    /// Intro text (before any section or question).
    Intro,
    /// A section heading or its paragraph.
    Section,
    /// The last question line (or a continuation of it).
    Question,
    /// The last probe of the last question.
    Probe,
    /// The interviewer note of the last question.
    Note,
}

/// Parses the Markdown guide format. `source_name` is used in error messages (`file:line`).
pub fn parse(text: &str, source_name: &str) -> Result<GuideDoc> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut title: Option<String> = None;
    let mut intro: Vec<String> = Vec::new();
    let mut sections: Vec<GuideSection> = Vec::new();
    let mut last = Last::Top;
    let mut blank_before = false;
    let mut in_fence = false;
    let lines = setext_to_atx(text);
    for (idx, raw) in lines.iter().map(String::as_str).enumerate() {
        let line_no = idx + 1;
        let at = || format!("{source_name}:{line_no}");
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || trimmed.starts_with("<!--") {
            continue;
        }
        if trimmed.is_empty() {
            blank_before = true;
            continue;
        }
        let was_blank = std::mem::replace(&mut blank_before, false);
        if let Some((level, heading)) = heading(trimmed) {
            if level == 1 && title.is_none() && sections.is_empty() {
                title = Some(heading);
                last = Last::Top;
            } else {
                // Headings after the title are sections, whatever their level (exports from
                // word processors often write every heading with `#`).
                sections.push(GuideSection { title: heading, ..GuideSection::default() });
                last = Last::Section;
            }
            continue;
        }
        if is_rule(trimmed) {
            continue;
        }
        let item = list_item(trimmed);
        if let (Some(item), false) = (item, indented) {
            let (text, kind, minutes) = attributes(item, &at)?;
            if sections.is_empty() {
                sections.push(GuideSection::default());
            }
            let section = sections.last_mut().expect("a section exists");
            section.questions.push(GuideQuestion { text, kind, minutes, ..GuideQuestion::default() });
            last = Last::Question;
            continue;
        }
        let question = sections.last_mut().and_then(|s| s.questions.last_mut());
        if let Some(note) = trimmed.strip_prefix('>') {
            let question =
                question.filter(|_| indented || matches!(last, Last::Question | Last::Probe | Last::Note));
            let question = question.ok_or_else(|| {
                Error::invalid(at(), "an interviewer note (`> ...`) must come under a question")
            })?;
            let note = note.trim();
            // Each `>` line is a line of the note.
            match &mut question.note {
                Some(n) => {
                    n.push('\n');
                    n.push_str(note);
                }
                None => question.note = Some(note.to_string()),
            }
            last = Last::Note;
            continue;
        }
        if let Some(item) = item {
            // An indented item: a probe of the question above.
            let question = question.ok_or_else(|| {
                Error::invalid(at(), "a probe (an indented item) must come under a question")
            })?;
            question.probes.push(strip_marks(item).to_string());
            last = Last::Probe;
            continue;
        }
        // Prose: continues the item above it, or is the intro or a section's paragraph.
        let continues = !was_blank || indented;
        match (last, question) {
            (Last::Question, Some(q)) if continues => append(&mut q.text, trimmed),
            (Last::Probe, Some(q)) if continues => append(q.probes.last_mut().expect("a probe"), trimmed),
            (Last::Note, Some(q)) if continues => append(q.note.get_or_insert_with(String::new), trimmed),
            _ => match sections.last_mut() {
                None => {
                    if was_blank || last != Last::Intro || intro.is_empty() {
                        intro.push(trimmed.to_string());
                    } else {
                        append(intro.last_mut().expect("a paragraph"), trimmed);
                    }
                    last = Last::Intro;
                }
                Some(s) if s.questions.is_empty() => {
                    if s.note.is_empty() {
                        s.note = trimmed.to_string();
                    } else if was_blank {
                        s.note.push_str("\n\n");
                        s.note.push_str(trimmed);
                    } else {
                        append(&mut s.note, trimmed);
                    }
                    last = Last::Section;
                }
                Some(s) => {
                    // A paragraph between questions is a remark for the interviewer: it
                    // joins the note of the question above rather than being lost.
                    let q = s.questions.last_mut().expect("a question");
                    match &mut q.note {
                        Some(n) => {
                            n.push('\n');
                            n.push_str(trimmed);
                        }
                        None => q.note = Some(trimmed.to_string()),
                    }
                    last = Last::Note;
                }
            },
        }
    }
    // Without a `# title` line the guide is named after its file.
    let title = title.unwrap_or_else(|| {
        let base = source_name.rsplit(['/', '\\']).next().unwrap_or(source_name);
        base.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(base).to_string()
    });
    if sections.iter().all(|s| s.questions.is_empty()) {
        return Err(Error::invalid(
            source_name,
            "expected at least one question (a numbered item `1. ...` or a bullet `- ...`)",
        ));
    }
    Ok(GuideDoc { title, intro: intro.join("\n\n"), sections })
}

/// The lines of the file with Setext headings (`Title` over `===`, `Section` over `---`)
/// written as `#`/`##` ones; the underline becomes a blank line, so line numbers stay.
fn setext_to_atx(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for i in 1..lines.len() {
        let under = lines[i].trim();
        let above = lines[i - 1].trim().to_string();
        let plain = !above.is_empty()
            && !above.starts_with('#')
            && list_item(&above).is_none()
            && !above.starts_with('>')
            && !lines[i - 1].starts_with([' ', '\t']);
        if !plain || under.len() < 2 {
            continue;
        }
        if under.chars().all(|c| c == '=') {
            lines[i - 1] = format!("# {above}");
            lines[i].clear();
        } else if under.chars().all(|c| c == '-') {
            lines[i - 1] = format!("## {above}");
            lines[i].clear();
        }
    }
    lines
}

/// Writes the canonical Markdown form of a guide.
pub fn write(doc: &GuideDoc) -> String {
    let mut out = format!("# {}\n", one_line(&doc.title));
    if !doc.intro.trim().is_empty() {
        out.push('\n');
        out.push_str(&paragraphs(&doc.intro));
    }
    for section in &doc.sections {
        if !section.title.trim().is_empty() {
            out.push_str(&format!("\n## {}\n", one_line(&section.title)));
        }
        if !section.note.trim().is_empty() {
            out.push('\n');
            out.push_str(&paragraphs(&section.note));
        }
        if !section.questions.is_empty() {
            out.push('\n');
        }
        for (i, q) in section.questions.iter().enumerate() {
            out.push_str(&format!("{}. {}", i + 1, one_line(&q.text)));
            let mut attrs = Vec::new();
            if q.kind != QuestionKind::Open {
                attrs.push(format!("kind: {}", q.kind.as_str()));
            }
            if let Some(m) = q.minutes {
                attrs.push(format!("minutes: {m}"));
            }
            if !attrs.is_empty() {
                out.push_str(&format!(" {{{}}}", attrs.join(", ")));
            }
            out.push('\n');
            if let Some(note) = q.note.as_deref().filter(|n| !n.trim().is_empty()) {
                for line in note.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    out.push_str(&format!("   > {line}\n"));
                }
            }
            for p in &q.probes {
                out.push_str(&format!("   - {}\n", one_line(p)));
            }
        }
    }
    out
}

/// Paragraphs separated by one blank line, each on one line, ending in a newline.
fn paragraphs(text: &str) -> String {
    let paras: Vec<String> =
        text.split("\n\n").map(one_line).filter(|p| !p.is_empty()).map(|p| format!("{p}\n")).collect();
    paras.join("\n")
}

/// Text on one line: runs of whitespace (newlines too) become one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn append(to: &mut String, more: &str) {
    if !to.is_empty() {
        to.push(' ');
    }
    to.push_str(more);
}

/// An ATX heading: its level and text (closing `#`s removed).
fn heading(line: &str) -> Option<(usize, String)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &line[level..];
    if !rest.is_empty() && !rest.starts_with(' ') && !rest.starts_with('\t') {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim();
    Some((level, strip_marks(text).to_string()))
}

fn is_rule(line: &str) -> bool {
    let c: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    c.len() >= 3
        && (c.chars().all(|c| c == '-') || c.chars().all(|c| c == '*') || c.chars().all(|c| c == '_'))
}

/// The text of a list item (`1. x`, `1) x`, `- x`, `* x`, `+ x`), without a task box.
fn list_item(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if digits > 0 && digits < 10 {
        let r = &line[digits..];
        r.strip_prefix(". ").or_else(|| r.strip_prefix(") ")).or_else(|| r.strip_prefix(".\t"))?
    } else {
        line.strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .or_else(|| line.strip_prefix("+ "))
            .or_else(|| line.strip_prefix("-\t"))?
    };
    let rest = rest.trim();
    let rest = ["[ ] ", "[x] ", "[X] "].iter().find_map(|b| rest.strip_prefix(b)).unwrap_or(rest);
    Some(rest.trim())
}

/// Bold or italic around the whole text is formatting, not content.
fn strip_marks(text: &str) -> &str {
    for m in ["**", "__"] {
        if let Some(inner) = text.strip_prefix(m).and_then(|t| t.strip_suffix(m)) {
            if !inner.contains(m) {
                return inner.trim();
            }
        }
    }
    text
}

/// Splits a trailing `{kind: task, minutes: 5}` off a question.
pub(crate) fn attributes(item: &str, at: &dyn Fn() -> String) -> Result<(String, QuestionKind, Option<u32>)> {
    let item = strip_marks(item.trim());
    let Some(open) = item.rfind('{').filter(|_| item.ends_with('}')) else {
        return Ok((item.to_string(), QuestionKind::Open, None));
    };
    let inner = &item[open + 1..item.len() - 1];
    let mut kind = QuestionKind::Open;
    let mut minutes = None;
    for pair in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once(':').ok_or_else(|| {
            Error::invalid(at(), format!("expected `key: value` in `{{{inner}}}`, got {pair:?}"))
        })?;
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "kind" => {
                kind = QuestionKind::parse(value).ok_or_else(|| {
                    Error::invalid(at(), format!("kind must be open, closed, task or rating, got {value:?}"))
                })?
            }
            "minutes" | "min" | "mins" => {
                let n = value.trim_end_matches("min").trim();
                minutes = Some(n.parse::<u32>().map_err(|_| {
                    Error::invalid(at(), format!("minutes must be a whole number, got {value:?}"))
                })?)
            }
            other => {
                return Err(Error::invalid(
                    at(),
                    format!("unknown attribute {other:?}; expected kind or minutes"),
                ))
            }
        }
    }
    Ok((item[..open].trim().to_string(), kind, minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_questions_probes_notes_and_attributes() {
        let g = parse(
            "# G\n\nIntro.\n\n## Warm-up\n1. Tell me about you? {kind: task, minutes: 5}\n   > smile\n   - Team?\n   - Tenure?\n2. Next?\n## B\n- Q3?\n",
            "g.md",
        )
        .unwrap();
        assert_eq!(g.title, "G");
        assert_eq!(g.intro, "Intro.");
        assert_eq!(g.sections.len(), 2);
        let q = &g.sections[0].questions[0];
        assert_eq!((q.text.as_str(), q.kind, q.minutes), ("Tell me about you?", QuestionKind::Task, Some(5)));
        assert_eq!(q.note.as_deref(), Some("smile"));
        assert_eq!(q.probes, vec!["Team?", "Tenure?"]);
        assert_eq!(g.sections[1].questions[0].text, "Q3?");
    }

    #[test]
    fn a_probe_before_any_question_names_its_line() {
        let err = parse("# G\n## S\n   - stray\n", "g.md").unwrap_err();
        assert_eq!(err.to_string(), "g.md:3: a probe (an indented item) must come under a question");
    }

    #[test]
    fn setext_headings_are_the_title_and_sections() {
        let g = parse("Guide\n=====\n\nWarm-up\n-------\n\n1. Tell me about you.\n", "g.md").unwrap();
        assert_eq!(g.title, "Guide");
        assert_eq!(g.sections[0].title, "Warm-up");
        assert_eq!(g.sections[0].questions[0].text, "Tell me about you.");
    }

    #[test]
    fn a_bad_attribute_names_its_line() {
        let err = parse("# G\n\n1. Q {kind: maybe}\n", "g.md").unwrap_err();
        assert!(err.to_string().starts_with("g.md:3: kind must be"), "{err}");
    }

    #[test]
    fn a_guide_without_a_title_is_named_after_its_file() {
        assert_eq!(parse("## S\n\n1. Q?\n", "/tmp/Pilot guide.md").unwrap().title, "Pilot guide");
    }

    #[test]
    fn every_heading_after_the_title_is_a_section() {
        let g = parse("# Guide\n\n# Warm-up\n\n1. Q?\n\n## Next\n\n1. R?\n", "g.md").unwrap();
        assert_eq!(g.title, "Guide");
        let titles: Vec<&str> = g.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, vec!["Warm-up", "Next"]);
    }
}
