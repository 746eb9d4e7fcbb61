//! REFI-QDA through the CLI: a `.qdpx` of the demo valid against the XSD and imported back
//! the same, selections at the highlighted words, `.qdc` codebooks, projects of other tools
//! (ATLAS.ti's sample, QualCoder- and f4/MAXQDA-style ones), and bad archives refused.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use rapport::import::xml::{self, Node};
use serde_json::Value;

use crate::synthesis::{counts, export, shared, unzip, ATLAS_SAMPLE};
use crate::util::{demo_workspace, rapport, rapport_json, rapport_ok, TempDir};

/// A project's code paths, its sources' texts by name, and every coded selection as
/// `(source name, selected text, sorted code paths)`.
type Project = (BTreeSet<String>, BTreeMap<String, String>, BTreeSet<(String, String, Vec<String>)>);

/// What a `.qdpx` holds, read back: see [`Project`].
fn coded_spans(files: &BTreeMap<String, Vec<u8>>) -> Project {
    let qde = String::from_utf8(files["project.qde"].clone()).unwrap();
    let root = xml::parse("project.qde", &qde).unwrap();
    let mut code_paths: BTreeMap<String, String> = BTreeMap::new();
    fn walk(node: &Node, parent: Option<&str>, out: &mut BTreeMap<String, String>) {
        for c in node.all("Code") {
            let path = match parent {
                Some(p) => format!("{p}/{}", c.attr("name").unwrap()),
                None => c.attr("name").unwrap().to_string(),
            };
            out.insert(c.attr("guid").unwrap().to_string(), path.clone());
            walk(c, Some(&path), out);
        }
    }
    walk(root.first("CodeBook").unwrap().first("Codes").unwrap(), None, &mut code_paths);
    let mut texts = BTreeMap::new();
    let mut spans = BTreeSet::new();
    for src in root.first("Sources").unwrap().all("TextSource") {
        let name = src.attr("name").unwrap().to_string();
        let file = src.attr("plainTextPath").unwrap().strip_prefix("internal://").unwrap();
        let text = String::from_utf8(files[&format!("Sources/{file}")].clone()).unwrap();
        for sel in src.all("PlainTextSelection") {
            let start: usize = sel.attr("startPosition").unwrap().parse().unwrap();
            let end: usize = sel.attr("endPosition").unwrap().parse().unwrap();
            let selected: String = text.chars().skip(start).take(end - start).collect();
            let mut codes: Vec<String> = sel
                .all("Coding")
                .map(|c| code_paths[c.first("CodeRef").unwrap().attr("targetGUID").unwrap()].clone())
                .collect();
            codes.sort();
            spans.insert((name.clone(), selected, codes));
        }
        texts.insert(name, text);
    }
    (code_paths.into_values().collect(), texts, spans)
}

#[test]
fn a_qdpx_of_the_demo_validates_and_imports_back_with_the_same_codes_sources_and_spans() {
    let (tmp, ws) = demo_workspace();
    let qdpx = export(&ws, &["--format", "qdpx", "--out", tmp.path().join("demo.qdpx").to_str().unwrap()]);
    let files = unzip(&qdpx);
    assert!(files.keys().any(|k| k.starts_with("Sources/") && k.ends_with(".txt")), "plain text sources");
    assert!(files.keys().any(|k| k.ends_with(".flac")), "the demo's recording travels with its transcript");
    let qde = tmp.path().join("project.qde");
    std::fs::write(&qde, &files["project.qde"]).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("refi-qda/Project-mrt2019.xsd"))
        .arg(&qde)
        .output()
        .expect("xmllint runs (libxml2-utils)");
    assert!(
        lint.status.success(),
        "project.qde must validate against the REFI-QDA XSD: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let qde_text = String::from_utf8(files["project.qde"].clone()).unwrap();
    assert!(
        qde_text.contains("<SyncPoint") && qde_text.contains("<AudioSource"),
        "times kept through the recording's transcript"
    );
    assert!(
        qde_text.contains("<Case ") && qde_text.contains("<VariableValue>"),
        "people as cases with variables"
    );

    let (codes, texts, spans) = coded_spans(&files);
    let demo_highlights = rapport_json(&ws, &["highlight", "list", "--study", "New deploy system"]);
    assert!(
        spans.len() >= demo_highlights.as_array().unwrap().len() - 1,
        "every transcript highlight is a selection"
    );

    // Import into an empty workspace, export again: the same codes, sources and coded spans.
    let tmp2 = TempDir::new();
    let ws2 = tmp2.ws();
    rapport_ok(&ws2, &["init"]);
    let report = rapport_json(&ws2, &["import", "qdpx", qdpx.to_str().unwrap()]);
    assert_eq!(report["sources"], 3);
    assert_eq!(report["cases"], 3);
    assert!(
        report["not_imported"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("recording")),
        "the recording is listed, not dropped silently"
    );
    let again =
        export(&ws2, &["--format", "qdpx", "--out", tmp2.path().join("again.qdpx").to_str().unwrap()]);
    let (codes2, texts2, spans2) = coded_spans(&unzip(&again));
    assert_eq!(codes, codes2, "the same codes");
    assert_eq!(texts, texts2, "the same sources, character for character");
    assert_eq!(spans, spans2, "the same coded spans");
}

#[test]
fn each_selection_of_a_qdpx_points_at_the_highlighted_words() {
    let (tmp, ws) = demo_workspace();
    let hs = rapport_json(&ws, &["highlight", "list", "--session", "1"]);
    let h = &hs[0];
    let words: Vec<&str> = h["text"].as_str().unwrap().split_whitespace().skip(2).take(4).collect();
    rapport_ok(
        &ws,
        &[
            "highlight",
            "add",
            "--session",
            "1",
            "--from",
            &h["start_ms"].to_string(),
            "--to",
            &h["end_ms"].to_string(),
            "--tag",
            "Words",
            "--text",
            &words.join(" "),
        ],
    );
    let qdpx = export(&ws, &["--format", "qdpx", "--out", tmp.path().join("d.qdpx").to_str().unwrap()]);
    let files = unzip(&qdpx);
    let (_, _, spans) = coded_spans(&files);
    let all = rapport_json(&ws, &["highlight", "list", "--study", "New deploy system"]);
    let mut exact = 0;
    for h in all.as_array().unwrap().iter().filter(|h| h["note_id"].is_null()) {
        let text = h["text"].as_str().unwrap();
        let mut tags: Vec<String> =
            h["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
        tags.sort();
        let found = spans.iter().find(|(_, sel, codes)| {
            codes == &tags
                && (sel == text || {
                    // A span over several segments covers their lines: it starts with the first
                    // words and ends with the last.
                    let w: Vec<&str> = text.split_whitespace().collect();
                    sel.starts_with(w[0])
                        && sel.ends_with(w[w.len() - 1])
                        && sel.split_whitespace().count() >= w.len()
                })
        });
        assert!(found.is_some(), "highlight {} ({text:?}) has a selection at its words", h["id"]);
        if found.unwrap().1 == text {
            exact += 1;
        }
    }
    // Every selection is exactly the highlight's words (a span over a change of speaker holds
    // the next speaker's name, in the highlight as in the text source).
    let n = all.as_array().unwrap().iter().filter(|h| h["note_id"].is_null()).count();
    assert_eq!(exact, n, "selections are exactly the highlighted text");
    assert!(spans
        .iter()
        .any(|(_, sel, codes)| codes == &vec!["Words".to_string()] && *sel == words.join(" ")));
}

#[test]
fn the_atlas_ti_standard_project_brings_its_codes_and_lists_the_missing_sources() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let sample = shared("refi-qda/samples/TestProject.qdpx");
    let sample = if sample.exists() { sample } else { PathBuf::from(ATLAS_SAMPLE) };
    let report = rapport_json(&ws, &["import", "qdpx", sample.to_str().unwrap()]);
    assert!(report["codes"].as_i64().unwrap() >= 10, "ATLAS.ti's codes come in: {report}");
    assert_eq!(report["sources"], 0, "its sources are not in the archive");
    let missing: Vec<&str> =
        report["not_imported"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(
        missing.iter().any(|l| l.contains("Mabel.txt") && l.contains("missing")),
        "the missing sources are named: {missing:?}"
    );
    let tags = rapport_json(&ws, &["tag", "list"]);
    let paths: Vec<&str> = tags.as_array().unwrap().iter().map(|t| t["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"Feelings") && paths.contains(&"cornflakes"), "{paths:?}");
    let feelings = tags.as_array().unwrap().iter().find(|t| t["path"] == "Feelings").unwrap();
    assert_eq!(feelings["description"], "thoughts about breakfast foods");
    assert_eq!(feelings["color"], "#f00082");
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn bad_qdpx_files_get_a_clear_message_and_change_nothing() {
    let (tmp, ws) = demo_workspace();
    let before = counts(&ws);
    let dir = tmp.path();
    let valid_start =
        br#"<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Bad">"#;
    let mut no_codable = valid_start.to_vec();
    no_codable.extend_from_slice(br#"<CodeBook><Codes><Code guid="85D17F60-7BB0-481E-B742-B4861DD669DF" name="x"/></Codes></CodeBook></Project>"#);
    let mut traversal = valid_start.to_vec();
    traversal.extend_from_slice(b"</Project>");
    let zeros = vec![0u8; 24 * 1024 * 1024];

    std::fs::write(dir.join("plain.qdpx"), "just some text, not a zip").unwrap();
    write_zip(&dir.join("empty.qdpx"), &[("Sources/a.txt", b"hello")]);
    write_zip(&dir.join("schema.qdpx"), &[("project.qde", &no_codable)]);
    write_zip(&dir.join("bomb.qdpx"), &[("project.qde", &zeros)]);
    write_zip(&dir.join("escape.qdpx"), &[("project.qde", &traversal), ("../../x", b"owned")]);
    write_zip(&dir.join("notxml.qdpx"), &[("project.qde", b"<Project><unclosed>")]);
    let mut misplaced = valid_start.to_vec();
    misplaced.extend_from_slice(br#"<Sources><Code guid="85D17F60-7BB0-481E-B742-B4861DD669DF" name="x" isCodable="true"/></Sources></Project>"#);
    write_zip(&dir.join("misplaced.qdpx"), &[("project.qde", &misplaced)]);
    write_zip(&dir.join("noname.qdpx"), &[("project.qde", br#"<Project xmlns="urn:QDA-XML:project:1.0"/>"#)]);

    for (file, says) in [
        ("plain.qdpx", "not a zip"),
        ("empty.qdpx", "no project.qde"),
        ("schema.qdpx", "isCodable"),
        ("bomb.qdpx", "zip bomb"),
        ("escape.qdpx", "outside the archive"),
        ("notxml.qdpx", "line"),
        ("misplaced.qdpx", "not allowed inside <Sources>"),
        ("noname.qdpx", "needs the attribute name"),
    ] {
        let out = rapport(&ws, &["import", "qdpx", dir.join(file).to_str().unwrap(), "--json"]);
        assert!(!out.status.success(), "{file} must be refused");
        let err: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|_| panic!("{file}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(err["error"]["code"], "invalid_input", "{file}: {err}");
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{file}: the message says {says:?}: {msg}");
        assert!(msg.contains(file), "{file}: the message names the file: {msg}");
    }
    let after = counts(&ws);
    assert_eq!(
        (before.studies, before.tags, before.sessions, before.highlights, before.people),
        (after.studies, after.tags, after.sessions, after.highlights, after.people),
        "nothing changed"
    );
    assert!(!dir.join("..").join("x").exists() && !Path::new("x").exists(), "nothing was extracted");
    let bad_qdc = dir.join("bad.qdc");
    std::fs::write(&bad_qdc, r#"<CodeBook xmlns="urn:QDA-XML:project:1.0"><Codes/></CodeBook>"#).unwrap();
    let out = rapport(&ws, &["import", "qdc", bad_qdc.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("codebook:1.0"));
}

#[test]
fn a_qdc_codebook_exports_and_imports_into_another_workspace() {
    let (tmp, ws) = demo_workspace();
    let qdc = export(&ws, &["--format", "qdc", "--out", tmp.path().join("codes.qdc").to_str().unwrap()]);
    let text = std::fs::read_to_string(&qdc).unwrap();
    assert!(text.contains("urn:QDA-XML:codebook:1.0"));
    // No copy of the codebook schema is kept; it is the project schema's `Code` types under
    // the codebook namespace with `CodeBook` (Codes, optional Sets, an origin) as the root.
    let project = std::fs::read_to_string(shared("refi-qda/Project-mrt2019.xsd")).unwrap();
    let codebook_xsd = project
        .replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0")
        .replace(r#"<xsd:element name="Project" type="ProjectType">"#, r#"<xsd:element name="CodeBook" type="CodeBookType">"#)
        .replace(
            "<xsd:element name=\"Codes\" type=\"CodesType\"/>\n\t\t</xsd:sequence>\n\t</xsd:complexType>",
            "<xsd:element name=\"Codes\" type=\"CodesType\"/><xsd:element name=\"Sets\" type=\"SetsType\" minOccurs=\"0\"/>\n\t\t</xsd:sequence><xsd:attribute name=\"origin\" type=\"xsd:string\"/>\n\t</xsd:complexType>",
        );
    assert!(
        codebook_xsd.contains(r#"name="origin""#) && codebook_xsd.contains(r#"name="CodeBook" type"#),
        "the codebook schema was derived"
    );
    let xsd = tmp.path().join("Codebook.xsd");
    std::fs::write(&xsd, codebook_xsd).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&qdc)
        .output()
        .expect("xmllint runs");
    assert!(
        lint.status.success(),
        "the .qdc validates against the codebook schema: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let tmp2 = TempDir::new();
    let ws2 = tmp2.ws();
    rapport_ok(&ws2, &["init"]);
    let report = rapport_json(&ws2, &["import", "qdc", qdc.to_str().unwrap()]);
    let paths = |ws: &Path| -> Vec<String> {
        rapport_json(ws, &["tag", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(paths(&ws), paths(&ws2), "the same codebook");
    assert_eq!(report["codes_new"].as_i64().unwrap() as usize, paths(&ws).len());
}

#[test]
fn a_project_in_another_tools_style_imports_its_texts_codings_cases_and_notes() {
    // The shape QualCoder and MAXQDA write: braces around GUIDs, a BOM and CRLF line ends in
    // the source text, non-ASCII letters before a selection (positions count characters), a
    // case with variables, a note on a selection and one on the source.
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let text = "\u{feff}Interviewer: Wie läuft das Deployment?\r\nAna: Ça dépend. The gate blocks us every week.\r\n\r\nAna: Otherwise fine.";
    let body = text.trim_start_matches('\u{feff}');
    let start = body[..body.find("The gate").unwrap()].chars().count();
    let end = start + "The gate blocks us".chars().count();
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Kundeninterviews" origin="QualCoder 3.5">
  <Users><User guid="{{11111111-1111-1111-1111-111111111111}}" name="coder"/></Users>
  <CodeBook><Codes>
    <Code guid="{{22222222-2222-2222-2222-222222222222}}" name="Friction" isCodable="false" color="#AA0000">
      <Code guid="{{33333333-3333-3333-3333-333333333333}}" name="Gates / checks" isCodable="true"><Description>Blocked by a gate</Description></Code>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="44444444-4444-4444-4444-444444444444" name="Email" typeOfVariable="Text"/>
    <Variable guid="55555555-5555-5555-5555-555555555555" name="Tenure" typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="66666666-6666-6666-6666-666666666666" name="Ana Souza">
    <VariableValue><VariableRef targetGUID="44444444-4444-4444-4444-444444444444"/><TextValue>ana@customer.example</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="55555555-5555-5555-5555-555555555555"/><IntegerValue>4</IntegerValue></VariableValue>
    <SourceRef targetGUID="77777777-7777-7777-7777-777777777777"/></Case></Cases>
  <Sources>
    <TextSource guid="77777777-7777-7777-7777-777777777777" name="Ana.txt" plainTextPath="internal://77777777-7777-7777-7777-777777777777.txt" creationDateTime="2024-02-03T10:00:00Z">
      <PlainTextSelection guid="88888888-8888-8888-8888-888888888888" name="gate" startPosition="{start}" endPosition="{end}">
        <Coding guid="99999999-9999-9999-9999-999999999999"><CodeRef targetGUID="{{33333333-3333-3333-3333-333333333333}}"/></Coding>
        <NoteRef targetGUID="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"/>
      </PlainTextSelection>
      <NoteRef targetGUID="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB"/>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA" name="memo"><PlainTextContent>Weekly, not daily</PlainTextContent></Note>
    <Note guid="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB" name="about"><PlainTextContent>Recorded on site</PlainTextContent></Note>
  </Notes>
</Project>"##
    );
    let path = tmp.path().join("qualcoder.qdpx");
    write_zip(
        &path,
        &[
            ("project.qde", qde.as_bytes()),
            ("Sources/77777777-7777-7777-7777-777777777777.txt", text.as_bytes()),
        ],
    );
    let report = rapport_json(&ws, &["import", "qdpx", path.to_str().unwrap()]);
    assert_eq!(
        (report["codes"].as_i64(), report["sources"].as_i64(), report["codings"].as_i64()),
        (Some(2), Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(report["cases"], 1);
    assert_eq!(report["notes"], 1, "the note on the source");
    let hs = rapport_json(&ws, &["highlight", "list"]);
    let h = &hs[0];
    assert_eq!(h["text"], "The gate blocks us", "positions count characters (ä, Ç, é before it)");
    assert_eq!(
        h["tags"],
        serde_json::json!(["Friction/Gates ∕ checks"]),
        "nested; a `/` in a name is not a level"
    );
    assert_eq!(h["comment"], "Weekly, not daily", "the selection's note is its comment");
    assert_eq!(h["person_name"], "Ana Souza", "the case is the session's person");
    let people = rapport_json(&ws, &["people", "list"]);
    assert_eq!(people[0]["email"], "ana@customer.example");
    let session = rapport_json(&ws, &["session", "list"]);
    assert_eq!(session.as_array().unwrap().len(), 1);
    let tags = rapport_json(&ws, &["tag", "list"]);
    assert_eq!(tags[0]["color"], "#aa0000");
    assert_eq!(tags[1]["description"], "Blocked by a gate");
    // Importing it again makes a study of its own, never mixing into the first.
    let again = rapport_json(&ws, &["import", "qdpx", path.to_str().unwrap()]);
    assert_eq!(again["study"], "Kundeninterviews (imported 2)");
    assert_eq!(again["codes_new"], 0, "the codes are already in the codebook");
}

#[test]
fn an_audio_transcript_with_sync_points_imports_with_its_times_and_coded_selection() {
    // f4/MAXQDA style: the transcript lives inside the AudioSource, its codings are
    // TranscriptSelections between two sync points.
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let text = "Q: How do you deploy?\nA: With the pipeline, mostly.";
    let a = text.find("With").unwrap();
    let b = text.len();
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Audio project">
  <CodeBook><Codes><Code guid="C0DE0000-0000-0000-0000-000000000001" name="Pipeline" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <AudioSource guid="A0D10000-0000-0000-0000-000000000001" name="interview.m4a" path="internal://interview.m4a">
      <Transcript guid="7A000000-0000-0000-0000-000000000001" name="interview transcript">
        <PlainTextContent>{text}</PlainTextContent>
        <SyncPoint guid="5A000000-0000-0000-0000-000000000001" position="0" timeStamp="1000"/>
        <SyncPoint guid="5A000000-0000-0000-0000-000000000002" position="22" timeStamp="4000"/>
        <SyncPoint guid="5A000000-0000-0000-0000-000000000003" position="{a}" timeStamp="4600"/>
        <SyncPoint guid="5A000000-0000-0000-0000-000000000004" position="{b}" timeStamp="9000"/>
        <TranscriptSelection guid="5E000000-0000-0000-0000-000000000001" name="pipeline" fromSyncPoint="5A000000-0000-0000-0000-000000000003" toSyncPoint="5A000000-0000-0000-0000-000000000004">
          <Coding guid="C0D10000-0000-0000-0000-000000000001"><CodeRef targetGUID="C0DE0000-0000-0000-0000-000000000001"/></Coding>
        </TranscriptSelection>
      </Transcript>
      <AudioSelection guid="A5E10000-0000-0000-0000-000000000001" name="question" begin="1000" end="3500">
        <Coding guid="C0D10000-0000-0000-0000-000000000002"><CodeRef targetGUID="C0DE0000-0000-0000-0000-000000000001"/></Coding>
      </AudioSelection>
    </AudioSource>
  </Sources>
</Project>"##
    );
    let path = tmp.path().join("audio.qdpx");
    write_zip(&path, &[("project.qde", qde.as_bytes())]);
    let report = rapport_json(&ws, &["import", "qdpx", path.to_str().unwrap()]);
    assert_eq!(report["sources"], 1, "{report}");
    assert_eq!(report["codings"], 2, "the transcript selection and the coded time span: {report}");
    let list = rapport_json(&ws, &["highlight", "list", "--tag", "Pipeline"]);
    let by_time =
        list.as_array().unwrap().iter().find(|h| h["start_ms"] == 1000).expect("the coded time span");
    assert_eq!(by_time["text"], "Q: How do you deploy?", "the words said in that time");
    let h =
        list.as_array().unwrap().iter().find(|h| h["start_ms"] == 4600).expect("the transcript selection");
    assert_eq!(h["text"], "With the pipeline, mostly.");
    assert_eq!(
        (h["start_ms"].as_i64(), h["end_ms"].as_i64()),
        (Some(4600), Some(9000)),
        "times from the sync points"
    );
    let sid = report["sessions"][0].as_i64().unwrap().to_string();
    let vtt = rapport_ok(&ws, &["transcript", "export", &sid, "--format", "vtt"]);
    // Line 1 runs from its sync point to its last character (between two sync points, by
    // position); line 2 starts at the sync point at its first character.
    assert!(vtt.contains("00:00:01.000 --> 00:00:03.864"), "{vtt}");
    assert!(vtt.contains("00:00:04.000 --> 00:00:09.000"), "{vtt}");
}

#[test]
fn a_project_using_what_the_schema_allows_imports_its_texts_and_lists_the_rest() {
    // Written by hand from the XSD (and checked against it below): users, codes four levels
    // deep referred to with GUIDs in lower case, variables of every type, a project note, a
    // code memo by NoteRef, sets, a PDF with a text representation, a picture, a text source
    // beside the .qdpx (relative:// under no basePath), one at an absolute file:// path, and
    // one inside the archive with a BOM and an emoji before its selection (positions count
    // code points).
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let inside = "\u{feff}Zoë 🚀: the rollout stalls at the gate.";
    let body = inside.trim_start_matches('\u{feff}');
    let start = body[..body.find("stalls").unwrap()].chars().count();
    let end = start + "stalls at the gate".chars().count();
    std::fs::write(tmp.path().join("beside.txt"), "Ops: approvals take two days.").unwrap();
    let absolute = tmp.path().join("elsewhere").join("absolute text.txt");
    std::fs::create_dir_all(absolute.parent().unwrap()).unwrap();
    std::fs::write(&absolute, "Dev: canary saved us twice.").unwrap();
    let url = format!("file://{}", absolute.to_str().unwrap().replace(' ', "%20"));
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Everything" origin="hand" creatingUserGUID="AAAAAAAA-0000-0000-0000-000000000001">
  <Users><User guid="AAAAAAAA-0000-0000-0000-000000000001" name="one"/><User guid="AAAAAAAA-0000-0000-0000-000000000002" name="two"/></Users>
  <CodeBook><Codes>
    <Code guid="C0000000-0000-0000-0000-00000000000A" name="A" isCodable="true"><NoteRef targetGUID="0e000000-0000-0000-0000-00000000000c"/>
      <Code guid="C0000000-0000-0000-0000-00000000000B" name="B" isCodable="true">
        <Code guid="C0000000-0000-0000-0000-00000000000C" name="C" isCodable="true">
          <Code guid="C0000000-0000-0000-0000-00000000000D" name="D" isCodable="true"/>
        </Code>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="B0000000-0000-0000-0000-000000000001" name="email" typeOfVariable="Text"/>
    <Variable guid="B0000000-0000-0000-0000-000000000002" name="remote" typeOfVariable="Boolean"/>
    <Variable guid="B0000000-0000-0000-0000-000000000003" name="teams" typeOfVariable="Integer"/>
    <Variable guid="B0000000-0000-0000-0000-000000000004" name="score" typeOfVariable="Float"/>
    <Variable guid="B0000000-0000-0000-0000-000000000005" name="joined" typeOfVariable="Date"/>
    <Variable guid="B0000000-0000-0000-0000-000000000006" name="seen" typeOfVariable="DateTime"/>
  </Variables>
  <Cases><Case guid="CA000000-0000-0000-0000-000000000001" name="Zoë">
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000001"/><TextValue>zoe@example.org</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000002"/><BooleanValue>true</BooleanValue></VariableValue>
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000003"/><IntegerValue>3</IntegerValue></VariableValue>
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000004"/><FloatValue>4.5</FloatValue></VariableValue>
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000005"/><DateValue>2024-01-02</DateValue></VariableValue>
    <VariableValue><VariableRef targetGUID="b0000000-0000-0000-0000-000000000006"/><DateTimeValue>2024-01-02T03:04:05Z</DateTimeValue></VariableValue>
    <SourceRef targetGUID="50000000-0000-0000-0000-000000000001"/>
  </Case></Cases>
  <Sources>
    <TextSource guid="50000000-0000-0000-0000-000000000001" name="inside" plainTextPath="internal://inside.txt">
      <PlainTextSelection guid="5E000000-0000-0000-0000-000000000001" name="stall" startPosition="{start}" endPosition="{end}">
        <Coding guid="C1000000-0000-0000-0000-000000000001"><CodeRef targetGUID="c0000000-0000-0000-0000-00000000000d"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="50000000-0000-0000-0000-000000000002" name="beside" plainTextPath="relative://beside.txt">
      <PlainTextSelection guid="5E000000-0000-0000-0000-000000000002" name="approvals" startPosition="5" endPosition="14">
        <Coding guid="C1000000-0000-0000-0000-000000000002"><CodeRef targetGUID="C0000000-0000-0000-0000-00000000000B"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="50000000-0000-0000-0000-000000000003" name="absolute" plainTextPath="{url}"/>
    <TextSource guid="50000000-0000-0000-0000-000000000004" name="gone" plainTextPath="relative://nowhere/missing.txt"/>
    <PDFSource guid="50000000-0000-0000-0000-000000000005" name="report.pdf" path="relative://report.pdf">
      <PDFSelection guid="5E000000-0000-0000-0000-000000000005" page="1" firstX="1" firstY="2" secondX="3" secondY="4"/>
      <Representation guid="50000000-0000-0000-0000-000000000006" name="report text"><PlainTextContent>PDF: lead time doubled.</PlainTextContent></Representation>
    </PDFSource>
    <PictureSource guid="50000000-0000-0000-0000-000000000007" name="board.png" path="internal://board.png"/>
  </Sources>
  <Notes>
    <Note guid="0E000000-0000-0000-0000-00000000000C" name="memo of A"><PlainTextContent>A is about approvals</PlainTextContent></Note>
    <Note guid="0E000000-0000-0000-0000-00000000000D" name="project memo"><PlainTextContent>Whole project</PlainTextContent></Note>
  </Notes>
  <Sets><Set guid="5E700000-0000-0000-0000-000000000001" name="core"><MemberCode targetGUID="C0000000-0000-0000-0000-00000000000A"/></Set></Sets>
  <NoteRef targetGUID="0E000000-0000-0000-0000-00000000000D"/>
</Project>"##
    );
    let qde_file = tmp.path().join("everything.qde");
    std::fs::write(&qde_file, &qde).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("refi-qda/Project-mrt2019.xsd"))
        .arg(&qde_file)
        .output()
        .expect("xmllint runs");
    assert!(
        lint.status.success(),
        "the hand-written project is valid: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let path = tmp.path().join("everything.qdpx");
    write_zip(&path, &[("project.qde", qde.as_bytes()), ("Sources/inside.txt", inside.as_bytes())]);
    let report = rapport_json(&ws, &["import", "qdpx", path.to_str().unwrap()]);
    assert_eq!(report["codes"], 4, "{report}");
    assert_eq!(report["sources"], 4, "inside, beside, absolute and the PDF's text: {report}");
    assert_eq!(report["codings"], 2, "{report}");
    let listed: Vec<String> =
        report["not_imported"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
    let has = |words: &str| listed.iter().any(|l| l.contains(words));
    assert!(has("2 users"), "{listed:?}");
    assert!(has("\"gone\"") && has("missing.txt"), "the missing source is named: {listed:?}");
    assert!(has("PDF \"report.pdf\": only its text came in"), "{listed:?}");
    assert!(has("picture \"board.png\""), "{listed:?}");
    assert!(has("(Sets)"), "{listed:?}");
    assert!(has("project memo"), "the project's own note is listed: {listed:?}");
    let hs = rapport_json(&ws, &["highlight", "list"]);
    let texts: BTreeSet<(String, String)> = hs
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["text"].as_str().unwrap().to_string(), h["tags"][0].as_str().unwrap().to_string()))
        .collect();
    assert!(
        texts.contains(&("stalls at the gate".into(), "A/B/C/D".into())),
        "code points; GUID case: {texts:?}"
    );
    assert!(texts.contains(&("approvals".into(), "A/B".into())), "{texts:?}");
    let tag = rapport_json(&ws, &["tag", "show", "A"]);
    assert_eq!(tag["tag"]["description"], "A is about approvals", "the code's memo by NoteRef");
    let attrs: String = rapport::Workspace::open(&ws)
        .unwrap()
        .conn()
        .query_row("SELECT attributes FROM people WHERE email = 'zoe@example.org'", [], |r| r.get(0))
        .expect("the case is a person");
    let attrs: Value = serde_json::from_str(&attrs).unwrap();
    assert_eq!(
        (attrs["remote"].as_str(), attrs["teams"].as_str(), attrs["score"].as_str()),
        (Some("true"), Some("3"), Some("4.5")),
        "every variable type comes in as a value: {attrs}"
    );
    assert_eq!(
        (attrs["joined"].as_str(), attrs["seen"].as_str()),
        (Some("2024-01-02"), Some("2024-01-02T03:04:05Z"))
    );
    let sessions = rapport_json(&ws, &["session", "list"]);
    let names: BTreeSet<&str> =
        sessions.as_array().unwrap().iter().filter_map(|s| s["title"].as_str()).collect();
    assert!(names.contains("absolute") && names.contains("beside"), "{names:?}");
}
