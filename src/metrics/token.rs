//! The bearer token for a Prometheus server: `RAPPORT_PROMETHEUS_TOKEN` when set, else the
//! one kept in the OS keyring for that server (macOS Keychain, Windows Credential Manager, the
//! Linux kernel's session keyring through keyutils), under the service `rapport-prometheus`
//! and the server's origin (`scheme://host:port`) as the user. The token never goes into the
//! workspace, the logs or an export.
//!
//! Where no keyring service answers (a headless machine, a container), the token is kept in
//! a file readable by its owner only (mode 0600): `$RAPPORT_TOKEN_FILE`, else
//! `<OS data dir>/Rapport/tokens.json` (origin → token), with a warning on stderr saying so.
//! Reading and deleting look in both places.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};

const SERVICE: &str = "rapport-prometheus";
/// The environment variable that overrides the keyring.
pub const ENV: &str = "RAPPORT_PROMETHEUS_TOKEN";

/// The origin of a server URL: what a token is kept under.
pub fn origin(url: &str) -> Result<String> {
    let u = reqwest::Url::parse(url.trim()).map_err(|e| Error::invalid("--url", format!("{url:?}: {e}")))?;
    let host = u.host_str().ok_or_else(|| Error::invalid("--url", format!("{url:?} has no host")))?;
    Ok(match u.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    })
}

fn entry(url: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &origin(url)?).map_err(keyring_error)
}

fn keyring_error(e: keyring::Error) -> Error {
    Error::io("OS keyring", std::io::Error::other(e.to_string()))
}

/// The environment variable naming the fallback token file.
pub const FILE_ENV: &str = "RAPPORT_TOKEN_FILE";

/// Where tokens are kept when no keyring service answers.
pub fn fallback_file() -> PathBuf {
    match std::env::var_os(FILE_ENV).filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("Rapport").join("tokens.json"),
    }
}

fn read_file() -> BTreeMap<String, String> {
    std::fs::read_to_string(fallback_file())
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Writes the fallback file whole, owner-only (0600) from its creation on.
fn write_file(tokens: &BTreeMap<String, String>) -> Result<()> {
    let path = fallback_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension("json.part");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).map_err(|e| Error::io(&tmp, e))?;
    std::io::Write::write_all(&mut f, serde_json::to_string_pretty(tokens).expect("serialises").as_bytes())
        .map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

/// Where [`set`] kept a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    Keyring,
    /// No keyring service answered: the owner-only file.
    File(PathBuf),
}

/// Keeps a token for the server in the OS keyring, or, when no keyring service answers, in
/// the owner-only fallback file (with a warning on stderr).
pub fn set(url: &str, token: &str) -> Result<Kept> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::invalid("token", "expected a token, found an empty line"));
    }
    let origin = origin(url)?;
    match entry(url).and_then(|e| e.set_password(token).map_err(keyring_error)) {
        Ok(()) => {
            // One place only: drop an older copy from the fallback file.
            let mut tokens = read_file();
            if tokens.remove(&origin).is_some() {
                write_file(&tokens)?;
            }
            Ok(Kept::Keyring)
        }
        Err(e) => {
            let mut tokens = read_file();
            tokens.insert(origin, token.to_string());
            write_file(&tokens)?;
            let path = fallback_file();
            eprintln!(
                "rapport: warning: no OS keyring service answered ({e}); the token is kept in {} (readable by you only)",
                path.display()
            );
            Ok(Kept::File(path))
        }
    }
}

/// Removes the server's token from the keyring and the fallback file; false when there was
/// none.
pub fn delete(url: &str) -> Result<bool> {
    let mut tokens = read_file();
    let in_file = tokens.remove(&origin(url)?).is_some();
    if in_file {
        write_file(&tokens)?;
    }
    match entry(url).and_then(|e| match e.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }) {
        Ok(in_keyring) => Ok(in_keyring || in_file),
        Err(_) if in_file => Ok(true),
        Err(e) => Err(e),
    }
}

/// Whether the keyring (or the fallback file) holds a token for the server.
pub fn stored(url: &str) -> Result<bool> {
    if read_file().contains_key(&origin(url)?) {
        return Ok(true);
    }
    match entry(url)?.get_password() {
        Ok(_) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }
}

/// The token to send: the environment's, else the keyring's, else the fallback file's, else
/// none. A keyring that cannot be reached is no token (the server then says whether it
/// wants one).
pub fn for_url(url: &str) -> Option<String> {
    if let Some(t) = std::env::var(ENV).ok().filter(|t| !t.trim().is_empty()) {
        return Some(t.trim().to_string());
    }
    if let Some(t) = entry(url).ok().and_then(|e| e.get_password().ok()) {
        return Some(t);
    }
    read_file().remove(&origin(url).ok()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_is_kept_under_the_servers_origin() {
        assert_eq!(
            super::origin("http://prom.example.com:9090/api/").unwrap(),
            "http://prom.example.com:9090"
        );
        assert_eq!(super::origin("https://prom.example.com").unwrap(), "https://prom.example.com:443");
        assert!(super::origin("not a url").is_err());
    }
}
