//! Serving stored recordings to a player a piece at a time: HTTP range requests over the
//! files of one `media/` folder.
//!
//! [`serve`] answers one request: only a stored file's own name (`<sha256>.<ext>`) is served,
//! from the given `media/` folder, so nothing else on disk can be reached. A request for a
//! range gets `206 Partial Content` with `Content-Range`, one without gets `200`. The body is
//! a span of the file, read a piece at a time only when it is sent ([`Reply::write_body`]),
//! so a two-hour recording is never read whole into memory. Every answer says
//! `Accept-Ranges: bytes`. [`super::http`] puts this on a loopback port.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// An HTTP answer: status, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

/// What an answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A short text (errors).
    Text(String),
    /// `len` bytes of the file at `path` from `start`.
    File { path: PathBuf, start: u64, len: u64 },
    /// Nothing (HEAD, 416).
    Empty,
}

impl Reply {
    fn status(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Accept-Ranges", "bytes".into()),
            ],
            body: Body::Text(text.to_string()),
        }
    }

    /// The value of a header, if the reply has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Writes the body to `out`, reading the file a piece at a time.
    pub fn write_body(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match &self.body {
            Body::Text(text) => out.write_all(text.as_bytes()),
            Body::Empty => Ok(()),
            Body::File { path, start, len } => {
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(*start))?;
                let copied = std::io::copy(&mut file.take(*len), out)?;
                if copied != *len {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file got shorter",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Whether `name` is the name of a stored media file: a sha256 in lowercase hex, a dot and a
/// short alphanumeric extension.
pub fn is_media_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else { return false };
    hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (1..=5).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The MIME type a player expects for a stored file's extension.
pub fn content_type(ext: &str) -> &'static str {
    match ext.to_ascii_lowercase().as_str() {
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp3" => "audio/mpeg",
        "m4a" | "aac" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// A byte range asked for, before it is fitted to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// `bytes=a-` or `bytes=a-b`.
    From(u64, Option<u64>),
    /// `bytes=-n`: the last n bytes.
    Last(u64),
}

/// Parses a `Range` header (RFC 9110 §14.1.2): bytes, and the first range of a list. None when
/// it is not a bytes range this server understands (it is then ignored, as the RFC allows).
fn parse_range(header: &str) -> Option<Asked> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let first = spec.split(',').next()?.trim();
    let (a, b) = first.split_once('-')?;
    let num = |s: &str| s.trim().parse::<u64>().ok();
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (true, false) => num(b).map(Asked::Last),
        (false, true) => num(a).map(|a| Asked::From(a, None)),
        (false, false) => {
            let (a, b) = (num(a)?, num(b)?);
            (b >= a).then_some(Asked::From(a, Some(b)))
        }
        (true, true) => None,
    }
}

/// Answers a GET (or HEAD, `head`) for the stored file `name` in `media_dir`, with the
/// request's `Range` header if it had one.
pub fn serve(media_dir: &Path, name: &str, range: Option<&str>, head: bool) -> Reply {
    if !is_media_name(name) {
        return Reply::status(404, "not a stored recording");
    }
    let path = media_dir.join(name);
    let Ok(size) = std::fs::metadata(&path).map(|m| m.len()) else {
        return Reply::status(404, "no such recording");
    };
    let ext = name.rsplit('.').next().unwrap_or_default();
    let mut headers =
        vec![("Content-Type", content_type(ext).to_string()), ("Accept-Ranges", "bytes".to_string())];
    let unsatisfiable = |mut headers: Vec<(&'static str, String)>| {
        headers.push(("Content-Range", format!("bytes */{size}")));
        headers.push(("Content-Length", "0".to_string()));
        Reply { status: 416, headers, body: Body::Empty }
    };
    let (start, end) = match range.and_then(parse_range) {
        Some(Asked::From(a, _)) if a >= size => return unsatisfiable(headers),
        Some(Asked::Last(0)) => return unsatisfiable(headers),
        Some(Asked::From(a, b)) => (a, b.unwrap_or(u64::MAX).min(size - 1)),
        Some(Asked::Last(n)) => (size.saturating_sub(n), size - 1),
        None => {
            headers.push(("Content-Length", size.to_string()));
            let body = if head { Body::Empty } else { Body::File { path, start: 0, len: size } };
            return Reply { status: 200, headers, body };
        }
    };
    let len = end - start + 1;
    headers.push(("Content-Range", format!("bytes {start}-{end}/{size}")));
    headers.push(("Content-Length", len.to_string()));
    let body = if head { Body::Empty } else { Body::File { path, start, len } };
    Reply { status: 206, headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.wav";

    fn dir_with(len: usize) -> (std::path::PathBuf, Vec<u8>) {
        let dir = std::env::temp_dir().join(format!("rapport-serve-{}-{len}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.join(NAME), &bytes).unwrap();
        (dir, bytes)
    }

    fn body(r: &Reply) -> Vec<u8> {
        let mut out = Vec::new();
        r.write_body(&mut out).unwrap();
        out
    }

    #[test]
    fn a_range_gets_206_with_exactly_those_bytes_and_their_content_range() {
        let (dir, bytes) = dir_with(10_000);
        let r = serve(&dir, NAME, Some("bytes=100-199"), false);
        assert_eq!(r.status, 206);
        assert_eq!(r.header("Content-Range"), Some("bytes 100-199/10000"));
        assert_eq!(r.header("Accept-Ranges"), Some("bytes"));
        assert_eq!(r.header("Content-Type"), Some("audio/wav"));
        assert_eq!(body(&r), bytes[100..200]);
        let tail = serve(&dir, NAME, Some("bytes=-10"), false);
        assert_eq!((tail.status, tail.header("Content-Range")), (206, Some("bytes 9990-9999/10000")));
        assert_eq!(body(&tail), bytes[9990..]);
        let open = serve(&dir, NAME, Some("bytes=9000-"), false);
        assert_eq!(body(&open), bytes[9000..]);
        let past = serve(&dir, NAME, Some("bytes=20000-"), false);
        assert_eq!((past.status, past.header("Content-Range")), (416, Some("bytes */10000")));
        let whole = serve(&dir, NAME, None, false);
        assert_eq!((whole.status, whole.header("Content-Length")), (200, Some("10000")));
        let head = serve(&dir, NAME, Some("bytes=0-"), true);
        assert!(head.body == Body::Empty && head.status == 206);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_body_is_a_span_of_the_file_read_only_when_sent() {
        let (dir, _) = dir_with(50_000);
        let r = serve(&dir, NAME, Some("bytes=1000-"), false);
        assert_eq!(r.body, Body::File { path: dir.join(NAME), start: 1000, len: 49_000 });
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_stored_file_names_are_served() {
        let (dir, _) = dir_with(10);
        for name in ["../rapport.db", "rapport.db", "/etc/passwd", "0123.wav", &NAME.replace(".wav", ".w/v")]
        {
            assert_eq!(serve(&dir, name, None, false).status, 404, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
