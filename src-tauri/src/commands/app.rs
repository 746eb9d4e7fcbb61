//! Commands about the window itself.

use rapport::ApiError;
use tauri::State;

use crate::AppState;

/// The UI calls this once, when the first screen with data has painted: the search index is
/// opened and synced then, in the background, so it never slows the first paint, and the app
/// registers itself as the desktop's handler of `rapport://` links (see `instance`). With
/// `RAPPORT_PAINT_MARK` set, the time is printed for `scripts/bench app` (time to first paint),
/// with the UI's own marks of the start-up (name, Unix time in ms: the page's navigation, the
/// script running, each first answer) so the benchmark can say where the time goes.
// Off the main thread: at start-up WebKit keeps that thread busy, and the first screen waits
// for this answer.
#[tauri::command(async)]
pub fn ui_ready(state: State<'_, AppState>, marks: Vec<(String, f64)>) -> Result<(), ApiError> {
    state.warm_index();
    if let Ok(app) = state.app() {
        crate::instance::register_url_scheme(app);
    }
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        for (name, at) in &marks {
            eprintln!("rapport-desktop: mark {name} unix_ms={at:.0}");
        }
        eprintln!("rapport-desktop: first paint unix_ms={ms}");
    }
    Ok(())
}

/// Opens a link to the outside (`mailto:`, `https://`, `http://`) with the system's own handler
/// (the mail program, the browser); the window itself never leaves the app's pages.
#[tauri::command]
pub fn open_external(_state: State<'_, AppState>, url: String) -> Result<(), ApiError> {
    let url = rapport::links::external(&url)?;
    tauri_plugin_opener::open_url(&url, None::<&str>)
        .map_err(|e| rapport::Error::Internal(format!("the system could not open {url}: {e}")).into())
}
