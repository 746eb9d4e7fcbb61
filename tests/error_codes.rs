//! Every error the CLI prints with `--json` carries a code: a failing call of each verb group
//! (and a command line clap refuses) ends non-zero with one JSON line `{"error": {"code",
//! "message"}}` whose code is one of the core's stable codes, the one a script would branch on.

use crate::util::{demo_workspace, rapport};

/// The codes of `rapport::ErrorCode`, as JSON writes them.
const CODES: [&str; 12] = [
    "not_found",
    "invalid_input",
    "already_exists",
    "workspace_newer",
    "not_a_workspace",
    "io",
    "database",
    "integrity",
    "path_not_allowed",
    "query_syntax",
    "cancelled",
    "internal",
];

#[test]
fn the_code_list_matches_the_core() {
    for code in CODES {
        let parsed: serde_json::Value = serde_json::json!(code);
        assert!(parsed.is_string());
    }
    let all = [
        rapport::ErrorCode::NotFound,
        rapport::ErrorCode::InvalidInput,
        rapport::ErrorCode::AlreadyExists,
        rapport::ErrorCode::WorkspaceNewer,
        rapport::ErrorCode::NotAWorkspace,
        rapport::ErrorCode::Io,
        rapport::ErrorCode::Database,
        rapport::ErrorCode::Integrity,
        rapport::ErrorCode::PathNotAllowed,
        rapport::ErrorCode::QuerySyntax,
        rapport::ErrorCode::Cancelled,
        rapport::ErrorCode::Internal,
    ];
    let names: Vec<String> =
        all.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(names, CODES, "the test's list of codes is the core's");
}

#[test]
fn a_failing_call_of_every_verb_group_prints_an_error_with_a_code() {
    let (tmp, ws) = demo_workspace();
    let missing = tmp.path().join("nothing-here.bin");
    let missing = missing.to_str().unwrap();
    let not_ws = tmp.path().join("not-a-workspace");
    std::fs::create_dir_all(&not_ws).unwrap();
    std::fs::write(not_ws.join("rapport.db"), b"this is not SQLite").unwrap();
    // An output path under a file: no folder can be made there.
    std::fs::write(tmp.path().join("a-file"), b"x").unwrap();
    let out_dir = tmp.path().join("a-file/out.md");
    let out_dir = out_dir.to_str().unwrap();

    // (verb group, arguments, the code expected)
    let calls: Vec<(&str, Vec<&str>, &str)> = vec![
        ("usage", vec!["study", "frobnicate"], "invalid_input"),
        ("usage", vec!["transcript", "import"], "invalid_input"),
        ("usage", vec!["session", "list", "--study"], "invalid_input"),
        ("workspace", vec!["verify"], "not_a_workspace"),
        ("studies", vec!["study", "delete", "9999", "--yes"], "not_found"),
        (
            "studies",
            vec!["session", "create", "--study", "no such study", "--person", "x@example.com"],
            "not_found",
        ),
        ("search", vec!["search", "\"never closed"], "query_syntax"),
        ("search", vec!["search", "colour:blue"], "query_syntax"),
        ("search", vec!["saved-search", "delete", "9999"], "not_found"),
        ("transcripts", vec!["transcript", "export", "9999", "--format", "srt"], "not_found"),
        ("transcripts", vec!["transcript", "import", missing, "--session", "1"], "io"),
        (
            "transcripts",
            vec!["transcript", "import", missing, "--session", "1", "--format", "xml"],
            "invalid_input",
        ),
        ("models", vec!["models", "import", missing], "io"),
        ("audio", vec!["recording", "add", missing, "--session", "1"], "not_found"),
        ("audio", vec!["transcribe", "9999"], "not_found"),
        ("recruit", vec!["people", "show", "nobody@example.com"], "not_found"),
        ("recruit", vec!["people", "import", missing], "io"),
        ("recruit", vec!["audit", "import", missing], "io"),
        ("recruit", vec!["recruit", "--study", "no such study", "--size", "3"], "not_found"),
        ("recruit", vec!["recruit", "--study", "1", "--size", "3", "--where", "(team = x"], "invalid_input"),
        ("guides", vec!["guide", "show", "9999"], "not_found"),
        ("guides", vec!["guide", "import", missing, "--study", "1"], "io"),
        ("guides", vec!["note", "delete", "9999"], "not_found"),
        ("synthesis", vec!["finding", "show", "9999"], "not_found"),
        ("synthesis", vec!["tag", "rename", "no such tag", "other"], "not_found"),
        ("synthesis", vec!["import", "qdpx", missing], "io"),
        ("synthesis", vec!["export", "--study", "1", "--format", "md", "--out", out_dir], "io"),
        ("insights", vec!["dora", "--from", "not a date"], "invalid_input"),
        ("insights", vec!["deploys", "import", missing], "io"),
        ("insights", vec!["nps", "import", missing], "io"),
        ("insights", vec!["catalog", "import", missing], "io"),
        ("diarize", vec!["diarize", "9999"], "not_found"),
        ("diarize", vec!["voice", "forget", "nobody"], "not_found"),
    ];
    let mut wrong = Vec::new();
    for (group, args, expected) in &calls {
        let mut all = args.clone();
        all.push("--json");
        let target = if *group == "workspace" { not_ws.as_path() } else { ws.as_path() };
        let out = rapport(target, &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let code = v["error"]["code"].as_str();
        if out.status.success() {
            wrong.push(format!("{group} {args:?}: succeeded"));
        } else if stderr.lines().filter(|l| !l.trim().is_empty()).count() != 1 {
            wrong.push(format!("{group} {args:?}: expected one error line, got {stderr:?}"));
        } else if code != Some(*expected) {
            wrong.push(format!("{group} {args:?}: expected code {expected:?}, got {line}"));
        } else if v["error"]["message"].as_str().is_none_or(str::is_empty) {
            wrong.push(format!("{group} {args:?}: no message: {line}"));
        }
    }
    assert!(wrong.is_empty(), "calls whose --json error is wrong:\n{}", wrong.join("\n"));
}

#[test]
fn a_query_syntax_error_carries_its_column_over_ipc() {
    let err = rapport::search::parse("deploy colour:blue").unwrap_err();
    let api = rapport::ApiError::from(&err);
    let json = serde_json::to_value(&api).unwrap();
    assert_eq!(json["code"], "query_syntax");
    assert_eq!(json["column"], 8, "the UI marks the query at this column: {json}");
    let other =
        serde_json::to_value(rapport::ApiError::from(&rapport::Error::not_found("study", 3))).unwrap();
    assert!(other.get("column").is_none(), "only query errors have a column: {other}");
}
