//! Commands of the Search screen: searching (the index is synced with the store first) and
//! saved searches.

use rapport::search::{self, SavedSearch, SearchOptions, SearchResults};
use rapport::ApiError;
use tauri::State;

use crate::AppState;

// Async (off the main thread): searches run as the user types.
#[tauri::command(async)]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    options: SearchOptions,
) -> Result<SearchResults, ApiError> {
    state.with_index(|_, index| index.search(&query, &options))
}

#[tauri::command]
pub fn saved_search_list(
    state: State<'_, AppState>,
    study_id: Option<i64>,
) -> Result<Vec<SavedSearch>, ApiError> {
    state.with(|ws| search::list_saved(ws.conn(), study_id))
}

#[tauri::command]
pub fn saved_search_save(
    state: State<'_, AppState>,
    study_id: Option<i64>,
    name: String,
    query: String,
) -> Result<i64, ApiError> {
    state.with(|ws| search::save_search(ws.conn(), study_id, &name, &query))
}

#[tauri::command]
pub fn saved_search_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.with(|ws| search::delete_saved(ws.conn(), id))
}
