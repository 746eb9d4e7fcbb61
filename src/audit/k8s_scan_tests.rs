//! Proof that [`scan`] agrees with serde_json: on lines of a generated log, on hand-written
//! edge cases and on tens of thousands of mutated lines.

use super::*;
use serde::de::IgnoredAny;
use serde::Deserialize;

#[derive(Deserialize)]
struct RefUser {
    username: Option<String>,
}

#[derive(Deserialize)]
struct RefObjectRef {
    resource: Option<String>,
    subresource: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct RefStatus {
    code: Option<i64>,
}

/// The event as the serde path reads it (owned strings, so escapes are fine here).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefEvent {
    kind: Option<String>,
    #[serde(rename = "auditID")]
    audit_id: Option<String>,
    stage: Option<String>,
    verb: Option<String>,
    user: Option<RefUser>,
    impersonated_user: Option<RefUser>,
    object_ref: Option<RefObjectRef>,
    response_status: Option<RefStatus>,
    request_received_timestamp: Option<String>,
    stage_timestamp: Option<String>,
    timestamp: Option<String>,
    proto_payload: Option<IgnoredAny>,
    operation: Option<IgnoredAny>,
    insert_id: Option<String>,
}

/// What `scan` must return for a line serde read as `ev`.
fn expected(ev: &RefEvent) -> Fields<'_> {
    let (user, objref, status) = (&ev.user, &ev.object_ref, &ev.response_status);
    Fields {
        kind: ev.kind.as_deref(),
        audit_id: ev.audit_id.as_deref(),
        stage: ev.stage.as_deref(),
        verb: ev.verb.as_deref(),
        user: user.as_ref().and_then(|u| u.username.as_deref()),
        impersonated_user: ev.impersonated_user.as_ref().and_then(|u| u.username.as_deref()),
        resource: objref.as_ref().and_then(|o| o.resource.as_deref()),
        subresource: objref.as_ref().and_then(|o| o.subresource.as_deref()),
        namespace: objref.as_ref().and_then(|o| o.namespace.as_deref()),
        name: objref.as_ref().and_then(|o| o.name.as_deref()),
        code: status.as_ref().and_then(|s| s.code),
        request_received_timestamp: ev.request_received_timestamp.as_deref(),
        stage_timestamp: ev.stage_timestamp.as_deref(),
        timestamp: ev.timestamp.as_deref(),
        has_user: user.is_some(),
        has_impersonated_user: ev.impersonated_user.is_some(),
        has_object_ref: objref.is_some(),
        has_response_status: status.is_some(),
    }
}

/// Checks `scan` against serde_json on one line; returns (serde read it, scan read it).
fn differential(line: &[u8]) -> (bool, bool) {
    let typed = serde_json::from_slice::<RefEvent>(line);
    let valid_json = serde_json::from_slice::<IgnoredAny>(line).is_ok();
    let text = String::from_utf8_lossy(line);
    let scanned = scan(line);
    // The two ways of finding the ends of strings agree, and the ASCII path agrees where it
    // reads the line at all (only all-ASCII lines).
    assert_eq!(scan_with(line, false), scanned, "unmapped scan differs: {text}");
    if let Some(fields) = scan_ascii(line) {
        assert!(line.is_ascii(), "scan_ascii read a line that is not ASCII: {text}");
        assert_eq!(Some(fields), scanned, "scan_ascii differs: {text}");
    } else if line.is_ascii() && line.len() <= MARKED_LINE && cfg!(target_arch = "x86_64") {
        assert_eq!(scanned, None, "scan_ascii left an ASCII line that scan reads: {text}");
    }
    match scanned {
        Some(fields) => {
            let ev = typed.unwrap_or_else(|e| panic!("scan accepted what serde rejects ({e}): {text}"));
            assert!(valid_json, "scan accepted invalid JSON: {text}");
            assert_eq!(fields, expected(&ev), "fields differ: {text}");
            assert!(ev.proto_payload.is_none() && ev.operation.is_none() && ev.insert_id.is_none());
            assert_ne!(ev.kind.as_deref(), Some("EventList"));
            (true, true)
        }
        None => (typed.is_ok(), false),
    }
}

/// The first `n` lines of the sample of a generated log (every 2,500th line of
/// `scripts/gen-audit.py --lines 1000000`: both stages, impersonation, subresources).
fn log_lines(n: usize) -> Vec<Vec<u8>> {
    let text = include_bytes!("../../tests/fixtures/audit/k8s-generated-sample.log");
    text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).take(n).map(<[u8]>::to_vec).collect()
}

#[test]
fn generated_log_lines_scan_exactly_as_serde_reads_them() {
    let lines = log_lines(400);
    assert_eq!(lines.len(), 400);
    let (mut impersonated, mut subresources, mut completes) = (0, 0, 0);
    for line in &lines {
        let ev: RefEvent = serde_json::from_slice(line).unwrap();
        let fields = scan(line).unwrap_or_else(|| panic!("fell back: {}", String::from_utf8_lossy(line)));
        assert_eq!(fields, expected(&ev));
        impersonated += usize::from(fields.impersonated_user.is_some());
        subresources += usize::from(fields.subresource.is_some());
        completes += usize::from(fields.code.is_some());
    }
    // The sample covers the shapes the generator writes.
    assert!(impersonated > 0 && subresources > 0 && completes > 0);
}

/// A small event that scans; the cases below are variations of it.
const BASE: &str = r#"{"kind":"Event","auditID":"a-1","stage":"ResponseComplete","verb":"get","user":{"username":"ana","groups":["g"]},"objectRef":{"resource":"pods","subresource":"log","namespace":"ns","name":"p"},"responseStatus":{"metadata":{},"code":200},"stageTimestamp":"2026-11-30T10:00:00.000001Z"}"#;

/// `BASE` with `extra` members added first in the top-level object.
fn with(extra: &str) -> String {
    format!("{{{extra},{}", &BASE[1..])
}

#[test]
fn base_and_unusual_but_readable_lines_scan_as_serde_reads_them() {
    let cases = [
        BASE.to_string(),
        "{}".to_string(),
        " \t\r\n{ \"kind\" : \"Event\" , \"verb\"\n:\r\"get\" } \n\t".to_string(),
        with(r#""timestamp":"t","requestReceivedTimestamp":null,"impersonatedUser":{"username":null}"#),
        with(
            r#""x":1,"x":[true,false,null,-0.5e+7,0,1E-2,{"a":{"b":[[]]}}],"x":"\"\\\/\b\f\n\r\t\u00e9\ud800""#,
        ),
        r#"{"user":null,"objectRef":null,"responseStatus":null,"impersonatedUser":{}}"#.to_string(),
        r#"{"responseStatus":{"code":-9223372036854775808,"metadata":{"code":1.5}}}"#.to_string(),
        r#"{"responseStatus":{"code":9223372036854775807}}"#.to_string(),
        r#"{"responseStatus":{"code":-5,"x":1,"x":2},"objectRef":{"apiGroup":"a","apiGroup":"b"}}"#
            .to_string(),
        r#"{"user":{"username":"zoë ü 名前","extra":{}},"verb":"lïst","é":1}"#.to_string(),
        format!(r#"{{"x":{}1{}}}"#, "[".repeat(99), "]".repeat(99)),
    ];
    for line in &cases {
        assert_eq!(differential(line.as_bytes()), (true, true), "{line}");
    }
}

#[test]
fn each_fallback_rule_gives_none() {
    let cases = [
        // Not exactly one JSON object.
        String::new(),
        "null".into(),
        "[]".into(),
        r#""Event""#.into(),
        r#"[null,"a-1"]"#.into(),
        format!("{BASE} {{}}"),
        format!("{BASE}x"),
        BASE[..BASE.len() - 1].into(),
        // Invalid JSON inside skipped values at any depth.
        with(r#""x":"\x""#),
        with(r#""x":"\u12G4""#),
        with("\"x\":\"a\u{1}b\""),
        with("\"x\":\"tab\there\""),
        with(r#""x":01"#),
        with(r#""x":1."#),
        with(r#""x":.5"#),
        with(r#""x":1e"#),
        with(r#""x":-"#),
        with(r#""x":+1"#),
        with(r#""x":tru"#),
        with(r#""x":nul"#),
        with(r#""x":[1,]"#),
        with(r#""x":{"a":1,}"#),
        with(r#""x":{"a" 1}"#),
        with(r#""x":{1:1}"#),
        with(r#""x":[1 2]"#),
        with(r#""x":[1}"#),
        with(r#""x":{"a":[{"b":NaN}]}"#),
        with("\"x\":\u{a0}1"),
        r#"{"kind":"Event",}"#.into(),
        r#"{,"kind":"Event"}"#.into(),
        format!(r#"{{"x":{}1{}}}"#, "[".repeat(100), "]".repeat(100)),
        // An extracted string with an escape, or a field of the wrong type.
        with(r#""verb":"g\u0065t""#),
        with(r#""kind":"Ev\"ent""#),
        with(r#""verb":1"#),
        with(r#""verb":true"#),
        with(r#""verb":["get"]"#),
        with(r#""timestamp":{}"#),
        r#"{"user":{"username":"a\nb"}}"#.into(),
        r#"{"user":{"username":7}}"#.into(),
        r#"{"objectRef":{"name":false}}"#.into(),
        r#"{"user":"ana"}"#.into(),
        r#"{"user":["ana"]}"#.into(),
        r#"{"objectRef":true}"#.into(),
        r#"{"responseStatus":200}"#.into(),
        r#"{"responseStatus":{"code":"200"}}"#.into(),
        r#"{"responseStatus":{"code":200.0}}"#.into(),
        r#"{"responseStatus":{"code":2e2}}"#.into(),
        r#"{"responseStatus":{"code":-0}}"#.into(),
        r#"{"responseStatus":{"code":9223372036854775808}}"#.into(),
        r#"{"responseStatus":{"code":-9223372036854775809}}"#.into(),
        r#"{"responseStatus":{"code":18446744073709551616}}"#.into(),
        // A known key twice, even after a null.
        with(r#""verb":"get""#),
        with(r#""kind":null"#),
        with(r#""user":null"#),
        with(r#""responseStatus":{}"#),
        r#"{"timestamp":"a","timestamp":"b"}"#.into(),
        r#"{"impersonatedUser":{},"impersonatedUser":{}}"#.into(),
        r#"{"user":{"username":"a","username":"b"}}"#.into(),
        r#"{"objectRef":{"name":"a","name":null}}"#.into(),
        r#"{"responseStatus":{"code":null,"code":1}}"#.into(),
        // GKE entries and event lists.
        with(r#""protoPayload":{}"#),
        with(r#""operation":null"#),
        with(r#""insertId":"i""#),
        r#"{"kind":"EventList","items":[]}"#.into(),
        // A key written with an escape.
        with(r#""v\u0065rb":"x""#),
        with(r#""x\n":1"#),
        r#"{"user":{"user\u006eame":"a"}}"#.into(),
    ];
    for line in &cases {
        assert_eq!(scan(line.as_bytes()), None, "{line}");
        // Whatever serde makes of it, the scanner agrees with it where it answers.
        differential(line.as_bytes());
    }
}

#[test]
fn serde_behaviours_the_scanner_relies_on() {
    let read =
        |s: &str| serde_json::from_str::<RefEvent>(s).map(|ev| ev.response_status.and_then(|r| r.code));
    // `-0` is the float -0.0 to serde_json, which an i64 rejects.
    assert!(read(r#"{"responseStatus":{"code":-0}}"#).is_err());
    assert_eq!(read(r#"{"responseStatus":{"code":-9223372036854775808}}"#).unwrap(), Some(i64::MIN));
    // A skipped string may hold a lone surrogate escape.
    assert!(read(r#"{"x":"\udc00"}"#).is_ok());
    // A struct may be written as an array, which the scanner leaves to serde.
    assert!(read(r#"{"responseStatus":[7]}"#).unwrap() == Some(7));
    // A duplicate known field is an error even after null.
    assert!(read(r#"{"verb":null,"verb":"get"}"#).is_err());
}

/// A fixed-seed xorshift generator, so the fuzz test is reproducible without a crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

const BYTES: &[u8] = b"{}[]\",:\\0123456789-+.eEtrufalsn \t\x00\x01\x1f\n\r\x7f";
const SNIPPETS: &[&str] = &[
    "null",
    "true",
    "-0",
    "200.0",
    "2e2",
    "-1",
    "01",
    "9223372036854775808",
    "\"x\"",
    "{}",
    "[]",
    "[1,{\"a\":[]}]",
    "\"verb\":\"x\",",
    "\"code\":1,",
    "\"code\":-0,",
    "\"user\":null,",
    "\"user\":{},",
    "\"username\":\"u\",",
    "\"name\":null,",
    "\"protoPayload\":{},",
    "\"kind\":\"EventList\",",
    "\\u00e9",
    "\\ud800",
    "\\n",
    "\\x",
    "\\",
    "\"objectRef\":[],",
    "é",
    "\"timestamp\":\"t\",",
    "\"x\":1,",
    ",",
    ":",
];

fn mutate(rng: &mut Rng, line: &mut Vec<u8>) {
    let pos = rng.below(line.len() + 1);
    let byte = BYTES[rng.below(BYTES.len())];
    match rng.below(6) {
        0 if pos < line.len() => drop(line.remove(pos)),
        1 => line.insert(pos, byte),
        2 if pos < line.len() => line[pos] = byte,
        3 | 4 => {
            let end = if rng.below(2) == 0 { pos } else { (pos + rng.below(12)).min(line.len()) };
            let snippet = SNIPPETS[rng.below(SNIPPETS.len())].bytes();
            line.splice(pos..end, snippet);
        }
        _ => {
            // Swap a quoted token for a snippet, so values change type rather than break.
            if let Some(q) = line[pos.min(line.len())..].iter().position(|&b| b == b'"') {
                let start = pos + q;
                if let Some(len) = line[start + 1..].iter().position(|&b| b == b'"') {
                    let snippet = SNIPPETS[rng.below(SNIPPETS.len())].bytes();
                    line.splice(start..start + len + 2, snippet);
                }
            }
        }
    }
}

#[test]
fn mutated_lines_never_scan_differently_from_serde() {
    let log = log_lines(400);
    // 200 real lines of every shape, and a few edge cases.
    let mut seeds: Vec<Vec<u8>> = log.iter().step_by(4).cloned().collect();
    seeds.extend(log.iter().filter(|l| l.windows(12).any(|w| w == b"impersonated")).take(10).cloned());
    seeds.push(with(r#""user":{"username":"zoë"},"x":"\u00e9\n""#).into_bytes());
    let (mut cases, mut serde_ok, mut scanned) = (0usize, 0usize, 0usize);
    let mut check = |line: &[u8]| {
        let (ok, some) = differential(line);
        cases += 1;
        serde_ok += usize::from(ok);
        scanned += usize::from(some);
    };
    for line in seeds.iter().take(5) {
        for end in 0..line.len() {
            check(&line[..end]);
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for seed in &seeds {
        for _ in 0..600 {
            let mut line = seed.clone();
            for _ in 0..=rng.below(3) {
                mutate(&mut rng, &mut line);
            }
            check(&line);
        }
    }
    println!(
        "{cases} cases: serde read {serde_ok}, scan read {scanned} ({:.1}% of serde's)",
        100.0 * scanned as f64 / serde_ok as f64
    );
    assert!(cases > 60_000);
}

/// Every string of up to `max` bytes from `alphabet`.
fn all_words(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
    let mut words = vec![vec![]];
    let mut last = vec![vec![]];
    for _ in 0..max {
        last =
            last.iter().flat_map(|w| alphabet.iter().map(move |&b| [w.as_slice(), &[b]].concat())).collect();
        words.extend(last.iter().cloned());
    }
    words
}

#[test]
fn every_short_number_literal_and_string_scans_as_serde_reads_it() {
    let wrap = |pre: &str, word: &[u8], post: &str| [pre.as_bytes(), word, post.as_bytes()].concat();
    for word in all_words(b"01-+.eE9", 6) {
        differential(&wrap(r#"{"x":"#, &word, "}"));
        differential(&wrap(r#"{"x":["#, &word, "]}"));
        differential(&wrap(r#"{"responseStatus":{"code":"#, &word, "}}"));
    }
    for word in all_words(b"trufalsn", 5) {
        differential(&wrap(r#"{"x":"#, &word, "}"));
        differential(&wrap(r#"{"verb":"#, &word, "}"));
    }
    let strings = all_words(b"\\\"u0aD/x\x1f", 5).into_iter().chain(all_words(b"\\\"u0x", 7));
    for word in strings {
        differential(&wrap(r#"{"x":""#, &word, r#""}"#));
        differential(&wrap(r#"{"verb":""#, &word, r#""}"#));
        differential(&wrap(r#"{""#, &word, r#"":1}"#));
    }
}

#[test]
fn special_bytes_finds_exactly_the_first_quote_backslash_or_control_byte() {
    let mut rng = Rng(7);
    // Bytes near the boundaries of each class, to stress borrows between bytes.
    let pool =
        [0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xa0, 0xa2, 0xdc, 0xff];
    for _ in 0..1_000_000 {
        let bytes: [u8; 8] = std::array::from_fn(|_| match rng.below(3) {
            0 => rng.below(256) as u8,
            _ => pool[rng.below(pool.len())],
        });
        let first = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        let mask = special_bytes(u64::from_le_bytes(bytes));
        assert_eq!((mask != 0).then(|| mask.trailing_zeros() as usize / 8), first, "{bytes:02x?}");
    }
}

#[test]
fn special_bytes_on_every_position_of_the_map_and_past_it_scan_as_serde_reads_them() {
    // A padding field moves the strings after it across the 64-byte words of the map; the
    // escapes, the quotes and a control byte land on every position, first and last of a word
    // too, and lines longer than the map take the byte-by-byte path.
    let base = r#""verb":"get","user":{"username":"a\"b"},"x":"\u00e9\n\\","stage":"ResponseComplete"}"#;
    for pad in 0..130 {
        let line = format!(r#"{{"p":"{}",{base}"#, "y".repeat(pad));
        assert_eq!(differential(line.as_bytes()), (true, false), "an escaped username falls back: {line}");
        let plain = line.replace(r#"a\"b"#, "ab");
        assert_eq!(differential(plain.as_bytes()), (true, true), "{plain}");
        let tab = plain.replace("ab", r"a\tb");
        assert_eq!(differential(tab.as_bytes()), (true, false), "an escaped tab falls back: {tab}");
        let raw_control = plain.replace("\"x\":\"", "\"x\":\"\u{1}");
        assert_eq!(differential(raw_control.as_bytes()), (false, false), "{raw_control:?}");
    }
    let body = base.replace(r#"a\"b"#, "ab");
    for len in [MARKED_LINE - 80, MARKED_LINE - 40, MARKED_LINE, MARKED_LINE + 1, 3 * MARKED_LINE] {
        let line = format!(r#"{{"p":"{}",{body}"#, "y".repeat(len - (body.len() + 8)));
        assert_eq!(line.len(), len);
        assert_eq!(differential(line.as_bytes()), (true, true), "a line of {} bytes", line.len());
        let cut = &line.as_bytes()[..line.len() - 1];
        assert_eq!(differential(cut), (false, false), "cut at {} bytes", cut.len());
    }
}
