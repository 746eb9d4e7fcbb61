//! Backups of a workspace: `rapport backup --out FILE` and `rapport restore FILE --to DIR`.
//!
//! Owns no table. A backup is one zip archive (entries stored, not compressed: recordings
//! are compressed already) holding:
//! - `rapport.db`: a copy made with SQLite's online backup API in one step, so it is one
//!   consistent snapshot even while another process (the app, a CLI import) writes; readers
//!   never block writers in WAL mode, so the other process keeps working meanwhile;
//! - `media/<sha256>.<ext>`: every file the snapshot's `media_files` lists (content
//!   addressed and never modified, so a file is the same whenever it is read; each is hashed
//!   again as it is copied and must match its name);
//! - `manifest.json` (written last): the format, the schema version, the time, and each
//!   entry's path, size and SHA-256.
//!
//! The search index is not in it (it is derived and rebuilt on the first open). A restore
//! refuses a folder that is not empty, writes only the entries the manifest lists (names
//! checked: `rapport.db` or `media/` plus a hash and an extension, nothing else), reads each
//! at most its listed size, checks its SHA-256, and then runs `verify` on the result; on any
//! failure it removes what it wrote. The archive is written under a temporary name and
//! renamed when whole.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::progress::{CancelToken, Outcome, Progress};
use crate::workspace::Workspace;
use crate::{media, store, verify};

/// The manifest's `format` value.
pub const FORMAT: &str = "rapport-backup";
/// The manifest's `version`: this layout.
pub const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DB_ENTRY: &str = "rapport.db";

/// One file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ManifestEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What `manifest.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub schema_version: i64,
    pub created_at: String,
    pub files: Vec<ManifestEntry>,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupReport {
    pub file: String,
    /// The archive's size.
    pub bytes: u64,
    pub schema_version: i64,
    pub media_files: i64,
    pub files: Vec<ManifestEntry>,
}

/// What a restore wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RestoreReport {
    pub to: String,
    pub schema_version: i64,
    pub files: i64,
    pub bytes: u64,
    /// `verify` on the restored workspace.
    pub verify: verify::VerifyReport,
}

/// A file beside the backup being written, removed unless it is persisted.
struct TempPath(Option<PathBuf>);

impl TempPath {
    fn beside(out: &Path, suffix: &str) -> TempPath {
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        TempPath(Some(out.with_file_name(format!(".{name}.{}.{suffix}", std::process::id()))))
    }

    fn path(&self) -> &Path {
        self.0.as_deref().expect("not persisted yet")
    }

    /// Renames the file to `to` (the last step: the backup appears whole or not at all).
    fn persist(mut self, to: &Path) -> Result<()> {
        let from = self.0.take().expect("not persisted yet");
        std::fs::rename(&from, to).map_err(|e| Error::io(to, e))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Reads `reader` into `out`, hashing as it goes; returns (bytes, sha256).
fn copy_hashed(mut reader: impl Read, out: &mut impl Write, label: &Path) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| Error::io(label, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| Error::io(label, e))?;
        total += n as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn zip_err(path: &Path, e: zip::result::ZipError) -> Error {
    Error::invalid(path.display().to_string(), format!("backup archive: {e}"))
}

/// Writes a backup of `ws` to `out` (see the module's docs).
pub fn backup(
    ws: &Workspace,
    out: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<BackupReport>> {
    let tmp_db = TempPath::beside(out, "db");
    // One step: the copy is one read transaction, a consistent snapshot of the store.
    {
        let mut dst = rusqlite::Connection::open(tmp_db.path())?;
        let backup = rusqlite::backup::Backup::new(ws.conn(), &mut dst)?;
        progress.begin("copying the database", None);
        backup.step(-1)?;
        drop(backup);
        // A self-contained file: no WAL beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let snapshot =
        rusqlite::Connection::open_with_flags(tmp_db.path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let schema_version: i64 = snapshot.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let files = media::files(&snapshot)?;
    drop(snapshot);

    let tmp_zip = TempPath::beside(out, "part");
    let zip_file = std::fs::File::create(tmp_zip.path()).map_err(|e| Error::io(tmp_zip.path(), e))?;
    let mut zip = zip::ZipWriter::new(zip_file);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let mut entries = Vec::new();
    zip.start_file(DB_ENTRY, stored).map_err(|e| zip_err(out, e))?;
    let db_file = std::fs::File::open(tmp_db.path()).map_err(|e| Error::io(tmp_db.path(), e))?;
    let (size, sha256) = copy_hashed(db_file, &mut zip, tmp_db.path())?;
    entries.push(ManifestEntry { path: DB_ENTRY.into(), size, sha256 });

    let total: u64 = files.iter().map(|f| f.2.max(0) as u64).sum();
    progress.begin("copying recordings", Some(total));
    let media_dir = ws.media_dir();
    let mut done = 0u64;
    for (sha, ext, _) in &files {
        if cancel.is_cancelled() {
            return Ok(Outcome::Cancelled);
        }
        let path = media::media_path(&media_dir, sha, ext);
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let name = format!("media/{sha}.{ext}");
        zip.start_file(name.as_str(), stored).map_err(|e| zip_err(out, e))?;
        let (size, actual) = copy_hashed(file, &mut zip, &path)?;
        if actual != *sha {
            return Err(Error::Integrity(format!(
                "{}: content changed: sha256 is {actual}, recorded {sha}; run `rapport verify`",
                path.display()
            )));
        }
        done += size;
        progress.advance(done);
        entries.push(ManifestEntry { path: name, size, sha256: actual });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        schema_version,
        created_at: store::now(),
        files: entries,
    };
    zip.start_file(MANIFEST, stored).map_err(|e| zip_err(out, e))?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).expect("manifest serialises"))
        .map_err(|e| Error::io(out, e))?;
    let file = zip.finish().map_err(|e| zip_err(out, e))?;
    file.sync_all().map_err(|e| Error::io(tmp_zip.path(), e))?;
    drop(file);
    tmp_zip.persist(out)?;
    let bytes = std::fs::metadata(out).map_err(|e| Error::io(out, e))?.len();
    Ok(Outcome::Done(BackupReport {
        file: out.display().to_string(),
        bytes,
        schema_version,
        media_files: files.len() as i64,
        files: manifest.files,
    }))
}

/// True for the names a backup may hold: `rapport.db` or `media/<64 hex>.<alphanumeric ext>`.
fn allowed_entry(name: &str) -> bool {
    if name == DB_ENTRY {
        return true;
    }
    let Some(file) = name.strip_prefix("media/") else { return false };
    let Some((sha, ext)) = file.split_once('.') else { return false };
    sha.len() == 64
        && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && !ext.is_empty()
        && ext.len() <= 16
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Reads the manifest of the backup `archive`.
pub fn read_manifest(archive: &Path) -> Result<Manifest> {
    let file = std::fs::File::open(archive).map_err(|e| Error::io(archive, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| zip_err(archive, e))?;
    manifest_of(&mut zip, archive)
}

fn manifest_of(zip: &mut zip::ZipArchive<std::fs::File>, archive: &Path) -> Result<Manifest> {
    let loc = || format!("{}: {MANIFEST}", archive.display());
    let mut text = Vec::new();
    zip.by_name(MANIFEST)
        .map_err(|_| {
            Error::invalid(archive.display().to_string(), "not a Rapport backup: no manifest.json in it")
        })?
        .take(16 << 20)
        .read_to_end(&mut text)
        .map_err(|e| Error::io(archive, e))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| Error::invalid(loc(), e.to_string()))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(Error::invalid(
            loc(),
            format!(
                "format {:?} version {}, expected {FORMAT:?} version {VERSION}",
                manifest.format, manifest.version
            ),
        ));
    }
    if manifest.schema_version > store::SCHEMA_VERSION {
        return Err(Error::WorkspaceNewer {
            path: archive.to_path_buf(),
            found: manifest.schema_version,
            supported: store::SCHEMA_VERSION,
        });
    }
    if !manifest.files.iter().any(|f| f.path == DB_ENTRY) {
        return Err(Error::invalid(loc(), "lists no rapport.db"));
    }
    if let Some(bad) = manifest.files.iter().find(|f| !allowed_entry(&f.path)) {
        return Err(Error::invalid(loc(), format!("entry {:?} is not a workspace file", bad.path)));
    }
    Ok(manifest)
}

/// Restores the backup `archive` into `to`, which must be missing or empty (see the
/// module's docs). Everything written is removed again when a check fails.
pub fn restore(
    archive: &Path,
    to: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<RestoreReport>> {
    let file = std::fs::File::open(archive).map_err(|e| Error::io(archive, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| zip_err(archive, e))?;
    let manifest = manifest_of(&mut zip, archive)?;
    if to.exists() {
        let mut entries = std::fs::read_dir(to).map_err(|e| Error::io(to, e))?;
        if entries.next().is_some() {
            return Err(Error::invalid(
                to.display().to_string(),
                "the folder is not empty; restore into a new or empty folder",
            ));
        }
    }
    let created = !to.exists();
    std::fs::create_dir_all(to.join("media")).map_err(|e| Error::io(to, e))?;
    let result = extract(&mut zip, archive, &manifest, to, progress, cancel);
    let undo = || {
        if created {
            let _ = std::fs::remove_dir_all(to);
        } else if let Ok(entries) = std::fs::read_dir(to) {
            for e in entries.flatten() {
                let p = e.path();
                let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
            }
        }
    };
    match result {
        Ok(Outcome::Done(bytes)) => {
            let checked = Workspace::open(to).and_then(|ws| verify::verify(&ws).map(|v| (ws, v)));
            match checked {
                Ok((_, report)) if report.ok => Ok(Outcome::Done(RestoreReport {
                    to: to.display().to_string(),
                    schema_version: manifest.schema_version,
                    files: manifest.files.len() as i64,
                    bytes,
                    verify: report,
                })),
                Ok((_, report)) => {
                    undo();
                    Err(Error::Integrity(format!(
                        "{}: the restored workspace fails verify: {}",
                        archive.display(),
                        report.problems.join("; ")
                    )))
                }
                Err(e) => {
                    undo();
                    Err(e)
                }
            }
        }
        Ok(Outcome::Cancelled) => {
            undo();
            Ok(Outcome::Cancelled)
        }
        Err(e) => {
            undo();
            Err(e)
        }
    }
}

fn extract(
    zip: &mut zip::ZipArchive<std::fs::File>,
    archive: &Path,
    manifest: &Manifest,
    to: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<u64>> {
    let total: u64 = manifest.files.iter().map(|f| f.size).sum();
    progress.begin("restoring", Some(total));
    let mut done = 0u64;
    for entry in &manifest.files {
        if cancel.is_cancelled() {
            return Ok(Outcome::Cancelled);
        }
        let loc = format!("{}: {}", archive.display(), entry.path);
        let reader = zip.by_name(&entry.path).map_err(|_| {
            Error::invalid(loc.clone(), "listed in the manifest but missing from the archive")
        })?;
        let target: PathBuf = to.join(&entry.path);
        let mut out = std::fs::File::create(&target).map_err(|e| Error::io(&target, e))?;
        // Never more than the manifest says, whatever the archive's headers claim.
        let (size, sha256) = copy_hashed(reader.take(entry.size + 1), &mut out, &target)?;
        out.sync_all().map_err(|e| Error::io(&target, e))?;
        if size != entry.size || sha256 != entry.sha256 {
            return Err(Error::Integrity(format!(
                "{loc}: {size} bytes with sha256 {sha256}, the manifest says {} bytes with sha256 {}; the backup is damaged",
                entry.size, entry.sha256
            )));
        }
        done += size;
        progress.advance(done);
    }
    Ok(Outcome::Done(done))
}
