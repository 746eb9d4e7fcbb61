//! Commands of the Sessions screens: lists, the session page and its transcript, and
//! creating, editing and deleting sessions.

use rapport::guide::{self, GuideVersionRef};
use rapport::session::{self, DeletePlan, SessionDetail, SessionInput, SessionSummary};
use rapport::transcript::speakers::SpeakerMerge;
use rapport::transcript::{self, SegmentDetail, SpeakerView};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub fn session_list(
    state: State<'_, AppState>,
    study_id: Option<i64>,
) -> Result<Vec<SessionSummary>, ApiError> {
    state.with(|ws| session::list(ws.conn(), study_id))
}

#[tauri::command]
pub fn session_detail(state: State<'_, AppState>, id: i64) -> Result<SessionDetail, ApiError> {
    state.with(|ws| session::detail(ws.conn(), id))
}

#[tauri::command]
pub fn transcript_segments(
    state: State<'_, AppState>,
    session_id: i64,
) -> Result<Vec<SegmentDetail>, ApiError> {
    state.with(|ws| transcript::segment_details(ws.conn(), session_id))
}

#[tauri::command]
pub fn segment_edit(state: State<'_, AppState>, id: i64, text: String) -> Result<SegmentDetail, ApiError> {
    state.write(|ws| transcript::edit_segment(ws.conn(), id, &text))
}

#[tauri::command]
pub fn speaker_list(state: State<'_, AppState>, session_id: i64) -> Result<Vec<SpeakerView>, ApiError> {
    state.with(|ws| transcript::list_speakers(ws.conn(), session_id))
}

#[tauri::command]
pub fn speaker_rename(
    state: State<'_, AppState>,
    session_id: i64,
    speaker: String,
    name: String,
) -> Result<SpeakerView, ApiError> {
    state.write(|ws| transcript::rename_speaker(ws.conn(), session_id, &speaker, &name))
}

#[tauri::command]
pub fn speaker_merge(
    state: State<'_, AppState>,
    session_id: i64,
    from: String,
    into: String,
) -> Result<SpeakerMerge, ApiError> {
    state.write(|ws| transcript::merge_speakers(ws.conn(), session_id, &from, &into))
}

#[tauri::command]
pub fn speaker_link(
    state: State<'_, AppState>,
    session_id: i64,
    speaker: String,
    person_id: i64,
) -> Result<(), ApiError> {
    state.write(|ws| transcript::link_speaker(ws.conn(), session_id, &speaker, person_id))
}

#[tauri::command]
pub fn session_create(
    state: State<'_, AppState>,
    study_id: i64,
    input: SessionInput,
) -> Result<i64, ApiError> {
    state.write(|ws| session::create_with(ws.conn(), study_id, &input))
}

#[tauri::command]
pub fn session_update(
    state: State<'_, AppState>,
    id: i64,
    input: SessionInput,
) -> Result<SessionSummary, ApiError> {
    state.write(|ws| session::update(ws.conn(), id, &input))
}

#[tauri::command]
pub fn session_delete_plan(state: State<'_, AppState>, id: i64) -> Result<DeletePlan, ApiError> {
    state.with(|ws| session::delete_plan(ws.conn(), id))
}

/// Deletes the session and, in the same operation, its documents in the search index.
#[tauri::command]
pub fn session_delete(state: State<'_, AppState>, id: i64) -> Result<DeletePlan, ApiError> {
    state.write(|ws| session::delete(ws.conn(), &ws.media_dir(), id))
}

#[tauri::command]
pub fn guide_versions(state: State<'_, AppState>, study_id: i64) -> Result<Vec<GuideVersionRef>, ApiError> {
    state.with(|ws| guide::versions_for_study(ws.conn(), study_id))
}
