//! A loopback HTTP server for the player: stored recordings streamed by range requests.
//!
//! WebKitGTK hands a media URL of a custom scheme straight to GStreamer, which has no source
//! for it (WebKit bug 146351, tauri #3725): only `http(s):` and `blob:` play. So the app
//! serves `media/` on `127.0.0.1`, on a port the system picks, under a random 128-bit token:
//! `http://127.0.0.1:PORT/TOKEN/<sha256>.<ext>`. What it serves:
//! - only GET and HEAD of a stored file's own name (through [`super::serve::serve`]) in the
//!   folder that `media_dir` names at the time of the request (the open workspace's);
//! - only with the token, so no other program or web page on the machine can read a
//!   recording without being given the URL; the `Host` must be the loopback address (no DNS
//!   rebinding);
//! - the file a piece at a time straight from disk to the socket (nothing is held whole);
//! - to scripts of the app's own pages only (`Access-Control-Allow-Origin` names an origin
//!   the app gave, never `*`).
//!
//! One thread accepts; each connection gets a thread (at most [`MAX_CONNECTIONS`] at once;
//! more are refused with 503) that answers requests until the client closes, a request is
//! malformed, or it idles for 30 s. Dropping the [`MediaServer`] stops it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::serve::{self, Reply};
use crate::error::{Error, Result};

/// Connections served at once; a player opens one or two.
pub const MAX_CONNECTIONS: usize = 16;
/// The longest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may idle before it is closed.
const IDLE: Duration = Duration::from_secs(30);

/// Where the files are now: the open workspace's `media/`, or none.
pub type MediaDir = Arc<dyn Fn() -> Option<PathBuf> + Send + Sync>;

/// The origins whose scripts may read the answers (the app's own pages).
pub type Origins = Arc<Vec<String>>;

/// A running server; dropping it stops it.
pub struct MediaServer {
    port: u16,
    token: String,
    stop: Arc<AtomicBool>,
}

impl MediaServer {
    /// Starts serving the folder `media_dir` gives, on a free loopback port; scripts of
    /// `origins` may read what it serves.
    pub fn start(media_dir: MediaDir, origins: Vec<String>) -> Result<MediaServer> {
        let origins: Origins = Arc::new(origins);
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| Error::io(PathBuf::from("127.0.0.1 (media server)"), e))?;
        let port = listener.local_addr().map_err(|e| Error::io(PathBuf::from("127.0.0.1"), e))?.port();
        let token = random_token()?;
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (token.clone(), stop.clone());
        std::thread::Builder::new()
            .name("media-server".into())
            .spawn(move || accept_loop(listener, port, t, s, media_dir, origins))
            .map_err(|e| Error::io(PathBuf::from("media server thread"), e))?;
        Ok(MediaServer { port, token, stop })
    }

    /// The URL of a stored file (by its name in `media/`).
    pub fn url(&self, file_name: &str) -> String {
        format!("http://127.0.0.1:{}/{}/{}", self.port, self.token, file_name)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    let mut f = std::fs::File::open("/dev/urandom").map_err(|e| Error::io("/dev/urandom", e))?;
    std::io::Read::read_exact(&mut f, &mut bytes).map_err(|e| Error::io("/dev/urandom", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn accept_loop(
    listener: TcpListener,
    port: u16,
    token: String,
    stop: Arc<AtomicBool>,
    media_dir: MediaDir,
    origins: Origins,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let token = Arc::new(token);
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let (open, token, media_dir, origins) =
            (open.clone(), token.clone(), media_dir.clone(), origins.clone());
        let spawned = std::thread::Builder::new().name("media-conn".into()).spawn(move || {
            let _ = serve_connection(stream, port, &token, &media_dir, &origins);
            open.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            eprintln!("rapport: the media server could not start a thread");
        }
    }
}

/// One request's head.
#[derive(Debug, Default)]
struct Head {
    method: String,
    target: String,
    host: Option<String>,
    origin: Option<String>,
    range: Option<String>,
    close: bool,
}

/// Reads a request head; None at a clean end of the connection.
fn read_head(reader: &mut impl BufRead) -> std::io::Result<Option<Head>> {
    let mut head = Head::default();
    let mut line = String::new();
    let mut total = 0;
    let mut first = true;
    loop {
        line.clear();
        let n = (&mut *reader).take((MAX_HEAD - total) as u64 + 1).read_line(&mut line)?;
        if n == 0 {
            return if first { Ok(None) } else { Err(bad("the request ended in its head")) };
        }
        total += n;
        if total > MAX_HEAD {
            return Err(bad("request head too long"));
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if first {
            let mut parts = text.split(' ');
            head.method = parts.next().unwrap_or_default().to_string();
            head.target = parts.next().unwrap_or_default().to_string();
            let version = parts.next().unwrap_or_default();
            if !version.starts_with("HTTP/1.") || parts.next().is_some() {
                return Err(bad("not an HTTP/1 request line"));
            }
            head.close = version == "HTTP/1.0";
            first = false;
            continue;
        }
        if text.is_empty() {
            return Ok(Some(head));
        }
        let Some((name, value)) = text.split_once(':') else { return Err(bad("a header without a colon")) };
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => head.host = Some(value),
            "range" => head.range = Some(value),
            "origin" => head.origin = Some(value),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            "content-length" | "transfer-encoding" if value != "0" => {
                return Err(bad("a request with a body"))
            }
            _ => {}
        }
    }
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what)
}

fn serve_connection(
    stream: TcpStream,
    port: u16,
    token: &str,
    media_dir: &MediaDir,
    origins: &Origins,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_write_timeout(Some(IDLE))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stream);
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return Ok(()),
            Err(e) => {
                let _ = write_reply(&mut out, &plain(400, "bad request"), true);
                return Err(e);
            }
        };
        let mut reply = answer(&head, port, token, media_dir);
        if let Some(origin) = head.origin.as_ref().filter(|o| origins.contains(o)) {
            reply.headers.push(("Access-Control-Allow-Origin", origin.clone()));
            reply.headers.push(("Vary", "Origin".into()));
        }
        write_reply(&mut out, &reply, head.close)?;
        if head.close {
            out.flush()?;
            let _ = out.get_ref().shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

fn plain(status: u16, text: &str) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", "text/plain; charset=utf-8".into()),
            ("Content-Length", text.len().to_string()),
        ],
        body: serve::Body::Text(text.to_string()),
    }
}

fn answer(head: &Head, port: u16, token: &str, media_dir: &MediaDir) -> Reply {
    let hosts = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if !head.host.as_deref().is_some_and(|h| hosts.iter().any(|ok| ok == h)) {
        return plain(421, "wrong host");
    }
    let get = head.method == "GET";
    if !get && head.method != "HEAD" {
        return plain(405, "only GET and HEAD");
    }
    let path = head.target.split(['?', '#']).next().unwrap_or_default();
    let Some(name) =
        path.strip_prefix('/').and_then(|p| p.strip_prefix(token)).and_then(|p| p.strip_prefix('/'))
    else {
        return plain(404, "not found");
    };
    let Some(dir) = media_dir() else { return plain(404, "no workspace is open") };
    serve::serve(&dir, name, head.range.as_deref(), !get)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        421 => "Misdirected Request",
        _ => "Error",
    }
}

fn write_reply(out: &mut impl Write, reply: &Reply, close: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.header("Content-Length").is_none() {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("Cache-Control: no-store\r\n");
    head.push_str(if close { "Connection: close\r\n\r\n" } else { "Connection: keep-alive\r\n\r\n" });
    out.write_all(head.as_bytes())?;
    reply.write_body(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const NAME: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.wav";

    fn server() -> (MediaServer, PathBuf, Vec<u8>) {
        let dir = std::env::temp_dir().join(format!(
            "rapport-http-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(dir.join(NAME), &bytes).unwrap();
        let d = dir.clone();
        (
            MediaServer::start(Arc::new(move || Some(d.clone())), vec!["tauri://localhost".into()]).unwrap(),
            dir,
            bytes,
        )
    }

    fn request(port: u16, text: &str) -> (String, Vec<u8>) {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(text.as_bytes()).unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
        (String::from_utf8_lossy(&all[..split]).into_owned(), all[split..].to_vec())
    }

    #[test]
    fn a_range_request_with_the_token_gets_206_and_exactly_those_bytes() {
        let (srv, dir, bytes) = server();
        let path = srv.url(NAME).replace(&format!("http://127.0.0.1:{}", srv.port()), "");
        let (head, body) = request(
            srv.port(),
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes=1000-\r\nConnection: close\r\n\r\n", srv.port()),
        );
        assert!(head.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{head}");
        assert!(head.contains("Content-Range: bytes 1000-299999/300000\r\n"), "{head}");
        assert!(head.contains("Accept-Ranges: bytes\r\n"), "{head}");
        assert_eq!(body, bytes[1000..], "an open range streams to the end of the file");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn without_the_token_or_from_another_host_nothing_is_served() {
        let (srv, dir, _) = server();
        let port = srv.port();
        let (head, _) = request(
            port,
            &format!("GET /{NAME} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
        );
        assert!(head.starts_with("HTTP/1.1 404"), "no token: {head}");
        let path = srv.url(NAME).replace(&format!("http://127.0.0.1:{port}"), "");
        let (head, _) = request(
            port,
            &format!("GET {path} HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n"),
        );
        assert!(head.starts_with("HTTP/1.1 421"), "another host: {head}");
        let up = path.replace(NAME, "../rapport.db");
        let (head, _) = request(
            port,
            &format!("GET {up} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
        );
        assert!(head.starts_with("HTTP/1.1 404"), "no way out of media/: {head}");
        let (head, _) = request(port, "NOT HTTP AT ALL\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 400"), "{head}");
        let (head, _) = request(
            port,
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n"),
        );
        assert!(
            !head.contains("Access-Control-Allow-Origin"),
            "another site's scripts may not read it: {head}"
        );
        let (head, _) = request(
            port,
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: tauri://localhost\r\nConnection: close\r\n\r\n"),
        );
        assert!(
            head.contains("Access-Control-Allow-Origin: tauri://localhost\r\n"),
            "the app's pages may: {head}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
