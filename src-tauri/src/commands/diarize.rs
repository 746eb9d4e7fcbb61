//! Commands of diarization on the session page: a job that tells the speakers apart (and
//! its cancel), the speakers with their roles, moving a segment (or the rest of it from a
//! word) to another speaker, a recording's track, and the remembered voices.

use rapport::diarize::profiles::{self, VoiceProfile, VoiceSuggestion};
use rapport::diarize::{self, DiarizeOptions, DiarizedSpeaker, Method};
use rapport::transcript::{self, SegmentDetail};
use rapport::ApiError;
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;
use crate::AppState;

#[tauri::command]
pub fn diarize_start(
    state: State<'_, AppState>,
    session_id: i64,
    speakers: Option<u32>,
    method: Method,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let opts = DiarizeOptions { speakers: speakers.map(|n| n as usize), method, ..Default::default() };
    state.start_workspace_job(on_event, move |ws, sink, cancel| {
        diarize::diarize(ws, session_id, &opts, sink, cancel)
    })
}

#[tauri::command]
pub fn diarize_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}

#[tauri::command]
pub fn diarized_speakers(
    state: State<'_, AppState>,
    session_id: i64,
) -> Result<Vec<DiarizedSpeaker>, ApiError> {
    state.with(|ws| diarize::speakers(ws.conn(), session_id))
}

#[tauri::command]
pub fn segment_reassign(
    state: State<'_, AppState>,
    id: i64,
    from_word: Option<u32>,
    speaker: String,
) -> Result<SegmentDetail, ApiError> {
    state.write(|ws| {
        transcript::assign::move_to_speaker(ws.conn(), id, from_word.map(|k| k as usize), &speaker)
    })
}

#[tauri::command]
pub fn recording_set_track(
    state: State<'_, AppState>,
    id: i64,
    track: Option<String>,
    offset_ms: i64,
) -> Result<(), ApiError> {
    state.write(|ws| diarize::set_track(ws.conn(), id, track.as_deref(), offset_ms))
}

#[tauri::command]
pub fn voice_list(state: State<'_, AppState>) -> Result<Vec<VoiceProfile>, ApiError> {
    state.with(|ws| profiles::list(ws.conn()))
}

#[tauri::command]
pub fn voice_remember(
    state: State<'_, AppState>,
    session_id: i64,
    speaker: String,
    name: Option<String>,
) -> Result<VoiceProfile, ApiError> {
    state.write(|ws| profiles::remember(ws.conn(), session_id, &speaker, name.as_deref()))
}

#[tauri::command]
pub fn voice_forget(state: State<'_, AppState>, name: String) -> Result<(), ApiError> {
    state.write(|ws| profiles::forget(ws.conn(), &name))
}

#[tauri::command]
pub fn voice_suggestions(
    state: State<'_, AppState>,
    session_id: i64,
) -> Result<Vec<VoiceSuggestion>, ApiError> {
    state.with(|ws| profiles::suggestions(ws.conn(), session_id))
}
