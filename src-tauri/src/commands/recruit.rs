//! Commands of the People, Recruit and Outreach screens: directory and audit imports (with a
//! dry-run preview), profiles, contact status, the recruit run and its screener check, the
//! outreach board, contact logging, invitation messages and `.ics` files.

use rapport::audit::{self, AuditImportOptions, MatchRule};
use rapport::deletion::{self, ForgetPlan};
use rapport::people::{self, ContactStatus, DirectoryFormat, DirectoryReport, PersonProfile, PersonSummary};
use rapport::recruit::outreach::{
    self, Due, OutreachEntry, OutreachInput, Participation, ParticipationUpdate, RenderedInvitation,
};
use rapport::recruit::screener::{self, ScreenerError};
use rapport::recruit::{self, RecruitOptions, RecruitResult};
use rapport::{ApiError, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::jobs::JobEvent;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

#[tauri::command(async)]
pub fn people_import(
    state: State<'_, AppState>,
    path: String,
    format: Option<DirectoryFormat>,
    skip_invalid: bool,
    dry_run: bool,
) -> Result<DirectoryReport, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::Directory), &path)?;
    state.write(|ws| {
        let report = people::directory::import_path(ws.conn(), &path, format, skip_invalid, dry_run)?;
        if !dry_run {
            audit::relink(ws.conn(), &MatchRule::Email)?;
        }
        Ok(report)
    })
}

/// Starts an audit import (or its dry run, `options.dry_run`) as a job: progress in bytes of
/// the file, the report as a `result` event before `done`; a cancelled import changes nothing.
#[tauri::command]
pub fn audit_import_start(
    state: State<'_, AppState>,
    path: String,
    options: AuditImportOptions,
    on_event: Channel<JobEvent>,
) -> Result<u64, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::AuditLog), &path)?;
    state.start_workspace_job(on_event, move |ws, sink, cancel| {
        let outcome = audit::import_file(ws.conn(), &path, &options, sink, cancel)?;
        sink.send_result(&outcome);
        Ok(outcome)
    })
}

#[tauri::command]
pub fn audit_import_cancel(state: State<'_, AppState>, job: u64) -> Result<bool, ApiError> {
    Ok(state.jobs().cancel(job))
}

#[tauri::command]
pub fn person_profile(state: State<'_, AppState>, id: i64) -> Result<PersonProfile, ApiError> {
    state.with(|ws| people::profile(ws.conn(), id))
}

#[tauri::command]
pub fn person_chart(state: State<'_, AppState>, id: i64) -> Result<String, ApiError> {
    state.with(|ws| people::profile::activity_chart(ws.conn(), id))
}

#[tauri::command]
pub fn person_set_contact_status(
    state: State<'_, AppState>,
    id: i64,
    status: ContactStatus,
) -> Result<PersonSummary, ApiError> {
    state.write(|ws| people::set_contact_status(ws.conn(), id, status))
}

#[tauri::command]
pub fn person_forget_plan(state: State<'_, AppState>, id: i64) -> Result<ForgetPlan, ApiError> {
    state.with(|ws| deletion::person_plan(ws.conn(), id))
}

#[tauri::command]
pub fn person_forget(state: State<'_, AppState>, id: i64) -> Result<ForgetPlan, ApiError> {
    state.write(|ws| deletion::forget_person(ws.conn(), &ws.media_dir(), id))
}

#[tauri::command]
pub fn screener_check(_state: State<'_, AppState>, expr: String) -> Result<Option<ScreenerError>, ApiError> {
    Ok(screener::parse(&expr).err())
}

#[tauri::command(async)]
pub fn recruit_run(state: State<'_, AppState>, options: RecruitOptions) -> Result<RecruitResult, ApiError> {
    state.write(|ws| recruit::recruit(ws.conn(), &options, chrono::Utc::now()))
}

#[tauri::command]
pub fn recruit_export(state: State<'_, AppState>, study_id: i64, path: String) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::RecruitCsv), &path)?;
    let csv = state.with(|ws| outreach::invitations_csv(ws.conn(), study_id))?;
    std::fs::write(&path, csv).map_err(|e| ApiError::from(Error::io(&path, e)))?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub fn outreach_board(
    state: State<'_, AppState>,
    study_id: Option<i64>,
    days: u32,
) -> Result<Vec<Participation>, ApiError> {
    state.with(|ws| outreach::board(ws.conn(), study_id, days, chrono::Utc::now()))
}

#[tauri::command]
pub fn outreach_due(state: State<'_, AppState>, days: u32) -> Result<Vec<Due>, ApiError> {
    state.with(|ws| outreach::due(ws.conn(), days, chrono::Utc::now()))
}

#[tauri::command]
pub fn outreach_log(state: State<'_, AppState>, input: OutreachInput) -> Result<OutreachEntry, ApiError> {
    state.write(|ws| outreach::log(ws.conn(), &input, chrono::Utc::now()))
}

#[tauri::command]
pub fn outreach_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.write(|ws| outreach::delete(ws.conn(), id))
}

#[tauri::command]
pub fn participation_update(
    state: State<'_, AppState>,
    id: i64,
    update: ParticipationUpdate,
) -> Result<Participation, ApiError> {
    state.write(|ws| outreach::update(ws.conn(), id, &update))
}

#[tauri::command]
pub fn participation_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.write(|ws| outreach::delete_participation(ws.conn(), id))
}

#[tauri::command]
pub fn invitation_render(
    state: State<'_, AppState>,
    id: i64,
    template: Option<String>,
    times: Vec<String>,
) -> Result<RenderedInvitation, ApiError> {
    state.with(|ws| outreach::render(ws.conn(), id, template.as_deref(), &times))
}

#[tauri::command]
pub fn invitation_ics_export(state: State<'_, AppState>, id: i64, path: String) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::Invitation), &path)?;
    let text = state.with(|ws| outreach::ics(ws.conn(), id, chrono::Utc::now()))?;
    std::fs::write(&path, text).map_err(|e| ApiError::from(Error::io(&path, e)))?;
    Ok(path.to_string_lossy().into_owned())
}
