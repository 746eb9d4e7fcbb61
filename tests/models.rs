//! Models: the ggml check, resolving names, imports, and downloads from a loopback HTTP
//! server started by each test (whole, resumed after a broken connection, a server that
//! ignores Range, a wrong checksum, cancelled), plus the real converted test model when
//! `scripts/fetch-model` installed it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rapport::models::{self, Expected};
use rapport::progress::{CancelToken, NoProgress, Outcome, Progress};
use rapport::ErrorCode;

use crate::util::*;

// ---------------------------------------------------------------------------------------
// A small valid ggml whisper file

/// The tensor names of a whisper model with one encoder and one decoder layer (50 tensors).
fn tensor_names() -> Vec<String> {
    let mut names: Vec<String> =
        ["encoder.positional_embedding", "encoder.conv1.weight", "encoder.conv1.bias"]
            .into_iter()
            .chain([
                "encoder.conv2.weight",
                "encoder.conv2.bias",
                "encoder.ln_post.weight",
                "encoder.ln_post.bias",
            ])
            .map(String::from)
            .collect();
    let attn = |p: &str| {
        ["query.weight", "query.bias", "key.weight", "value.weight", "value.bias", "out.weight", "out.bias"]
            .map(|t| format!("{p}.{t}"))
    };
    let mlp = |p: &str| {
        ["mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias", "mlp_ln.weight", "mlp_ln.bias"]
            .map(|t| format!("{p}.{t}"))
    };
    names.extend(attn("encoder.blocks.0.attn"));
    names.extend(["encoder.blocks.0.attn_ln.weight".into(), "encoder.blocks.0.attn_ln.bias".into()]);
    names.extend(mlp("encoder.blocks.0"));
    names.extend(
        ["decoder.positional_embedding", "decoder.token_embedding.weight", "decoder.ln.weight"]
            .map(String::from),
    );
    names.push("decoder.ln.bias".into());
    names.extend(attn("decoder.blocks.0.attn"));
    names.extend(["decoder.blocks.0.attn_ln.weight".into(), "decoder.blocks.0.attn_ln.bias".into()]);
    names.extend(attn("decoder.blocks.0.cross_attn"));
    names.extend([
        "decoder.blocks.0.cross_attn_ln.weight".into(),
        "decoder.blocks.0.cross_attn_ln.bias".into(),
    ]);
    names.extend(mlp("decoder.blocks.0"));
    names
}

/// A structurally valid ggml whisper model of about `size_hint` bytes: f16 2-D weights and
/// f32 1-D tensors of a 64-wide model with 1+1 layers, filled with varied bytes.
fn tiny_ggml(size_hint: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let put = |out: &mut Vec<u8>, v: i32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut out, 0x6767_6d6c);
    for v in [100, 16, 64, 4, 1, 16, 64, 4, 1, 8, 1] {
        put(&mut out, v); // n_vocab .. n_mels, ftype 1 (f16)
    }
    put(&mut out, 8);
    put(&mut out, 5);
    out.extend(std::iter::repeat_n(0u8, 8 * 5 * 4));
    let tokens = ["a", "b", "hello", " world"];
    put(&mut out, tokens.len() as i32);
    for t in tokens {
        put(&mut out, t.len() as i32);
        out.extend_from_slice(t.as_bytes());
    }
    let names = tensor_names();
    let rows = (size_hint / names.len() / 128).max(1) as i32;
    let mut seed = 0x9e37_79b9u32;
    for name in &names {
        let two_d = name.ends_with(".weight") && !name.contains("ln");
        let (ttype, dims, elem) = if two_d { (1, vec![64, rows], 2) } else { (0, vec![64], 4) };
        put(&mut out, dims.len() as i32);
        put(&mut out, name.len() as i32);
        put(&mut out, ttype);
        for d in &dims {
            put(&mut out, *d);
        }
        out.extend_from_slice(name.as_bytes());
        let n: i32 = dims.iter().product::<i32>() * elem;
        for _ in 0..n {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            out.push((seed >> 24) as u8);
        }
    }
    out
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ---------------------------------------------------------------------------------------
// A loopback HTTP/1.1 server

/// How the server answers.
#[derive(Clone, Copy, Default)]
struct Behaviour {
    /// For the first request only: announce the full length, send this many bytes, hang up.
    break_first_after: Option<usize>,
    /// Answer every request with the whole file (200), ignoring Range.
    ignore_range: bool,
    /// For the first request only: send this many bytes, then wait for the client to
    /// cancel (at most 10 s) before hanging up.
    stall_first_after: Option<usize>,
}

/// A request the server saw: the path and the Range header.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<String>,
}

struct Server {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `files` (name → bytes) under `/models/` on 127.0.0.1 at a free port.
    fn start(
        files: Vec<(String, Vec<u8>)>,
        behaviour: Behaviour,
        release: Option<Arc<AtomicBool>>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let count = AtomicUsize::new(0);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(50) {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let first = count.fetch_add(1, Ordering::SeqCst) == 0;
                serve(stream, &files, behaviour, first, &seen2, release.as_deref());
            }
        });
        Server { base_url: format!("http://{addr}/models"), seen, stop, addr, thread: Some(thread) }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    mut stream: TcpStream,
    files: &[(String, Vec<u8>)],
    behaviour: Behaviour,
    first: bool,
    seen: &Mutex<Vec<Seen>>,
    release: Option<&AtomicBool>,
) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut range = None;
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            }
        }
    }
    seen.lock().unwrap().push(Seen { path: path.clone(), range: range.clone() });

    let Some((_, body)) = files.iter().find(|(name, _)| path == format!("/models/{name}")) else {
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let len = body.len();
    let start =
        match range.as_deref().and_then(|r| r.strip_prefix("bytes=")).and_then(|r| r.strip_suffix('-')) {
            Some(n) if !behaviour.ignore_range => n.parse::<usize>().unwrap_or(0),
            _ => 0,
        };
    if start >= len && start > 0 {
        let head = format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(head.as_bytes());
        return;
    }
    let head = if start > 0 {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{len}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            len - 1,
            len - start
        )
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n"
        )
    };
    let _ = stream.write_all(head.as_bytes());
    let body = &body[start..];
    if first {
        if let Some(n) = behaviour.break_first_after {
            let _ = stream.write_all(&body[..n]);
            let _ = stream.flush();
            return; // drop: the connection closes mid-body
        }
        if let Some(n) = behaviour.stall_first_after {
            let _ = stream.write_all(&body[..n]);
            let _ = stream.flush();
            let release = release.expect("a stall needs a release flag");
            for _ in 0..1000 {
                if release.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            return;
        }
    }
    let _ = stream.write_all(body);
}

/// A progress sink that cancels the token once `after` bytes are done.
struct CancelAfter {
    after: u64,
    token: CancelToken,
    release: Arc<AtomicBool>,
}

impl Progress for CancelAfter {
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    fn advance(&self, done: u64) {
        if done >= self.after {
            self.token.cancel();
            self.release.store(true, Ordering::SeqCst);
        }
    }
}

fn models_dir(tmp: &TempDir) -> PathBuf {
    tmp.path().join("models")
}

// ---------------------------------------------------------------------------------------
// The ggml check

#[test]
fn check_ggml_accepts_the_generated_model_and_reads_its_header() {
    let tmp = TempDir::new();
    let file = tmp.path().join("ggml-mini.bin");
    let bytes = tiny_ggml(20_000);
    write(&file, &bytes);
    let header = models::check_ggml(&file).expect("a whole generated model passes");
    assert_eq!(header.n_audio_layer, 1);
    assert_eq!(header.n_tensors, 50, "1+1 layers make 11 + 15 + 24 tensors");
    assert_eq!(header.n_tokens, 4);
    assert_eq!(header.quantization(), "f16");
    assert_eq!(header.file_size, bytes.len() as u64);
}

#[test]
fn a_truncated_model_is_refused_by_check_and_import_naming_the_file_and_the_byte() {
    let tmp = TempDir::new();
    let bytes = tiny_ggml(20_000);
    // Cut inside tensor data, and exactly at the end of the vocabulary (no tensors at all).
    let vocab_end = 4 + 44 + 8 + 8 * 5 * 4 + 4 + (4 + 1) + (4 + 1) + (4 + 5) + (4 + 6);
    for cut in [bytes.len() - 100, vocab_end] {
        let file = tmp.path().join(format!("ggml-cut{cut}.bin"));
        write(&file, &bytes[..cut]);
        let err = models::check_ggml(&file).expect_err("a truncated file is refused");
        let msg = err.to_string();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{msg}");
        assert!(msg.contains(&file.display().to_string()), "names the file: {msg}");
        assert!(msg.contains(&format!("truncated at byte {cut}")), "says where it ends: {msg}");

        let dir = models_dir(&tmp);
        let err = models::import(&file, &dir).expect_err("import refuses a truncated file");
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(!dir.join(format!("ggml-cut{cut}.bin")).exists(), "nothing was installed");
    }
}

#[test]
fn a_file_that_is_not_ggml_is_refused_naming_its_magic() {
    let tmp = TempDir::new();
    let file = tmp.path().join("ggml-text.bin");
    write(&file, b"<html>404 not found</html>");
    let msg = models::check_ggml(&file).expect_err("not a model").to_string();
    assert!(msg.contains("not a ggml whisper model (magic 0x6d74683c"), "{msg}");
}

// ---------------------------------------------------------------------------------------
// Names, imports, listing

#[test]
fn an_unknown_model_name_is_one_clear_message_listing_installed_models() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let src = tmp.path().join("ggml-mine.bin");
    write(&src, &tiny_ggml(10_000));
    models::import(&src, &dir).expect("import a valid model");

    let err = models::resolve_in(&dir, "no-such-model").expect_err("unknown name");
    assert_eq!(err.code(), ErrorCode::NotFound);
    let msg = err.to_string();
    assert_eq!(msg.lines().count(), 1, "one line: {msg}");
    assert!(msg.contains("model not found: no-such-model"), "{msg}");
    assert!(msg.contains("installed: mine"), "lists what is installed: {msg}");
    assert!(msg.contains("rapport models download NAME"), "says how to get one: {msg}");

    let msg = models::resolve_in(&dir, "base.en").expect_err("not installed").to_string();
    assert!(msg.contains("`rapport models download base.en`"), "a catalog name gets its own command: {msg}");

    assert_eq!(models::resolve_in(&dir, "mine").unwrap(), dir.join("ggml-mine.bin"));
    assert_eq!(
        models::resolve_in(&dir, src.to_str().unwrap()).unwrap(),
        src,
        "a path to a file is taken as is"
    );
}

#[test]
fn import_installs_under_the_ggml_name_and_refuses_different_bytes_under_that_name() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let src = tmp.path().join("custom.bin");
    write(&src, &tiny_ggml(10_000));
    let info = models::import(&src, &dir).expect("import");
    assert_eq!(info.name, "custom");
    assert_eq!(info.file, "ggml-custom.bin");
    assert!(info.installed && info.problem.is_none(), "{info:?}");
    assert_eq!(sha256_file(&dir.join("ggml-custom.bin")), sha256_file(&src), "copied byte for byte");
    models::import(&src, &dir).expect("importing the same bytes again is fine");

    write(&src, &tiny_ggml(40_000));
    let err = models::import(&src, &dir).expect_err("other bytes under the same name");
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err}");
}

#[test]
fn models_list_json_shows_an_imported_model_next_to_the_catalog() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let src = tmp.path().join("ggml-mine.bin");
    write(&src, &tiny_ggml(10_000));
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .env("RAPPORT_MODELS_DIR", &dir)
            .output()
            .expect("run rapport")
    };
    let out = cli(&["models", "import", src.to_str().unwrap()]);
    assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));

    let out = cli(&["models", "list", "--json"]);
    assert!(out.status.success(), "list: {}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = list.as_array().expect("a JSON array");
    let mine = list.iter().find(|m| m["name"] == "mine").expect("the imported model is listed");
    assert_eq!(mine["file"], "ggml-mine.bin");
    assert_eq!(mine["installed"], true);
    assert_eq!(mine["quantization"], "f16", "read from the header's ftype 1");
    assert_eq!(mine["size"], std::fs::metadata(&src).unwrap().len());
    assert_eq!(mine["path"], dir.join("ggml-mine.bin").display().to_string());
    let tiny = list.iter().find(|m| m["name"] == "tiny.en").expect("the catalog is listed");
    assert_eq!(tiny["installed"], false);
    assert_eq!(tiny["quantization"], "f16");
    let q8 = list.iter().find(|m| m["name"] == "tiny-q8_0").expect("quantised variants are listed");
    assert_eq!(q8["quantization"], "q8_0", "from the name when not installed");
    let picked: Vec<&serde_json::Value> = list.iter().filter(|m| m["recommended"] == true).collect();
    assert_eq!(picked.len(), 1, "one model is recommended for this machine");
    assert!(picked[0]["expected_speed_x"].as_f64().is_some_and(|x| x >= 2.0), "{}", picked[0]);

    let out = cli(&["models", "import", tmp.path().join("missing.bin").to_str().unwrap()]);
    assert!(!out.status.success(), "importing a missing file fails");
}

// ---------------------------------------------------------------------------------------
// Downloads

#[test]
fn a_whole_download_lands_with_its_sha256_recorded_and_no_part_left() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let bytes = tiny_ggml(200_000);
    let server = Server::start(vec![("ggml-mini.bin".into(), bytes.clone())], Behaviour::default(), None);
    let outcome =
        models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new()).expect("download");
    let path = dir.join("ggml-mini.bin");
    assert_eq!(outcome, Outcome::Done(path.clone()));
    let want = rapport::media::sha256_hex(&bytes);
    assert_eq!(sha256_file(&path), want, "the file is the served bytes");
    let sidecar = std::fs::read_to_string(dir.join("ggml-mini.bin.sha256")).expect("the sha256 sidecar");
    assert_eq!(sidecar, format!("{want}  ggml-mini.bin\n"));
    assert!(!dir.join("ggml-mini.bin.part").exists(), "the .part was renamed");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "one request: {seen:?}");
    assert_eq!(seen[0].path, "/models/ggml-mini.bin");
    assert_eq!(seen[0].range, None, "a fresh download asks for the whole file");

    let again = models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new()).unwrap();
    assert_eq!(again, Outcome::Done(path));
    assert_eq!(server.seen().len(), 1, "an installed valid model is not fetched again");
}

#[test]
fn a_connection_broken_mid_file_keeps_the_part_and_the_next_call_resumes_with_range() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let bytes = tiny_ggml(200_000);
    let cut = 70_000;
    let behaviour = Behaviour { break_first_after: Some(cut), ..Default::default() };
    let server = Server::start(vec![("ggml-mini.bin".into(), bytes.clone())], behaviour, None);

    let err = models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new())
        .expect_err("a broken connection is an error");
    assert!(err.to_string().contains(&server.base_url), "names the URL: {err}");
    let part = dir.join("ggml-mini.bin.part");
    assert_eq!(std::fs::metadata(&part).expect("the .part is kept").len(), cut as u64);
    assert!(!dir.join("ggml-mini.bin").exists(), "no final file from half a download");

    let outcome =
        models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new()).expect("resume");
    assert_eq!(outcome, Outcome::Done(dir.join("ggml-mini.bin")));
    assert_eq!(sha256_file(&dir.join("ggml-mini.bin")), rapport::media::sha256_hex(&bytes));
    assert!(!part.exists());
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[1].range.as_deref(),
        Some(format!("bytes={cut}-").as_str()),
        "resumed with a Range request"
    );
}

#[test]
fn a_server_that_ignores_range_gets_a_fresh_whole_download() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = tiny_ggml(50_000);
    write(&dir.join("ggml-mini.bin.part"), &bytes[..1000]);
    let behaviour = Behaviour { ignore_range: true, ..Default::default() };
    let server = Server::start(vec![("ggml-mini.bin".into(), bytes.clone())], behaviour, None);
    models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new()).expect("download");
    assert_eq!(
        sha256_file(&dir.join("ggml-mini.bin")),
        rapport::media::sha256_hex(&bytes),
        "not appended twice"
    );
    assert_eq!(server.seen()[0].range.as_deref(), Some("bytes=1000-"), "it did ask to resume");
}

#[test]
fn a_wrong_checksum_is_an_error_and_leaves_no_file() {
    let tmp = TempDir::new();
    let bytes = tiny_ggml(30_000);
    let server = Server::start(vec![("ggml-mini.bin".into(), bytes.clone())], Behaviour::default(), None);
    let part = tmp.path().join("ggml-mini.bin.part");
    let expected = Expected { sha256: Some("0".repeat(64)), ..Default::default() };
    let url = format!("{}/ggml-mini.bin", server.base_url);
    let err = models::fetch(&url, &part, &expected, &NoProgress, &CancelToken::new()).expect_err("mismatch");
    assert_eq!(err.code(), ErrorCode::Integrity, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("checksum mismatch") && msg.contains(&rapport::media::sha256_hex(&bytes)), "{msg}");
    assert!(!part.exists(), "a download with the wrong sum is deleted, not kept for resuming");

    let right = Expected {
        size: Some(bytes.len() as u64),
        sha256: Some(rapport::media::sha256_hex(&bytes)),
        ..Default::default()
    };
    let got =
        models::fetch(&url, &part, &right, &NoProgress, &CancelToken::new()).expect("the right sum passes");
    assert_eq!(got, Outcome::Done(rapport::media::sha256_hex(&bytes)));
}

#[test]
fn a_download_that_is_not_a_model_is_refused_and_not_installed() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let server = Server::start(
        vec![("ggml-page.bin".into(), b"<html>sign in</html>".to_vec())],
        Behaviour::default(),
        None,
    );
    let err = models::download("page", &server.base_url, &dir, &NoProgress, &CancelToken::new())
        .expect_err("not ggml");
    assert!(err.to_string().contains("not a ggml whisper model"), "{err}");
    assert!(!dir.join("ggml-page.bin").exists() && !dir.join("ggml-page.bin.part").exists());

    let err = models::download("absent", &server.base_url, &dir, &NoProgress, &CancelToken::new())
        .expect_err("404");
    assert!(err.to_string().contains("404"), "{err}");
}

#[test]
fn a_cancelled_download_keeps_the_part_and_returns_cancelled() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let bytes = tiny_ggml(300_000);
    let release = Arc::new(AtomicBool::new(false));
    let behaviour = Behaviour { stall_first_after: Some(100_000), ..Default::default() };
    let server =
        Server::start(vec![("ggml-mini.bin".into(), bytes.clone())], behaviour, Some(release.clone()));
    let token = CancelToken::new();
    let sink = CancelAfter { after: 50_000, token: token.clone(), release };
    let outcome =
        models::download("mini", &server.base_url, &dir, &sink, &token).expect("cancelling is not an error");
    assert_eq!(outcome, Outcome::Cancelled);
    let kept = std::fs::metadata(dir.join("ggml-mini.bin.part")).expect("the .part is kept").len();
    assert!((50_000..=100_000).contains(&kept), "kept what arrived before the cancel: {kept}");
    assert!(!dir.join("ggml-mini.bin").exists());

    models::download("mini", &server.base_url, &dir, &NoProgress, &CancelToken::new()).expect("resume");
    assert_eq!(sha256_file(&dir.join("ggml-mini.bin")), rapport::media::sha256_hex(&bytes));
    assert_eq!(server.seen()[1].range.as_deref(), Some(format!("bytes={kept}-").as_str()));
}

// ---------------------------------------------------------------------------------------
// The real test model

#[test]
fn the_fetched_tiny_en_models_pass_the_ggml_check() {
    let dir = models::models_dir();
    let f16 = dir.join("ggml-tiny.en.bin");
    let q8 = dir.join("ggml-tiny.en-q8_0.bin");
    if !f16.is_file() || !q8.is_file() {
        eprintln!(
            "skipped: no ggml-tiny.en.bin / ggml-tiny.en-q8_0.bin in {} (run scripts/fetch-model)",
            dir.display()
        );
        return;
    }
    for (path, ftype, quantization) in [(&f16, 1, "f16"), (&q8, 2007, "q8_0")] {
        let h = models::check_ggml(path).unwrap_or_else(|e| panic!("{e}"));
        let hparams = [
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer,
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels,
        ];
        assert_eq!(
            hparams,
            [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80],
            "tiny.en's hyperparameters in {path:?}"
        );
        assert_eq!((h.ftype, h.quantization()), (ftype, quantization), "{path:?}");
        assert_eq!(h.n_tokens, 50256, "the regular GPT-2 tokens");
        assert_eq!(h.n_tensors, 167);
    }
    let list = models::list(&dir).expect("list");
    for name in ["tiny.en", "tiny.en-q8_0"] {
        let m = list.iter().find(|m| m.name == name).expect("listed");
        assert!(m.installed && m.problem.is_none(), "{m:?}");
    }
    let mut buf = [0u8; 4];
    std::fs::File::open(&f16).unwrap().read_exact(&mut buf).unwrap();
    assert_eq!(u32::from_le_bytes(buf), models::GGML_MAGIC);
}

// ---------------------------------------------------------------------------------------
// The sizes for interviews

#[test]
fn every_model_for_interviews_downloads_from_its_catalog_name_and_the_published_sha1_is_checked() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let bytes = tiny_ggml(20_000);
    let families = rapport::models::advice::FAMILIES;
    let names: Vec<&str> =
        families.iter().flat_map(|f| std::iter::once(f.name).chain(f.quantised.iter().copied())).collect();
    for want in ["base.en", "small.en", "medium.en", "large-v3-turbo", "large-v3-turbo-q5_0", "small.en-q5_1"]
    {
        assert!(names.contains(&want), "{want} is offered for interviews");
    }
    let files: Vec<(String, Vec<u8>)> = names.iter().map(|n| (models::file_name(n), bytes.clone())).collect();
    let server = Server::start(files, Behaviour::default(), None);
    for name in &names {
        let entry = models::catalog_entry(name).expect("in the catalog");
        assert!(entry.approx_mib.is_some(), "{name} shows a download size");
        let got = models::download(name, &server.base_url, &dir, &NoProgress, &CancelToken::new());
        match entry.sha1 {
            // The served stand-in is not the published file: its SHA-1 gives it away.
            Some(sha1) => {
                let err = got.expect_err("a file that is not the published one is refused");
                assert_eq!(err.code(), ErrorCode::Integrity, "{name}: {err}");
                assert!(
                    err.to_string().contains(sha1) || err.to_string().contains("mismatch"),
                    "{name}: {err}"
                );
                assert!(!dir.join(models::file_name(name)).exists(), "{name} is not installed");
            }
            None => {
                assert_eq!(
                    got.expect("download"),
                    Outcome::Done(dir.join(models::file_name(name))),
                    "{name}"
                );
            }
        }
    }
    let paths: Vec<String> = server.seen().iter().map(|s| s.path.clone()).collect();
    for name in &names {
        assert!(
            paths.contains(&format!("/models/{}", models::file_name(name))),
            "{name} was asked for: {paths:?}"
        );
    }
    // The list says which one suits this machine, and how fast each is expected to run.
    let list = models::list(&dir).unwrap();
    assert_eq!(list.iter().filter(|m| m.recommended).count(), 1, "one recommendation");
    for m in list.iter().filter(|m| names.contains(&m.name.as_str())) {
        assert!(m.expected_speed_x.is_some_and(|x| x > 0.0), "{} has an expected speed", m.name);
    }
}

// ---------------------------------------------------------------------------------------
// The voice activity detector's model

/// A ggml VAD file laid out as whisper.cpp reads it (and scripts/convert_silero_vad.py
/// writes it): the header, then `tensors` small f32 tensors.
fn tiny_vad(tensors: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let i = |out: &mut Vec<u8>, v: i32| out.extend_from_slice(&v.to_le_bytes());
    out.extend_from_slice(&models::GGML_MAGIC.to_le_bytes());
    i(&mut out, 10);
    out.extend_from_slice(b"silero-16k");
    for v in [5, 1, 2, 512, 64, 4] {
        i(&mut out, v);
    }
    for _ in 0..4 {
        for v in [129, 128, 3] {
            i(&mut out, v);
        }
    }
    for v in [128, 128, 128, 1] {
        i(&mut out, v);
    }
    for t in 0..tensors {
        let name = format!("_model.tensor.{t}");
        for v in [2, name.len() as i32, 0, 4, 3] {
            i(&mut out, v);
        }
        out.extend_from_slice(name.as_bytes());
        out.extend(std::iter::repeat_n(0u8, 4 * 3 * 4));
    }
    out
}

#[test]
fn the_vad_check_accepts_a_whole_vad_model_and_refuses_a_whisper_model_and_a_cut_one() {
    let tmp = TempDir::new();
    let good = tmp.path().join("vad.bin");
    write(&good, &tiny_vad(12));
    let header = models::vad::check(&good).expect("a whole VAD file passes");
    assert_eq!(
        (header.kind.as_str(), header.version, header.window, header.tensors),
        ("silero-16k", [5, 1, 2], 512, 12)
    );

    let whisper = tmp.path().join("whisper.bin");
    write(&whisper, &tiny_ggml(10_000));
    let err = models::vad::check(&whisper).unwrap_err().to_string();
    assert!(err.contains("not a ggml VAD model"), "{err}");

    let bytes = tiny_vad(12);
    let cut = tmp.path().join("cut.bin");
    write(&cut, &bytes[..bytes.len() - 7]);
    let err = models::vad::check(&cut).unwrap_err().to_string();
    assert!(err.contains("truncated"), "{err}");
    assert!(err.contains("cut.bin"), "the error names the file: {err}");

    let few = tmp.path().join("few.bin");
    write(&few, &tiny_vad(3));
    assert!(models::vad::check(&few).is_err(), "a Silero model has more than 3 tensors");
}

/// The VAD model that scripts/fetch-model converts from the PyPI package (scripts/test runs
/// it first), read as whisper.cpp's published file would be.
#[test]
fn the_converted_silero_model_passes_the_vad_check() {
    let path = models::vad::path_in(&models::models_dir());
    assert!(path.is_file(), "{} is missing: run scripts/fetch-model", path.display());
    let header = models::vad::check(&path).expect("the converted model passes");
    assert!(header.kind.starts_with("silero"), "{header:?}");
    assert_eq!(header.window, 512, "Silero v5 reads 512 samples at a time at 16 kHz");
}

#[test]
fn models_download_silero_fetches_the_vad_model_checks_it_and_models_vad_reports_it() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let bytes = tiny_vad(12);
    let server = Server::start(vec![(models::vad::FILE.into(), bytes.clone())], Behaviour::default(), None);
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .env("RAPPORT_MODELS_DIR", &dir)
            .env("RAPPORT_VAD_BASE_URL", &server.base_url)
            .env_remove("RAPPORT_MODEL_BASE_URL")
            .output()
            .expect("run rapport")
    };
    let out = cli(&["models", "vad", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(before["installed"], false);
    let out = cli(&["models", "list"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("silero-v5.1.2 missing"),
        "models list says it is missing"
    );

    let out = cli(&["models", "download", models::vad::NAME, "--json"]);
    assert!(out.status.success(), "download: {}", String::from_utf8_lossy(&out.stderr));
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after["installed"], true);
    assert_eq!(after["problem"], serde_json::Value::Null);
    let path = models::vad::path_in(&dir);
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the served bytes, from RAPPORT_VAD_BASE_URL");
    assert_eq!(server.seen()[0].path, format!("/models/{}", models::vad::FILE));
    let sidecar = std::fs::read_to_string(dir.join(format!("{}.sha256", models::vad::FILE))).unwrap();
    assert!(sidecar.starts_with(&rapport::media::sha256_hex(&bytes)), "{sidecar}");
    let list = cli(&["models", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert!(
        list.as_array().unwrap().iter().all(|m| m["name"] != models::vad::NAME),
        "the VAD model is not offered as a whisper model"
    );
}

#[test]
fn a_download_under_the_vad_name_that_is_not_a_vad_model_is_refused_and_not_installed() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let server =
        Server::start(vec![(models::vad::FILE.into(), tiny_ggml(50_000))], Behaviour::default(), None);
    let err = models::download(models::vad::NAME, &server.base_url, &dir, &NoProgress, &CancelToken::new())
        .expect_err("a whisper model is not a VAD model");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("not a usable VAD model"), "{err}");
    assert!(!models::vad::path_in(&dir).exists());
    assert!(!dir.join(format!("{}.part", models::vad::FILE)).exists(), "the bad download is deleted");
    assert_eq!(models::base_url_for(models::vad::NAME), models::vad::default_base_url());
}

/// The Resemblyzer wheel scripts/fetch-model downloaded from PyPI (it keeps it in its Python
/// cache: `$RAPPORT_PY_CACHE`, /var/cache/rapport-py or ~/.cache/rapport/py; pip may spell the
/// name as PyPI does or lower-cased).
fn resemblyzer_wheel() -> std::path::PathBuf {
    let mut caches: Vec<std::path::PathBuf> = std::env::var("RAPPORT_PY_CACHE")
        .ok()
        .filter(|v| !v.is_empty())
        .map(Into::into)
        .into_iter()
        .collect();
    caches.push("/var/cache/rapport-py".into());
    caches.extend(dirs::home_dir().map(|h| h.join(".cache/rapport/py")));
    caches
        .iter()
        .flat_map(|c| std::fs::read_dir(c.join("wheels")).ok().into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().to_lowercase() == "resemblyzer-0.1.4-py3-none-any.whl")
        })
        .unwrap_or_else(|| {
            panic!("scripts/fetch-model keeps the Resemblyzer 0.1.4 wheel in one of {caches:?}")
        })
}

#[test]
fn models_download_voice_encoder_fetches_the_wheel_and_converts_it_to_the_pinned_file() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let wheel = std::fs::read(resemblyzer_wheel()).unwrap();
    let server =
        Server::start(vec![("Resemblyzer-0.1.4-py3-none-any.whl".into(), wheel)], Behaviour::default(), None);
    let url = format!("{}/Resemblyzer-0.1.4-py3-none-any.whl", server.base_url);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["models", "download", models::voice::NAME, "--json"])
        .env("RAPPORT_MODELS_DIR", &dir)
        .env("RAPPORT_VOICE_ENCODER_URL", &url)
        .output()
        .expect("run rapport");
    assert!(out.status.success(), "download: {}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["installed"], true, "{shown}");
    assert_eq!(shown["problem"], serde_json::Value::Null);
    let path = rapport::diarize::voice::path_in(&dir);
    let bytes = std::fs::read(&path).unwrap();
    // The same bytes as scripts/convert_voice_encoder.py writes from the wheel.
    assert_eq!(rapport::media::sha256_hex(&bytes), models::voice::SHA256);
    rapport::diarize::voice::VoiceEncoder::open(&path).expect("the encoder opens");
    assert!(models::voice::info(&dir).installed);
    assert!(!dir.join("Resemblyzer-0.1.4-py3-none-any.whl.part").exists(), "the wheel is deleted");
    assert_eq!(models::base_url_for(models::voice::NAME), models::voice::default_url());
}

#[test]
fn a_voice_encoder_download_of_other_bytes_is_refused_and_nothing_is_installed() {
    let tmp = TempDir::new();
    let dir = models_dir(&tmp);
    let server = Server::start(
        vec![("Resemblyzer-0.1.4-py3-none-any.whl".into(), tiny_ggml(50_000))],
        Behaviour::default(),
        None,
    );
    let url = format!("{}/Resemblyzer-0.1.4-py3-none-any.whl", server.base_url);
    let err = models::download(models::voice::NAME, &url, &dir, &NoProgress, &CancelToken::new())
        .expect_err("not the pinned wheel");
    assert!(!rapport::diarize::voice::path_in(&dir).exists());
    assert!(!models::voice::info(&dir).installed, "{err}");
}

#[test]
fn the_torch_checkpoint_reader_refuses_a_file_that_is_not_one() {
    let err = models::torch_legacy::read_tensors(b"\x80\x02K\x01.", "model_state").unwrap_err();
    assert!(err.contains("cut short") || err.contains("opcode"), "{err}");
    let err = models::voice::convert(&tiny_ggml(1000)).unwrap_err();
    assert!(err.contains("opcode") || err.contains("cut short") || err.contains("stack"), "{err}");
}
