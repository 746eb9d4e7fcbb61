//! Commands of the Studies and Findings screens.

use rapport::coding::{self, TagCount};
use rapport::finding::{self, FindingSummary};
use rapport::study::{self, StudyOverview, StudySummary};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

#[tauri::command]
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
