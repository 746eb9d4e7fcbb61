//! `metrics pull` against a real Prometheus (Debian's `prometheus`, installed by
//! scripts/test) on 127.0.0.1, serving a TSDB backfilled by `promtool tsdb
//! create-blocks-from openmetrics`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// A Prometheus process, killed when dropped.
struct Prometheus {
    child: Child,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Samples every 15 s from `t0` for `n` samples: `rapport_test_gauge{service="a"}` = i,
/// `{service="b"}` = 2i.
fn backfill(dir: &Path, t0: i64, n: i64) -> PathBuf {
    let mut om = String::from("# HELP rapport_test_gauge A test gauge.\n# TYPE rapport_test_gauge gauge\n");
    for i in 0..n {
        om.push_str(&format!("rapport_test_gauge{{service=\"a\"}} {i} {}\n", t0 + 15 * i));
        om.push_str(&format!("rapport_test_gauge{{service=\"b\"}} {} {}\n", 2 * i, t0 + 15 * i));
    }
    om.push_str("# EOF\n");
    let input = dir.join("data.om");
    std::fs::write(&input, om).unwrap();
    let tsdb = dir.join("tsdb");
    std::fs::create_dir_all(&tsdb).unwrap();
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&tsdb)
        .output()
        .expect("promtool (Debian prometheus) is installed by scripts/test");
    assert!(out.status.success(), "promtool: {}", String::from_utf8_lossy(&out.stderr));
    tsdb
}

fn start(dir: &Path, tsdb: &Path) -> Prometheus {
    let port = free_port();
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n").unwrap();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg("--storage.tsdb.retention.time=10y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus");
    let p = Prometheus { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return p;
            }
        }
        assert!(
            Instant::now() < deadline,
            "prometheus did not become ready: {}",
            std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn metrics_pull_stores_exactly_what_prometheus_returns_across_split_ranges_and_fails_clearly() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    // Three hours of samples ending an hour ago (inside the default retention of the head).
    let now = chrono::Utc::now().timestamp();
    let t0 = (now - 4 * 3600) / 60 * 60;
    let n = 3 * 3600 / 15;
    let tsdb = backfill(tmp.path(), t0, n);
    let prom = start(tmp.path(), &tsdb);

    // Two hours at a 0.5 s step would be 14,401 points: past the 11,000 limit, so split. Use
    // 1 s over 3.5 hours = 12,601 points a series.
    let (from, to, step) = (t0, t0 + 12_600, 1);
    let r = rapport_json(
        &ws,
        &[
            "metrics",
            "pull",
            "--url",
            &prom.url,
            "--query",
            "rapport_test_gauge",
            "--name",
            "gauge",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
            "--step",
            "1s",
        ],
    );
    assert_eq!(r["series"], 2, "one series per label set: {r}");
    assert_eq!(r["requests"], 2, "12,601 steps take two requests: {r}");
    let shown = rapport_json(&ws, &["metrics", "show", "gauge"]);
    assert_eq!(shown["name"], "gauge");
    assert_eq!(shown["query"], "rapport_test_gauge");
    let series = shown["series"].as_array().unwrap();
    assert_eq!(series[0]["labels"]["service"], "a");
    assert_eq!(series[0]["labels"]["__name__"], "rapport_test_gauge");
    // Prometheus answers at every step the last sample at or before it (5 min lookback):
    // from t0 to the last sample's time + 5 min, value floor((t − t0) / 15) (times 2 for b).
    let last_sample = t0 + 15 * (n - 1);
    let expected_steps = ((to.min(last_sample + 300) - from) / step + 1) as usize;
    for (s, factor) in series.iter().zip([1.0, 2.0]) {
        let points = s["points"].as_array().unwrap();
        assert_eq!(points.len(), expected_steps, "every step of both pieces, none twice");
        for p in points {
            let t = p[0].as_f64().unwrap() as i64;
            let i = ((t - t0) / 15).min(n - 1);
            assert_eq!(p[1].as_f64().unwrap(), factor * i as f64, "value at {t}");
        }
        let times: Vec<i64> = points.iter().map(|p| p[0].as_f64().unwrap() as i64).collect();
        assert!(times.windows(2).all(|w| w[1] - w[0] == step), "the pieces meet without a gap or an overlap");
    }
    let list = rapport_json(&ws, &["metrics", "list"]);
    assert_eq!(list[0]["points"], (2 * expected_steps) as i64);

    // Pulling again, a later and coarser range, replaces the overlap and keeps the rest.
    rapport_ok(
        &ws,
        &[
            "metrics",
            "pull",
            "--url",
            &prom.url,
            "--query",
            "rapport_test_gauge",
            "--name",
            "gauge",
            "--from",
            &(t0 + 3600).to_string(),
            "--to",
            &(t0 + 3 * 3600).to_string(),
            "--step",
            "60",
        ],
    );
    let after = rapport_json(&ws, &["metrics", "show", "gauge"]);
    let a = after["series"][0]["points"].as_array().unwrap();
    let kept_before = a.iter().filter(|p| (p[0].as_f64().unwrap() as i64) < t0 + 3600).count();
    let inside = a
        .iter()
        .filter(|p| {
            let t = p[0].as_f64().unwrap() as i64;
            t >= t0 + 3600 && t <= t0 + 3 * 3600
        })
        .count();
    let kept_after = a.iter().filter(|p| (p[0].as_f64().unwrap() as i64) > t0 + 3 * 3600).count();
    assert_eq!(kept_before, 3600, "the first hour at 1 s stays");
    assert_eq!(inside, 121, "the pulled range now has the 60 s points only");
    assert_eq!(kept_after, expected_steps - 3600 - 7201, "points after the range stay");

    // A query with a syntax error shows Prometheus' own message.
    let out = rapport(
        &ws,
        &[
            "metrics",
            "pull",
            "--url",
            &prom.url,
            "--query",
            "rate(rapport_test_gauge[5m]",
            "--name",
            "bad",
            "--from",
            &from.to_string(),
            "--to",
            &(from + 600).to_string(),
            "--step",
            "15s",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains("bad_data") && err.contains("parse error"), "Prometheus' message: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    // With the server stopped: one clear line within the timeout.
    let url = prom.url.clone();
    drop(prom);
    let started = Instant::now();
    let out = rapport(
        &ws,
        &[
            "metrics",
            "pull",
            "--url",
            &url,
            "--query",
            "up",
            "--name",
            "down",
            "--from",
            "-1h",
            "--to",
            "now",
            "--step",
            "60",
            "--timeout",
            "3",
        ],
    );
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(took < Duration::from_secs(5), "gave up within the timeout (3 s), took {took:?}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(&url) && err.contains("connect"), "names the server and what failed: {err}");
    assert_eq!(
        rapport_json(&ws, &["metrics", "list"]).as_array().unwrap().len(),
        1,
        "a failed pull stores nothing"
    );
}

/// A loopback HTTP server answering each request with the next of `answers` (status, body),
/// recording the requests it got.
fn scripted_server(answers: Vec<(u16, String)>) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (status, body) in answers {
            let Ok((stream, _)) = listener.accept() else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            log.lock().unwrap().push(head);
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_5xx_is_retried_with_the_token_and_a_4xx_is_not() {
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let ok = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000,"1"],[1700000060,"2.5"]]}]}}"#;
    let (url, seen) =
        scripted_server(vec![(503, "busy".into()), (502, "bad gateway".into()), (200, ok.into())]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args([
            "--workspace",
            ws.to_str().unwrap(),
            "metrics",
            "pull",
            "--url",
            &url,
            "--query",
            "up",
            "--name",
            "up",
        ])
        .args(["--from", "1700000000", "--to", "1700000060", "--step", "60", "--timeout", "5", "--json"])
        .env("RAPPORT_PROMETHEUS_TOKEN", "s3cret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "two 5xx answers are retried");
    assert!(
        requests.iter().all(|r| r.to_ascii_lowercase().contains("authorization: bearer s3cret")),
        "the token goes with every request: {requests:?}"
    );
    let shown = rapport_json(&ws, &["metrics", "show", "up"]);
    assert_eq!(shown["series"][0]["points"], serde_json::json!([[1700000000.0, 1.0], [1700000060.0, 2.5]]));

    let bad = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:3: parse error: unexpected end of input"}"#;
    let (url, seen) = scripted_server(vec![(400, bad.into()), (200, ok.into())]);
    let out = rapport(
        &ws,
        &[
            "metrics",
            "pull",
            "--url",
            &url,
            "--query",
            "up(",
            "--name",
            "x",
            "--from",
            "1700000000",
            "--to",
            "1700000060",
            "--step",
            "60",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected end of input"));
    assert_eq!(seen.lock().unwrap().len(), 1, "a 4xx is not retried");
}

#[test]
fn a_token_kept_in_the_os_keyring_is_sent_and_forgotten_on_delete() {
    use std::io::Write;
    let tmp = TempDir::new();
    let ws = tmp.ws();
    rapport_ok(&ws, &["init"]);
    let ok = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
    let (url, seen) = scripted_server(vec![(200, ok.into()), (200, ok.into())]);
    // A desktop login gives every process a session keyring (pam_keyinit); a test runner has
    // none, so each command joins the same named session keyring first (keyctl
    // KEYCTL_JOIN_SESSION_KEYRING, through python3's ctypes), as the processes of one login do.
    let session = format!("rapport-test-{}", std::process::id());
    let cmd = |args: &[&str]| {
        let mut c = std::process::Command::new("python3");
        c.args([
            "-c",
            "import ctypes, os, sys; ctypes.CDLL(None).syscall(250, 1, sys.argv[1].encode()); os.execv(sys.argv[2], sys.argv[2:])",
            &session,
            env!("CARGO_BIN_EXE_rapport"),
        ]);
        c.arg("--workspace").arg(&ws).args(args).env_remove("RAPPORT_PROMETHEUS_TOKEN");
        c
    };
    let mut set =
        cmd(&["metrics", "token", "set", "--url", &url]).stdin(std::process::Stdio::piped()).spawn().unwrap();
    set.stdin.take().unwrap().write_all(b"from-the-keyring\n").unwrap();
    assert!(set.wait().unwrap().success(), "the token is kept (kernel keyring here)");
    let shown = cmd(&["metrics", "token", "show", "--url", &format!("{url}/"), "--json"]).output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["stored"], true, "kept under the server's origin: {shown}");
    let pull = [
        "metrics",
        "pull",
        "--url",
        &url,
        "--query",
        "up",
        "--name",
        "up",
        "--from",
        "1700000000",
        "--to",
        "1700000060",
        "--step",
        "60",
    ];
    assert!(cmd(&pull).output().unwrap().status.success());
    assert!(seen.lock().unwrap()[0].to_ascii_lowercase().contains("authorization: bearer from-the-keyring"));
    assert!(cmd(&["metrics", "token", "delete", "--url", &url]).output().unwrap().status.success());
    assert!(cmd(&pull).output().unwrap().status.success());
    assert!(
        !seen.lock().unwrap()[1].to_ascii_lowercase().contains("authorization"),
        "no token once forgotten"
    );
}
