//! Commands that open, create and describe the workspace. The folder comes from the folder
//! dialog (`dialog_open("workspace_folder")`): any other path is refused.

use rapport::workspace::WorkspaceInfo;
use rapport::{ApiError, Error, Workspace};
use tauri::State;

use crate::paths::{PickPurpose, Use};
use crate::AppState;

const FOLDER: Use = Use::Open(PickPurpose::WorkspaceFolder);

// Off the main thread: at start-up WebKit keeps that thread busy, and the first screen waits
// for this answer.
#[tauri::command(async)]
pub fn workspace_info(state: State<'_, AppState>) -> Result<WorkspaceInfo, ApiError> {
    let demo_created = state.demo_created();
    state.with(|ws| ws.info(demo_created))
}

#[tauri::command]
pub fn workspace_open(state: State<'_, AppState>, path: String) -> Result<WorkspaceInfo, ApiError> {
    let path = state.checked_path(FOLDER, &path)?;
    let ws = Workspace::open(&path)?;
    let info = ws.info(false)?;
    state.switch(ws);
    Ok(info)
}

#[tauri::command]
pub fn workspace_create_empty(state: State<'_, AppState>, path: String) -> Result<WorkspaceInfo, ApiError> {
    let path = state.checked_path(FOLDER, &path)?;
    if Workspace::exists(&path) {
        return Err(Error::AlreadyExists { what: "workspace", key: path.display().to_string() }.into());
    }
    let ws = Workspace::create(&path)?;
    let info = ws.info(false)?;
    state.switch(ws);
    Ok(info)
}
