//! Commands of the Insights screen.

use rapport::insights::{self, InsightsSummary};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub fn insights_summary(state: State<'_, AppState>) -> Result<InsightsSummary, ApiError> {
    state.with(|ws| insights::summary(ws.conn()))
}
