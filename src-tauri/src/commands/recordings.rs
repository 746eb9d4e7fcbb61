//! Commands of a session's recordings: adding one (a job: decoding and copying show
//! progress and can be cancelled; a file that does not decode stores nothing) and the URL the
//! player streams it from (the loopback media server, `rapport::media::http`).

use rapport::{media, ApiError, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;
use crate::paths::{PickPurpose, Use};
use crate::AppState;

#[tauri::command]
pub fn recording_add_start(
    state: State<'_, AppState>,
    session_id: i64,
    path: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::Recording), &path)?;
    state.start_workspace_job(on_event, move |ws, sink, cancel| {
        let tx = ws.conn().unchecked_transaction()?;
        let out = media::add_recording_file_with(&tx, &ws.media_dir(), session_id, &path, sink, cancel)?;
        tx.commit()?;
        Ok(out)
    })
}

#[tauri::command]
pub fn recording_add_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}

#[tauri::command]
pub fn recording_source(state: State<'_, AppState>, id: i64) -> Result<String, ApiError> {
    let path = state.with(|ws| media::recording_path(ws.conn(), &ws.media_dir(), id))?;
    if !path.is_file() {
        return Err(Error::not_found("recording file", path.display()).into());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    state.media_url(&name)
}
