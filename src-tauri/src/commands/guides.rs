//! Commands of the guide editor, run mode, the answers matrix, study notes and links.

use rapport::guide::diff::{self, GuideDiff};
use rapport::guide::lint::{self, LintReport};
use rapport::guide::run::{self, AnswersMatrix, QuestionCheck, RunView};
use rapport::guide::{self, GuideDoc, GuideSummary, GuideVersionDetail, SaveOutcome};
use rapport::links::{self, LinkTarget};
use rapport::notes::{self, NotesFormat, StudyNotes};
use rapport::session::{self, Note};
use rapport::ApiError;
use tauri::State;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

#[tauri::command]
pub fn guide_list(state: State<'_, AppState>, study_id: Option<i64>) -> Result<Vec<GuideSummary>, ApiError> {
    state.with(|ws| guide::list(ws.conn(), study_id))
}

#[tauri::command]
pub fn guide_version(state: State<'_, AppState>, version_id: i64) -> Result<GuideVersionDetail, ApiError> {
    state.with(|ws| guide::version_detail(ws.conn(), version_id))
}

#[tauri::command]
pub fn guide_create(state: State<'_, AppState>, study_id: i64, title: String) -> Result<i64, ApiError> {
    state.write(|ws| guide::create(ws.conn(), study_id, &title))
}

#[tauri::command]
pub fn guide_save(state: State<'_, AppState>, guide_id: i64, doc: GuideDoc) -> Result<SaveOutcome, ApiError> {
    state.write(|ws| guide::save(ws.conn(), guide_id, &doc))
}

#[tauri::command]
pub fn guide_delete(state: State<'_, AppState>, guide_id: i64) -> Result<i64, ApiError> {
    state.write(|ws| guide::delete(ws.conn(), guide_id))
}

#[tauri::command]
pub fn guide_lint(_state: State<'_, AppState>, doc: GuideDoc) -> Result<LintReport, ApiError> {
    Ok(lint::lint(&doc))
}

#[tauri::command]
pub fn guide_diff(
    state: State<'_, AppState>,
    from_version: i64,
    to_version: i64,
) -> Result<GuideDiff, ApiError> {
    state
        .with(|ws| Ok(diff::diff(&guide::doc(ws.conn(), from_version)?, &guide::doc(ws.conn(), to_version)?)))
}

#[tauri::command(async)]
pub fn guide_preview(state: State<'_, AppState>, path: String) -> Result<GuideDoc, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::Guide), &path)?;
    Ok(guide::read_file(&path)?)
}

#[tauri::command(async)]
pub fn guide_import(state: State<'_, AppState>, study_id: i64, path: String) -> Result<i64, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::Guide), &path)?;
    state.write(|ws| guide::import_file(ws.conn(), Some(study_id), &path))
}

#[tauri::command(async)]
pub fn guide_export(state: State<'_, AppState>, version_id: i64, path: String) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::GuideExport), &path)?;
    state.with(|ws| {
        let text = guide::format::write(&guide::doc(ws.conn(), version_id)?);
        std::fs::write(&path, text).map_err(|e| rapport::Error::io(&path, e))
    })?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub fn run_view(state: State<'_, AppState>, session_id: i64) -> Result<RunView, ApiError> {
    state.with(|ws| run::run_view(ws.conn(), session_id))
}

#[tauri::command]
pub fn run_check(
    state: State<'_, AppState>,
    session_id: i64,
    question_id: i64,
    at_ms: i64,
    done: bool,
) -> Result<Vec<QuestionCheck>, ApiError> {
    state.with(|ws| run::set_check(ws.conn(), session_id, question_id, at_ms, done))
}

#[tauri::command]
pub fn note_add(
    state: State<'_, AppState>,
    session_id: i64,
    at_ms: i64,
    text: String,
) -> Result<Vec<Note>, ApiError> {
    state.write(|ws| {
        session::add_note(ws.conn(), session_id, at_ms, &text)?;
        session::notes(ws.conn(), session_id)
    })
}

#[tauri::command]
pub fn note_update(
    state: State<'_, AppState>,
    id: i64,
    at_ms: i64,
    text: String,
) -> Result<Vec<Note>, ApiError> {
    state.write(|ws| session::update_note(ws.conn(), id, at_ms, &text))
}

#[tauri::command]
pub fn note_delete(state: State<'_, AppState>, id: i64) -> Result<Vec<Note>, ApiError> {
    state.write(|ws| session::delete_note(ws.conn(), id))
}

#[tauri::command(async)]
pub fn guide_answers(state: State<'_, AppState>, study_id: i64) -> Result<AnswersMatrix, ApiError> {
    state.with(|ws| run::answers(ws.conn(), study_id, None))
}

#[tauri::command]
pub fn study_notes(state: State<'_, AppState>, study_id: i64) -> Result<StudyNotes, ApiError> {
    state.with(|ws| notes::get(ws.conn(), study_id))
}

#[tauri::command]
pub fn study_notes_save(
    state: State<'_, AppState>,
    study_id: i64,
    text: String,
) -> Result<StudyNotes, ApiError> {
    state.with(|ws| notes::set(ws.conn(), study_id, &text))
}

#[tauri::command]
pub fn link_resolve(state: State<'_, AppState>, url: String) -> Result<LinkTarget, ApiError> {
    state.with(|ws| links::resolve(ws.conn(), &url))
}

/// The link the app was started with: `--open URL` (from `rapport open URL`), or a bare
/// `rapport://…` argument (how a desktop registers a URL handler calls it).
#[tauri::command]
pub fn launch_link(_state: State<'_, AppState>) -> Result<Option<String>, ApiError> {
    Ok(crate::instance::link_arg(std::env::args().skip(1)))
}

#[tauri::command(async)]
pub fn notes_export(
    state: State<'_, AppState>,
    session_id: i64,
    format: NotesFormat,
    path: String,
) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::NotesExport), &path)?;
    state.with(|ws| {
        let text = notes::export_session_notes(ws.conn(), session_id, format)?;
        std::fs::write(&path, text).map_err(|e| rapport::Error::io(&path, e))
    })?;
    Ok(path.to_string_lossy().into_owned())
}
