//! Highlights, the codebook, findings and exports (reports, slides, spreadsheets, Jira,
//! redaction), through the CLI on real workspaces; REFI-QDA is in `refi.rs`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{demo_workspace, rapport, rapport_json, rapport_ok, TempDir};

pub(crate) const ATLAS_SAMPLE: &str = "/work/shared/refi-qda/samples/TestProject.qdpx";

pub(crate) fn shared(path: &str) -> PathBuf {
    // The shared folder sits beside the repository (`../shared`); fall back to /work/shared.
    let rel = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join(path);
    if rel.exists() {
        rel
    } else {
        PathBuf::from("/work/shared").join(path)
    }
}

pub(crate) fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
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

pub(crate) fn export(ws: &Path, args: &[&str]) -> PathBuf {
    let mut all = vec!["export", "--study", "New deploy system"];
    all.extend_from_slice(args);
    let report = rapport_json(ws, &all);
    PathBuf::from(report["path"].as_str().expect("the export names its path"))
}

pub(crate) fn counts(ws: &Path) -> rapport::workspace::Counts {
    rapport::Workspace::open(ws).expect("open").counts().expect("counts")
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
