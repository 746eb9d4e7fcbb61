//! Commands about the window itself.

use rapport::ApiError;
use tauri::State;

use crate::AppState;

/// The UI calls this once, when the first screen with data has painted. With
/// `RAPPORT_PAINT_MARK` set, the time is printed for `scripts/bench app` (time to first paint).
#[tauri::command]
pub fn ui_ready(_state: State<'_, AppState>) -> Result<(), ApiError> {
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        eprintln!("rapport-desktop: first paint unix_ms={ms}");
    }
    Ok(())
}
