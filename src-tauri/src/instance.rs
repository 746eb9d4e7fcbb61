//! One running app per workspace, and `rapport://` links from the desktop.
//!
//! A second launch on a workspace that a running app already has open (a `rapport://` link
//! clicked in a browser or a chat, which the desktop hands to `rapport-desktop URL`; `rapport
//! open URL`; or starting the app again) finds the first over the D-Bus session bus
//! (tauri-plugin-single-instance, under a name made from the workspace's folder), hands it its
//! arguments and exits. The first brings its window forward and opens the link: it emits
//! [`LINK_EVENT`], which the UI answers as it answers the link of its own launch. Keying the
//! name on the workspace lets two windows show two workspaces, and keeps apps started on
//! different workspaces (as the end-to-end tests do, one after another) out of each other's
//! way. Without a session bus every launch opens its own window.
//!
//! The desktop learns that `rapport://` links are the app's from tauri-plugin-deep-link: the
//! scheme is in `tauri.conf.json` (the `.deb` bundle's desktop entry carries it), and each
//! start also registers the running binary (a `rapport-desktop-handler.desktop` entry in
//! `$XDG_DATA_HOME/applications`, made the default for `x-scheme-handler/rapport` with
//! `xdg-mime`), after the first paint, so an unpackaged build answers links too.

use std::path::Path;

use sha2::{Digest, Sha256};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the window gets when a later launch hands over a link; its payload is the URL.
pub const LINK_EVENT: &str = "open-link";

/// The link in a launch's arguments (the program's name left out): `--open URL` (from
/// `rapport open URL`), `--open=URL`, or a bare `rapport://…` argument (how the desktop calls
/// the handler of a URL scheme).
pub fn link_arg<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Option<String> {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let a = a.as_ref();
        if a == "--open" {
            return args.next().map(|u| u.as_ref().to_string());
        }
        if let Some(url) = a.strip_prefix("--open=") {
            return Some(url.to_string());
        }
        if a.starts_with("rapport://") {
            return Some(a.to_string());
        }
    }
    None
}

/// The D-Bus id of the app running on `workspace`: the app's identifier and a digest of the
/// folder's canonical path (each element of a bus name must start with a letter).
pub fn instance_id(identifier: &str, workspace: &Path) -> String {
    let canonical = workspace.canonicalize().unwrap_or_else(|_| workspace.to_path_buf());
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{identifier}.w{hex}")
}

/// The single-instance plugin for the app started on `workspace`; register it before every
/// other plugin, so a second launch leaves before it sets anything up.
pub fn single_instance<R: Runtime>(identifier: &str, workspace: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(identifier, workspace))
        .callback(|app, argv, _cwd| on_second_launch(app, argv))
        .build()
}

/// A later launch on this workspace: bring the window forward and open its link, if any.
fn on_second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(url) = link_arg(argv.iter().skip(1)) {
        if let Err(e) = app.emit(LINK_EVENT, url) {
            eprintln!("rapport-desktop: could not hand a link to the window: {e}");
        }
    }
}

/// Makes this binary the desktop's handler of `rapport://` links, on a thread of its own
/// (it runs `xdg-mime`); a desktop without xdg-utils only loses the registration.
pub fn register_url_scheme<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(any(target_os = "linux", windows))]
    {
        use tauri_plugin_deep_link::DeepLinkExt;
        let app = app.clone();
        std::thread::spawn(move || {
            if let Err(e) = app.deep_link().register_all() {
                eprintln!("rapport-desktop: rapport:// links are not registered with the desktop: {e}");
            }
        });
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = app;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_arg_finds_open_flag_bare_url_and_nothing_else() {
        assert_eq!(
            link_arg(["--workspace", "/w", "--open", "rapport://study/2"]),
            Some("rapport://study/2".into())
        );
        assert_eq!(link_arg(["--open=rapport://finding/4"]), Some("rapport://finding/4".into()));
        assert_eq!(link_arg(["rapport://session/1?t=20"]), Some("rapport://session/1?t=20".into()));
        assert_eq!(link_arg(["--workspace", "/w"]), None);
        assert_eq!(link_arg(["--open"]), None);
    }

    #[test]
    fn instance_id_is_a_bus_name_that_differs_per_workspace_and_not_per_spelling() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let id = instance_id("dev.rapport.desktop", a.path());
        assert!(id.starts_with("dev.rapport.desktop.w"));
        assert!(id.split('.').all(|e| e.chars().next().is_some_and(|c| c.is_ascii_alphabetic())));
        assert_ne!(id, instance_id("dev.rapport.desktop", b.path()));
        // The same folder named another way is the same instance.
        assert_eq!(id, instance_id("dev.rapport.desktop", &a.path().join(".")));
    }
}
