//! Commands of highlighting, the codebook panel, the findings board, the export dialog and
//! the REFI-QDA import: each calls one core function.

use rapport::coding::codebook::{self, TagDeletePlan, TagInput, TagMerge, TagUsage, TagView};
use rapport::coding::highlights::{self, HighlightFilter, HighlightInput, HighlightRow};
use rapport::export::{self, ExportFormat, ExportOptions, ExportReport};
use rapport::finding::{self, FindingInput, FindingPatch, FindingSummary, LinkKind};
use rapport::import::{self, RefiImportReport};
use rapport::ApiError;
use tauri::State;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

#[tauri::command]
pub fn tag_list(state: State<'_, AppState>, study_id: Option<i64>) -> Result<Vec<TagView>, ApiError> {
    state.with(|ws| codebook::list(ws.conn(), study_id))
}

#[tauri::command]
pub fn tag_usage(state: State<'_, AppState>, id: i64, study_id: Option<i64>) -> Result<TagUsage, ApiError> {
    state.with(|ws| codebook::usage(ws.conn(), id, study_id))
}

#[tauri::command]
pub fn tag_add(state: State<'_, AppState>, input: TagInput) -> Result<TagView, ApiError> {
    state.write(|ws| codebook::add(ws.conn(), &input))
}

#[tauri::command]
pub fn tag_edit(
    state: State<'_, AppState>,
    id: i64,
    description: Option<String>,
    color: Option<String>,
) -> Result<TagView, ApiError> {
    state.write(|ws| codebook::edit(ws.conn(), id, description.as_deref(), color.as_deref()))
}

#[tauri::command]
pub fn tag_rename(state: State<'_, AppState>, id: i64, name: String) -> Result<TagView, ApiError> {
    state.write(|ws| codebook::rename(ws.conn(), id, &name))
}

#[tauri::command]
pub fn tag_move(state: State<'_, AppState>, id: i64, parent_id: Option<i64>) -> Result<TagView, ApiError> {
    state.write(|ws| codebook::move_to(ws.conn(), id, parent_id))
}

#[tauri::command]
pub fn tag_merge(state: State<'_, AppState>, from: i64, into: i64) -> Result<TagMerge, ApiError> {
    state.write(|ws| codebook::merge(ws.conn(), from, into))
}

#[tauri::command]
pub fn tag_delete_plan(state: State<'_, AppState>, id: i64) -> Result<TagDeletePlan, ApiError> {
    state.with(|ws| codebook::delete_plan(ws.conn(), id))
}

#[tauri::command]
pub fn tag_delete(state: State<'_, AppState>, id: i64) -> Result<TagDeletePlan, ApiError> {
    state.write(|ws| codebook::delete(ws.conn(), id))
}

#[tauri::command]
pub fn highlight_add(state: State<'_, AppState>, input: HighlightInput) -> Result<HighlightRow, ApiError> {
    state.write(|ws| highlights::add(ws.conn(), &input).and_then(|id| highlights::get(ws.conn(), id)))
}

#[tauri::command]
pub fn highlight_list(
    state: State<'_, AppState>,
    filter: HighlightFilter,
) -> Result<Vec<HighlightRow>, ApiError> {
    state.with(|ws| highlights::list(ws.conn(), &filter))
}

#[tauri::command]
pub fn highlight_update(
    state: State<'_, AppState>,
    id: i64,
    tags: Option<Vec<String>>,
    comment: Option<String>,
) -> Result<HighlightRow, ApiError> {
    state.write(|ws| highlights::update(ws.conn(), id, tags.as_deref(), comment.as_deref()))
}

#[tauri::command]
pub fn highlight_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.write(|ws| highlights::delete(ws.conn(), id))
}

#[tauri::command]
pub fn finding_create(
    state: State<'_, AppState>,
    study_id: i64,
    input: FindingInput,
) -> Result<FindingSummary, ApiError> {
    state.write(|ws| {
        finding::create_with(ws.conn(), study_id, &input).and_then(|id| finding::get(ws.conn(), id))
    })
}

#[tauri::command]
pub fn finding_update(
    state: State<'_, AppState>,
    id: i64,
    patch: FindingPatch,
) -> Result<FindingSummary, ApiError> {
    state.write(|ws| finding::update(ws.conn(), id, &patch))
}

#[tauri::command]
pub fn finding_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.write(|ws| finding::delete(ws.conn(), id))
}

#[tauri::command]
pub fn finding_evidence_add(
    state: State<'_, AppState>,
    id: i64,
    highlight_id: i64,
) -> Result<FindingSummary, ApiError> {
    state.write(|ws| {
        finding::add_evidence(ws.conn(), id, highlight_id).and_then(|_| finding::get(ws.conn(), id))
    })
}

#[tauri::command]
pub fn finding_evidence_remove(
    state: State<'_, AppState>,
    id: i64,
    highlight_id: i64,
) -> Result<FindingSummary, ApiError> {
    state.write(|ws| {
        finding::remove_evidence(ws.conn(), id, highlight_id).and_then(|_| finding::get(ws.conn(), id))
    })
}

#[tauri::command]
pub fn finding_link(
    state: State<'_, AppState>,
    id: i64,
    kind: LinkKind,
    value: String,
    linked: bool,
) -> Result<FindingSummary, ApiError> {
    state.write(|ws| {
        if linked {
            finding::link(ws.conn(), id, kind, &value)?;
        } else {
            finding::unlink(ws.conn(), id, kind, &value)?;
        }
        finding::get(ws.conn(), id)
    })
}

#[tauri::command(async)]
pub fn export_preview(
    state: State<'_, AppState>,
    study_id: i64,
    options: ExportOptions,
) -> Result<String, ApiError> {
    state.with(|ws| export::render_html(ws, study_id, &options))
}

#[tauri::command]
pub fn export_suggested_name(
    state: State<'_, AppState>,
    study_id: i64,
    format: ExportFormat,
    options: ExportOptions,
) -> Result<String, ApiError> {
    state.with(|ws| {
        Ok(export::suggested_name(&rapport::study::get(ws.conn(), study_id)?.name, format, &options))
    })
}

#[tauri::command(async)]
pub fn export_study(
    state: State<'_, AppState>,
    study_id: i64,
    format: ExportFormat,
    options: ExportOptions,
    path: String,
) -> Result<ExportReport, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::StudyExport), &path)?;
    state.with(|ws| export::export(ws, study_id, format, &options, Some(&path)))
}

fn is_qdc(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("qdc"))
}

#[tauri::command(async)]
pub fn refi_import(
    state: State<'_, AppState>,
    path: String,
    study_id: Option<i64>,
    dry_run: bool,
) -> Result<RefiImportReport, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::RefiProject), &path)?;
    let study = study_id.map(|id| id.to_string());
    state.write(|ws| {
        if is_qdc(&path) {
            import::import_qdc(ws.conn(), &path, dry_run)
        } else {
            import::import_qdpx(ws.conn(), &path, study.as_deref(), dry_run)
        }
    })
}
