//! Backups from the window: the open workspace into one zip (the save dialog's path), and a
//! backup restored into a new or empty folder (the open and folder dialogs' paths), each a
//! job with progress and cancel; its report arrives as a `result` event before `done`.

use rapport::backup;
use rapport::ApiError;
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;
use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

#[tauri::command]
pub fn backup_start(
    state: State<'_, AppState>,
    path: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::Backup), &path)?;
    state.start_workspace_job(on_event, move |ws, sink, cancel| {
        let outcome = backup::backup(ws, &path, sink, cancel)?;
        sink.send_result(&outcome);
        Ok(outcome)
    })
}

#[tauri::command]
pub fn backup_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}

#[tauri::command]
pub fn restore_start(
    state: State<'_, AppState>,
    archive: String,
    to: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let archive = state.checked_path(Use::Open(PickPurpose::Backup), &archive)?;
    let to = state.checked_path(Use::Open(PickPurpose::WorkspaceFolder), &to)?;
    Ok(state.start_job(on_event, move |sink, cancel| {
        let outcome = backup::restore(&archive, &to, sink, cancel)?;
        sink.send_result(&outcome);
        Ok(outcome)
    }))
}

#[tauri::command]
pub fn restore_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}
