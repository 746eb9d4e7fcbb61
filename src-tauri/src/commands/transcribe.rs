//! Commands of transcription on the session page: a job that transcribes a session's
//! recording with an installed model (progress, live segments and the end on a channel) and
//! its cancel. The job opens its own connection to the workspace, so the app keeps reading
//! while whisper runs; the transcript is stored at the very end, and a cancelled run leaves
//! the session as it was.

use rapport::transcribe::{self, Target, TranscribeOptions};
use rapport::{models, ApiError};
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;
use crate::AppState;

#[tauri::command]
pub fn transcribe_start(
    state: State<'_, AppState>,
    session_id: i64,
    model: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let opts = TranscribeOptions::new(models::resolve(&model)?);
    state.start_workspace_job(on_event, move |ws, sink, cancel| {
        transcribe::transcribe(ws, Target::Session(session_id), &opts, sink, cancel)
    })
}

#[tauri::command]
pub fn transcribe_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}
