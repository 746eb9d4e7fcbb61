//! Commands of the Sessions screens: lists, the session page, its player and its transcript.

use rapport::media;
use rapport::session::{self, SessionDetail, SessionSummary};
use rapport::transcript::speakers::SpeakerMerge;
use rapport::transcript::{self, SegmentDetail, SpeakerView};
use rapport::{ApiError, Error};
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
pub fn recording_source(state: State<'_, AppState>, id: i64) -> Result<String, ApiError> {
    let path = state.with(|ws| media::recording_path(ws.conn(), &ws.media_dir(), id))?;
    if !path.is_file() {
        return Err(Error::not_found("recording file", path.display()).into());
    }
    if !state.media_readable(&path) {
        return Err(Error::invalid(
            path.display().to_string(),
            "the window may not read this workspace's recordings any more (it was left earlier in this run); \
             restart Rapport to play them",
        )
        .into());
    }
    Ok(path.to_string_lossy().into_owned())
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
