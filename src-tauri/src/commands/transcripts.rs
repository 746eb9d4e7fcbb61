//! Commands that move transcripts in and out of a session: a preview of a file before it is
//! imported, the import itself, and an export into a file chosen in the save dialog.

use rapport::transcript::{self, ExportFormat, ImportPreview, ImportReport};
use rapport::ApiError;
use tauri::State;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

const PICKED: Use = Use::Open(PickPurpose::Transcript);

#[tauri::command(async)]
pub fn transcript_preview(state: State<'_, AppState>, path: String) -> Result<ImportPreview, ApiError> {
    let path = state.checked_path(PICKED, &path)?;
    Ok(transcript::preview_file(&path)?)
}

#[tauri::command(async)]
pub fn transcript_import(
    state: State<'_, AppState>,
    session_id: i64,
    path: String,
) -> Result<ImportReport, ApiError> {
    let path = state.checked_path(PICKED, &path)?;
    state.write(|ws| transcript::import_file(ws.conn(), session_id, &path, None))
}

#[tauri::command(async)]
pub fn transcript_export(
    state: State<'_, AppState>,
    session_id: i64,
    format: ExportFormat,
    path: String,
) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::TranscriptExport), &path)?;
    state.with(|ws| transcript::export_to_file(ws.conn(), session_id, format, &path))?;
    Ok(path.to_string_lossy().into_owned())
}
