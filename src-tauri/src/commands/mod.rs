//! The app's commands, one file per feature. To add a feature: write `commands/<feature>.rs`
//! with `#[tauri::command]` functions that each call one core function, declare the module
//! below and list its commands in the `commands!` table. The table builds both the invoke
//! handler and the TypeScript signatures in `ui/src/lib/bindings.gen.ts`, and checks at
//! compile time that each listed signature is the function's real one.
//!
//! A command that reports progress takes a `tauri::ipc::Channel` as its last argument; its
//! row names it after a `;` as `channel NAME: EventType`.

pub mod app;
pub mod dialogs;
pub mod diarize;
pub mod insights;
pub mod models;
pub mod people;
pub mod recordings;
pub mod search;
pub mod sessions;
pub mod studies;
pub mod transcribe;
pub mod transcripts;
pub mod workspace;

use rapport::coding::TagCount;
use rapport::diarize::profiles::{VoiceProfile, VoiceSuggestion};
use rapport::diarize::{DiarizedSpeaker, Method};
use rapport::finding::FindingSummary;
use rapport::guide::GuideVersionRef;
use rapport::insights::InsightsSummary;
use rapport::models::advice::Recommendation;
use rapport::models::vad::VadInfo;
use rapport::models::ModelInfo;
use rapport::people::PersonSummary;
use rapport::search::{SavedSearch, SearchOptions, SearchResults};
use rapport::session::{DeletePlan, SessionDetail, SessionInput, SessionSummary};
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
    /// Search everything said and written; a malformed query is `invalid_input` naming its column.
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
    /// Start downloading a model (`silero-v5.1.2`: the VAD model); returns the job id, progress and the end arrive on `onEvent`.
    models::model_download_start(name: String; channel on_event: JobEvent) -> u64;
    /// Cancel a download (its partial file is kept for a resume); false when it is not running.
    models::model_download_cancel(job: u64) -> bool;
    /// Copy a ggml model file into the models folder after checking it.
    models::model_import(path: String) -> ModelInfo;
    /// NPS, deploys, incidents and metrics at a glance.
    insights::insights_summary() -> InsightsSummary;
    /// Tells the shell the first screen with data has painted (for the first-paint benchmark).
    app::ui_ready() -> ();
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
