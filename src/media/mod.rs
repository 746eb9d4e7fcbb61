//! Media: recordings stored in `media/` under their sha256, never modified, and their metadata.
//!
//! Owns `media_files` and `recordings`. A file is copied to `media/<sha256>.<ext>` through a
//! temporary file and a rename while it is hashed (streamed, never read whole into memory), so
//! a crash never leaves half a file under a final name, the original is never moved or changed,
//! and adding the same bytes twice stores them once. Before anything is stored the recording is
//! decoded end to end ([`decode`]), which checks every packet and measures the exact duration;
//! a file that does not decode is refused with a message naming it and the codec or offset.

pub mod decode;
pub mod http;
pub mod serve;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

pub use self::decode::{AudioStream, Probe};
use crate::error::{Error, Result};
use crate::progress::{CancelToken, NoProgress, Outcome, Progress};
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
    /// The participant whose track of a call this is (`--track`), if it is one.
    pub track: Option<String>,
    /// Where the recording starts on the session's time line (ms).
    pub offset_ms: i64,
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
    Ok(store_file_with(conn, media_dir, src, ext, &NoProgress, &CancelToken::new())?
        .done()
        .expect("a fresh token is never cancelled"))
}

/// [`store_file`], telling `progress` how many bytes were copied (phase "copying"); a cancel
/// removes the partial copy and stores nothing.
pub fn store_file_with(
    conn: &Connection,
    media_dir: &Path,
    src: &Path,
    ext: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<String>> {
    let mut input = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
    let total = input.metadata().map(|m| m.len()).ok();
    progress.begin("copying", total);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let tmp = media_dir.join(format!(".incoming-{}-{nanos}.part", std::process::id()));
    let result: Result<Option<(String, u64)>> = (|| {
        let mut out = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            if cancel.is_cancelled() {
                return Ok(None);
            }
            let n = input.read(&mut buf).map_err(|e| Error::io(src, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io(&tmp, e))?;
            size += n as u64;
            progress.advance(size);
        }
        out.sync_all().map_err(|e| Error::io(&tmp, e))?;
        let sha = hex(&hasher.finalize());
        let path = media_path(media_dir, &sha, ext);
        if path.exists() {
            std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
        } else {
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        }
        Ok(Some((sha, size)))
    })();
    let copied = match result {
        Ok(Some(copied)) => copied,
        other => {
            let _ = std::fs::remove_file(&tmp);
            other?;
            return Ok(Outcome::Cancelled);
        }
    };
    let (sha, size) = copied;
    conn.execute(
        "INSERT INTO media_files (sha256, size, ext, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(sha256) DO NOTHING",
        params![sha, size as i64, ext, store::now()],
    )?;
    Ok(Outcome::Done(sha))
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
    Ok(add_recording_file_with(conn, media_dir, session_id, path, &NoProgress, &CancelToken::new())?
        .done()
        .expect("a fresh token is never cancelled"))
}

/// [`add_recording_file`] with progress (phase "decoding", then "copying", both in bytes of
/// the file) and a cancel token: a cancelled add stores nothing.
pub fn add_recording_file_with(
    conn: &Connection,
    media_dir: &Path,
    session_id: i64,
    path: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<i64>> {
    session::ensure(conn, session_id)?;
    let name = path.display().to_string();
    if !path.is_file() {
        return Err(Error::not_found("recording file", name));
    }
    let Some(probe) = AudioStream::open(path, &name)?.scan_with(progress, cancel)? else {
        return Ok(Outcome::Cancelled);
    };
    let ext = stored_ext(path, &probe);
    let Outcome::Done(sha) = store_file_with(conn, media_dir, path, &ext, progress, cancel)? else {
        return Ok(Outcome::Cancelled);
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
    insert_recording(conn, session_id, &sha, &file_name, &probe).map(Outcome::Done)
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

/// How a session's recordings (aliased `r`) are ordered, main first: the recording its
/// transcript was made from, then the oldest. The main recording is the one the session page
/// plays first; transcript times, `?t=` links and notes' play times are on its time line.
pub const MAIN_FIRST: &str =
    "(r.id IS (SELECT t.recording_id FROM transcripts t WHERE t.session_id = r.session_id)) DESC, r.id";

/// The recordings of a session, the main one first (see [`MAIN_FIRST`]).
pub fn recordings_of_session(conn: &Connection, session_id: i64) -> Result<Vec<RecordingView>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT r.id, r.sha256, r.file_name, r.codec, r.duration_ms, r.sample_rate, r.channels, r.track, r.offset_ms
         FROM recordings r WHERE r.session_id = ?1 ORDER BY {MAIN_FIRST}"
    ))?;
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
                track: r.get(7)?,
                offset_ms: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Where a session's main recording (see [`MAIN_FIRST`]) starts on the session's time line
/// (ms); 0 when it has no recording.
pub fn main_offset_ms(conn: &Connection, session_id: i64) -> Result<i64> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT r.offset_ms FROM recordings r WHERE r.session_id = ?1 ORDER BY {MAIN_FIRST} LIMIT 1"
            ),
            [session_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Where a moment of the session (`at_ms`, as run mode stamps it) is in a recording that
/// starts at `offset_ms` of the session: `at_ms - offset_ms`, never before the recording's start.
pub fn play_ms(at_ms: i64, offset_ms: i64) -> i64 {
    (at_ms - offset_ms).max(0)
}

/// Sets a recording's track name (one participant's audio of a call; `None` for a mix) and
/// its offset on the session's time line.
pub fn set_track(conn: &Connection, recording_id: i64, track: Option<&str>, offset_ms: i64) -> Result<()> {
    let track = track.map(str::trim).filter(|t| !t.is_empty());
    let n = conn.execute(
        "UPDATE recordings SET track = ?2, offset_ms = ?3 WHERE id = ?1",
        params![recording_id, track, offset_ms],
    )?;
    if n == 0 {
        return Err(Error::not_found("recording", recording_id));
    }
    Ok(())
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

/// The hashes of the files these sessions' recordings use.
pub fn shas_of_sessions(conn: &Connection, sessions: &[i64]) -> Result<Vec<String>> {
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    let mut stmt = conn.prepare(
        "SELECT DISTINCT sha256 FROM recordings WHERE session_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([ids], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The recordings of these sessions whose file no other session uses: (file name, size).
pub fn files_only_in(conn: &Connection, sessions: &[i64]) -> Result<Vec<(String, i64)>> {
    let ids = serde_json::to_string(sessions).expect("ids serialise");
    let mut stmt = conn.prepare(
        "SELECT min(r.file_name), f.size FROM recordings r JOIN media_files f ON f.sha256 = r.sha256
         WHERE r.session_id IN (SELECT value FROM json_each(?1))
           AND NOT EXISTS (SELECT 1 FROM recordings o WHERE o.sha256 = r.sha256
                           AND o.session_id NOT IN (SELECT value FROM json_each(?1)))
         GROUP BY r.sha256 ORDER BY min(r.file_name)",
    )?;
    let rows =
        stmt.query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Forgets the files among `shas` that no recording references any more (their rows in
/// `media_files`) and returns where they are, to be removed once the transaction commits.
pub fn forget_unreferenced(conn: &Connection, media_dir: &Path, shas: &[String]) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for sha in shas {
        let ext: Option<String> = conn
            .query_row(
                "DELETE FROM media_files WHERE sha256 = ?1
                 AND NOT EXISTS (SELECT 1 FROM recordings WHERE sha256 = ?1) RETURNING ext",
                [sha],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(ext) = ext {
            paths.push(media_path(media_dir, sha, &ext));
        }
    }
    Ok(paths)
}

/// Removes files that the store no longer references. A file that cannot be removed is only
/// reported: it is content-addressed, so a leftover is harmless and `verify` lists it.
pub fn remove_files(paths: &[PathBuf]) {
    for path in paths {
        if let Err(e) = std::fs::remove_file(path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("rapport: could not remove {}: {e}", path.display());
            }
        }
    }
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
