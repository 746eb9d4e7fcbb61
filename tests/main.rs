//! Integration tests of the core and the `rapport` CLI, one binary with a module per area.

mod audit;
mod bad_input;
mod cli;
mod diarize;
mod error_codes;
mod evidence;
mod guide_lint;
mod guides;
mod hardening;
mod insights;
mod media;
mod models;
mod prometheus;
mod recruit;
mod refi;
mod search;
mod store;
mod synthesis;
mod transcribe;
mod transcripts;
mod util;
mod workbench;
