//! Commands of the Sessions screens.

use rapport::session::{self, SessionDetail, SessionSummary};
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
