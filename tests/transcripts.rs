//! Transcripts: importing each format, exporting and importing back, bad files changing
//! nothing, speakers (rename, merge, link), segment edits with history, split, merge, and
//! replacing a span. Fixtures are in tests/fixtures/transcripts/; broken files are written
//! here, next to what they break.

use std::path::{Path, PathBuf};

use rapport::transcript::{self, Cue};
use rapport::{coding, Workspace};
use serde_json::Value;

use crate::util::*;

/// The demo's sessions: 1 is Priya Raman's (with highlights), 2 Tomasz Kowalski's, 3 Adaeze Okafor's.
const PRIYA: &str = "1";
const TOMASZ: &str = "2";
const ADAEZE: &str = "3";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts").join(name).display().to_string()
}

/// `transcript show SESSION --json` as (start, end, speaker, text) rows.
fn rows(ws: &Path, session: &str) -> Vec<(i64, i64, Option<String>, String)> {
    let segments = rapport_json(ws, &["transcript", "show", session]);
    segments
        .as_array()
        .expect("a JSON array of segments")
        .iter()
        .map(|s| {
            (
                s["start_ms"].as_i64().unwrap(),
                s["end_ms"].as_i64().unwrap(),
                s["speaker"].as_str().map(String::from),
                s["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn segment_ids(ws: &Path, session: &str) -> Vec<i64> {
    let segments = rapport_json(ws, &["transcript", "show", session]);
    segments.as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect()
}

fn row(start: i64, end: i64, speaker: &str, text: &str) -> (i64, i64, Option<String>, String) {
    (start, end, Some(speaker.to_string()), text.to_string())
}

fn import(ws: &Path, file: &str, session: &str) -> Value {
    rapport_json(ws, &["transcript", "import", file, "--session", session])
}

fn speakers(ws: &Path, session: &str) -> Vec<Value> {
    rapport_json(ws, &["speaker", "list", "--session", session]).as_array().unwrap().clone()
}

fn speaker<'a>(list: &'a [Value], label: &str) -> &'a Value {
    list.iter().find(|s| s["label"] == label).unwrap_or_else(|| panic!("no speaker {label:?} in {list:?}"))
}

#[test]
fn a_zoom_vtt_gives_its_speakers_times_and_text() {
    let (_tmp, ws) = demo_workspace();
    let report = import(&ws, &fixture("zoom.vtt"), TOMASZ);
    assert_eq!(report["format"], "vtt");
    assert_eq!(report["segments"], 4);
    assert_eq!(report["speakers"], serde_json::json!(["Maya Lindqvist", "Tomasz Kowalski"]));
    assert_eq!(report["replaced"], true, "the demo session had a transcript: {report}");
    assert_eq!(
        rows(&ws, TOMASZ),
        [
            row(1040, 4310, "Maya Lindqvist", "Thanks for joining. Is it okay if I record?"),
            row(4900, 7120, "Tomasz Kowalski", "Yes, that's fine."),
            row(7500, 12_000, "Maya Lindqvist", "How did last week's deploy of the payments gateway go?"),
            row(
                12_480,
                63_950,
                "Tomasz Kowalski",
                "It stalled at the canary gate for forty minutes, and nobody knew why."
            ),
        ]
    );
    let tomasz = speakers(&ws, TOMASZ);
    assert_eq!(
        speaker(&tomasz, "Tomasz Kowalski")["person_email"],
        "tomasz.kowalski@example.com",
        "a speaker named like the interviewee is linked to them"
    );
}

#[test]
fn an_srt_with_crlf_markup_and_hour_long_times_gives_speakers_times_and_text() {
    let (_tmp, ws) = demo_workspace();
    let report = import(&ws, &fixture("interview.srt"), TOMASZ);
    assert_eq!(report["format"], "srt");
    assert_eq!(
        rows(&ws, TOMASZ),
        [
            row(500, 3200, "Interviewer", "What do you deploy most often?"),
            row(3700, 9050, "Tomasz Kowalski", "The payments gateway, about twice a day."),
            row(3_723_004, 3_725_000, "Interviewer", "Thanks, that is all."),
        ]
    );
}

#[test]
fn an_otter_text_gives_speakers_start_times_and_estimated_last_end() {
    let (_tmp, ws) = demo_workspace();
    let out = rapport_ok(&ws, &["transcript", "import", &fixture("otter.txt"), "--session", TOMASZ]);
    assert!(
        out.contains("imported 3 segments and 2 speakers (Maya Lindqvist, Speaker 1)")
            && out.contains("(otter)"),
        "the summary names counts, speakers and the detected format: {out}"
    );
    assert_eq!(
        rows(&ws, TOMASZ),
        [
            row(3000, 62_000, "Maya Lindqvist", "So tell me about rollbacks."),
            row(
                62_000,
                3_723_000,
                "Speaker 1",
                "We roll back by hand. It takes about ten minutes, and the dashboard lags behind."
            ),
            // The last turn has no next start: 2 words at ESTIMATED_MS_PER_WORD (400 ms).
            row(3_723_000, 3_723_800, "Maya Lindqvist", "Thank you."),
        ]
    );
    assert_eq!(transcript::ESTIMATED_MS_PER_WORD, 400, "the fixture's last end assumes 400 ms a word");
}

#[test]
fn a_maxqda_stamped_text_is_detected_and_read() {
    let (_tmp, ws) = demo_workspace();
    let report = import(&ws, &fixture("maxqda.txt"), ADAEZE);
    assert_eq!(report["format"], "text");
    assert_eq!(
        rows(&ws, ADAEZE),
        [
            row(2500, 6000, "Maya Lindqvist", "Which gate blocks you most?"),
            row(6000, 8400, "Adaeze Okafor", "The security scan. It runs twice."),
        ]
    );
}

/// Exports `session` as `format` into `dir` and imports it into `into`; returns both row lists.
fn round_trip(
    ws: &Path,
    dir: &Path,
    session: &str,
    format: &str,
    into: &str,
) -> Vec<(i64, i64, Option<String>, String)> {
    let file = dir.join(format!("export.{format}"));
    let file = file.to_str().unwrap();
    let wrote = rapport_json(ws, &["transcript", "export", session, "--format", format, "--out", file]);
    assert_eq!(wrote["format"], format);
    let report = import(ws, file, into);
    let expected_format = if format == "txt" { "text" } else { format };
    assert_eq!(report["format"], expected_format, "{format} is detected back from its own export");
    rows(ws, into)
}

#[test]
fn exporting_to_srt_vtt_txt_and_json_and_importing_back_gives_the_same_segments() {
    let (tmp, ws) = demo_workspace();
    // A rename shows in every export, so it must come back as the speaker.
    rapport_ok(&ws, &["speaker", "rename", "--session", PRIYA, "Maya Lindqvist", "Maya L. (interviewer)"]);
    let original = rows(&ws, PRIYA);
    assert!(original.len() > 50, "the demo interview is long: {}", original.len());
    assert!(original.iter().any(|r| r.2.as_deref() == Some("Maya L. (interviewer)")));

    for format in ["srt", "vtt", "json"] {
        let back = round_trip(&ws, tmp.path(), PRIYA, format, TOMASZ);
        assert_eq!(back, original, "{format}: same times (to the ms), speakers and text");
    }

    let back = round_trip(&ws, tmp.path(), PRIYA, "txt", TOMASZ);
    assert_eq!(back.len(), original.len(), "txt: same number of segments");
    for (i, (b, o)) in back.iter().zip(&original).enumerate() {
        assert_eq!((&b.2, &b.3), (&o.2, &o.3), "txt segment {i}: same speaker and text");
        assert_eq!(b.0, o.0 / 1000 * 1000, "txt segment {i}: the start to the second");
        if let Some(next) = back.get(i + 1) {
            assert_eq!(b.1, next.0, "txt segment {i}: ends where the next starts");
        }
    }
}

#[test]
fn json_keeps_word_timings_through_export_and_import() {
    let (tmp, ws) = demo_workspace();
    import(&ws, &fixture("words.json"), TOMASZ);
    let before = rapport_json(&ws, &["transcript", "show", TOMASZ]);
    assert_eq!(before[0]["words"].as_array().unwrap().len(), 4);
    assert_eq!(before[1]["speaker"], Value::Null, "a null speaker with a `Name:`-like text stays unlabelled");
    assert_eq!(before[1]["text"], "Only one: when does the new pipeline ship");

    round_trip(&ws, tmp.path(), TOMASZ, "json", ADAEZE);
    let after = rapport_json(&ws, &["transcript", "show", ADAEZE]);
    for key in ["start_ms", "end_ms", "speaker", "text", "words"] {
        for i in 0..2 {
            assert_eq!(after[i][key], before[i][key], "segment {i}: {key} survives the JSON round trip");
        }
    }
}

#[test]
fn markdown_export_has_a_header_and_timed_speaker_paragraphs() {
    let (_tmp, ws) = demo_workspace();
    let md = rapport_ok(&ws, &["transcript", "export", PRIYA, "--format", "md"]);
    assert!(md.starts_with("# Interview with Priya Raman\n"), "{}", &md[..200]);
    for line in [
        "- Study: New deploy system",
        "- Person: Priya Raman <priya.raman@example.com>",
        "- Date: 2026-05-12",
    ] {
        assert!(md.contains(line), "the header has {line:?}");
    }
    assert!(md.contains("**Priya Raman** [00:06]\nYes, that's fine."), "speaker, mm:ss and the text");
}

/// Writes `content` to `dir/name` and imports it into the Priya session, which must fail with
/// one line on stderr starting with `name:line:` and containing `expected`; the session's
/// transcript must be exactly as before.
fn assert_rejected(ws: &Path, dir: &Path, name: &str, content: &str, line: usize, expected: &str) {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, content).unwrap();
    let before = rows(ws, PRIYA);
    let out = rapport(ws, &["transcript", "import", path.to_str().unwrap(), "--session", PRIYA]);
    assert!(!out.status.success(), "{name} must be refused");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
    let at = format!("{}:{line}: ", path.display());
    assert!(err.contains(&at), "{name}: names the file and line {line}: {err}");
    assert!(err.contains(expected), "{name}: says what was expected ({expected:?}): {err}");
    let after = rows(ws, PRIYA);
    assert_eq!(after.len(), before.len(), "{name}: the segment count is unchanged");
    assert_eq!(after, before, "{name}: nothing was imported");
}

#[test]
fn a_broken_file_in_each_format_names_file_and_line_and_changes_nothing() {
    let (tmp, ws) = demo_workspace();
    let dir = tmp.path();
    assert_rejected(
        &ws,
        dir,
        "broken.vtt",
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nMaya: Hi.\n\n2\n00:00:03.000 --> later\nPriya: Ho.\n",
        8,
        "expected an end time like 00:01:02.500",
    );
    assert_rejected(
        &ws,
        dir,
        "broken.srt",
        "1\n00:00:01,000 --> 00:00:02,000\nMaya: Hi.\n\n2\n00:00:03,000 --> 00:0x:04,000\nPriya: Ho.\n",
        6,
        "expected an end time like 00:01:02,500",
    );
    assert_rejected(
        &ws,
        dir,
        "broken-otter.txt",
        "Maya Lindqvist  0:03\nHi.\n\nPriya Raman  0:7\nHello.\n",
        4,
        "expected a time like 0:03 or 1:02:03",
    );
    assert_rejected(
        &ws,
        dir,
        "broken-stamps.txt",
        "[00:00:01] Maya: Hi.\n[00:00:04] Priya: Hello.\n[00:01:60] Maya: Bye.\n",
        3,
        "expected a time stamp like [00:01:02]",
    );
    assert_rejected(
        &ws,
        dir,
        "broken.json",
        "{\"segments\": [\n  {\"start_ms\": 0, \"end_ms\": 900, \"text\": \"Hi.\"},\n  {\"start_ms\": 1000, \"text\": \"Ho.\"}\n]}\n",
        3,
        "missing field `end_ms`",
    );
}

#[test]
fn import_into_a_missing_session_is_not_found() {
    let (_tmp, ws) = demo_workspace();
    let out = rapport(&ws, &["transcript", "import", &fixture("zoom.vtt"), "--session", "999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("session not found: 999"));
}

#[test]
fn renaming_a_speaker_changes_every_segment_and_a_taken_name_is_refused() {
    let (_tmp, ws) = demo_workspace();
    import(&ws, &fixture("otter.txt"), TOMASZ);
    let renamed = rapport_json(&ws, &["speaker", "rename", "--session", TOMASZ, "Speaker 1", "Tomasz K."]);
    assert_eq!((renamed["label"].as_str(), renamed["name"].as_str()), (Some("Speaker 1"), Some("Tomasz K.")));
    assert_eq!(rows(&ws, TOMASZ)[1].2.as_deref(), Some("Tomasz K."));

    let taken = rapport(&ws, &["speaker", "rename", "--session", TOMASZ, "Tomasz K.", "Maya Lindqvist"]);
    assert!(!taken.status.success(), "two speakers must not share a name");
    let err = String::from_utf8(taken.stderr).unwrap();
    assert!(err.contains("speaker merge"), "the message points to merging: {err}");
    assert_eq!(rows(&ws, TOMASZ)[1].2.as_deref(), Some("Tomasz K."), "the refused rename changed nothing");
}

#[test]
fn merging_speakers_moves_their_segments_and_removes_the_first() {
    let (tmp, ws) = demo_workspace();
    let file = tmp.path().join("three.txt");
    std::fs::write(
        &file,
        "[00:00:01] Speaker 1: Hi.\n[00:00:02] Speaker 2: Hello.\n[00:00:03] Speaker 3: Same voice as one.\n[00:00:05] Speaker 1: Right.\n",
    )
    .unwrap();
    import(&ws, file.to_str().unwrap(), TOMASZ);
    let merged = rapport_json(&ws, &["speaker", "merge", "--session", TOMASZ, "Speaker 3", "Speaker 1"]);
    assert_eq!(merged["moved"], 1);
    assert_eq!(merged["removed"], "Speaker 3");
    assert_eq!(merged["into"]["segments"], 3);
    let list = speakers(&ws, TOMASZ);
    let labels: Vec<&str> = list.iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Speaker 1", "Speaker 2"], "Speaker 3 is gone");
    let by_speaker: Vec<_> = rows(&ws, TOMASZ).into_iter().map(|r| r.2.unwrap()).collect();
    assert_eq!(by_speaker, ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 1"]);
}

#[test]
fn linking_a_speaker_to_a_person_names_them_in_every_session_unless_renamed() {
    let (_tmp, ws) = demo_workspace();
    import(&ws, &fixture("otter.txt"), TOMASZ);
    import(&ws, &fixture("otter.txt"), ADAEZE);

    let linked = rapport_json(
        &ws,
        &["speaker", "link", "--session", TOMASZ, "Speaker 1", "--person", "tomasz.kowalski@example.com"],
    );
    assert_eq!(linked["name"], "Tomasz Kowalski", "the speaker now shows as the person: {linked}");
    assert_eq!(rows(&ws, TOMASZ)[1].2.as_deref(), Some("Tomasz Kowalski"));

    // The same person in another session, where the speaker was renamed first: the rename wins.
    rapport_ok(&ws, &["speaker", "rename", "--session", ADAEZE, "Speaker 1", "Tomasz (guest)"]);
    let linked = rapport_json(
        &ws,
        &["speaker", "link", "--session", ADAEZE, "Speaker 1", "--person", "tomasz.kowalski@example.com"],
    );
    assert_eq!(linked["name"], "Tomasz (guest)");
    for session in [TOMASZ, ADAEZE] {
        let list = speakers(&ws, session);
        assert_eq!(
            speaker(&list, "Speaker 1")["person_email"],
            "tomasz.kowalski@example.com",
            "session {session}"
        );
    }

    let unknown = rapport(
        &ws,
        &["speaker", "link", "--session", TOMASZ, "Speaker 1", "--person", "nobody@example.com"],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("person not found: nobody@example.com"));
}

#[test]
fn editing_a_segment_keeps_every_earlier_text() {
    let (_tmp, ws) = demo_workspace();
    let id = segment_ids(&ws, PRIYA)[1].to_string();
    let original = rows(&ws, PRIYA)[1].3.clone();
    rapport_ok(&ws, &["segment", "edit", &id, "--text", "Yes, that's fine.  I signed\nthe form."]);
    let edited =
        rapport_json(&ws, &["segment", "edit", &id, "--text", "Yes. I signed the form this morning."]);
    assert_eq!(edited["text"], "Yes. I signed the form this morning.");
    assert_eq!(edited["edits"], 2);
    let history = rapport_json(&ws, &["segment", "history", &id]);
    let texts: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["old_text"].as_str().unwrap(), e["new_text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            (original.as_str(), "Yes, that's fine. I signed the form."),
            ("Yes, that's fine. I signed the form.", "Yes. I signed the form this morning.")
        ],
        "whitespace is collapsed and both earlier texts are kept"
    );
}

#[test]
fn splitting_without_word_timings_divides_the_text_by_time_at_a_space_and_merging_undoes_it() {
    let (tmp, ws) = demo_workspace();
    let file = tmp.path().join("one.txt");
    std::fs::write(
        &file,
        "[00:00:10] Maya: one two three four five six seven eight\n[00:00:18] Priya: next\n",
    )
    .unwrap();
    import(&ws, file.to_str().unwrap(), TOMASZ);
    let id = segment_ids(&ws, TOMASZ)[0];

    let split = rapport_json(&ws, &["segment", "split", &id.to_string(), "--at", "00:00:14"]);
    assert_eq!(split["first"]["id"], id, "the first part keeps the id");
    assert_eq!(
        rows(&ws, TOMASZ),
        [
            row(10_000, 14_000, "Maya", "one two three four"),
            row(14_000, 18_000, "Maya", "five six seven eight"),
            row(18_000, 18_400, "Priya", "next"),
        ],
        "half the time, half the characters, at the nearest space"
    );

    let second = split["second"]["id"].as_i64().unwrap().to_string();
    let merged = rapport_json(&ws, &["segment", "merge", &second, &id.to_string()]);
    assert_eq!(merged["id"], id, "the earlier segment survives whatever the order given");
    assert_eq!(rows(&ws, TOMASZ)[0], row(10_000, 18_000, "Maya", "one two three four five six seven eight"));
    let history = rapport_json(&ws, &["segment", "history", &id.to_string()]);
    assert_eq!(
        history.as_array().unwrap().len(),
        2,
        "the split and the merge are both in the history: {history}"
    );
}

#[test]
fn splitting_with_word_timings_cuts_at_the_nearest_word_start() {
    let (_tmp, ws) = demo_workspace();
    import(&ws, &fixture("words.json"), TOMASZ);
    let id = segment_ids(&ws, TOMASZ)[0].to_string();
    // 2000 ms is nearest to the start of "for" (2200), not "questions" (1350).
    let split = rapport_json(&ws, &["segment", "split", &id, "--at", "2000"]);
    assert_eq!(
        (split["first"]["text"].as_str(), split["first"]["end_ms"].as_i64()),
        (Some("Any questions"), Some(2200))
    );
    assert_eq!(
        (split["second"]["text"].as_str(), split["second"]["start_ms"].as_i64()),
        (Some("for me?"), Some(2200))
    );
    let words = |part: &str| -> Vec<String> {
        split[part]["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(words("first"), ["Any", "questions"]);
    assert_eq!(words("second"), ["for", "me?"]);
}

#[test]
fn bad_splits_and_merges_are_refused_with_the_reason() {
    let (_tmp, ws) = demo_workspace();
    let ids = segment_ids(&ws, PRIYA);
    let first = ids[0].to_string();
    let outside = rapport(&ws, &["segment", "split", &first, "--at", "999999"]);
    assert!(String::from_utf8_lossy(&outside.stderr).contains("expected a time inside segment"));
    let apart = rapport(&ws, &["segment", "merge", &first, &ids[2].to_string()]);
    assert!(
        String::from_utf8_lossy(&apart.stderr).contains("are not neighbours (1 segment(s) lie between them)")
    );
    let other_session = segment_ids(&ws, TOMASZ)[0].to_string();
    let across = rapport(&ws, &["segment", "merge", &first, &other_session]);
    assert!(String::from_utf8_lossy(&across.stderr).contains("different transcripts"));
    assert_eq!(segment_ids(&ws, PRIYA), ids, "nothing changed");
}

#[test]
fn highlights_keep_their_text_and_times_through_edits_and_a_new_import() {
    let (_tmp, ws) = demo_workspace();
    let before = {
        let w = Workspace::open(&ws).unwrap();
        coding::highlights_of_session(w.conn(), 1).unwrap()
    };
    assert!(!before.is_empty(), "the demo session has highlights");
    let ids = segment_ids(&ws, PRIYA);
    rapport_ok(&ws, &["segment", "edit", &ids[3].to_string(), "--text", "Rewritten."]);
    rapport_ok(&ws, &["segment", "merge", &ids[4].to_string(), &ids[5].to_string()]);
    import(&ws, &fixture("zoom.vtt"), PRIYA);
    let w = Workspace::open(&ws).unwrap();
    let after = coding::highlights_of_session(w.conn(), 1).unwrap();
    let key = |h: &coding::HighlightView| (h.id, h.start_ms, h.end_ms, h.text.clone(), h.tags.clone());
    assert_eq!(after.iter().map(key).collect::<Vec<_>>(), before.iter().map(key).collect::<Vec<_>>());
}

fn cue(start_ms: i64, end_ms: i64, speaker: Option<&str>, text: &str) -> Cue {
    Cue::new(start_ms, end_ms, speaker, text)
}

#[test]
fn replace_span_swaps_the_segments_inside_and_keeps_the_rest() {
    let tmp = TempDir::new();
    let ws = Workspace::create(&tmp.ws()).unwrap();
    let conn = ws.conn();
    let study = rapport::study::create(conn, "S", None, None).unwrap();
    let people = rapport::tabular::Table::parse("email,name\np@example.com,Pat Doe\n", "people.csv").unwrap();
    rapport::people::import_directory(conn, &people).unwrap();
    let person = rapport::people::resolve(conn, "p@example.com").unwrap();
    let session = rapport::session::create(conn, study, person, "2026-01-01T10:00:00Z").unwrap();
    transcript::store(
        conn,
        session,
        "hand",
        &[
            cue(0, 4000, Some("Maya"), "before"),
            cue(4000, 8000, Some("Pat"), "mumbled one"),
            cue(8000, 12_000, Some("Pat"), "mumbled two"),
            cue(12_000, 20_000, Some("Maya"), "after, mostly outside"),
        ],
    )
    .unwrap();

    let new = [cue(4100, 7000, None, "clear one"), cue(7000, 11_900, Some("Maya"), "clear  two")];
    transcript::replace_span(conn, session, 4000, 13_000, &new).unwrap();
    let got: Vec<_> = transcript::segments(conn, session)
        .unwrap()
        .into_iter()
        .map(|s| (s.start_ms, s.end_ms, s.speaker, s.text))
        .collect();
    assert_eq!(
        got,
        [
            row(0, 4000, "Maya", "before"),
            row(4100, 7000, "Pat", "clear one"),
            row(7000, 11_900, "Maya", "clear two"),
            row(12_000, 20_000, "Maya", "after, mostly outside"),
        ],
        "a cue without a speaker takes the replaced segment's; a segment mostly outside the span stays"
    );
    let first_new = transcript::segment_details(conn, session).unwrap()[1].id;
    let history = transcript::segment_history(conn, first_new).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].old_text.as_str(), history[0].new_text.as_str()),
        ("mumbled one mumbled two", "clear one clear two")
    );

    let outside = [cue(3000, 5000, None, "too early")];
    let err = transcript::replace_span(conn, session, 4000, 13_000, &outside).unwrap_err();
    assert!(err.to_string().contains("expected a cue inside the span 4000..13000 ms"), "{err}");
    assert_eq!(
        transcript::segments(conn, session).unwrap().len(),
        4,
        "a refused replacement changes nothing"
    );

    let err = transcript::replace_span(conn, session + 1, 0, 10, &[]).unwrap_err();
    assert_eq!(err.code(), rapport::ErrorCode::NotFound);
}

#[test]
fn blocks_without_a_timing_line_are_skipped_as_the_formats_say_and_listed_as_warnings() {
    let (tmp, ws) = demo_workspace();
    // WebVTT's parser drops a block without a timing line; SRT readers skip such a cue.
    let cases = [
        (
            "skips.vtt",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nMaya: Hi.\n\nstray block\nof words\n\n00:00:03.000 --> 00:00:04.000\nPriya: Ho.\n",
            7,
        ),
        ("skips.srt", "1\n00:00:01,000 --> 00:00:02,000\nMaya: Hi.\n\n2\nPriya: no timing.\n\n3\n00:00:03,000 --> 00:00:04,000\nPriya: Ho.\n", 5),
    ];
    for (name, text, line) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let report = rapport_json(&ws, &["transcript", "import", path.to_str().unwrap(), "--session", "1"]);
        assert_eq!(report["segments"], 2, "{name}: the two good cues are imported: {report}");
        let warnings = report["warnings"].as_array().expect("a warnings list");
        assert_eq!(warnings.len(), 1, "{name}: {report}");
        assert_eq!(warnings[0]["line"], line, "{name}: the warning names the block's line: {report}");
        assert!(warnings[0]["reason"].as_str().unwrap().starts_with("skipped"), "{name}: {report}");
        // Without --json the warning goes to stderr, naming the file and line.
        let out =
            crate::util::rapport(&ws, &["transcript", "import", path.to_str().unwrap(), "--session", "1"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.contains(&format!("{name}:{line}: skipped")), "{name}: {err}");
    }
}
