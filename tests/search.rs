//! Search: phrases found with their session, speaker and time; filters; edits, deletions
//! and crashes reflected in the index; errors with columns.

use rapport::search::{SearchIndex, SearchOptions, SortBy};
use rapport::{demo, session, Workspace};

use crate::util::*;

fn demo_ws(tmp: &TempDir) -> Workspace {
    let mut ws = Workspace::create(&tmp.ws()).unwrap();
    demo::load(&mut ws, &demo::Source::Embedded).unwrap();
    ws
}

fn import_interview(ws: &mut Workspace) -> i64 {
    let conn = ws.conn();
    let study = rapport::study::create(conn, "Search study", None, None).unwrap();
    conn.execute(
        "INSERT INTO people (email, name, team, role, created_at) VALUES ('kai@example.com', 'Kai Moreau', 'ledger', 'SRE', 'x')",
        [],
    )
    .unwrap();
    let person = rapport::people::resolve(conn, "kai@example.com").unwrap();
    let sid = session::create(conn, study, person, "2026-07-01T10:00:00Z").unwrap();
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Maya Lindqvist>How do you find the logs for a failed deploy?\n\n\
               00:01:02.500 --> 00:01:09.000\n<v Kai Moreau>Honestly the ledger service needs a purple elephant dashboard for canaries.\n\n\
               00:01:10.000 --> 00:01:15.000\n<v Kai Moreau>Rollbacks are quick but nobody trusts them.\n";
    let cues = rapport::transcript::parse_vtt(vtt, "kai.vtt").unwrap();
    let tx = ws.conn_mut().transaction().unwrap();
    rapport::transcript::store(&tx, sid, "kai.vtt", &cues).unwrap();
    tx.commit().unwrap();
    sid
}

#[test]
fn a_phrase_said_in_an_imported_transcript_is_found_with_session_speaker_and_start() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    let sid = import_interview(&mut ws);
    let index = SearchIndex::open(&ws).unwrap();
    let r = index.search(r#""purple elephant dashboard""#, &SearchOptions::default()).unwrap();
    assert_eq!(r.total, 1, "{r:?}");
    let hit = &r.hits[0];
    assert_eq!(hit.kind, "segment");
    assert_eq!(hit.session, Some(sid));
    assert_eq!(hit.speaker.as_deref(), Some("Kai Moreau"));
    assert_eq!(hit.person.as_deref(), Some("Kai Moreau"));
    assert_eq!(hit.study.as_deref(), Some("Search study"));
    assert_eq!((hit.start_ms, hit.end_ms), (62_500, 69_000));
    assert!(hit.snippet.contains("<mark>purple</mark> <mark>elephant</mark>"), "{}", hit.snippet);
}

#[test]
fn stemming_matches_word_forms_and_phrases_stay_exact() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    import_interview(&mut ws);
    let index = SearchIndex::open(&ws).unwrap();
    let stemmed = index.search("rollback trusted session:4", &SearchOptions::default()).unwrap();
    assert_eq!(stemmed.total, 1, "rollbacks/trusts match rollback/trusted: {stemmed:?}");
    let exact = index.search(r#""rollback are quick""#, &SearchOptions::default()).unwrap();
    assert_eq!(exact.total, 0, "a phrase matches the words as said");
}

#[test]
fn filters_narrow_as_documented() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    let sid = import_interview(&mut ws);
    let index = SearchIndex::open(&ws).unwrap();
    let all = index.search("deploy", &SearchOptions::default()).unwrap().total;
    let by_kind = index.search("deploy kind:segment", &SearchOptions::default()).unwrap().total;
    let by_speaker = index.search(r#"deploy speaker:"Maya Lindqvist""#, &SearchOptions::default()).unwrap();
    let in_session = index.search(&format!("deploy session:{sid}"), &SearchOptions::default()).unwrap();
    let by_role = index.search("rollbacks role:sre team:ledger", &SearchOptions::default()).unwrap();
    let sre_anywhere = index.search("rollbacks role:sre", &SearchOptions::default()).unwrap();
    let nps_only = index.search("deploy kind:nps", &SearchOptions::default()).unwrap();
    assert!(
        all > by_kind
            && by_kind > by_speaker.total
            && by_speaker.total > in_session.total
            && in_session.total == 1,
        "each filter narrows: {all} > {by_kind} > {} > {}",
        by_speaker.total,
        in_session.total
    );
    assert!(by_speaker.hits.iter().all(|h| h.speaker.as_deref() == Some("Maya Lindqvist")));
    assert_eq!(by_role.total, 1, "role and team together pick Kai: {by_role:?}");
    assert_eq!(by_role.hits[0].speaker.as_deref(), Some("Kai Moreau"));
    assert!(sre_anywhere.total > by_role.total, "other SREs (the demo's Tomasz) said it too");
    assert!(nps_only.total > 0 && nps_only.hits.iter().all(|h| h.kind == "nps"));
    let before = index.search("deploy kind:nps before:2026-02-01", &SearchOptions::default()).unwrap();
    let after = index.search("deploy kind:nps after:2026-02-01", &SearchOptions::default()).unwrap();
    assert_eq!(before.total + after.total, nps_only.total, "before: and after: split the same day");
    assert!(before.hits.iter().all(|h| h.date.as_str() < "2026-02-01"));
    let excluded = index.search("deploy -kind:nps", &SearchOptions::default()).unwrap();
    assert_eq!(excluded.total, all - nps_only.total);
    let either =
        index.search(&format!("elephant OR trusts session:{sid}"), &SearchOptions::default()).unwrap();
    assert_eq!(either.total, 2);
    let prefix = index.search("elepha*", &SearchOptions::default()).unwrap();
    assert_eq!(prefix.total, 1);
    let counts = index.search("deploy", &SearchOptions::default()).unwrap().counts.unwrap();
    assert_eq!(counts.kind.iter().map(|b| b.count).sum::<i64>(), all, "kind counts add up to the total");
}

#[test]
fn a_misspelled_word_is_found_by_the_fuzzy_retry_and_says_so() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    import_interview(&mut ws);
    let index = SearchIndex::open(&ws).unwrap();
    let r = index.search("elephnat", &SearchOptions::default()).unwrap();
    assert!(r.fuzzy, "the result says it is fuzzy");
    assert_eq!(r.total, 1);
    let exact = index.search("elephant", &SearchOptions::default()).unwrap();
    assert!(!exact.fuzzy);
}

#[test]
fn editing_a_segments_text_changes_what_is_found() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    let sid = import_interview(&mut ws);
    rapport::search::sync(&ws).unwrap();
    let seg = rapport::transcript::segments(ws.conn(), sid)
        .unwrap()
        .into_iter()
        .find(|g| g.text.contains("purple elephant"))
        .unwrap();
    rapport::transcript::edit_segment(ws.conn(), seg.id, "The ledger needs a turquoise giraffe panel.")
        .unwrap();
    rapport::search::sync(&ws).unwrap();
    let index = SearchIndex::open(&ws).unwrap();
    assert_eq!(
        index.search("elephant", &SearchOptions { counts: false, ..Default::default() }).unwrap().total,
        0
    );
    let r = index.search("turquoise giraffe", &SearchOptions::default()).unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].start_ms, 62_500);
}

#[test]
fn deleting_a_session_removes_its_hits() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    let sid = import_interview(&mut ws);
    let index = SearchIndex::open(&ws).unwrap();
    assert_eq!(index.search("elephant", &SearchOptions::default()).unwrap().total, 1);
    session::delete(ws.conn(), &ws.media_dir(), sid).unwrap();
    rapport::search::sync(&ws).unwrap();
    let index = SearchIndex::open(&ws).unwrap();
    assert_eq!(index.search("elephant", &SearchOptions::default()).unwrap().total, 0);
    assert_eq!(index.search(&format!("session:{sid}"), &SearchOptions::default()).unwrap().total, 0);
}

#[test]
fn an_index_left_behind_by_a_crash_catches_up_on_the_next_open() {
    let tmp = TempDir::new();
    let mut ws = demo_ws(&tmp);
    rapport::search::sync(&ws).unwrap();
    // The store commits, the process dies before the index does.
    import_interview(&mut ws);
    drop(ws);
    let ws = Workspace::open(&tmp.ws()).unwrap();
    let index = SearchIndex::open(&ws).unwrap();
    assert_eq!(index.indexed_seq(), Some(rapport::search::store_seq(ws.conn()).unwrap()));
    assert_eq!(index.search("elephant", &SearchOptions::default()).unwrap().total, 1, "caught up");
}

#[test]
fn a_deleted_index_is_rebuilt_on_the_next_open_and_answers_the_same() {
    let tmp = TempDir::new();
    let ws = demo_ws(&tmp);
    let first = SearchIndex::open(&ws).unwrap().search("rollback", &SearchOptions::default()).unwrap();
    std::fs::remove_dir_all(tmp.ws().join("index")).unwrap();
    let again = SearchIndex::open(&ws).unwrap().search("rollback", &SearchOptions::default()).unwrap();
    assert!(first.total > 0);
    assert_eq!(first.total, again.total);
    // Garbage where the index was is replaced too.
    std::fs::write(tmp.ws().join("index/meta.json"), b"{ not json").unwrap();
    let third = SearchIndex::open(&ws).unwrap().search("rollback", &SearchOptions::default()).unwrap();
    assert_eq!(third.total, first.total);
}

#[test]
fn sorting_by_time_puts_the_newest_moment_first() {
    let tmp = TempDir::new();
    let ws = demo_ws(&tmp);
    let index = SearchIndex::open(&ws).unwrap();
    let r = index
        .search("deploy kind:segment", &SearchOptions { sort: SortBy::Time, limit: 50, ..Default::default() })
        .unwrap();
    let keys: Vec<(String, i64)> = r.hits.iter().map(|h| (h.date.clone(), h.start_ms)).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted);
}

#[test]
fn cli_search_json_has_the_documented_keys() {
    let (_tmp, ws) = demo_workspace();
    let r = rapport_json(&ws, &["search", r#""error budget""#, "--limit", "3"]);
    assert!(r["total"].as_i64().unwrap() >= 1, "{r}");
    assert_eq!(r["fuzzy"], false);
    let hit = &r["hits"][0];
    for key in ["kind", "study", "session", "person", "speaker", "start_ms", "end_ms", "snippet", "score"] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert!(
        hit["snippet"].as_str().unwrap().to_lowercase().contains("<mark>error</mark> <mark>budget</mark>"),
        "{hit}"
    );
}

#[test]
fn a_malformed_query_is_one_line_naming_the_column() {
    let (_tmp, ws) = demo_workspace();
    let out = rapport(&ws, &["search", r#"gates "never closed"#]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim(), "rapport: query, column 7: this quote is never closed; add a closing \"");
}

#[test]
fn index_rebuild_reports_the_documents() {
    let (_tmp, ws) = demo_workspace();
    let r = rapport_json(&ws, &["index", "rebuild"]);
    assert_eq!(r["action"], "rebuilt");
    assert!(r["documents"].as_i64().unwrap() > 400, "{r}");
}

#[test]
fn segments_carry_the_tags_of_the_highlights_they_overlap() {
    let tmp = TempDir::new();
    let ws = demo_ws(&tmp);
    let index = SearchIndex::open(&ws).unwrap();
    let tagged = rapport::coding::tag_counts(ws.conn(), None).unwrap();
    let tag = tagged.iter().find(|t| t.highlights > 0).expect("the demo has a used tag");
    let q = format!("kind:segment tag:\"{}\"", tag.path);
    let r = index.search(&q, &SearchOptions { limit: 100, ..Default::default() }).unwrap();
    assert!(r.total >= tag.highlights, "{q}: {} segments for {} highlights", r.total, tag.highlights);
    assert!(r.total < index.search("kind:segment", &SearchOptions::default()).unwrap().total);
}
