//! Commands that open, create and describe the workspace.

use rapport::workspace::WorkspaceInfo;
use rapport::{ApiError, Error, Workspace};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub fn workspace_info(state: State<'_, AppState>) -> Result<WorkspaceInfo, ApiError> {
    let demo_created = state.demo_created();
    state.with(|ws| ws.info(demo_created))
}

#[tauri::command]
pub fn workspace_open(state: State<'_, AppState>, path: String) -> Result<WorkspaceInfo, ApiError> {
    let ws = Workspace::open(path.as_ref())?;
    let info = ws.info(false)?;
    state.switch(ws);
    Ok(info)
}

#[tauri::command]
pub fn workspace_create_empty(state: State<'_, AppState>, path: String) -> Result<WorkspaceInfo, ApiError> {
    if Workspace::exists(path.as_ref()) {
        return Err(Error::AlreadyExists { what: "workspace", key: path }.into());
    }
    let ws = Workspace::create(path.as_ref())?;
    let info = ws.info(false)?;
    state.switch(ws);
    Ok(info)
}
