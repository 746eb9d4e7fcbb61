//! Commands of the People screen.

use rapport::people::{self, PersonSummary};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub fn people_list(state: State<'_, AppState>) -> Result<Vec<PersonSummary>, ApiError> {
    state.with(|ws| people::list(ws.conn()))
}
