//! The app's commands, one file per feature. To add a feature: write `commands/<feature>.rs`
//! with `#[tauri::command]` functions that each call one core function, declare the module
//! below and list its commands in the `commands!` table. The table builds both the invoke
//! handler and the TypeScript signatures in `ui/src/lib/bindings.gen.ts`, and checks at
//! compile time that each listed signature is the function's real one.

pub mod app;
pub mod insights;
pub mod people;
pub mod sessions;
pub mod studies;
pub mod workspace;

use rapport::coding::TagCount;
use rapport::finding::FindingSummary;
use rapport::insights::InsightsSummary;
use rapport::people::PersonSummary;
use rapport::session::{SessionDetail, SessionSummary};
use rapport::study::{StudyOverview, StudySummary};
use rapport::workspace::WorkspaceInfo;

use crate::bindings::Signature;

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*) => {
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
                    args: vec![$( (stringify!($arg), <$ty as ts_rs::TS>::name(cfg)) ),*],
                    ret: <$ret as ts_rs::TS>::name(cfg),
                }
            ),*]
        }

        /// Fails to compile when a listed signature differs from the function's.
        #[allow(dead_code)]
        fn signatures_match_functions() {
            $(
                let _: fn(tauri::State<'_, crate::AppState>, $( $ty ),*) -> Result<$ret, rapport::ApiError> = $module::$name;
            )*
        }
    };
}

commands! {
    /// The workspace the app has open.
    workspace::workspace_info() -> WorkspaceInfo;
    /// Open an existing workspace folder.
    workspace::workspace_open(path: String) -> WorkspaceInfo;
    /// Create a new empty workspace in a folder and switch to it.
    workspace::workspace_create_empty(path: String) -> WorkspaceInfo;
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
    /// NPS, deploys, incidents and metrics at a glance.
    insights::insights_summary() -> InsightsSummary;
    /// Tells the shell the first screen with data has painted (for the first-paint benchmark).
    app::ui_ready() -> ();
}
