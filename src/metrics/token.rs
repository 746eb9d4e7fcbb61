//! The bearer token for a Prometheus server: `RAPPORT_PROMETHEUS_TOKEN` when set, else the
//! one kept in the OS keyring for that server (macOS Keychain, Windows Credential Manager, the
//! Linux kernel's session keyring through keyutils), under the service `rapport-prometheus`
//! and the server's origin (`scheme://host:port`) as the user. The token never goes into the
//! workspace.

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

/// Keeps a token for the server in the OS keyring.
pub fn set(url: &str, token: &str) -> Result<()> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::invalid("token", "expected a token, found an empty line"));
    }
    entry(url)?.set_password(token).map_err(keyring_error)
}

/// Removes the server's token from the keyring; false when there was none.
pub fn delete(url: &str) -> Result<bool> {
    match entry(url)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }
}

/// Whether the keyring holds a token for the server.
pub fn stored(url: &str) -> Result<bool> {
    match entry(url)?.get_password() {
        Ok(_) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }
}

/// The token to send: the environment's, else the keyring's, else none. A keyring that cannot
/// be reached is no token (the server then says whether it wants one).
pub fn for_url(url: &str) -> Option<String> {
    if let Some(t) = std::env::var(ENV).ok().filter(|t| !t.trim().is_empty()) {
        return Some(t.trim().to_string());
    }
    entry(url).ok()?.get_password().ok()
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
