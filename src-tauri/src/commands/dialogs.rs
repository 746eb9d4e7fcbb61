//! Commands that show the native file dialogs. The paths they return are remembered as the
//! user's own (see `crate::paths`), so the commands that take a path accept them.

use rapport::ApiError;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

// Async (off the main thread): the dialog blocks until the user answers.
#[tauri::command(async)]
pub fn dialog_open(state: State<'_, AppState>, purpose: PickPurpose) -> Result<Option<String>, ApiError> {
    let picked = match state.picked().take_answer() {
        Some(answer) => answer,
        None => {
            let (title, filter) = purpose.dialog();
            let mut dialog = state.app()?.dialog().file().set_title(title);
            if let Some((name, exts)) = filter {
                dialog = dialog.add_filter(name, exts);
            }
            let chosen =
                if filter.is_none() { dialog.blocking_pick_folder() } else { dialog.blocking_pick_file() };
            chosen.and_then(|p| p.into_path().ok())
        }
    };
    Ok(picked.map(|path| {
        state.picked().allow(Use::Open(purpose), &path);
        path.to_string_lossy().into_owned()
    }))
}

#[tauri::command(async)]
pub fn dialog_save(
    state: State<'_, AppState>,
    purpose: SavePurpose,
    suggested_name: String,
) -> Result<Option<String>, ApiError> {
    let picked = match state.picked().take_answer() {
        Some(answer) => answer,
        None => state
            .app()?
            .dialog()
            .file()
            .set_title(match purpose {
                SavePurpose::TranscriptExport => "Save the transcript",
                SavePurpose::Chart => "Save the chart",
            })
            .set_file_name(suggested_name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok()),
    };
    Ok(picked.map(|path| {
        state.picked().allow(Use::Save(purpose), &path);
        path.to_string_lossy().into_owned()
    }))
}

/// (e2e build only) Queues the path the next dialog returns; null answers as a cancel.
#[cfg(feature = "e2e")]
#[tauri::command]
pub fn e2e_dialog_answer(state: State<'_, AppState>, path: Option<String>) -> Result<(), ApiError> {
    state.picked().queue_answer(path.map(std::path::PathBuf::from));
    Ok(())
}
