//! The app's commands, one file per feature. To add a feature: write `commands/<feature>.rs`
//! with `#[tauri::command]` functions that each call one core function, declare the module
//! below and list its commands in the `commands!` table. The table builds both the invoke
//! handler and the TypeScript signatures in `ui/src/lib/bindings.gen.ts`, and checks at
//! compile time that each listed signature is the function's real one.
//!
//! A command that reports progress takes a `tauri::ipc::Channel` as its last argument; its
//! row names it after a `;` as `channel NAME: EventType`.

pub mod app;
pub mod backup;
pub mod dialogs;
pub mod diarize;
pub mod guides;
pub mod insights;
pub mod models;
pub mod people;
pub mod recordings;
pub mod recruit;
pub mod search;
pub mod sessions;
pub mod studies;
pub mod synthesis;
pub mod transcribe;
pub mod transcripts;
pub mod workspace;

use rapport::audit::AuditImportOptions;
use rapport::catalog::Catalog;
use rapport::coding::codebook::{TagDeletePlan, TagInput, TagMerge, TagUsage, TagView};
use rapport::coding::highlights::{HighlightFilter, HighlightInput, HighlightRow, HighlightSource};
use rapport::coding::TagCount;
use rapport::deletion::ForgetPlan;
use rapport::deploys::dora::DoraReport;
use rapport::deploys::gates::GatesReport;
use rapport::diarize::profiles::{VoiceProfile, VoiceSuggestion};
use rapport::diarize::{DiarizedSpeaker, Method};
use rapport::export::{ExportFormat as StudyExportFormat, ExportOptions, ExportReport};
use rapport::finding::FindingSummary;
use rapport::finding::{FindingInput, FindingPatch, LinkKind};
use rapport::guide::diff::GuideDiff;
use rapport::guide::lint::LintReport;
use rapport::guide::run::{AnswersMatrix, QuestionCheck, RunView};
use rapport::guide::{GuideDoc, GuideSummary, GuideVersionDetail, GuideVersionRef, SaveOutcome};
use rapport::import::RefiImportReport;
use rapport::insights::{
    ChartAsk, FindingInsights, ImportKind, ImportSummary, InsightsFilters, InsightsQuery, InsightsSummary,
};
use rapport::links::LinkTarget;
use rapport::metrics::{MetricDetail, MetricInfo, PullReport};
use rapport::models::advice::Recommendation;
use rapport::models::vad::VadInfo;
use rapport::models::ModelInfo;
use rapport::notes::{NotesFormat, StudyNotes};
use rapport::nps::items::{FeedbackView, ItemDeletion, ItemFilter, NpsComment};
use rapport::nps::report::NpsReport;
use rapport::people::{ContactStatus, DirectoryFormat, DirectoryReport, PersonProfile, PersonSummary};
use rapport::recruit::outreach::{
    Due, OutreachEntry, OutreachInput, Participation, ParticipationUpdate, RenderedInvitation,
};
use rapport::recruit::screener::ScreenerError;
use rapport::recruit::{RecruitOptions, RecruitResult};
use rapport::releases::{Comparison, Release, ReleaseInput, Statistic};
use rapport::search::{SavedSearch, SearchOptions, SearchResults};
use rapport::session::{DeletePlan, Note, SessionDetail, SessionInput, SessionSummary};
use rapport::study::{StudyInput, StudyOverview, StudySummary};
use rapport::transcript::speakers::SpeakerMerge;
use rapport::transcript::{ExportFormat, ImportPreview, ImportReport, SegmentDetail, SpeakerView};
use rapport::workspace::WorkspaceInfo;

use crate::bindings::Signature;
use crate::jobs::JobEvent;
use crate::paths::{PickPurpose, SavePurpose};

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* $( ; channel $ch:ident : $event:ty )? ) -> $ret:ty ;
    )*) => {
        /// The invoke handler with every command of the table.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( $module::$name ),*]
        }

        /// Every command's name, documentation, arguments and result type.
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<Signature> {
            vec![$(
                Signature {
                    name: stringify!($name),
                    docs: concat!($($doc, "\n"),*).trim().to_string(),
                    args: vec![
                        $( (stringify!($arg), <$ty as ts_rs::TS>::name(cfg)), )*
                        $( (stringify!($ch), format!("Channel<{}>", <$event as ts_rs::TS>::name(cfg))), )?
                    ],
                    ret: <$ret as ts_rs::TS>::name(cfg),
                }
            ),*]
        }

        /// Fails to compile when a listed signature differs from the function's.
        #[allow(dead_code)]
        fn signatures_match_functions() {
            $(
                let _: fn(
                    tauri::State<'_, crate::AppState>
                    $(, $ty)*
                    $(, tauri::ipc::Channel<$event>)?
                ) -> Result<$ret, rapport::ApiError> = $module::$name;
            )*
        }
    };
}

commands! {
    /// The workspace the app has open.
    workspace::workspace_info() -> WorkspaceInfo;
    /// Open an existing workspace folder (picked with `dialogOpen("workspace_folder")`).
    workspace::workspace_open(path: String) -> WorkspaceInfo;
    /// Create a new empty workspace in a folder (picked with `dialogOpen("workspace_folder")`) and switch to it.
    workspace::workspace_create_empty(path: String) -> WorkspaceInfo;
    /// Show the file or folder dialog for `purpose`; the path picked (null when cancelled) is one the path-taking commands accept.
    dialogs::dialog_open(purpose: PickPurpose) -> Option<String>;
    /// Show the save dialog with a suggested file name; the path chosen (null when cancelled) is one `transcriptExport` accepts.
    dialogs::dialog_save(purpose: SavePurpose, suggested_name: String) -> Option<String>;
    /// Create a study; returns its id.
    studies::study_create(input: StudyInput) -> i64;
    /// Change a study's name, goal and start date.
    studies::study_update(id: i64, input: StudyInput) -> StudySummary;
    /// Archive a study (true) or bring it back (false).
    studies::study_set_archived(id: i64, archived: bool) -> StudySummary;
    /// What deleting a study would remove.
    studies::study_delete_plan(id: i64) -> DeletePlan;
    /// Delete a study with everything in it; returns what went.
    studies::study_delete(id: i64) -> DeletePlan;
    /// All studies with their counts.
    studies::study_list() -> Vec<StudySummary>;
    /// One study's page: summary, guide, sessions, findings, tags.
    studies::study_overview(id: i64) -> StudyOverview;
    /// Findings of one study, or of all when `studyId` is null.
    studies::finding_list(study_id: Option<i64>) -> Vec<FindingSummary>;
    /// Tags with their highlight counts, of one study or all.
    studies::tag_counts(study_id: Option<i64>) -> Vec<TagCount>;
    /// Everyone in the directory.
    people::people_list() -> Vec<PersonSummary>;
    /// Import people from a directory file (picked with `dialogOpen("directory")`); `dryRun` previews who is new, updated or refused.
    recruit::people_import(path: String, format: Option<DirectoryFormat>, skip_invalid: bool, dry_run: bool) -> DirectoryReport;
    /// Start importing an audit log (picked with `dialogOpen("audit_log")`); returns the job id. Progress (bytes of the file) and the end arrive on `onEvent`, the report as a `result` event (an AuditImportReport) before `done`; `options.dryRun` previews the counts and writes nothing.
    recruit::audit_import_start(path: String, options: AuditImportOptions; channel on_event: JobEvent) -> u64;
    /// Cancel an audit import: nothing is changed; false when it is not running.
    recruit::audit_import_cancel(job: u64) -> bool;
    /// One person's profile: directory fields, attributes, activity, observed role and why, history.
    recruit::person_profile(id: i64) -> PersonProfile;
    /// A person's events per week as an SVG chart.
    recruit::person_chart(id: i64) -> String;
    /// Set whether a person may be contacted.
    recruit::person_set_contact_status(id: i64, status: ContactStatus) -> PersonSummary;
    /// What forgetting a person removes (for the confirm).
    recruit::person_forget_plan(id: i64) -> ForgetPlan;
    /// Forget a person everywhere (see `rapport::deletion`); returns what went.
    recruit::person_forget(id: i64) -> ForgetPlan;
    /// Parse a screener expression: null when it is valid, else the column and what was expected.
    recruit::screener_check(expr: String) -> Option<ScreenerError>;
    /// Run the exclusions, the screener and the stratified pick; unless `options.dryRun`, write the invitations.
    recruit::recruit_run(options: RecruitOptions) -> RecruitResult;
    /// Export a study's invitations as CSV into a file chosen with `dialogSave("recruit_csv")`.
    recruit::recruit_export(study_id: i64, path: String) -> String;
    /// Invitations (of one study, or all) with their latest contact; a follow-up is due after `days`.
    recruit::outreach_board(study_id: Option<i64>, days: u32) -> Vec<Participation>;
    /// Who needs a follow-up: the last contact got no answer for `days` days.
    recruit::outreach_due(days: u32) -> Vec<Due>;
    /// Log a contact attempt.
    recruit::outreach_log(input: OutreachInput) -> OutreachEntry;
    /// Delete a logged contact attempt.
    recruit::outreach_delete(id: i64) -> ();
    /// Change an invitation: status, agreed time, consent, incentive.
    recruit::participation_update(id: i64, update: ParticipationUpdate) -> Participation;
    /// Delete an invitation.
    recruit::participation_delete(id: i64) -> ();
    /// The invitation message: subject, body, mailto: link and Slack text.
    recruit::invitation_render(id: i64, template: Option<String>, times: Vec<String>) -> RenderedInvitation;
    /// Write the invitation's `.ics` into a file chosen with `dialogSave("invitation")`.
    recruit::invitation_ics_export(id: i64, path: String) -> String;
    /// Sessions of one study, or of all when `studyId` is null.
    sessions::session_list(study_id: Option<i64>) -> Vec<SessionSummary>;
    /// One session's page: transcript, notes, highlights, recordings.
    sessions::session_detail(id: i64) -> SessionDetail;
    /// Create a session in a study (a new person's email adds them to the directory); returns its id.
    sessions::session_create(study_id: i64, input: SessionInput) -> i64;
    /// Change a session's person, time, title and guide version.
    sessions::session_update(id: i64, input: SessionInput) -> SessionSummary;
    /// What deleting a session would remove.
    sessions::session_delete_plan(id: i64) -> DeletePlan;
    /// Delete a session with its transcript, notes, highlights, unused recording files and search documents.
    sessions::session_delete(id: i64) -> DeletePlan;
    /// The versions of a study's guides, the current one first.
    sessions::guide_versions(study_id: i64) -> Vec<GuideVersionRef>;
    /// The URL the player streams a recording from (range requests to a loopback server of the open workspace's `media/`).
    recordings::recording_source(id: i64) -> String;
    /// Start adding a recording (a picked or dropped file) to a session; returns the job id.
    /// Progress (decoding, then copying, in bytes) and the end arrive on `onEvent`; a bad file fails and stores nothing.
    recordings::recording_add_start(session_id: i64, path: String; channel on_event: JobEvent) -> u64;
    /// Cancel adding a recording: nothing is stored; false when it is not running.
    recordings::recording_add_cancel(job: u64) -> bool;
    /// Read a transcript file (picked or dropped) and say what an import would store, storing nothing.
    transcripts::transcript_preview(path: String) -> ImportPreview;
    /// Import a transcript file into a session, replacing its transcript.
    transcripts::transcript_import(session_id: i64, path: String) -> ImportReport;
    /// Export a session's transcript into a file chosen with `dialogSave`; returns the path written.
    transcripts::transcript_export(session_id: i64, format: ExportFormat, path: String) -> String;
    /// A session's transcript with speaker labels and word timings.
    sessions::transcript_segments(session_id: i64) -> Vec<SegmentDetail>;
    /// Replace a segment's text (the old text is kept in its history).
    sessions::segment_edit(id: i64, text: String) -> SegmentDetail;
    /// A session's speakers in order of their first words.
    sessions::speaker_list(session_id: i64) -> Vec<SpeakerView>;
    /// Rename a speaker (given by label or shown name).
    sessions::speaker_rename(session_id: i64, speaker: String, name: String) -> SpeakerView;
    /// Move every segment of speaker `from` to speaker `into`, removing `from`.
    sessions::speaker_merge(session_id: i64, from: String, into: String) -> SpeakerMerge;
    /// Link a speaker to a person of the directory (shown by the person's name unless renamed).
    sessions::speaker_link(session_id: i64, speaker: String, person_id: i64) -> ();
    /// Search everything said and written; a malformed query is `query_syntax` with its column.
    search::search(query: String, options: SearchOptions) -> SearchResults;
    /// Saved searches of a study, or all when `studyId` is null.
    search::saved_search_list(study_id: Option<i64>) -> Vec<SavedSearch>;
    /// Save a query under a name (replacing one of the same name in the same study); returns its id.
    search::saved_search_save(study_id: Option<i64>, name: String, query: String) -> i64;
    /// Delete a saved search.
    search::saved_search_delete(id: i64) -> ();
    /// Start transcribing a session's (latest) recording with an installed model; returns the job id.
    /// Progress (milliseconds of audio), each segment as it is heard (a message) and the end arrive on `onEvent`.
    transcribe::transcribe_start(session_id: i64, model: String; channel on_event: JobEvent) -> u64;
    /// Cancel a transcription: the session stays as it was; false when it is not running.
    transcribe::transcribe_cancel(job: u64) -> bool;
    /// The whisper models: published ones and installed ones.
    models::model_list() -> Vec<ModelInfo>;
    /// The model to use for interviews on this machine (from its cores and memory), and why.
    models::model_recommendation() -> Recommendation;
    /// The voice activity detector's model (transcription needs it): installed, usable, where.
    models::model_vad() -> VadInfo;
    models::model_voice_encoder() -> VadInfo;
    /// Start downloading a model (`silero-v5.1.2`: the VAD model); returns the job id, progress and the end arrive on `onEvent`.
    models::model_download_start(name: String; channel on_event: JobEvent) -> u64;
    /// Cancel a download (its partial file is kept for a resume); false when it is not running.
    models::model_download_cancel(job: u64) -> bool;
    /// Copy a ggml model file into the models folder after checking it.
    models::model_import(path: String) -> ModelInfo;
    /// NPS, deploys, incidents and metrics at a glance.
    insights::insights_summary() -> InsightsSummary;
    /// NPS responses with a comment (newest first), each with its highlights' spans and tags.
    insights::nps_comments(filter: ItemFilter) -> Vec<NpsComment>;
    /// Feedback items (newest first), each with its highlights' spans and tags.
    insights::feedback_list(filter: ItemFilter) -> Vec<FeedbackView>;
    /// Delete an NPS response or a feedback item with its highlights; with `commit` false, only say what would go.
    insights::nps_item_delete(source: HighlightSource, id: i64, commit: bool) -> ItemDeletion;
    /// The choices of the Insights filters: services, teams with their services, NPS segments, metrics, environments.
    insights::insights_filters() -> InsightsFilters;
    /// A chart (nps, dora, gates, metric) under the filters, as SVG text.
    insights::insights_chart(ask: ChartAsk, query: InsightsQuery) -> String;
    /// Save a chart into a file chosen with `dialogSave("chart")` (.svg or .png); returns the path written.
    insights::insights_chart_save(ask: ChartAsk, query: InsightsQuery, path: String) -> String;
    /// DORA's four keys per service and overall under the filters.
    insights::dora_report(query: InsightsQuery) -> DoraReport;
    /// Per gate: passed, blocked, overridden and by whom, under the filters.
    insights::gates_report(query: InsightsQuery) -> GatesReport;
    /// The NPS with its 95% interval, by period (and by a segment field), under the filters.
    insights::nps_report(query: InsightsQuery, by: Option<String>) -> NpsReport;
    /// Read a file picked with `dialogOpen("insights_data")` and say what importing it would do, storing nothing.
    insights::insights_import_preview(kind: ImportKind, path: String) -> ImportSummary;
    /// Import a picked file of deploys, incidents, NPS, feedback or catalog (all or nothing).
    insights::insights_import(kind: ImportKind, path: String) -> ImportSummary;
    /// The service catalog: services with owners and their people, systems, teams.
    insights::catalog_list() -> Catalog;
    /// Remove a catalog entity (component, system, group or user).
    insights::catalog_delete(kind: String, name: String) -> ();
    /// Metrics in the workspace.
    insights::metric_list() -> Vec<MetricInfo>;
    /// A metric's series and points.
    insights::metric_show(name: String) -> MetricDetail;
    /// Pull a range from a Prometheus server (token from RAPPORT_PROMETHEUS_TOKEN, else the OS keyring) and store it.
    insights::metric_pull(url: String, query: String, name: String, from: String, to: String, step: String) -> PullReport;
    /// Delete a metric and its points.
    insights::metric_delete(name: String) -> ();
    /// Keep a Prometheus server's bearer token in the OS keyring (RAPPORT_PROMETHEUS_TOKEN overrides it).
    insights::metric_token_set(url: String, token: String) -> ();
    /// Forget a server's token; false when none was kept.
    insights::metric_token_delete(url: String) -> bool;
    /// Whether the OS keyring holds a token for the server.
    insights::metric_token_stored(url: String) -> bool;
    /// Releases in time order with their findings.
    insights::release_list() -> Vec<Release>;
    /// Add a release; returns its id.
    insights::release_add(input: ReleaseInput) -> i64;
    /// Change a release.
    insights::release_update(id: i64, input: ReleaseInput) -> Release;
    /// Delete a release (its findings stay).
    insights::release_delete(id: i64) -> ();
    /// A statistic before and after a release over equal windows, with the difference's 95% interval where it has one.
    insights::release_compare(id: i64, statistic: Statistic, window_days: i64) -> Comparison;
    /// A finding's linked metrics and the releases that shipped for it, with their before/after over 30 days.
    insights::finding_insights(finding_id: i64) -> FindingInsights;
    /// Tells the shell the first screen with data has painted (for the first-paint benchmark).
    app::ui_ready(marks: Vec<(String, f64)>) -> ();
    /// Opens a mailto:, https:// or http:// link with the system's mail program or browser.
    app::open_external(url: String) -> ();
    /// Back up the open workspace to a zip (a path from `dialogSave("backup")`) as a job: progress, then the report as a `result` event.
    backup::backup_start(path: String; channel on_event: JobEvent) -> u64;
    /// Stop a running backup; the partial archive is removed.
    backup::backup_cancel(job: u64) -> bool;
    /// Restore a backup (from `dialogOpen("backup")`) into a new or empty folder (from `dialogOpen("workspace_folder")`) as a job; every hash is checked and `verify` runs.
    backup::restore_start(archive: String, to: String; channel on_event: JobEvent) -> u64;
    /// Stop a running restore; what it wrote is removed.
    backup::restore_cancel(job: u64) -> bool;
    /// The guides of a study (or all when `studyId` is null), newest first.
    guides::guide_list(study_id: Option<i64>) -> Vec<GuideSummary>;
    /// One guide version in full: the document, its question ids, the guide's versions.
    guides::guide_version(version_id: i64) -> GuideVersionDetail;
    /// Create a guide in a study with one question to start from; returns the guide id.
    guides::guide_create(study_id: i64, title: String) -> i64;
    /// Save an edit: a new version when a session used the newest one, else it is replaced.
    guides::guide_save(guide_id: i64, doc: GuideDoc) -> SaveOutcome;
    /// Delete a guide with its versions; returns how many sessions now follow no guide.
    guides::guide_delete(guide_id: i64) -> i64;
    /// Lint every question and probe of a guide (the editor's document, saved or not).
    guides::guide_lint(doc: GuideDoc) -> LintReport;
    /// Compare two versions of a guide.
    guides::guide_diff(from_version: i64, to_version: i64) -> GuideDiff;
    /// Read a guide file (picked with `dialogOpen("guide")`) and show what an import stores, storing nothing.
    guides::guide_preview(path: String) -> GuideDoc;
    /// Import a guide file into a study (same title: a new version); returns the version id.
    guides::guide_import(study_id: i64, path: String) -> i64;
    /// Write a version's canonical Markdown into a file chosen with `dialogSave("guide_export")`.
    guides::guide_export(version_id: i64, path: String) -> String;
    /// Run mode: the session's guide, section budgets, checks and notes.
    guides::run_view(session_id: i64) -> RunView;
    /// Check a question off (at `atMs` of session time) or clear it.
    guides::run_check(session_id: i64, question_id: i64, at_ms: i64, done: bool) -> Vec<QuestionCheck>;
    /// Add a note at a moment of a session; returns the session's notes.
    guides::note_add(session_id: i64, at_ms: i64, text: String) -> Vec<Note>;
    /// Change a note's time and text; returns the session's notes.
    guides::note_update(id: i64, at_ms: i64, text: String) -> Vec<Note>;
    /// Delete a note; returns the session's notes.
    guides::note_delete(id: i64) -> Vec<Note>;
    /// Questions × sessions: where each question was asked in each transcript, and the answer.
    guides::guide_answers(study_id: i64) -> AnswersMatrix;
    /// A study's notes page.
    guides::study_notes(study_id: i64) -> StudyNotes;
    /// Replace a study's notes page.
    guides::study_notes_save(study_id: i64, text: String) -> StudyNotes;
    /// Check a rapport:// link and say where it points.
    guides::link_resolve(url: String) -> LinkTarget;
    /// The `rapport://` link the app was started with (`--open URL`), if any.
    guides::launch_link() -> Option<String>;
    /// Write a session's notes (Markdown with links to each moment, or CSV) into a file chosen with `dialogSave("notes_export")`.
    guides::notes_export(session_id: i64, format: NotesFormat, path: String) -> String;
    /// The codebook with highlight, session and people counts (of one study, or all).
    synthesis::tag_list(study_id: Option<i64>) -> Vec<TagView>;
    /// One tag's highlights per session and per person.
    synthesis::tag_usage(id: i64, study_id: Option<i64>) -> TagUsage;
    /// Add a tag (missing parents are made); an existing path is `already_exists`.
    synthesis::tag_add(input: TagInput) -> TagView;
    /// Change a tag's description and colour (null keeps, "" removes).
    synthesis::tag_edit(id: i64, description: Option<String>, color: Option<String>) -> TagView;
    /// Rename a tag's own level; its children follow.
    synthesis::tag_rename(id: i64, name: String) -> TagView;
    /// Move a tag under another (null: to the top level).
    synthesis::tag_move(id: i64, parent_id: Option<i64>) -> TagView;
    /// Merge a tag into another: its highlights and children follow.
    synthesis::tag_merge(from: i64, into: i64) -> TagMerge;
    /// What deleting a tag would remove.
    synthesis::tag_delete_plan(id: i64) -> TagDeletePlan;
    /// Delete a tag and its children (the highlights stay).
    synthesis::tag_delete(id: i64) -> TagDeletePlan;
    /// Highlight words of a session's transcript (or note) with tags and a comment.
    synthesis::highlight_add(input: HighlightInput) -> HighlightRow;
    /// Highlights of a study, a session or a tag.
    synthesis::highlight_list(filter: HighlightFilter) -> Vec<HighlightRow>;
    /// Replace a highlight's tags and/or comment (null keeps).
    synthesis::highlight_update(id: i64, tags: Option<Vec<String>>, comment: Option<String>) -> HighlightRow;
    /// Delete a highlight.
    synthesis::highlight_delete(id: i64) -> ();
    /// Create a finding (with evidence) in a study.
    synthesis::finding_create(study_id: i64, input: FindingInput) -> FindingSummary;
    /// Change a finding's title, statement, status, severity, confidence.
    synthesis::finding_update(id: i64, patch: FindingPatch) -> FindingSummary;
    /// Delete a finding (its highlights stay).
    synthesis::finding_delete(id: i64) -> ();
    /// Add a highlight to a finding's evidence.
    synthesis::finding_evidence_add(id: i64, highlight_id: i64) -> FindingSummary;
    /// Take a highlight out of a finding's evidence.
    synthesis::finding_evidence_remove(id: i64, highlight_id: i64) -> FindingSummary;
    /// Link (linked = true) or unlink a service, metric or NPS segment.
    synthesis::finding_link(id: i64, kind: LinkKind, value: String, linked: bool) -> FindingSummary;
    /// The HTML report (or slides) of a study, for the export dialog's preview.
    synthesis::export_preview(study_id: i64, options: ExportOptions) -> String;
    /// The file name an export suggests in the save dialog.
    synthesis::export_suggested_name(study_id: i64, format: StudyExportFormat, options: ExportOptions) -> String;
    /// Export a study into a path chosen with `dialogSave("study_export")`.
    synthesis::export_study(study_id: i64, format: StudyExportFormat, options: ExportOptions, path: String) -> ExportReport;
    /// Import a REFI-QDA project or codebook (picked with `dialogOpen("refi_project")`); `dryRun` previews, writing nothing.
    synthesis::refi_import(path: String, study_id: Option<i64>, dry_run: bool) -> RefiImportReport;
    /// Start telling a session's speakers apart (tracks, stereo channels or one mixed recording; `speakers` null estimates the number); returns the job id.
    /// Progress (percent) and the end arrive on `onEvent`; segments are cut where the speaker changes and the interviewer is labelled.
    diarize::diarize_start(session_id: i64, speakers: Option<u32>, method: Method; channel on_event: JobEvent) -> u64;
    /// Cancel a diarization: the session stays as it was; false when it is not running.
    diarize::diarize_cancel(job: u64) -> bool;
    /// A session's speakers with their roles (interviewer, participant) and a flag on those with very little speech.
    diarize::diarized_speakers(session_id: i64) -> Vec<DiarizedSpeaker>;
    /// Move a segment, or the rest of it from word `fromWord` (0-based), to a speaker (label or shown name; a new name makes a new speaker).
    diarize::segment_reassign(id: i64, from_word: Option<u32>, speaker: String) -> SegmentDetail;
    /// Set a recording's track name (one participant's audio; null for a mix) and its offset on the session's time line.
    diarize::recording_set_track(id: i64, track: Option<String>, offset_ms: i64) -> ();
    /// The remembered voices.
    diarize::voice_list() -> Vec<VoiceProfile>;
    /// Remember a diarized speaker's voice under its shown name (or `name`).
    diarize::voice_remember(session_id: i64, speaker: String, name: Option<String>) -> VoiceProfile;
    /// Forget a remembered voice.
    diarize::voice_forget(name: String) -> ();
    /// Names suggested for a session's speakers by the nearest remembered voice.
    diarize::voice_suggestions(session_id: i64) -> Vec<VoiceSuggestion>;
}
