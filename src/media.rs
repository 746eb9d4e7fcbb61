//! Media: recordings stored in `media/` under their sha256, never modified, and their metadata.
//!
//! Owns `media_files` and `recordings`. A file is written to `media/<sha256>.<ext>` through a
//! temporary file and a rename, so a crash never leaves half a file under a final name, and
//! adding the same bytes twice stores them once. [`probe`] reads the container header for
//! duration, codec, channels and sample rate (WAV and FLAC here; decoding is the
//! transcription module's work).

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store;

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

/// What a container header says about the audio in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    pub container: String,
    pub codec: String,
    pub channels: i64,
    pub sample_rate: i64,
    pub duration_ms: Option<i64>,
}

/// The lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a media file with this hash and extension lives.
pub fn media_path(media_dir: &Path, sha256: &str, ext: &str) -> PathBuf {
    media_dir.join(format!("{sha256}.{ext}"))
}

/// Reads WAV and FLAC headers. `name` names the file in errors.
pub fn probe(bytes: &[u8], name: &str) -> Result<Probe> {
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return probe_wav(bytes, name);
    }
    if bytes.len() >= 4 && &bytes[0..4] == b"fLaC" {
        return probe_flac(bytes, name);
    }
    Err(Error::invalid(name, "not a recording this version reads (expected a WAV or FLAC file)"))
}

fn probe_wav(bytes: &[u8], name: &str) -> Result<Probe> {
    let mut pos = 12;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().expect("4 bytes")) as usize;
        let body = pos + 8;
        if id == b"fmt " {
            if size < 16 || body + 16 > bytes.len() {
                return Err(Error::invalid(name, format!("WAV `fmt ` chunk at byte {pos} is truncated")));
            }
            let b = &bytes[body..];
            fmt = Some((
                u16::from_le_bytes([b[0], b[1]]),
                u16::from_le_bytes([b[2], b[3]]),
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                u16::from_le_bytes([b[14], b[15]]),
            ));
        } else if id == b"data" {
            let (format, channels, rate, bits) =
                fmt.ok_or_else(|| Error::invalid(name, "WAV `data` chunk comes before its `fmt ` chunk"))?;
            let frame = channels as usize * (bits as usize / 8).max(1);
            let available = size.min(bytes.len() - body);
            let duration_ms =
                (rate > 0 && frame > 0).then(|| (available / frame) as i64 * 1000 / rate as i64);
            let codec = match format {
                1 => format!("pcm_s{bits}le"),
                3 => format!("pcm_f{bits}le"),
                other => format!("wav format {other}"),
            };
            return Ok(Probe {
                container: "wav".into(),
                codec,
                channels: channels as i64,
                sample_rate: rate as i64,
                duration_ms,
            });
        }
        pos = body + size + (size & 1);
    }
    Err(Error::invalid(name, "WAV file has no `data` chunk"))
}

fn probe_flac(bytes: &[u8], name: &str) -> Result<Probe> {
    // fLaC, then a metadata block header (1 byte type, 3 bytes length) for STREAMINFO.
    if bytes.len() < 8 + 18 || bytes[4] & 0x7f != 0 {
        return Err(Error::invalid(name, "FLAC file without a STREAMINFO block at byte 4"));
    }
    let s = &bytes[8..8 + 18];
    let rate = ((s[10] as u32) << 12) | ((s[11] as u32) << 4) | ((s[12] as u32) >> 4);
    let channels = ((s[12] >> 1) & 0x07) as i64 + 1;
    let total = (((s[13] & 0x0f) as u64) << 32) | u32::from_be_bytes([s[14], s[15], s[16], s[17]]) as u64;
    if rate == 0 {
        return Err(Error::invalid(name, "FLAC STREAMINFO has a sample rate of 0"));
    }
    Ok(Probe {
        container: "flac".into(),
        codec: "flac".into(),
        channels,
        sample_rate: rate as i64,
        duration_ms: (total > 0).then(|| (total * 1000 / rate as u64) as i64),
    })
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
    let probe = probe(bytes, file_name)?;
    let sha = store_bytes(conn, media_dir, bytes, &probe.container)?;
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
    let (sha, ext): (String, String) = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT r.sha256, f.ext FROM recordings r JOIN media_files f ON f.sha256 = r.sha256 WHERE r.id = ?1",
        [recording_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?
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
    fn wav_header_gives_rate_channels_and_duration() {
        let mut wav = Vec::new();
        let data_len = 16000u32 * 2; // one second of 16 kHz mono s16
        wav.extend_from_slice(b"RIFF");
        wav.extend_from_slice(&(36 + data_len).to_le_bytes());
        wav.extend_from_slice(b"WAVEfmt ");
        wav.extend_from_slice(&16u32.to_le_bytes());
        wav.extend_from_slice(&1u16.to_le_bytes());
        wav.extend_from_slice(&1u16.to_le_bytes());
        wav.extend_from_slice(&16000u32.to_le_bytes());
        wav.extend_from_slice(&32000u32.to_le_bytes());
        wav.extend_from_slice(&2u16.to_le_bytes());
        wav.extend_from_slice(&16u16.to_le_bytes());
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&data_len.to_le_bytes());
        wav.resize(wav.len() + data_len as usize, 0);
        let p = probe(&wav, "a.wav").unwrap();
        assert_eq!((p.sample_rate, p.channels, p.duration_ms), (16000, 1, Some(1000)));
        assert_eq!(p.codec, "pcm_s16le");
    }

    #[test]
    fn text_renamed_as_audio_is_refused_with_its_name() {
        let err = probe(b"hello, I am not audio", "notes.wav").unwrap_err();
        assert!(err.to_string().starts_with("notes.wav: not a recording"), "{err}");
    }
}
