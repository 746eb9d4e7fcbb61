//! How much of a file the importers read, and the one reader that keeps to it.
//!
//! A text import reads its file whole (transcripts, people directories, NPS, feedback,
//! deploys, incidents, catalogs, guides, REFI-QDA codebooks), so each has a size limit: a file
//! past it is refused with a message naming the file, its size and the limit, before it is
//! read; nothing is written. Audit logs are streamed instead and have no size limit, only a
//! limit on one line ([`AUDIT_LINE`]). Zip archives (`.qdpx`, `.docx`) are read entry by entry
//! with the limits of [`crate::import::safezip`].
//!
//! | what | limit | why it is enough |
//! |---|---|---|
//! | transcript (VTT, SRT, Otter, stamped text, JSON) | 64 MiB | ten hours of speech with word timings in JSON is about 20 MiB |
//! | people directory (CSV, Slack, SCIM) | 256 MiB | a million people |
//! | NPS, feedback, deploys, incidents, catalog | 256 MiB | millions of rows |
//! | interview guide (Markdown, docx) | 16 MiB | a guide is a few pages |
//! | REFI-QDA codebook (`.qdc`) | 64 MiB | tens of thousands of codes |
//! | one field of a CSV, one line of a transcript | 1 MiB | a field or line past it is a damaged file |
//! | one line of an audit log | 16 MiB | a Kubernetes audit Event with its request and response objects |

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

const MIB: u64 = 1024 * 1024;

/// Transcript files.
pub const TRANSCRIPT: u64 = 64 * MIB;
/// People directories, NPS, feedback, deploys, incidents and catalog files.
pub const TABLE: u64 = 256 * MIB;
/// Interview guides.
pub const GUIDE: u64 = 16 * MIB;
/// REFI-QDA codebooks.
pub const CODEBOOK: u64 = 64 * MIB;
/// One CSV field or one line of a transcript.
pub const FIELD: usize = MIB as usize;
/// One line of an audit log.
pub const AUDIT_LINE: usize = 16 * MIB as usize;

/// Reads the file at `path` whole when it is at most `limit` bytes; `what` names the kind of
/// file in the message ("transcript"). Refuses a larger file before reading it, and stops
/// reading one that grows past the limit meanwhile (or is not a regular file).
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::invalid(path.display().to_string(), format!("a folder, not a {what} file")));
    }
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit, what));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, bytes.len() as u64, limit, what));
    }
    Ok(bytes)
}

/// [`read`] for text: UTF-8 (a byte-order mark is dropped by the parsers); invalid UTF-8 is
/// an error naming the line and the byte.
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String> {
    let bytes = read(path, limit, what)?;
    utf8(bytes, &path.display().to_string())
}

/// Bytes as UTF-8 text, or an error naming the line and byte where they stop being UTF-8.
pub fn utf8(bytes: Vec<u8>, source: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::invalid(
            format!("{source}:{line}"),
            format!("expected UTF-8 text; byte {at} is not (save the file as UTF-8)"),
        )
    })
}

fn too_large(path: &Path, size: u64, limit: u64, what: &str) -> Error {
    Error::invalid(
        path.display().to_string(),
        format!(
            "the file is {} MiB; {what} files are read up to {} MiB (a larger one is not a {what}, or is damaged)",
            size.div_ceil(MIB),
            limit / MIB
        ),
    )
}

/// Fails when a line of `text` is longer than [`FIELD`] bytes, naming the first such line.
pub fn check_lines(text: &str, source: &str) -> Result<()> {
    match text.split('\n').enumerate().find(|(_, l)| l.len() > FIELD) {
        Some((i, l)) => Err(Error::invalid(
            format!("{source}:{}", i + 1),
            format!("a line of {} bytes; lines are read up to {} bytes (1 MiB)", l.len(), FIELD),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_past_the_limit_is_refused_with_its_size_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.srt");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(3 * MIB).unwrap();
        let err = read(&path, 2 * MIB, "transcript").unwrap_err();
        assert!(
            err.to_string().contains("the file is 3 MiB; transcript files are read up to 2 MiB"),
            "{err}"
        );
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err = utf8(b"ok\nbad \xff".to_vec(), "f.csv").unwrap_err();
        assert!(err.to_string().starts_with("f.csv:2: expected UTF-8"), "{err}");
    }

    #[test]
    fn a_line_past_the_field_limit_is_named() {
        let text = format!("a\n{}\n", "x".repeat(FIELD + 1));
        let err = check_lines(&text, "t.txt").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:2: a line of"), "{err}");
    }
}
