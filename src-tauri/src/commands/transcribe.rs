//! Commands of transcription on the session page: a job that transcribes a session's
//! recording with an installed model (progress, live segments and the end on a channel) and
//! its cancel. The job opens its own connection to the workspace, so the app keeps reading
//! while whisper runs; the transcript is stored at the very end, and a cancelled run leaves
//! the session as it was.

use rapport::progress::Outcome;
use rapport::transcribe::{self, Target, TranscribeOptions};
use rapport::{models, ApiError, Workspace};
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::{last_event, ChannelProgress, JobEvent};
use crate::AppState;

#[tauri::command]
pub fn transcribe_start(
    state: State<'_, AppState>,
    session_id: i64,
    model: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let opts = TranscribeOptions::new(models::resolve(&model)?);
    let root = state.root()?;
    let state = state.inner().clone();
    let (job, cancel) = state.jobs().register();
    tauri::async_runtime::spawn_blocking(move || {
        let sink = ChannelProgress::new(on_event);
        let result = Workspace::open(&root).and_then(|mut ws| {
            transcribe::transcribe(&mut ws, Target::Session(session_id), &opts, &sink, &cancel)
        });
        state.jobs().finish(job);
        if matches!(result, Ok(Outcome::Done(_))) {
            state.sync_index();
        }
        sink.send(last_event(result));
    });
    Ok(job)
}

#[tauri::command]
pub fn transcribe_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}
