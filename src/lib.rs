//! Rapport's core: the workspace, its store, and every capability as a module with a small
//! public API. The CLI (`src/bin/rapport.rs`) and the desktop shell (`src-tauri`) call these
//! functions and nothing else; this crate never depends on Tauri. See ARCHITECTURE.md.

pub mod audit;
pub mod backup;
pub mod catalog;
pub mod charts;
pub mod coding;
pub mod deletion;
pub mod demo;
pub mod deploys;
pub mod diarize;
pub mod error;
pub mod export;
pub mod finding;
pub mod guide;
pub mod import;
pub mod insights;
pub mod limits;
pub mod links;
pub mod media;
pub mod metrics;
pub mod models;
pub mod notes;
pub mod nps;
pub mod people;
pub mod progress;
pub mod recruit;
pub mod releases;
pub mod search;
pub mod session;
pub mod store;
pub mod study;
pub mod tabular;
pub mod timefmt;
pub mod transcribe;
pub mod transcript;
pub mod verify;
pub mod workspace;

pub use error::{ApiError, Error, ErrorCode, Result};
pub use workspace::Workspace;
