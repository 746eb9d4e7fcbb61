//! Commands of the Insights screen: the summary, filters, charts (shown as SVG, saved as SVG
//! or PNG), DORA, gates and NPS under the filters, imports with a preview, the catalog,
//! metrics from Prometheus, and releases with their before/after.

use std::time::Duration;

use rapport::catalog::{self, Catalog};
use rapport::coding::HighlightSource;
use rapport::deploys::dora::DoraReport;
use rapport::deploys::gates::GatesReport;
use rapport::insights::{
    self, ChartAsk, FindingInsights, ImportKind, ImportSummary, InsightsFilters, InsightsQuery,
    InsightsSummary,
};
use rapport::metrics::{self, MetricDetail, MetricInfo, PullReport, PullRequest};
use rapport::nps::items::{self, FeedbackView, ItemDeletion, ItemFilter, NpsComment};
use rapport::nps::report::NpsReport;
use rapport::releases::{self, Comparison, Release, ReleaseInput, Statistic};
use rapport::{charts, ApiError, Error};
use tauri::State;

use crate::paths::{PickPurpose, SavePurpose, Use};
use crate::AppState;

#[tauri::command]
pub fn insights_summary(state: State<'_, AppState>) -> Result<InsightsSummary, ApiError> {
    state.with(|ws| insights::summary(ws.conn()))
}

#[tauri::command]
pub fn nps_comments(state: State<'_, AppState>, filter: ItemFilter) -> Result<Vec<NpsComment>, ApiError> {
    state.with(|ws| items::comments(ws.conn(), &filter))
}

#[tauri::command]
pub fn feedback_list(state: State<'_, AppState>, filter: ItemFilter) -> Result<Vec<FeedbackView>, ApiError> {
    state.with(|ws| items::feedback(ws.conn(), &filter))
}

#[tauri::command]
pub fn nps_item_delete(
    state: State<'_, AppState>,
    source: HighlightSource,
    id: i64,
    commit: bool,
) -> Result<ItemDeletion, ApiError> {
    state.write(|ws| items::delete(ws.conn(), source, id, commit))
}

#[tauri::command]
pub fn insights_filters(state: State<'_, AppState>) -> Result<InsightsFilters, ApiError> {
    state.with(|ws| insights::filters(ws.conn()))
}

#[tauri::command(async)]
pub fn insights_chart(
    state: State<'_, AppState>,
    ask: ChartAsk,
    query: InsightsQuery,
) -> Result<String, ApiError> {
    state.with(|ws| charts::svg(ws.conn(), &insights::chart_request(ws.conn(), &ask, &query)?))
}

#[tauri::command(async)]
pub fn insights_chart_save(
    state: State<'_, AppState>,
    ask: ChartAsk,
    query: InsightsQuery,
    path: String,
) -> Result<String, ApiError> {
    let path = state.checked_path(Use::Save(SavePurpose::Chart), &path)?;
    state.with(|ws| charts::write(ws.conn(), &insights::chart_request(ws.conn(), &ask, &query)?, &path))?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub fn dora_report(state: State<'_, AppState>, query: InsightsQuery) -> Result<DoraReport, ApiError> {
    state.with(|ws| insights::dora_report(ws.conn(), &query))
}

#[tauri::command]
pub fn gates_report(state: State<'_, AppState>, query: InsightsQuery) -> Result<GatesReport, ApiError> {
    state.with(|ws| insights::gates_report(ws.conn(), &query))
}

#[tauri::command]
pub fn nps_report(
    state: State<'_, AppState>,
    query: InsightsQuery,
    by: Option<String>,
) -> Result<NpsReport, ApiError> {
    state.with(|ws| insights::nps_report(ws.conn(), &query, by))
}

#[tauri::command(async)]
pub fn insights_import_preview(
    state: State<'_, AppState>,
    kind: ImportKind,
    path: String,
) -> Result<ImportSummary, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::InsightsData), &path)?;
    state.with(|ws| insights::import_file(ws.conn_mut(), kind, &path, false))
}

#[tauri::command(async)]
pub fn insights_import(
    state: State<'_, AppState>,
    kind: ImportKind,
    path: String,
) -> Result<ImportSummary, ApiError> {
    let path = state.checked_path(Use::Open(PickPurpose::InsightsData), &path)?;
    state.write(|ws| insights::import_file(ws.conn_mut(), kind, &path, true))
}

#[tauri::command]
pub fn catalog_list(state: State<'_, AppState>) -> Result<Catalog, ApiError> {
    state.with(|ws| catalog::list(ws.conn()))
}

#[tauri::command]
pub fn catalog_delete(state: State<'_, AppState>, kind: String, name: String) -> Result<(), ApiError> {
    state.write(|ws| catalog::delete(ws.conn(), &kind, &name))
}

#[tauri::command]
pub fn metric_list(state: State<'_, AppState>) -> Result<Vec<MetricInfo>, ApiError> {
    state.with(|ws| metrics::list(ws.conn()))
}

#[tauri::command]
pub fn metric_show(state: State<'_, AppState>, name: String) -> Result<MetricDetail, ApiError> {
    state.with(|ws| metrics::show(ws.conn(), &name, None))
}

/// Asks the server without holding the workspace, then stores what it returned.
#[tauri::command(async)]
pub fn metric_pull(
    state: State<'_, AppState>,
    url: String,
    query: String,
    name: String,
    from: String,
    to: String,
    step: String,
) -> Result<PullReport, ApiError> {
    let token = metrics::token::for_url(&url);
    let req = PullRequest::from_text(&url, &query, &name, &from, &to, &step, token, Duration::from_secs(10))?;
    // reqwest's blocking client must not run on the async runtime's threads.
    let fetch_req = req.clone();
    let series = std::thread::spawn(move || metrics::fetch(&fetch_req))
        .join()
        .map_err(|_| ApiError::from(Error::Integrity("the Prometheus request panicked".into())))??;
    state.write(|ws| metrics::store(ws.conn_mut(), &req, &series))
}

#[tauri::command]
pub fn metric_delete(state: State<'_, AppState>, name: String) -> Result<(), ApiError> {
    state.write(|ws| metrics::delete(ws.conn(), &name))
}

#[tauri::command]
pub fn release_list(state: State<'_, AppState>) -> Result<Vec<Release>, ApiError> {
    state.with(|ws| releases::list(ws.conn(), None))
}

#[tauri::command]
pub fn release_add(state: State<'_, AppState>, input: ReleaseInput) -> Result<i64, ApiError> {
    state.write(|ws| releases::add(ws.conn(), &input.service, &input.at, &input.title, &input.findings))
}

#[tauri::command]
pub fn release_update(state: State<'_, AppState>, id: i64, input: ReleaseInput) -> Result<Release, ApiError> {
    state.write(|ws| {
        releases::update(ws.conn(), id, &input.service, &input.at, &input.title, &input.findings)?;
        releases::get(ws.conn(), id)
    })
}

#[tauri::command]
pub fn release_delete(state: State<'_, AppState>, id: i64) -> Result<(), ApiError> {
    state.write(|ws| releases::delete(ws.conn(), id))
}

#[tauri::command]
pub fn release_compare(
    state: State<'_, AppState>,
    id: i64,
    statistic: Statistic,
    window_days: i64,
) -> Result<Comparison, ApiError> {
    state.with(|ws| releases::compare(ws.conn(), id, &statistic, window_days))
}

#[tauri::command]
pub fn finding_insights(state: State<'_, AppState>, finding_id: i64) -> Result<FindingInsights, ApiError> {
    state.with(|ws| insights::finding_insights(ws.conn(), finding_id))
}

#[tauri::command]
pub fn metric_token_set(_state: State<'_, AppState>, url: String, token: String) -> Result<(), ApiError> {
    metrics::token::set(&url, &token)?;
    Ok(())
}

#[tauri::command]
pub fn metric_token_delete(_state: State<'_, AppState>, url: String) -> Result<bool, ApiError> {
    Ok(metrics::token::delete(&url)?)
}

#[tauri::command]
pub fn metric_token_stored(_state: State<'_, AppState>, url: String) -> Result<bool, ApiError> {
    Ok(metrics::token::stored(&url)?)
}
