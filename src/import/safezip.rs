//! Reading a zip archive that came from somewhere else, safely: nothing is extracted to
//! disk; an entry whose name would leave the archive's folder (`../../x`, `/etc/x`, `C:\x`)
//! refuses the whole archive; entries are read with a hard limit on their real size (not the
//! size the header claims), and an entry that inflates more than [`MAX_RATIO`] times (a zip
//! bomb) or past [`MAX_ENTRY_BYTES`] is refused.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The most an entry may inflate to.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// The most all the entries read may inflate to together.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// The most an entry may inflate relative to its compressed size (past 1 MiB).
pub const MAX_RATIO: u64 = 200;
/// The most entries an archive may hold.
pub const MAX_ENTRIES: usize = 20_000;

/// An archive opened for reading, with its entry names checked.
pub struct SafeZip {
    path: String,
    archive: zip::ZipArchive<std::fs::File>,
    /// Entry names as stored (`/` separated), files only.
    pub names: Vec<String>,
    read_total: u64,
}

impl SafeZip {
    /// Opens `path` as a zip archive; refuses a file that is not one and any entry whose
    /// name is not a plain relative path inside the archive.
    pub fn open(path: &Path) -> Result<SafeZip> {
        let shown = path.display().to_string();
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).map_err(|e| Error::io(path, e))?;
        if n < 4 || &magic[..2] != b"PK" {
            return Err(Error::invalid(
                &shown,
                "not a zip archive (a REFI-QDA .qdpx project is a zip file holding project.qde and Sources/)",
            ));
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|e| Error::invalid(&shown, format!("not a readable zip archive: {e}")))?;
        if archive.len() > MAX_ENTRIES {
            return Err(Error::invalid(
                &shown,
                format!("{} entries; at most {MAX_ENTRIES} are read", archive.len()),
            ));
        }
        let mut names = Vec::new();
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| Error::invalid(&shown, format!("entry {i} is damaged: {e}")))?;
            let name = entry.name().to_string();
            if !is_safe_name(&name) || entry.enclosed_name().is_none() {
                return Err(Error::invalid(
                    &shown,
                    format!("the entry {name:?} points outside the archive's folder; nothing was imported"),
                ));
            }
            if entry.is_file() {
                names.push(name);
            }
        }
        Ok(SafeZip { path: shown, archive, names, read_total: 0 })
    }

    /// The name of an entry matching `wanted` without regard to case, if any.
    pub fn find(&self, wanted: &str) -> Option<String> {
        self.names.iter().find(|n| n.eq_ignore_ascii_case(wanted)).cloned()
    }

    /// Reads one entry whole, within the limits.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>> {
        let shown = format!("{}: {name}", self.path);
        let mut entry = self.archive.by_name(name).map_err(|e| Error::invalid(&shown, e.to_string()))?;
        let compressed = entry.compressed_size().max(1);
        let limit = MAX_ENTRY_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.read_total));
        let mut out = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n =
                entry.read(&mut buf).map_err(|e| Error::invalid(&shown, format!("cannot be read: {e}")))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let size = out.len() as u64;
            if size > limit {
                return Err(Error::invalid(
                    &shown,
                    format!(
                        "inflates past {} MiB; refused as a zip bomb, nothing was imported",
                        limit / (1024 * 1024)
                    ),
                ));
            }
            if size > 1024 * 1024 && size / compressed > MAX_RATIO {
                return Err(Error::invalid(
                    &shown,
                    format!(
                        "inflates more than {MAX_RATIO} times its compressed size ({compressed} bytes); refused as a zip bomb, nothing was imported"
                    ),
                ));
            }
        }
        self.read_total += out.len() as u64;
        Ok(out)
    }
}

/// A relative path of plain names: no `..`, no root, no drive letter, no backslashes.
fn is_safe_name(name: &str) -> bool {
    if name.is_empty()
        || name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\\')
        || name.contains('\0')
    {
        return false;
    }
    if name.len() >= 2 && name.as_bytes()[1] == b':' {
        return false;
    }
    name.split('/').all(|part| part != "..")
}
