//! Guides through the CLI and the core: the canonical Markdown round trip, `.docx` import,
//! versions pinned by sessions and their diff, answers by question in a transcript,
//! stamped notes (stored and searchable), run-mode checks and deep links.

use std::io::Write;
use std::path::Path;

use rapport::guide::{self, align, diff::ChangeKind, GuideDoc};
use rapport::transcript::Segment;
use rapport::Workspace;

use crate::util::*;

/// A canonical guide using every part of the format.
const CANONICAL: &str = "# Onboarding to the new CI

About 30 minutes. Ask for the last concrete time, not what usually happens.

## Warm-up

1. Tell me about your role and the services you work on.
   - How long have you been on the team?
2. Walk me through your first week on the new CI. {minutes: 5}
   > Let them tell it in order; do not interrupt.
   - What did you read first?

## The pipeline

Show the pipeline page before this section.

1. Tell me about the last time a build failed. {kind: task, minutes: 10}
   > Ask them to open the failed build.
   > Watch where they click first.
   - How did you find out?
   - What did you do next?
2. Did you ever ask for help in the channel? {kind: closed}
";

#[test]
fn a_canonical_guide_exports_byte_for_byte_as_it_was_imported() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let file = tmp.path().join("guide.md");
    std::fs::write(&file, CANONICAL).unwrap();
    let imported = rapport_json(&ws, &["guide", "import", file.to_str().unwrap()]);
    assert_eq!(imported["questions"], 4);
    assert_eq!(imported["sections"], 2);
    let id = imported["id"].to_string();
    let exported = rapport_ok(&ws, &["guide", "export", &id]);
    assert_eq!(exported, CANONICAL, "export gives the canonical file back byte for byte");
    // And importing it again is not a new version: nothing changed.
    let again = rapport_json(&ws, &["guide", "import", file.to_str().unwrap()]);
    assert_eq!(again["version"], 1);
}

#[test]
fn a_loose_markdown_guide_reads_into_the_same_model_and_exports_canonically() {
    let loose = "\u{feff}# Onboarding to the new CI\r\n\r\nAbout 30 minutes.\r\nAsk for the last concrete time, not what usually happens.\r\n\r\n## Warm-up\r\n\r\n- Tell me about your role\r\n  and the services you work on.\r\n    * How long have you been on the team?\r\n- Walk me through your first week on the new CI. {minutes: 5}\r\n    > Let them tell it in order; do not interrupt.\r\n    1. What did you read first?\r\n";
    let doc = guide::parse(loose, "loose.md").unwrap();
    assert_eq!(doc.intro, "About 30 minutes. Ask for the last concrete time, not what usually happens.");
    let q = &doc.sections[0].questions;
    assert_eq!(
        q[0].text, "Tell me about your role and the services you work on.",
        "a continuation line joins"
    );
    assert_eq!(q[0].probes, vec!["How long have you been on the team?"]);
    assert_eq!(q[1].minutes, Some(5));
    assert_eq!(q[1].note.as_deref(), Some("Let them tell it in order; do not interrupt."));
    assert_eq!(q[1].probes, vec!["What did you read first?"]);
    let canonical = guide::format::write(&doc);
    assert!(CANONICAL.starts_with(&canonical), "the same guide in canonical form:\n{canonical}");
    assert_eq!(
        guide::parse(&canonical, "c.md").unwrap(),
        doc,
        "the canonical form reads back to the same guide"
    );
}

#[test]
fn a_malformed_guide_is_refused_with_its_line() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let file = tmp.path().join("bad.md");
    std::fs::write(&file, "# G\n\n## S\n\n1. Tell me about it. {kind: maybe}\n").unwrap();
    let out = rapport(&ws, &["guide", "import", file.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "invalid_input");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.contains("bad.md:5: kind must be open, closed, task or rating"), "{msg}");
    assert_eq!(rapport_json(&ws, &["guide", "list"]).as_array().unwrap().len(), 0, "nothing was stored");
}

/// A zip archive of deflated entries, as Word writes a .docx.
fn zip(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in entries {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.as_bytes()).unwrap();
        let data = enc.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(body.as_bytes());
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&8u16.to_le_bytes()); // deflate
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&crc.sum().to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(body.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0u8; 6]); // comment length, disk, internal attrs
                h.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn para(style: Option<&str>, level: Option<u8>, text: &str) -> String {
    let mut ppr = String::new();
    if let Some(s) = style {
        ppr.push_str(&format!(r#"<w:pStyle w:val="{s}"/>"#));
    }
    if let Some(l) = level {
        ppr.push_str(&format!(r#"<w:numPr><w:ilvl w:val="{l}"/><w:numId w:val="3"/></w:numPr>"#));
    }
    // Split the text into two runs, as Word does around formatting changes.
    let mid = if text.contains('&') {
        0
    } else {
        text.char_indices().nth(text.chars().count() / 2).map(|x| x.0).unwrap_or(0)
    };
    format!(
        r#"<w:p><w:pPr>{ppr}<w:rPr><w:b/></w:rPr></w:pPr><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        &text[..mid],
        &text[mid..]
    )
}

fn styles(entries: &[(&str, &str)]) -> String {
    let mut s = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}>"#);
    for (id, name) in entries {
        s.push_str(&format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:pPr/></w:style>"#
        ));
    }
    s + "</w:styles>"
}

#[test]
fn a_docx_imports_with_its_title_sections_questions_and_probes() {
    let body = [
        para(Some("Title"), None, "Onboarding &amp; the new CI"),
        para(None, None, "About 30 minutes."),
        para(Some("Heading1"), None, "Warm-up"),
        para(Some("ListParagraph"), Some(0), "Tell me about your role."),
        para(Some("ListParagraph"), Some(1), "How long have you been on the team?"),
        para(Some("ListParagraph"), Some(0), "Walk me through your first week. {minutes: 5}"),
        para(None, None, "Note: let them tell it in order."),
        para(Some("Heading1"), None, "The pipeline"),
        para(Some("ListParagraph"), Some(0), "Tell me about the last time a build failed."),
        para(Some("ListParagraph"), Some(1), "How did you find out?"),
        para(Some("ListParagraph"), Some(1), "What did you do next?"),
        // A question typed as a plain paragraph, and a tracked deletion that is not content.
        r#"<w:p><w:r><w:t>Who did you ask for help?</w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>Removed words</w:delText></w:r></w:del></w:p>"#.to_string(),
    ]
    .concat();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let docx = zip(&[
        ("[Content_Types].xml", "<Types/>"),
        (
            "word/styles.xml",
            &styles(&[("Title", "Title"), ("Heading1", "heading 1"), ("ListParagraph", "List Paragraph")]),
        ),
        ("word/document.xml", &document),
    ]);
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let file = tmp.path().join("guide.docx");
    std::fs::write(&file, &docx).unwrap();
    let imported = rapport_json(&ws, &["guide", "import", file.to_str().unwrap()]);
    assert_eq!(imported["title"], "Onboarding & the new CI");
    let md = rapport_ok(&ws, &["guide", "export", &imported["id"].to_string()]);
    assert_eq!(
        md,
        "# Onboarding & the new CI\n\nAbout 30 minutes.\n\n## Warm-up\n\n1. Tell me about your role.\n   - How long have you been on the team?\n2. Walk me through your first week. {minutes: 5}\n   > let them tell it in order.\n\n## The pipeline\n\n1. Tell me about the last time a build failed.\n   - How did you find out?\n   - What did you do next?\n2. Who did you ask for help?\n"
    );
}

#[test]
fn a_docx_from_another_language_finds_headings_by_their_built_in_names() {
    // Google Docs and a German Word: no Title style; style ids that are not English.
    let body = [
        para(Some("berschrift1"), None, "Leitfaden"),
        para(Some("berschrift2"), None, "Einstieg"),
        para(None, Some(0), "Erzählen Sie von Ihrer Rolle."),
        para(None, Some(1), "Seit wann?"),
        para(Some("berschrift2"), None, "Pipeline"),
        para(None, Some(0), "Wie war der letzte Build?"),
    ]
    .concat();
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    let docx = zip(&[
        ("word/document.xml", &document),
        ("word/styles.xml", &styles(&[("berschrift1", "heading 1"), ("berschrift2", "heading 2")])),
    ]);
    let doc = guide::docx::parse(&docx, "leitfaden.docx", "leitfaden").unwrap();
    assert_eq!(doc.title, "Leitfaden");
    let titles: Vec<&str> = doc.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, vec!["Einstieg", "Pipeline"]);
    assert_eq!(doc.sections[0].questions[0].probes, vec!["Seit wann?"]);
}

#[test]
fn a_file_that_is_not_a_docx_is_refused_by_name() {
    let err = guide::docx::parse(b"PK\x03\x04 not really a zip", "notes.docx", "notes").unwrap_err();
    assert!(err.to_string().starts_with("notes.docx: not a .docx (zip) file"), "{err}");
    let no_doc = zip(&[("hello.txt", "hi")]);
    let err = guide::docx::parse(&no_doc, "x.docx", "x").unwrap_err();
    assert!(err.to_string().contains("no word/document.xml"), "{err}");
    let mut damaged = zip(&[("word/document.xml", "<w:document/>")]);
    damaged[40] ^= 0xff;
    assert!(guide::docx::parse(&damaged, "d.docx", "d").is_err(), "a damaged entry is refused");
}

fn edit(doc: &GuideDoc, f: impl FnOnce(&mut GuideDoc)) -> GuideDoc {
    let mut d = doc.clone();
    f(&mut d);
    d
}

#[test]
fn editing_a_guide_a_session_used_makes_a_new_version_and_the_session_keeps_its_own() {
    let tmp = TempDir::new();
    let ws_dir = tmp.ws();
    rapport_ok(&ws_dir, &["init"]);
    rapport_ok(&ws_dir, &["study", "create", "CI"]);
    let file = tmp.path().join("guide.md");
    std::fs::write(&file, CANONICAL).unwrap();
    let g = rapport_json(&ws_dir, &["guide", "import", file.to_str().unwrap(), "--study", "CI"]);
    let (guide_id, v1) = (g["id"].as_i64().unwrap(), g["version_id"].as_i64().unwrap());
    let ws = Workspace::open(&ws_dir).unwrap();
    let conn = ws.conn();
    let doc = guide::doc(conn, v1).unwrap();

    // Nobody used version 1 yet: an edit replaces it.
    let fixed = edit(&doc, |d| d.sections[0].questions[0].text = "Tell me about your role.".into());
    let saved = guide::save(conn, guide_id, &fixed).unwrap();
    assert_eq!((saved.version_id, saved.version, saved.new_version), (v1, 1, false));

    // A session follows version 1 (the study's current one), then the guide changes.
    let session: i64 =
        rapport_ok(&ws_dir, &["session", "create", "--study", "CI", "--person", "a@example.com"])
            .trim()
            .parse()
            .unwrap();
    let v2doc = edit(&fixed, |d| {
        d.sections[0].questions[0].text = "Tell me about your role on the team.".into();
        d.sections[1].questions.remove(1);
        d.sections[1].questions.push(guide::GuideQuestion {
            text: "What would you show a new colleague first?".into(),
            ..Default::default()
        });
        d.sections.swap(0, 1);
    });
    let saved = guide::save(conn, guide_id, &v2doc).unwrap();
    assert!(saved.new_version, "the used version stays as it was");
    assert_eq!(saved.version, 2);
    let pinned = rapport_json(&ws_dir, &["session", "list"]);
    assert_eq!(pinned[0]["id"], session);
    assert_eq!(pinned[0]["guide_version_id"], v1, "the session keeps the version it followed");
    assert_eq!(guide::doc(conn, v1).unwrap(), fixed, "version 1 is unchanged");
    // Version 2 is not used yet: the next edit replaces it.
    let again = guide::save(conn, guide_id, &edit(&v2doc, |d| d.intro = "Forty minutes.".into())).unwrap();
    assert_eq!((again.version, again.new_version), (2, false));

    let d = rapport_json(&ws_dir, &["guide", "diff", &guide_id.to_string(), "--from", "1", "--to", "2"]);
    assert_eq!(d["reworded"], 1, "{d}");
    assert_eq!(d["added"], 1, "{d}");
    assert_eq!(d["removed"], 1, "{d}");
    assert_eq!(d["intro_changed"], true);
    let changes = d["changes"].as_array().unwrap();
    let reworded = changes.iter().find(|c| c["change"] == "reworded").unwrap();
    assert_eq!(reworded["old_text"], "Tell me about your role.");
    assert_eq!(reworded["new_text"], "Tell me about your role on the team.");
    assert!(changes.iter().any(|c| c["change"] == "moved"), "the sections swapped: {d}");
    let versions = rapport_json(&ws_dir, &["guide", "versions", &guide_id.to_string()]);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[1]["sessions"], 1);

    // Deleting the guide leaves the session, following no guide.
    let diffed = guide::diff::diff(&fixed, &fixed);
    assert!(diffed.changes.iter().all(|c| c.change == ChangeKind::Unchanged));
    drop(ws);
    rapport_ok(&ws_dir, &["guide", "delete", &guide_id.to_string(), "--yes"]);
    let after = rapport_json(&ws_dir, &["session", "list"]);
    assert_eq!(after[0]["guide_version_id"], serde_json::Value::Null);
}

fn seg(i: i64, speaker: &str, text: &str) -> Segment {
    Segment {
        id: i,
        start_ms: i * 10_000,
        end_ms: i * 10_000 + 9_000,
        speaker: Some(speaker.into()),
        text: text.into(),
    }
}

#[test]
fn alignment_finds_reworded_questions_among_small_talk_and_leaves_out_a_skipped_one() {
    let doc = guide::parse(CANONICAL, "g.md").unwrap();
    let asked: Vec<align::Asked> = doc
        .sections
        .iter()
        .flat_map(|s| s.questions.iter())
        .map(|q| align::Asked { text: q.text.clone(), probes: q.probes.clone() })
        .collect();
    let (i, p) = ("Interviewer", "Participant");
    let transcript = vec![
        seg(0, i, "Hi, thanks for joining. Can you hear me okay?"),
        seg(1, p, "Yes, loud and clear. Sorry I'm a minute late, the coffee machine is broken again."),
        seg(2, i, "No problem at all. So, to start, tell me a bit about your role and which services you work on."),
        seg(3, p, "I'm on the payments team; I look after the refund service and the ledger."),
        seg(4, i, "And how long have you been on that team?"),
        seg(5, p, "Two years in March."),
        // Question 2 (first week) is skipped; the interviewer moves on to the pipeline.
        seg(6, i, "Great. Okay, let's talk about the pipeline. Think of the last time one of your builds failed, tell me about it."),
        seg(7, p, "Last Tuesday the ledger build failed on a flaky test."),
        seg(8, i, "How did you find out?"),
        seg(9, p, "A message in Slack from the bot."),
        seg(10, p, "Then I re-ran it and it passed."),
        seg(11, i, "Mm-hm. Did you ever end up asking for help in the channel?"),
        seg(12, p, "Once, when the runners were down."),
        seg(13, i, "Great, that's all I had. Thank you so much!"),
        seg(14, p, "Thanks, bye."),
    ];
    let found = align::align(&asked, &transcript);
    let asked_at: Vec<Option<i64>> = found.iter().map(|f| f.as_ref().map(|a| a.asked_ms)).collect();
    assert_eq!(asked_at, vec![Some(20_000), None, Some(60_000), Some(110_000)], "{found:?}");
    let build = found[2].as_ref().unwrap();
    assert_eq!((build.start_ms, build.end_ms), (70_000, 109_000), "the answer runs to the next question");
    assert!(build.excerpt.starts_with("Last Tuesday the ledger build failed"), "{}", build.excerpt);
    assert!(!build.excerpt.contains("How did you find out"), "the interviewer's probe is not the answer");
    assert!(found.iter().flatten().all(|a| a.score >= align::THRESHOLD && a.score <= 1.0));
}

fn vtt(lines: &[(&str, &str)]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for (k, (who, text)) in lines.iter().enumerate() {
        let (s, e) = (k * 10, k * 10 + 9);
        out.push_str(&format!(
            "00:{:02}:{:02}.000 --> 00:{:02}:{:02}.000\n<v {who}>{text}\n\n",
            s / 60,
            s % 60,
            e / 60,
            e % 60
        ));
    }
    out
}

#[test]
fn guide_answers_lists_each_question_with_the_answer_of_every_session() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    rapport_ok(&ws, &["study", "create", "CI"]);
    let file = tmp.path().join("guide.md");
    std::fs::write(&file, CANONICAL).unwrap();
    rapport_ok(&ws, &["guide", "import", file.to_str().unwrap(), "--study", "CI"]);
    let session = rapport_ok(&ws, &["session", "create", "--study", "CI", "--person", "a@example.com"]);
    let session = session.trim();
    let t = tmp.path().join("t.vtt");
    std::fs::write(
        &t,
        vtt(&[
            ("Maya", "Thanks for joining! Tell me about your role and the services you work on."),
            ("Ana", "I run the ledger service."),
            ("Maya", "Walk me through your first week on the new CI."),
            ("Ana", "I read the docs, then broke the build twice."),
            ("Maya", "Tell me about the last time a build failed."),
            ("Ana", "Yesterday, a flaky test."),
        ]),
    )
    .unwrap();
    rapport_ok(&ws, &["transcript", "import", t.to_str().unwrap(), "--session", session]);
    let m = rapport_json(&ws, &["guide", "answers", "--study", "CI"]);
    let questions = m["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 4);
    for q in questions {
        assert!(q["id"].is_i64() && q["text"].is_string());
    }
    let first = &questions[0]["answers"][0];
    assert_eq!(first["session"].to_string(), session);
    assert_eq!(first["start_ms"], 10_000);
    assert_eq!(first["end_ms"], 19_000);
    assert_eq!(first["excerpt"], "I run the ledger service.");
    assert!(first["score"].as_f64().unwrap() > 0.9);
    assert_eq!(questions[2]["answers"][0]["excerpt"], "Yesterday, a flaky test.");
    assert_eq!(questions[3]["answers"].as_array().unwrap().len(), 0, "the last question was not asked");
}

#[test]
fn stamped_notes_are_stored_listed_edited_and_searchable() {
    let (_tmp, ws) = demo_workspace();
    let id = rapport_json(
        &ws,
        &["note", "add", "--session", "1", "--at", "65000", "Mentions the quokka retry storm"],
    );
    let id = id["id"].as_i64().unwrap();
    let notes = rapport_json(&ws, &["note", "list", "--session", "1"]);
    assert!(notes.as_array().unwrap().iter().any(|n| n["id"] == id && n["at_ms"] == 65000));
    let hits = rapport_json(&ws, &["search", "quokka"]);
    assert_eq!(hits["hits"][0]["kind"], "note");
    assert_eq!(hits["hits"][0]["start_ms"], 65000);
    rapport_ok(&ws, &["note", "edit", &id.to_string(), "--text", "Mentions the wombat retry storm"]);
    assert_eq!(rapport_json(&ws, &["search", "quokka"])["total"], 0, "the edit reached the index");
    assert_eq!(rapport_json(&ws, &["search", "wombat"])["total"], 1);
    rapport_ok(&ws, &["note", "delete", &id.to_string()]);
    assert_eq!(rapport_json(&ws, &["search", "wombat"])["total"], 0);
    let bad = rapport(&ws, &["note", "add", "--session", "1", "--at", "-5", "x"]);
    assert!(!bad.status.success());
}

#[test]
fn run_mode_checks_and_the_study_notes_page_are_stored() {
    let (_tmp, ws) = demo_workspace();
    let shown = rapport_json(&ws, &["guide", "show", "1"]);
    let q = shown["questions"][2]["id"].as_i64().unwrap();
    let checks = rapport_json(
        &ws,
        &["guide", "check", "--session", "1", "--question", &q.to_string(), "--at", "90000"],
    );
    assert_eq!(checks[0]["question_id"], q);
    assert_eq!(checks[0]["at_ms"], 90000);
    let checks =
        rapport_json(&ws, &["guide", "check", "--session", "1", "--question", &q.to_string(), "--undo"]);
    assert_eq!(checks.as_array().unwrap().len(), 0);
    let page = rapport_json(
        &ws,
        &["note", "page", "--study", "1", "--set", "Hypothesis: the gate is the bottleneck."],
    );
    assert_eq!(page["text"], "Hypothesis: the gate is the bottleneck.");
    assert_eq!(
        rapport_json(&ws, &["note", "page", "--study", "1"])["text"],
        "Hypothesis: the gate is the bottleneck."
    );
}

#[test]
fn open_checks_a_link_and_says_where_it_points() {
    let (_tmp, ws) = demo_workspace();
    let t = rapport_json(&ws, &["open", "rapport://session/2?t=95", "--no-launch"]);
    assert_eq!(t["kind"], "session");
    assert_eq!(t["id"], 2);
    assert_eq!(t["t_ms"], 95000);
    assert_eq!(t["launched"], false);
    let f = rapport_json(&ws, &["open", "rapport://finding/1", "--no-launch"]);
    assert_eq!(f["study_id"], 1);
    let missing = rapport(&ws, &["open", "rapport://study/99", "--no-launch", "--json"]);
    assert!(!missing.status.success());
    let err: serde_json::Value = serde_json::from_slice(&missing.stderr).unwrap();
    assert_eq!(err["error"]["code"], "not_found");
    let bad = rapport(&ws, &["open", "https://example.com", "--no-launch"]);
    assert!(!bad.status.success());
}

#[test]
fn lint_reads_a_file_and_prints_the_issue_json_shape() {
    let tmp = TempDir::new();
    let file = tmp.path().join("g.md");
    std::fs::write(&file, "# G\n\n## Start\n\n1. Don't you think deploys are slow?\n   - How often?\n")
        .unwrap();
    let run = rapport(Path::new(&tmp.ws()), &["guide", "lint", file.to_str().unwrap(), "--json"]);
    assert_eq!(run.status.code(), Some(1), "problems found exit 1, with the report on stdout");
    let out: serde_json::Value = serde_json::from_slice(&run.stdout).expect("the JSON report");
    let q = &out["questions"];
    assert_eq!(q[0]["section"], "Start");
    assert_eq!(q[0]["text"], "Don't you think deploys are slow?");
    let p = &q[0]["problems"][0];
    assert_eq!(p["code"], "leading");
    assert!(p["reason"].is_string() && p["suggestion"].is_string());
    assert_eq!(q[1]["text"], "How often?", "a probe is its own entry");
    assert_eq!(q[1]["problems"][0]["code"], "vague");
}

#[test]
fn lint_exits_0_when_clean_1_on_problems_and_2_when_it_cannot_lint() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    let clean = tmp.path().join("clean.md");
    std::fs::write(&clean, "# G\n\n## Start\n\n1. Tell me about the last time you deployed a service.\n")
        .unwrap();
    let ok = rapport(&ws, &["guide", "lint", clean.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("0 problems"));

    let flagged = tmp.path().join("flagged.md");
    std::fs::write(&flagged, "# G\n\n## Start\n\n1. Would you use a rollback button?\n").unwrap();
    let bad = rapport(&ws, &["guide", "lint", flagged.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("try:"), "the report is still printed");

    let malformed = tmp.path().join("malformed.md");
    std::fs::write(&malformed, "# G\n\n> a note under no question\n").unwrap();
    let err = rapport(&ws, &["guide", "lint", malformed.to_str().unwrap(), "--json"]);
    assert_eq!(err.status.code(), Some(2));
    let body: serde_json::Value = serde_json::from_slice(&err.stderr).unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");

    // Not a file and not a guide of the workspace.
    rapport_ok(&ws, &["demo"]);
    let missing = rapport(&ws, &["guide", "lint", "no such guide", "--json"]);
    assert_eq!(missing.status.code(), Some(2));
    let body: serde_json::Value = serde_json::from_slice(&missing.stderr).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[test]
fn a_docx_whose_lists_come_from_styles_reads_them_as_questions_and_probes() {
    // LibreOffice writes "List Number" styles; some templates put the numbering in a custom
    // style; Word repeats drawing text in an mc:Fallback that must not be read twice.
    let body = [
        para(Some("Heading1"), None, "Guide from a template"),
        para(Some("Heading2"), None, "Start"),
        para(Some("Question"), None, "Tell me about your first deploy."),
        para(Some("ListNumber2"), None, "Who helped you?"),
        r#"<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="wps"><w:t>Shown once</w:t></mc:Choice><mc:Fallback><w:t>Shown once</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
        para(Some("ListNumber"), None, "What happened next?"),
    ]
    .concat();
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    let mut styles_xml = styles(&[
        ("Heading1", "heading 1"),
        ("Heading2", "heading 2"),
        ("ListNumber", "List Number"),
        ("ListNumber2", "List Number 2"),
    ]);
    styles_xml = styles_xml.replace(
        "</w:styles>",
        r#"<w:style w:type="paragraph" w:styleId="Question"><w:name w:val="Question"/><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="4"/></w:numPr></w:pPr></w:style></w:styles>"#,
    );
    let docx = zip(&[("word/document.xml", &document), ("word/styles.xml", &styles_xml)]);
    let doc = guide::docx::parse(&docx, "template.docx", "template").unwrap();
    assert_eq!(doc.title, "Guide from a template");
    let q = &doc.sections[0].questions;
    let texts: Vec<&str> = q.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(texts, vec!["Tell me about your first deploy.", "What happened next?"]);
    assert_eq!(q[0].probes, vec!["Who helped you?"]);
    assert_eq!(q[0].note.as_deref(), Some("Shown once"), "the fallback copy is not read");
}

#[test]
fn a_session_s_notes_export_as_markdown_with_links_and_as_csv() {
    let (_tmp, ws) = demo_workspace();
    rapport_ok(&ws, &["note", "add", "--session", "2", "--at", "95000", "Gate, again"]);
    let md = rapport_ok(&ws, &["note", "export", "--session", "2"]);
    assert!(md.starts_with("# Notes: Tomasz Kowalski, 2026-05-20\n"), "{md}");
    assert!(md.contains("- [00:01:35](rapport://session/2?t=95) Gate, again\n"), "{md}");
    let csv = rapport_ok(&ws, &["note", "export", "--session", "2", "--format", "csv"]);
    assert!(csv.starts_with("session,at_ms,play_ms,clock,text\n"), "{csv}");
    assert!(csv.contains("2,95000,95000,00:01:35,\"Gate, again\"\n"), "{csv}");
}

#[test]
fn run_mode_pins_the_version_a_session_without_one_is_run_with() {
    let (_tmp, ws) = demo_workspace();
    let id = rapport_ok(
        &ws,
        &["session", "create", "--study", "1", "--person", "new@example.com", "--guide-version", "1"],
    );
    let id = id.trim().to_string();
    // A session that follows no guide yet.
    let ws_open = Workspace::open(&ws).unwrap();
    ws_open
        .conn()
        .execute("UPDATE sessions SET guide_version_id = NULL WHERE id = ?1", [id.parse::<i64>().unwrap()])
        .unwrap();
    drop(ws_open);
    let q = rapport_json(&ws, &["guide", "show", "1"])["questions"][0]["id"].to_string();
    rapport_ok(&ws, &["guide", "check", "--session", &id, "--question", &q, "--at", "1000"]);
    let sessions = rapport_json(&ws, &["session", "list"]);
    let id: i64 = id.parse().unwrap();
    let s = sessions.as_array().unwrap().iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(s["guide_version_id"], 1, "run mode pinned the version it showed");
}

/// Writes a .docx with python-docx (Debian's python3-docx, installed by scripts/test): Word's
/// own default template, its built-in Title, Heading and List styles.
#[test]
fn a_docx_written_by_python_docx_with_words_template_imports() {
    let tmp = TempDir::new();
    let file = tmp.path().join("word.docx");
    let script = r#"
import sys, docx
d = docx.Document()
d.add_heading("Platform onboarding", level=0)
d.add_paragraph("About 40 minutes. Ask for consent first.")
d.add_heading("Warm-up", level=1)
d.add_paragraph("Tell me about your team.", style="List Number")
d.add_paragraph("How long have you been there?", style="List Bullet 2")
d.add_paragraph("Walk me through your first deploy here.", style="List Number")
d.add_heading("Wrap-up", level=1)
d.add_paragraph("Who else should we talk to?", style="List Bullet")
d.save(sys.argv[1])
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .expect("run /usr/bin/python3 (scripts/test installs python3-docx)");
    assert!(out.status.success(), "python-docx failed: {}", String::from_utf8_lossy(&out.stderr));
    let doc = guide::read_file(&file).unwrap();
    assert_eq!(doc.title, "Platform onboarding");
    assert_eq!(doc.intro, "About 40 minutes. Ask for consent first.");
    let sections: Vec<(&str, Vec<&str>)> = doc
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.questions.iter().map(|q| q.text.as_str()).collect()))
        .collect();
    assert_eq!(
        sections,
        vec![
            ("Warm-up", vec!["Tell me about your team.", "Walk me through your first deploy here."]),
            ("Wrap-up", vec!["Who else should we talk to?"]),
        ]
    );
    assert_eq!(doc.sections[0].questions[0].probes, vec!["How long have you been there?"]);
}

#[test]
fn the_diff_names_what_else_changed_about_a_question() {
    let old = guide::parse(CANONICAL, "g.md").unwrap();
    let new = edit(&old, |d| {
        let q = &mut d.sections[1].questions[0];
        q.kind = guide::QuestionKind::Open;
        q.minutes = Some(12);
        q.probes.push("Who did you tell?".into());
    });
    let d = guide::diff::diff(&old, &new);
    assert_eq!((d.edited, d.added, d.removed, d.reworded, d.moved), (1, 0, 0, 0, 0));
    let c = d.changes.iter().find(|c| c.change == ChangeKind::Edited).unwrap();
    assert_eq!(c.details, vec!["probes", "kind", "minutes"]);
}

#[test]
fn alignment_without_speaker_labels_still_finds_the_questions() {
    // An undiarised transcript: no speakers, the question and the answer in turns all the same.
    let doc = guide::parse(CANONICAL, "g.md").unwrap();
    let asked: Vec<align::Asked> = doc
        .sections
        .iter()
        .flat_map(|s| s.questions.iter())
        .map(|q| align::Asked { text: q.text.clone(), probes: q.probes.clone() })
        .collect();
    let plain = |i: i64, text: &str| Segment {
        id: i,
        start_ms: i * 5000,
        end_ms: i * 5000 + 4000,
        speaker: None,
        text: text.into(),
    };
    let transcript = vec![
        plain(0, "Okay, let's start. Tell me about your role and the services you work on."),
        plain(1, "I look after the ledger."),
        plain(2, "Tell me about the last time a build failed."),
        plain(3, "Yesterday, on a flaky test."),
    ];
    let found = align::align(&asked, &transcript);
    let at: Vec<Option<i64>> = found.iter().map(|f| f.as_ref().map(|a| a.asked_ms)).collect();
    assert_eq!(at, vec![Some(0), None, Some(10_000), None]);
    assert_eq!(found[0].as_ref().unwrap().excerpt, "I look after the ledger.");
}

/// Sets the start offset of session 1's main recording (the demo's Priya Raman) in the store.
fn offset_priya_recording(ws: &Path, offset_ms: i64) {
    let w = Workspace::open(ws).unwrap();
    let recs = rapport::media::recordings_of_session(w.conn(), 1).unwrap();
    let main = recs.first().expect("the demo session 1 has a recording");
    rapport::media::set_track(w.conn(), main.id, main.track.as_deref(), offset_ms).unwrap();
}

#[test]
fn notes_play_at_their_stamp_less_the_recording_s_start_offset_in_lists_search_exports_and_answers() {
    let (_tmp, ws) = demo_workspace();
    // The recording started 45 s into the session: a note stamped at 1:35 is at 0:50 of it.
    offset_priya_recording(&ws, 45_000);
    rapport_ok(&ws, &["note", "add", "--session", "1", "--at", "95000", "Numbat moment"]);
    rapport_ok(&ws, &["note", "add", "--session", "1", "--at", "10000", "Before the recording"]);
    let notes = rapport_json(&ws, &["note", "list", "--session", "1"]);
    let find = |text: &str| notes.as_array().unwrap().iter().find(|n| n["text"] == text).unwrap().clone();
    assert_eq!(find("Numbat moment")["at_ms"], 95_000, "the stamp stays in session time");
    assert_eq!(find("Numbat moment")["play_ms"], 50_000);
    assert_eq!(
        find("Before the recording")["play_ms"],
        0,
        "a note before the recording plays from its start"
    );

    let hits = rapport_json(&ws, &["search", "numbat"]);
    assert_eq!(hits["hits"][0]["kind"], "note");
    assert_eq!(hits["hits"][0]["start_ms"], 50_000, "a search hit plays the note's place");

    let md = rapport_ok(&ws, &["note", "export", "--session", "1"]);
    assert!(md.contains("- [00:00:50](rapport://session/1?t=50) Numbat moment\n"), "{md}");
    let csv = rapport_ok(&ws, &["note", "export", "--session", "1", "--format", "csv"]);
    assert!(csv.contains("1,95000,50000,00:00:50,Numbat moment\n"), "{csv}");

    // The answers matrix: a note taken during Priya's first answer, stamped in session time.
    let m = rapport_json(&ws, &["guide", "answers", "--study", "1"]);
    let first = m["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["answers"].as_array().unwrap().iter().find(|a| a["session"] == 1).cloned())
        .min_by_key(|a| a["start_ms"].as_i64().unwrap())
        .expect("Priya's answers");
    let (start, end) = (first["start_ms"].as_i64().unwrap(), first["end_ms"].as_i64().unwrap());
    let during = (start + end) / 2;
    rapport_ok(
        &ws,
        &["note", "add", "--session", "1", "--at", &(during + 45_000).to_string(), "Wombat aside"],
    );
    let m = rapport_json(&ws, &["guide", "answers", "--study", "1"]);
    let cell = m["questions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["answers"].as_array().unwrap().clone())
        .find(|a| a["session"] == 1 && a["start_ms"] == start)
        .unwrap();
    let notes = cell["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["text"] == "Wombat aside" && n["play_ms"] == during), "{cell}");
    let from = first["asked_ms"].as_i64().unwrap().min(start);
    assert!(
        notes.iter().all(|n| (from..=end).contains(&n["play_ms"].as_i64().unwrap())),
        "only notes inside: {cell}"
    );

    // The offset set again later: the search index follows (it re-reads the session).
    offset_priya_recording(&ws, 0);
    let hits = rapport_json(&ws, &["search", "numbat"]);
    assert_eq!(hits["hits"][0]["start_ms"], 95_000);
    let notes = rapport_json(&ws, &["note", "list", "--session", "1"]);
    assert!(notes.as_array().unwrap().iter().any(|n| n["text"] == "Numbat moment" && n["play_ms"] == 95_000));
}
