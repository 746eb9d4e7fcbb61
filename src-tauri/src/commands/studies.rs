//! Commands of the Studies and Findings screens: lists, the study page, and creating,
//! editing, archiving and deleting studies.

use rapport::coding::{self, TagCount};
use rapport::finding::{self, FindingSummary};
use rapport::session::DeletePlan;
use rapport::study::{self, StudyInput, StudyOverview, StudySummary};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

// Off the main thread: at start-up WebKit keeps that thread busy, and the first screen waits
// for this answer.
#[tauri::command(async)]
pub fn study_list(state: State<'_, AppState>) -> Result<Vec<StudySummary>, ApiError> {
    state.with(|ws| study::list(ws.conn()))
}

#[tauri::command]
pub fn study_overview(state: State<'_, AppState>, id: i64) -> Result<StudyOverview, ApiError> {
    state.with(|ws| study::overview(ws.conn(), id))
}

#[tauri::command]
pub fn finding_list(
    state: State<'_, AppState>,
    study_id: Option<i64>,
) -> Result<Vec<FindingSummary>, ApiError> {
    state.with(|ws| finding::list(ws.conn(), study_id))
}

#[tauri::command]
pub fn tag_counts(state: State<'_, AppState>, study_id: Option<i64>) -> Result<Vec<TagCount>, ApiError> {
    state.with(|ws| coding::tag_counts(ws.conn(), study_id))
}

#[tauri::command]
pub fn study_create(state: State<'_, AppState>, input: StudyInput) -> Result<i64, ApiError> {
    state
        .write(|ws| study::create(ws.conn(), &input.name, input.goal.as_deref(), input.started_at.as_deref()))
}

#[tauri::command]
pub fn study_update(
    state: State<'_, AppState>,
    id: i64,
    input: StudyInput,
) -> Result<StudySummary, ApiError> {
    state.write(|ws| study::update(ws.conn(), id, &input))
}

#[tauri::command]
pub fn study_set_archived(
    state: State<'_, AppState>,
    id: i64,
    archived: bool,
) -> Result<StudySummary, ApiError> {
    state.with(|ws| study::set_archived(ws.conn(), id, archived))
}

#[tauri::command]
pub fn study_delete_plan(state: State<'_, AppState>, id: i64) -> Result<DeletePlan, ApiError> {
    state.with(|ws| study::delete_plan(ws.conn(), id))
}

#[tauri::command]
pub fn study_delete(state: State<'_, AppState>, id: i64) -> Result<DeletePlan, ApiError> {
    state.write(|ws| study::delete(ws.conn(), &ws.media_dir(), id))
}
