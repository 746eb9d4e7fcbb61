//! Rapport's core: the workspace, its store, and every capability as a module with a small
//! public API. The CLI (`src/bin/rapport.rs`) and the desktop shell (`src-tauri`) call these
//! functions and nothing else; this crate never depends on Tauri. See ARCHITECTURE.md.

pub mod coding;
pub mod demo;
pub mod deploys;
pub mod diarize;
pub mod error;
pub mod finding;
pub mod guide;
pub mod insights;
pub mod media;
pub mod models;
pub mod nps;
pub mod people;
pub mod progress;
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
