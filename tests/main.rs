//! Integration tests of the core and the `rapport` CLI, one binary with a module per area.

mod cli;
mod insights;
mod media;
mod models;
mod prometheus;
mod search;
mod store;
mod transcribe;
mod transcripts;
mod util;
mod workbench;
