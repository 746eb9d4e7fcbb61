//! Commands of the Models screen: the whisper models folder, downloads (a job with progress
//! and cancel) and imports.

use rapport::models::advice::{self, Recommendation};
use rapport::models::vad::VadInfo;
use rapport::models::{self, ModelInfo};
use rapport::ApiError;
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;
use crate::paths::{PickPurpose, Use};
use crate::AppState;

// Async (off the main thread): it reads every installed model's header.
#[tauri::command(async)]
pub fn model_list(_state: State<'_, AppState>) -> Result<Vec<ModelInfo>, ApiError> {
    Ok(models::list(&models::models_dir())?)
}

// Async (off the main thread): it walks the model file.
#[tauri::command(async)]
pub fn model_vad(_state: State<'_, AppState>) -> Result<VadInfo, ApiError> {
    Ok(models::vad::info(&models::models_dir()))
}

// Async (off the main thread): it reads the model file.
#[tauri::command(async)]
pub fn model_voice_encoder(_state: State<'_, AppState>) -> Result<VadInfo, ApiError> {
    Ok(models::voice::info(&models::models_dir()))
}

#[tauri::command]
pub fn model_recommendation(_state: State<'_, AppState>) -> Result<Recommendation, ApiError> {
    let (cores, memory_mib) = advice::this_machine();
    Ok(advice::recommend(cores, memory_mib))
}

#[tauri::command]
pub fn model_download_start(
    state: State<'_, AppState>,
    name: String,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    Ok(state.start_job(on_event, move |sink, cancel| {
        models::download(&name, &models::base_url_for(&name), &models::models_dir(), sink, cancel)
    }))
}

#[tauri::command]
pub fn model_download_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}

// Async (off the main thread): it copies a file of up to a few GB.
#[tauri::command(async)]
pub fn model_import(state: State<'_, AppState>, path: String) -> Result<ModelInfo, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::Model), &path)?;
    Ok(models::import(&path, &models::models_dir())?)
}
