//! Highlights, the codebook, findings, exports (REFI-QDA, reports, slides, spreadsheets,
//! Jira, redaction) and the REFI-QDA import, through the CLI on real workspaces.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use rapport::import::xml::{self, Node};
use serde_json::Value;

use crate::util::{demo_workspace, rapport, rapport_json, rapport_ok, TempDir};

const ATLAS_SAMPLE: &str = "/work/shared/refi-qda/samples/TestProject.qdpx";

fn shared(path: &str) -> PathBuf {
    // The shared folder sits beside the repository (`../shared`); fall back to /work/shared.
    let rel = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join(path);
    if rel.exists() {
        rel
    } else {
        PathBuf::from("/work/shared").join(path)
    }
}

fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("open zip")).expect("a zip");
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut e = archive.by_index(i).expect("entry");
        if e.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).expect("read entry");
        out.insert(e.name().to_string(), bytes);
    }
    out
}

fn export(ws: &Path, args: &[&str]) -> PathBuf {
    let mut all = vec!["export", "--study", "New deploy system"];
    all.extend_from_slice(args);
    let report = rapport_json(ws, &all);
    PathBuf::from(report["path"].as_str().expect("the export names its path"))
}

fn counts(ws: &Path) -> rapport::workspace::Counts {
    rapport::Workspace::open(ws).expect("open").counts().expect("counts")
}

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
fn the_codebook_renames_moves_merges_and_deletes_with_highlights_following() {
    let (_tmp, ws) = demo_workspace();
    let tags = rapport_json(&ws, &["tag", "list"]);
    let gates =
        tags.as_array().unwrap().iter().find(|t| t["path"] == "Deploy/Gates").expect("demo has Deploy/Gates");
    let gate_highlights = gates["highlights"].as_i64().unwrap();
    assert!(gate_highlights > 0, "the demo codes some highlights with Deploy/Gates");
    assert!(gates["sessions"].as_i64().unwrap() > 0 && gates["people"].as_i64().unwrap() > 0);

    rapport_ok(&ws, &["tag", "rename", "Deploy/Gates", "Checks"]);
    let list = rapport_json(&ws, &["highlight", "list", "--tag", "Deploy/Checks/Flaky tests"]);
    assert!(!list.as_array().unwrap().is_empty(), "the child followed the rename: Deploy/Checks/Flaky tests");

    rapport_ok(&ws, &["tag", "move", "Deploy/Checks", "--top"]);
    let moved = rapport_json(&ws, &["tag", "show", "Checks"]);
    assert_eq!(moved["tag"]["highlights"], gate_highlights, "the highlights stay on the moved tag");
    assert!(!moved["by_person"].as_array().unwrap().is_empty(), "counts per person");

    rapport_ok(
        &ws,
        &["tag", "add", "Friction", "--description", "Anything that slows people", "--color", "#E07A5F"],
    );
    let merged = rapport_json(&ws, &["tag", "merge", "Checks", "Friction"]);
    assert_eq!(merged["children"], 1, "Flaky tests moved under Friction");
    let friction = rapport_json(&ws, &["tag", "show", "Friction"]);
    assert_eq!(
        friction["tag"]["highlights"], gate_highlights,
        "every highlight of Checks now carries Friction"
    );
    assert_eq!(friction["tag"]["color"], "#e07a5f");
    assert!(!rapport_json(&ws, &["highlight", "list", "--tag", "Friction/Flaky tests"])
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!rapport(&ws, &["tag", "show", "Checks"]).status.success(), "the merged tag is gone");

    let before = counts(&ws).highlights;
    let plan = rapport_json(&ws, &["tag", "delete", "Friction"]);
    assert_eq!(plan["deleted"], false, "without --yes nothing is deleted");
    assert_eq!(plan["tags"].as_array().unwrap().len(), 2, "the tag and its child");
    assert!(rapport_json(&ws, &["tag", "show", "Friction"])["tag"]["highlights"].as_i64().unwrap() > 0);
    rapport_ok(&ws, &["tag", "delete", "Friction", "--yes"]);
    assert_eq!(counts(&ws).highlights, before, "deleting a tag keeps the highlights");
    assert!(!rapport_json(&ws, &["highlight", "list", "--tag", "Pain point"]).as_array().unwrap().is_empty());

    let err = rapport(&ws, &["tag", "move", "Deploy", "--to", "Deploy/Canary", "--json"]);
    assert!(!err.status.success(), "a tag cannot move under its own child");
    assert!(String::from_utf8_lossy(&err.stderr).contains("invalid_input"));
}

#[test]
fn a_highlight_keeps_the_selected_words_and_refuses_words_not_said() {
    let (_tmp, ws) = demo_workspace();
    let first = &rapport_json(&ws, &["highlight", "list", "--session", "1"])[0];
    let (from, to) = (first["start_ms"].as_i64().unwrap(), first["end_ms"].as_i64().unwrap());
    let words: Vec<&str> = first["text"].as_str().unwrap().split_whitespace().skip(3).take(5).collect();
    let words = words.join(" ");
    let id = rapport_json(
        &ws,
        &[
            "highlight",
            "add",
            "--session",
            "1",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
            "--tag",
            "New/Words",
            "--tag",
            "Pain point",
            "--text",
            &words,
            "--note",
            "exact words",
        ],
    )["id"]
        .as_i64()
        .unwrap();
    let list = rapport_json(&ws, &["highlight", "list", "--tag", "New"]);
    let h = list.as_array().unwrap().iter().find(|h| h["id"] == id).expect("listed under its parent tag");
    assert_eq!(h["text"], words.as_str(), "the highlight keeps exactly the words selected");
    assert_eq!(h["tags"], serde_json::json!(["New/Words", "Pain point"]));
    assert_eq!(h["comment"], "exact words");

    let out = rapport(
        &ws,
        &[
            "highlight",
            "add",
            "--session",
            "1",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
            "--tag",
            "X",
            "--text",
            "words nobody said here",
            "--json",
        ],
    );
    assert!(!out.status.success(), "words that are not in the span are refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_input"));

    rapport_ok(&ws, &["highlight", "edit", &id.to_string(), "--tag", "Workaround", "--note", ""]);
    let list = rapport_json(&ws, &["highlight", "list", "--session", "1"]);
    let h = list.as_array().unwrap().iter().find(|h| h["id"] == id).unwrap();
    assert_eq!(h["tags"], serde_json::json!(["Workaround"]));
    assert!(h["comment"].is_null());
    rapport_ok(&ws, &["highlight", "delete", &id.to_string()]);
    assert!(!rapport(&ws, &["highlight", "delete", &id.to_string()]).status.success());

    // Words of a note are highlighted too.
    let note_id = rapport::Workspace::open(&ws)
        .unwrap()
        .conn()
        .query_row("SELECT id, text FROM notes WHERE session_id = 1 ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .unwrap();
    let word: String = note_id.1.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let nid = rapport_json(
        &ws,
        &[
            "highlight",
            "add",
            "--session",
            "1",
            "--in-note",
            &note_id.0.to_string(),
            "--text",
            &word,
            "--tag",
            "Notes",
        ],
    )["id"]
        .as_i64()
        .unwrap();
    let list = rapport_json(&ws, &["highlight", "list", "--tag", "Notes"]);
    assert_eq!(list[0]["id"], nid);
    assert_eq!(list[0]["note_id"], note_id.0);
    assert_eq!(list[0]["text"], word.as_str());
}

#[test]
fn findings_carry_status_severity_links_and_who_backs_them() {
    let (_tmp, ws) = demo_workspace();
    let hs = rapport_json(&ws, &["highlight", "list", "--study", "New deploy system"]);
    let hs = hs.as_array().unwrap();
    let a = hs[0]["id"].as_i64().unwrap().to_string();
    let b = hs.last().unwrap()["id"].as_i64().unwrap().to_string();
    let id = rapport_json(
        &ws,
        &[
            "finding",
            "add",
            "--study",
            "New deploy system",
            "--title",
            "Gates need reasons",
            "--body",
            "People cannot see why.",
            "--evidence",
            &a,
            "--evidence",
            &b,
            "--severity",
            "high",
        ],
    )["id"]
        .as_i64()
        .unwrap()
        .to_string();
    rapport_ok(
        &ws,
        &[
            "finding",
            "link",
            &id,
            "--service",
            "checkout-api",
            "--metric",
            "lead_time",
            "--nps",
            "team=checkout",
        ],
    );
    let f = rapport_json(&ws, &["finding", "set", &id, "--status", "acted on", "--confidence", "medium"]);
    assert_eq!(f["status"], "acted_on");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["confidence"], "medium");
    assert_eq!(f["services"], serde_json::json!(["checkout-api"]));
    assert_eq!(f["nps_segments"], serde_json::json!(["team=checkout"]));
    assert_eq!(f["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(f["people"], 2, "the first and last highlights come from two interviewees");
    assert_eq!(f["roles"].as_array().unwrap().iter().map(|r| r["people"].as_i64().unwrap()).sum::<i64>(), 2);
    assert!(f["evidence"][0]["start_ms"].is_i64(), "each piece of evidence plays from its second");

    let bad = rapport(&ws, &["finding", "set", &id, "--status", "finished", "--json"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("draft, reviewed, shared, acted_on"));

    let f = rapport_json(&ws, &["finding", "evidence", &id, "--remove", &a]);
    assert_eq!(f["evidence"].as_array().unwrap().len(), 1);
    let listed = rapport_json(&ws, &["finding", "list", "--study", "New deploy system"]);
    assert_eq!(listed.as_array().unwrap().len(), 4, "three demo findings and the new one");
    rapport_ok(&ws, &["finding", "delete", &id, "--yes"]);
    assert_eq!(rapport_json(&ws, &["finding", "list"]).as_array().unwrap().len(), 3);
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
    assert!(
        exact > all.as_array().unwrap().len() / 2,
        "most selections are exactly the highlighted text ({exact})"
    );
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

fn directory(ws: &Path) -> Vec<(String, String)> {
    let people = rapport_json(ws, &["people", "list"]);
    people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["email"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_redacted_export_holds_no_name_or_email_of_the_directory() {
    let (tmp, ws) = demo_workspace();
    // Something for the other rules: an outside email, a phone number, a listed name.
    let note_target = rapport_json(&ws, &["highlight", "list", "--session", "1"]);
    let h = note_target[0]["id"].as_i64().unwrap().to_string();
    rapport_ok(
        &ws,
        &[
            "highlight",
            "edit",
            &h,
            "--note",
            "Ask jane.doe@vendor.io or call +44 20 7946 0958; Globex wants this too",
        ],
    );
    rapport_ok(&ws, &["finding", "set", "1", "--status", "reviewed"]);
    let people = directory(&ws);
    assert!(people.len() >= 10);
    let mut texts: Vec<(String, String)> = Vec::new();
    for (fmt, extra) in [
        ("md", None),
        ("html", None),
        ("html", Some("--slides")),
        ("json", None),
        ("jira", None),
        ("csv", None),
        ("qdpx", None),
    ] {
        let mut args = vec!["--format", fmt, "--redact", "--redact-name", "Globex"];
        if let Some(e) = extra {
            args.push(e);
        }
        let out = tmp.path().join(format!("red-{fmt}-{}", extra.unwrap_or("")));
        args.extend(["--out", out.to_str().unwrap()]);
        let path = export(&ws, &args);
        if fmt == "csv" || fmt == "qdpx" {
            let files = unzip(&path);
            assert!(
                !files.keys().any(|k| k.ends_with(".flac")),
                "recordings are left out of a redacted {fmt}"
            );
            for (name, bytes) in files {
                texts.push((format!("{fmt}:{name}"), String::from_utf8_lossy(&bytes).into_owned()));
            }
        } else {
            texts.push((fmt.to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    for (what, text) in &texts {
        let lower = text.to_lowercase();
        for (name, email) in &people {
            assert!(!lower.contains(&name.to_lowercase()), "{what} still holds the name {name}");
            assert!(!lower.contains(&email.to_lowercase()), "{what} still holds the email {email}");
        }
        assert!(
            !lower.contains("jane.doe@vendor.io") && !text.contains("7946 0958") && !text.contains("Globex"),
            "{what} holds an email, phone or listed name"
        );
    }
    let md = &texts.iter().find(|t| t.0 == "md").unwrap().1;
    assert!(md.contains("Participant 1"), "pseudonyms replace the names");
    assert!(
        md.contains("names of people in the directory")
            && md.contains("phone numbers")
            && md.contains("names you listed"),
        "the report says what was redacted and how often"
    );
    let json: Value = serde_json::from_str(&texts.iter().find(|t| t.0 == "json").unwrap().1).unwrap();
    assert_eq!(json["redacted"], true);
    // The same person has the same pseudonym everywhere.
    let p1 = json["participants"][0]["name"].as_str().unwrap();
    assert!(p1.starts_with("Participant "));
    assert!(texts.iter().find(|t| t.0 == "html").unwrap().1.contains(p1));
}

#[test]
fn spreadsheets_jira_and_issue_bodies_hold_the_findings() {
    let (tmp, ws) = demo_workspace();
    rapport_ok(&ws, &["finding", "set", "1", "--status", "reviewed", "--severity", "critical"]);
    rapport_ok(&ws, &["finding", "set", "2", "--status", "shared", "--severity", "low"]);
    let zip = export(&ws, &["--format", "csv", "--out", tmp.path().join("s.zip").to_str().unwrap()]);
    let files = unzip(&zip);
    for name in ["findings.csv", "highlights.csv", "participants.csv"] {
        assert!(files.contains_key(name), "the csv zip has {name}");
    }
    let mut r = csv::Reader::from_reader(&files["highlights.csv"][..]);
    assert!(r.headers().unwrap().iter().any(|h| h == "tags"));
    assert_eq!(
        r.records().count(),
        rapport_json(&ws, &["highlight", "list", "--study", "1"]).as_array().unwrap().len()
    );

    let jira = export(&ws, &["--format", "jira", "--out", tmp.path().join("j.csv").to_str().unwrap()]);
    let mut r = csv::Reader::from_path(&jira).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&headers[..4], ["Summary", "Description", "Issue Type", "Priority"]);
    assert!(
        headers[4..].iter().all(|h| h == "Labels") && headers.len() > 4,
        "repeated Labels columns: {headers:?}"
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "only findings reviewed or later");
    assert_eq!(&rows[0][3], "Highest");
    assert_eq!(&rows[1][3], "Low");
    assert!(rows[0][1].contains("{quote}"), "quotes in Jira markup");
    assert!(rows[0].iter().skip(4).any(|l| l == "Pain-point"), "labels from tags, without spaces");

    let dir = export(
        &ws,
        &["--format", "md", "--per-finding", "--out", tmp.path().join("issues").to_str().unwrap()],
    );
    let bodies: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(bodies.len(), 2, "one issue body per finding reviewed or later");
}

fn chromium() -> String {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new("which").arg(c).output().map(|o| o.status.success()).unwrap_or(false) {
            return c.to_string();
        }
    }
    panic!("headless Chromium is needed (scripts/lib.sh installs the Debian package chromium)");
}

/// Pixels of the charts' bar colour in a screenshot of `html`.
fn bar_pixels(html: &Path, fragment: &str, out: &Path, size: &str) -> usize {
    let profile = TempDir::new();
    let status = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", out.display()))
        .arg(format!("file://{}{fragment}", html.display()))
        .output()
        .expect("run chromium");
    assert!(out.exists(), "chromium wrote no screenshot: {}", String::from_utf8_lossy(&status.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let (r0, g0, b0) = (0x2f_i32, 0x6f_i32, 0xdb_i32);
    buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| {
            (p[0] as i32 - r0).abs() < 12 && (p[1] as i32 - g0).abs() < 12 && (p[2] as i32 - b0).abs() < 12
        })
        .count()
}

#[test]
fn the_html_report_and_the_slides_show_their_charts_in_headless_chromium() {
    let (tmp, ws) = demo_workspace();
    let html = export(&ws, &["--format", "html", "--out", tmp.path().join("report.html").to_str().unwrap()]);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<svg") && text.contains("class=\"toc\""), "charts inline and a table of contents");
    assert!(
        !text.contains("src=\"http") && !text.contains("href=\"http"),
        "self-contained: nothing to fetch"
    );
    let shot = tmp.path().join("report.png");
    let px = bar_pixels(&html, "", &shot, "1200,1600");
    assert!(px > 2000, "the report's screenshot shows chart bars ({px} pixels of the bar colour)");

    let slides = export(
        &ws,
        &["--format", "html", "--slides", "--out", tmp.path().join("slides.html").to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&slides).unwrap();
    assert_eq!(text.matches("class=\"slide").count(), 3 + 2, "a title slide, one per finding, the codebook");
    assert!(
        text.contains("ArrowRight") && text.contains("page-break-after"),
        "arrow keys move; one slide per printed page"
    );
    let shot = tmp.path().join("slides.png");
    let px = bar_pixels(&slides, "", &shot, "1280,720");
    assert!(px > 1000, "the title slide's screenshot shows its chart ({px} pixels)");
    // `#2` opens the second slide: the first finding, with its chart.
    let shot = tmp.path().join("slide-2.png");
    let px = bar_pixels(&slides, "#2", &shot, "1280,720");
    assert!(px > 300, "the first finding's slide shows its chart ({px} pixels)");
    assert_ne!(
        std::fs::read(tmp.path().join("slides.png")).unwrap(),
        std::fs::read(&shot).unwrap(),
        "slide 2 is another page than the title slide"
    );
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
