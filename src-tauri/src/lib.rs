//! Rapport's desktop shell: set-up, plugins and one handler list. Every command is a few
//! lines in `commands/` that call one core function in the `rapport` crate; no logic
//! lives here. See ARCHITECTURE.md.

pub mod bindings;
pub mod boot;
pub mod commands;
pub mod instance;
mod jobs;
pub mod paths;
mod state;

use std::path::PathBuf;

pub use state::AppState;
use tauri::Manager;

use crate::paths::{PickPurpose, Use};

/// The app's command-line options: `--workspace DIR` opens that folder (a missing one is made
/// and filled with the demo study) instead of the default workspace.
pub fn workspace_arg(mut args: impl Iterator<Item = std::ffi::OsString>) -> Option<PathBuf> {
    while let Some(arg) = args.next() {
        if arg == "--workspace" {
            return args.next().map(PathBuf::from);
        }
        if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--workspace=")) {
            return Some(PathBuf::from(dir));
        }
    }
    None
}

/// Starts the app on the workspace of `--workspace DIR`, else the default one (created with
/// the demo data on first run).
pub fn run() {
    startup_mark("main");
    let dir = workspace_arg(std::env::args_os().skip(1)).unwrap_or_else(rapport::Workspace::default_dir);
    let state = AppState::open(Some(dir.clone()));
    let boot = boot::script(&state);
    startup_mark("workspace_open");
    let context = tauri::generate_context!();
    let identifier = context.config().identifier.clone();
    tauri::Builder::default()
        // First: a second launch on this workspace hands its link over and leaves here.
        .plugin(instance::single_instance(&identifier, &dir))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(navigation_guard())
        .plugin(boot::plugin(boot))
        .manage(state)
        .setup(|app| {
            // The first screen paints from the store; the search index is opened once it has
            // (`ui_ready`), or by the first search if that comes sooner.
            let state = app.state::<AppState>();
            state.attach_app(app.handle().clone());
            state.start_media_server()?;
            startup_mark("setup");
            Ok(())
        })
        .on_window_event(|window, event| {
            // A drop is the user's own choice of files: the session page may add them.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                let state = window.state::<AppState>();
                let mut picked = state.picked();
                for path in paths {
                    picked.allow(Use::Open(PickPurpose::Recording), path);
                    picked.allow(Use::Open(PickPurpose::Transcript), path);
                }
            }
        })
        .invoke_handler(handler())
        .run(context)
        .expect("error while running the Rapport window");
}

/// Keeps every webview on the app's own pages: a navigation anywhere else (a link, a
/// redirect, a script setting `location`) is refused, so no remote content is ever loaded in
/// the window.
fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard").on_navigation(|_, url| app_page(url)).build()
}

/// True for the app's own pages: `tauri://localhost` (Linux, macOS), `http(s)://tauri.localhost`
/// (Windows, Android), and, in a build without the embedded UI, the dev server on localhost.
pub fn app_page(url: &tauri::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "tauri" => host == "localhost",
        "about" => url.path() == "blank",
        "http" | "https" if host == "tauri.localhost" => true,
        "http" => !cfg!(feature = "custom-protocol") && host == "localhost" && url.port() == Some(1420),
        _ => false,
    }
}

/// With `RAPPORT_PAINT_MARK` set, prints a moment of the start-up for `scripts/bench app`.
pub fn startup_mark(name: &str) {
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        eprintln!("rapport-desktop: mark {name} unix_ms={ms}");
    }
}

/// The invoke handler: every command of the table, and in the e2e build the dialog seam.
fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
    let app = commands::handler();
    #[cfg(feature = "e2e")]
    {
        let seam: Box<dyn Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync> =
            Box::new(tauri::generate_handler![commands::dialogs::e2e_dialog_answer]);
        move |invoke: tauri::ipc::Invoke<tauri::Wry>| {
            if invoke.message.command() == "e2e_dialog_answer" {
                seam(invoke)
            } else {
                app(invoke)
            }
        }
    }
    #[cfg(not(feature = "e2e"))]
    app
}

#[cfg(test)]
mod tests {
    use super::app_page;

    #[test]
    fn the_window_may_navigate_only_to_the_apps_own_pages() {
        let ok = |u: &str| app_page(&tauri::Url::parse(u).unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/"));
        assert!(ok("about:blank"));
        for remote in [
            "https://example.com/",
            "http://127.0.0.1:8080/x",
            "tauri://evil.example/",
            "file:///etc/passwd",
            "mailto:someone@example.com",
            "http://localhost.example.com:1420/",
        ] {
            assert!(!ok(remote), "{remote} must not load in the window");
        }
    }
}
