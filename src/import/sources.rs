//! Where a REFI-QDA project's texts are read from: inline content, the archive's
//! `Sources/` (`internal://`), `relative://` paths under the project's `basePath` or beside
//! the `.qdpx`, absolute paths and `file://` URLs. Texts are UTF-8; a byte order mark is not
//! part of the text (positions count from after it). A text found nowhere says where it was
//! looked for, so the import can list it.

use std::path::{Path, PathBuf};

use super::safezip::SafeZip;
use super::xml::Node;
use crate::error::{Error, Result};

/// Where a project's sources outside the archive are looked for: `relative://` paths under
/// the project's `basePath`, then beside the `.qdpx`; absolute paths (`file://` URLs or
/// plain paths) as they are. A source found nowhere is looked for in the archive's
/// `Sources/` by its file name (some tools pack a copy there), and listed when missing.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    base: Option<PathBuf>,
    beside: Option<PathBuf>,
}

impl Origin {
    /// Where `qdpx`'s project (its root element `root`) keeps its outside sources.
    pub fn of(qdpx: &Path, root: &Node) -> Origin {
        Origin {
            base: root
                .attr("basePath")
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(|b| local_path(b).unwrap_or_else(|| PathBuf::from(b))),
            beside: qdpx.parent().map(Path::to_path_buf),
        }
    }
}

/// `%XX` escapes of a URL path, decoded (bytes that do not form UTF-8 stay escaped).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// A local file path from a `file://` URL or an absolute path (Unix, or Windows with a drive
/// letter or a UNC share); `None` for anything else.
fn local_path(p: &str) -> Option<PathBuf> {
    let p = p.trim();
    if let Some(rest) = p.strip_prefix("file://") {
        let rest = rest.strip_prefix("localhost").unwrap_or(rest);
        let decoded = percent_decode(rest);
        // file:///C:/x is the Windows path C:/x.
        let windows = decoded.len() > 3 && decoded.as_bytes()[2] == b':' && decoded.starts_with('/');
        return Some(PathBuf::from(if windows { decoded[1..].to_string() } else { decoded }));
    }
    let b = p.as_bytes();
    let drive = b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/');
    (p.starts_with('/') || p.starts_with("\\\\") || drive).then(|| PathBuf::from(p))
}

/// The last part of a path written with `/` or `\\`.
fn file_name(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// A source's bytes as text: UTF-8 (a byte order mark is not part of the text: positions
/// count from after it).
fn utf8_text(bytes: Vec<u8>, shown: &str) -> Result<String> {
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(shown, "the source text is not UTF-8 (REFI-QDA text sources are)"))?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Reads a text file outside the archive, within the archive's size limit for one entry.
fn read_local(path: &Path) -> Result<Option<String>> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(None) };
    if !meta.is_file() {
        return Ok(None);
    }
    let shown = path.display().to_string();
    if meta.len() > super::safezip::MAX_ENTRY_BYTES {
        return Err(Error::invalid(&shown, "the source text is larger than a source may be"));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    utf8_text(bytes, &shown).map(Some)
}

/// A text whose place is `internal://name` (inside the archive), `relative://name` or a file
/// path (outside it, see [`Origin`]), or inline content.
pub fn source_text(
    zip: &mut Option<SafeZip>,
    origin: &Origin,
    node: &Node,
) -> Result<std::result::Result<String, String>> {
    if let Some(content) = node.child_text("PlainTextContent") {
        return Ok(Ok(content));
    }
    let Some(path) = node.attr("plainTextPath") else {
        return Ok(Err("it has neither text nor a plainTextPath".into()));
    };
    let in_archive = |zip: &mut Option<SafeZip>, rest: &str| -> Result<Option<String>> {
        let Some(zip) = zip.as_mut() else { return Ok(None) };
        let wanted = format!("Sources/{}", rest.trim_start_matches(['/', '\\']));
        match zip.find(&wanted) {
            Some(name) => utf8_text(zip.read(&name)?, &wanted).map(Some),
            None => Ok(None),
        }
    };
    if let Some(rest) = path.strip_prefix("internal://") {
        return Ok(match in_archive(zip, rest)? {
            Some(text) => Ok(text),
            None if zip.is_none() => Err(format!("its text {path:?} is not in the file")),
            None => {
                Err(format!("its text Sources/{} is missing from the archive", rest.trim_start_matches('/')))
            }
        });
    }
    let (candidates, looked): (Vec<PathBuf>, String) = if let Some(rest) = path.strip_prefix("relative://") {
        let rest = percent_decode(rest.trim_start_matches(['/', '\\']));
        let c: Vec<PathBuf> =
            [&origin.base, &origin.beside].into_iter().flatten().map(|d| d.join(&rest)).collect();
        let shown = c.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" or ");
        (
            c,
            if shown.is_empty() {
                "no base path to look under".into()
            } else {
                format!("looked for {shown}")
            },
        )
    } else if let Some(local) = local_path(path) {
        (vec![local.clone()], format!("looked for {}", local.display()))
    } else {
        return Ok(Err(format!("its text {path:?} is neither internal://, relative:// nor a file path")));
    };
    for c in &candidates {
        if let Some(text) = read_local(c)? {
            return Ok(Ok(text));
        }
    }
    if let Some(text) = in_archive(zip, file_name(path))? {
        return Ok(Ok(text));
    }
    Ok(Err(format!("its text {path:?} lies outside the archive and was not found ({looked})")))
}
