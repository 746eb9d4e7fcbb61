//! Media: recordings stored in `media/` under their sha256, never modified, and their metadata.
//!
//! Owns `media_files` and `recordings`. A file is copied to `media/<sha256>.<ext>` through a
//! temporary file and a rename while it is hashed (streamed, never read whole into memory), so
//! a crash never leaves half a file under a final name, the original is never moved or changed,
//! and adding the same bytes twice stores them once. Before anything is stored the recording is
//! decoded end to end ([`decode`]), which checks every packet and measures the exact duration;
//! a file that does not decode is refused with a message naming it and the codec or offset.

pub mod decode;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

pub use self::decode::{AudioStream, Probe};
use crate::error::{Error, Result};
use crate::progress::CancelToken;
use crate::{session, store};

/// A recording as the session page lists it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecordingView {
    pub id: i64,
    pub sha256: String,
    pub file_name: String,
    pub codec: Option<String>,
    pub duration_ms: Option<i64>,
    pub sample_rate: Option<i64>,
    pub channels: Option<i64>,
}

/// The lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Where a media file with this hash and extension lives.
pub fn media_path(media_dir: &Path, sha256: &str, ext: &str) -> PathBuf {
    media_dir.join(format!("{sha256}.{ext}"))
}

/// Decodes the recording in `bytes` end to end and says what it holds. `name` names it in
/// errors (and its extension is a hint for the container).
pub fn probe(bytes: &[u8], name: &str) -> Result<Probe> {
    let stream = AudioStream::from_bytes(bytes.to_vec(), name)?;
    Ok(stream.scan(&CancelToken::new())?.expect("a fresh token is never cancelled"))
}

/// Decodes the recording at `path` end to end and says what it holds; `name` names it in errors.
pub fn probe_file(path: &Path, name: &str) -> Result<Probe> {
    let stream = AudioStream::open(path, name)?;
    Ok(stream.scan(&CancelToken::new())?.expect("a fresh token is never cancelled"))
}

/// The lowercase hex sha256 of the file at `path`, read in pieces.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The extension a stored copy gets: the original's (lowercased) when it is a plain one,
/// else the container's.
fn stored_ext(original: &Path, probe: &Probe) -> String {
    original
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| (1..=5).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| probe.container.clone())
}

/// Copies the file at `src` into `media_dir` under its hash (once), hashing while it copies,
/// and records it in `media_files`. Returns the sha256.
pub fn store_file(conn: &Connection, media_dir: &Path, src: &Path, ext: &str) -> Result<String> {
    let mut input = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let tmp = media_dir.join(format!(".incoming-{}-{nanos}.part", std::process::id()));
    let result: Result<(String, u64)> = (|| {
        let mut out = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = input.read(&mut buf).map_err(|e| Error::io(src, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io(&tmp, e))?;
            size += n as u64;
        }
        out.sync_all().map_err(|e| Error::io(&tmp, e))?;
        let sha = hex(&hasher.finalize());
        let path = media_path(media_dir, &sha, ext);
        if path.exists() {
            std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
        } else {
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        }
        Ok((sha, size))
    })();
    let (sha, size) = result.inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    conn.execute(
        "INSERT INTO media_files (sha256, size, ext, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(sha256) DO NOTHING",
        params![sha, size as i64, ext, store::now()],
    )?;
    Ok(sha)
}

/// Writes `bytes` into `media_dir` under their hash (once) and records the file.
/// Returns the sha256.
pub fn store_bytes(conn: &Connection, media_dir: &Path, bytes: &[u8], ext: &str) -> Result<String> {
    let sha = sha256_hex(bytes);
    let path = media_path(media_dir, &sha, ext);
    if !path.exists() {
        let tmp = media_dir.join(format!(".{sha}.part"));
        let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        file.write_all(bytes).and_then(|_| file.sync_all()).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    }
    conn.execute(
        "INSERT INTO media_files (sha256, size, ext, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(sha256) DO NOTHING",
        params![sha, bytes.len() as i64, ext, store::now()],
    )?;
    Ok(sha)
}

/// Adds a recording (its bytes and original file name) to a session. Returns its id.
pub fn add_recording(
    conn: &Connection,
    media_dir: &Path,
    session_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64> {
    session::ensure(conn, session_id)?;
    let probe = probe(bytes, file_name)?;
    let ext = stored_ext(Path::new(file_name), &probe);
    let sha = store_bytes(conn, media_dir, bytes, &ext)?;
    insert_recording(conn, session_id, &sha, file_name, &probe)
}

/// Adds the recording at `path` to a session: decodes it end to end (refusing a file that
/// does not decode, before anything is stored), copies it into `media/` under its sha256 and
/// records it. Adding the same file to the same session again returns the existing id.
/// Call inside a transaction. Returns the recording id.
pub fn add_recording_file(conn: &Connection, media_dir: &Path, session_id: i64, path: &Path) -> Result<i64> {
    session::ensure(conn, session_id)?;
    let name = path.display().to_string();
    if !path.is_file() {
        return Err(Error::not_found("recording file", name));
    }
    let probe = probe_file(path, &name)?;
    let ext = stored_ext(path, &probe);
    let sha = store_file(conn, media_dir, path, &ext)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
    insert_recording(conn, session_id, &sha, &file_name, &probe)
}

fn insert_recording(
    conn: &Connection,
    session_id: i64,
    sha: &str,
    file_name: &str,
    probe: &Probe,
) -> Result<i64> {
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM recordings WHERE session_id = ?1 AND sha256 = ?2 ORDER BY id LIMIT 1",
            params![session_id, sha],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO recordings (session_id, sha256, file_name, container, codec, channels, sample_rate, duration_ms, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            session_id,
            sha,
            file_name,
            probe.container,
            probe.codec,
            probe.channels,
            probe.sample_rate,
            probe.duration_ms,
            store::now()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A stored recording and where its bytes are.
#[derive(Debug, Clone)]
pub struct StoredRecording {
    pub id: i64,
    pub session_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub duration_ms: Option<i64>,
    /// The file under `media/`.
    pub path: PathBuf,
}

/// One recording by id, with the path of its stored file.
pub fn recording(conn: &Connection, media_dir: &Path, id: i64) -> Result<StoredRecording> {
    conn.query_row(
        "SELECT r.id, r.session_id, r.sha256, r.file_name, r.duration_ms, f.ext
         FROM recordings r JOIN media_files f ON f.sha256 = r.sha256 WHERE r.id = ?1",
        [id],
        |r| {
            let sha: String = r.get(2)?;
            let ext: String = r.get(5)?;
            Ok(StoredRecording {
                id: r.get(0)?,
                session_id: r.get(1)?,
                path: media_path(media_dir, &sha, &ext),
                sha256: sha,
                file_name: r.get(3)?,
                duration_ms: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::not_found("recording", id))
}

/// The recordings of a session.
pub fn recordings_of_session(conn: &Connection, session_id: i64) -> Result<Vec<RecordingView>> {
    let mut stmt = conn.prepare(
        "SELECT id, sha256, file_name, codec, duration_ms, sample_rate, channels FROM recordings WHERE session_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([session_id], |r| {
            Ok(RecordingView {
                id: r.get(0)?,
                sha256: r.get(1)?,
                file_name: r.get(2)?,
                codec: r.get(3)?,
                duration_ms: r.get(4)?,
                sample_rate: r.get(5)?,
                channels: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The stored file of a recording, under `media_dir` (what a player opens).
pub fn recording_path(conn: &Connection, media_dir: &Path, recording_id: i64) -> Result<PathBuf> {
    let (sha, ext): (String, String) = conn
        .query_row(
            "SELECT r.sha256, f.ext FROM recordings r JOIN media_files f ON f.sha256 = r.sha256 WHERE r.id = ?1",
            [recording_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found("recording", recording_id))?;
    Ok(media_path(media_dir, &sha, &ext))
}

/// Every recorded media file: (sha256, extension, size).
pub fn files(conn: &Connection) -> Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare("SELECT sha256, ext, size FROM media_files ORDER BY sha256")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_renamed_as_audio_is_refused_with_its_name() {
        let err = probe(b"hello, I am not audio", "notes.wav").unwrap_err();
        assert!(err.to_string().starts_with("notes.wav: not a recording"), "{err}");
    }

    #[test]
    fn a_stored_copy_keeps_a_plain_extension_and_else_takes_the_containers() {
        let p = Probe { container: "mp4".into(), ..Probe::default() };
        assert_eq!(stored_ext(Path::new("/x/Interview.M4A"), &p), "m4a");
        assert_eq!(stored_ext(Path::new("/x/interview"), &p), "mp4");
        assert_eq!(stored_ext(Path::new("/x/a.we ird"), &p), "mp4");
    }
}
