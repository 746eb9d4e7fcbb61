//! Paths from the window are not trusted. The window never names a file on its own: it asks
//! Rust to show a dialog (`dialog_open`, `dialog_save`), or the user drops files on it (Rust
//! sees the drop first). Those paths are kept here, and every command that takes a path
//! accepts only one of them, for the purpose it was picked for, or one inside the open
//! workspace; anything else is refused with `path_not_allowed` before it is read or written.
//!
//! The end-to-end build (feature `e2e`) has a seam for the native dialog, which WebDriver
//! cannot drive: `e2e_dialog_answer` queues the path the next dialog returns. It is compiled
//! into that build only.

use std::collections::HashSet;
#[cfg(feature = "e2e")]
use std::collections::VecDeque;
use std::path::{Component, Path, PathBuf};

use rapport::{ApiError, Error};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a file or folder is picked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PickPurpose {
    /// A workspace folder to open or to start empty in.
    WorkspaceFolder,
    /// A recording to add to a session.
    Recording,
    /// A transcript file to import.
    Transcript,
    /// A ggml model file to import.
    Model,
    /// A directory file (CSV, Slack users.list, SCIM ListResponse) to import people from.
    Directory,
    /// An audit log (Kubernetes, JSON Lines, CSV; plain or gzipped) to import.
    AuditLog,
    /// An interview guide to import (Markdown or Word).
    Guide,
    /// A REFI-QDA project (`.qdpx`) or codebook (`.qdc`) to import.
    RefiProject,
    /// Insights data to import: deploys, incidents, NPS, feedback or a service catalog.
    InsightsData,
    /// A workspace backup (`.zip`) to restore.
    Backup,
}

/// What a file is saved as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SavePurpose {
    /// A transcript export.
    TranscriptExport,
    /// The people picked for a study, as CSV.
    RecruitCsv,
    /// An interview invitation as an `.ics` calendar file.
    Invitation,
    /// A guide's Markdown export.
    GuideExport,
    /// A session's notes (Markdown or CSV).
    NotesExport,
    /// A study export (report, slides, spreadsheets, REFI-QDA, Jira).
    StudyExport,
    /// A chart (SVG or PNG).
    Chart,
    /// A backup of the open workspace (`.zip`).
    Backup,
}

impl SavePurpose {
    /// The save dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            SavePurpose::TranscriptExport => "Save the transcript",
            SavePurpose::RecruitCsv => "Save the people picked",
            SavePurpose::Invitation => "Save the calendar invitation",
            SavePurpose::GuideExport => "Save the guide",
            SavePurpose::NotesExport => "Save the notes",
            SavePurpose::StudyExport => "Save the export",
            SavePurpose::Chart => "Save the chart",
            SavePurpose::Backup => "Save the backup",
        }
    }
}

/// How a path is used by a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Use {
    Open(PickPurpose),
    Save(SavePurpose),
}

impl PickPurpose {
    /// The dialog's title and file filter (none for a folder).
    pub fn dialog(self) -> (&'static str, Option<(&'static str, &'static [&'static str])>) {
        match self {
            PickPurpose::WorkspaceFolder => ("Choose a Rapport workspace folder", None),
            PickPurpose::Recording => (
                "Add a recording",
                Some((
                    "Recordings",
                    &["wav", "flac", "mp3", "m4a", "mp4", "mov", "aac", "ogg", "oga", "opus"],
                )),
            ),
            PickPurpose::Transcript => {
                ("Import a transcript", Some(("Transcripts", &["vtt", "srt", "txt", "json"])))
            }
            PickPurpose::Model => ("Import a whisper model", Some(("ggml models", &["bin"]))),
            PickPurpose::Directory => ("Import people", Some(("Directory files", &["csv", "json"]))),
            PickPurpose::AuditLog => (
                "Import an audit log",
                Some(("Audit logs", &["log", "json", "jsonl", "ndjson", "csv", "gz"])),
            ),
            PickPurpose::Guide => ("Import a guide", Some(("Guides", &["md", "markdown", "txt", "docx"]))),
            PickPurpose::RefiProject => {
                ("Import a REFI-QDA project or codebook", Some(("REFI-QDA", &["qdpx", "qdc"])))
            }
            PickPurpose::InsightsData => (
                "Import deploys, incidents, NPS, feedback or a catalog",
                Some(("Data files", &["csv", "jsonl", "json", "ndjson", "yaml", "yml"])),
            ),
            PickPurpose::Backup => ("Restore a backup", Some(("Rapport backups", &["zip"]))),
        }
    }
}

/// The paths the user gave the window in this run, and (e2e build) the queued dialog answers.
#[derive(Default)]
pub struct Picked {
    allowed: HashSet<(Use, PathBuf)>,
    #[cfg(feature = "e2e")]
    answers: VecDeque<Option<PathBuf>>,
}

/// How many picked paths are kept at most (the oldest go first; a long session never grows).
const MAX_PICKED: usize = 4096;

impl Picked {
    /// Remembers a path the user picked or dropped, for `what`.
    pub fn allow(&mut self, what: Use, path: &Path) {
        if self.allowed.len() >= MAX_PICKED {
            self.allowed.clear();
        }
        self.allowed.insert((what, normal(path)));
    }

    /// The next queued dialog answer (e2e build): `Some(answer)` when one is queued.
    pub fn take_answer(&mut self) -> Option<Option<PathBuf>> {
        #[cfg(feature = "e2e")]
        {
            self.answers.pop_front()
        }
        #[cfg(not(feature = "e2e"))]
        {
            None
        }
    }

    /// Queues the path the next dialog returns (`None`: as if the user cancelled it).
    #[cfg(feature = "e2e")]
    pub fn queue_answer(&mut self, path: Option<PathBuf>) {
        self.answers.push_back(path);
    }

    /// `path` as a command may use it for `what`: one the user gave for that, or one inside
    /// the open workspace (`root`); else `path_not_allowed`.
    pub fn check(&self, what: Use, path: &str, root: Option<&Path>) -> Result<PathBuf, ApiError> {
        let given = PathBuf::from(path);
        let refused = || ApiError::from(Error::PathNotAllowed(given.clone()));
        if !given.is_absolute() {
            return Err(refused());
        }
        let path = normal(&given);
        if self.allowed.contains(&(what, path.clone())) {
            return Ok(path);
        }
        let inside = root.map(normal).is_some_and(|root| path.starts_with(&root) && path != root);
        if inside && what != Use::Open(PickPurpose::WorkspaceFolder) {
            return Ok(path);
        }
        Err(refused())
    }
}

/// A path with `.` and `..` taken out and links resolved where the file (or, for a file not
/// yet written, its folder) exists, so one file has one spelling.
fn normal(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
        if let Ok(real) = parent.canonicalize() {
            return real.join(name);
        }
    }
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path-taking arguments of the commands: a file or folder named by the window.
    const PATH_ARGS: [&str; 3] = ["path", "archive", "to"];

    #[test]
    fn every_command_that_takes_a_path_checks_it_before_use() {
        let cfg = ts_rs::Config::new().with_large_int("number");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        let sources: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let mut checked = 0;
        for sig in crate::commands::signatures(&cfg) {
            let paths: Vec<&str> = sig
                .args
                .iter()
                .filter(|(name, ty)| ty == "string" && PATH_ARGS.contains(name))
                .map(|(name, _)| *name)
                .filter(|name| !(sig.name.starts_with("metric_") && *name == "to"))
                .collect();
            if paths.is_empty() {
                continue;
            }
            // The function's body: from its `pub fn NAME(` to the next command.
            let head = format!("pub fn {}(", sig.name);
            let source = sources
                .iter()
                .find(|s| s.contains(&head))
                .unwrap_or_else(|| panic!("{} not found", sig.name));
            let body = &source[source.find(&head).unwrap()..];
            let body = &body[..body[1..].find("#[tauri::command").map_or(body.len(), |i| i + 1)];
            for name in paths {
                assert!(
                    body.contains("checked_path(") && body.contains(&format!("&{name})")),
                    "{} takes `{name}` from the window without `state.checked_path(…, &{name})`",
                    sig.name
                );
                checked += 1;
            }
        }
        assert!(checked >= 20, "the path-taking commands were not found ({checked})");
    }

    #[test]
    fn a_path_no_dialog_returned_is_refused_and_one_it_returned_is_accepted_for_its_purpose_only() {
        let dir = std::env::temp_dir().join(format!("rapport-paths-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("call.wav");
        std::fs::write(&file, b"x").unwrap();
        let mut picked = Picked::default();
        let rec = Use::Open(PickPurpose::Recording);
        let err = picked.check(rec, file.to_str().unwrap(), None).unwrap_err();
        assert_eq!(err.code, rapport::ErrorCode::PathNotAllowed);
        picked.allow(rec, &file);
        assert_eq!(picked.check(rec, file.to_str().unwrap(), None).unwrap(), file.canonicalize().unwrap());
        let sneaky = format!("{}/../{}/call.wav", dir.display(), dir.file_name().unwrap().to_str().unwrap());
        assert!(picked.check(rec, &sneaky, None).is_ok(), "another spelling of a picked file is that file");
        assert!(
            picked.check(Use::Open(PickPurpose::Model), file.to_str().unwrap(), None).is_err(),
            "a recording picked for a session is not a model to import"
        );
        assert!(picked.check(rec, "relative/call.wav", None).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_inside_the_open_workspace_are_allowed_but_not_a_way_out_of_it() {
        let root = std::env::temp_dir().join(format!("rapport-paths-ws-{}", std::process::id()));
        std::fs::create_dir_all(root.join("exports")).unwrap();
        let picked = Picked::default();
        let save = Use::Save(SavePurpose::TranscriptExport);
        let inside = root.join("exports/a.srt");
        assert!(picked.check(save, inside.to_str().unwrap(), Some(&root)).is_ok());
        let out = format!("{}/exports/../../etc/passwd", root.display());
        assert!(picked.check(save, &out, Some(&root)).is_err(), "`..` does not lead out of the workspace");
        assert!(
            picked
                .check(Use::Open(PickPurpose::WorkspaceFolder), root.to_str().unwrap(), Some(&root))
                .is_err(),
            "a workspace folder comes from the folder dialog only"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
