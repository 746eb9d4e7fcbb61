//! Integration tests of the core and the `rapport` CLI, one binary with a module per area.

mod cli;
mod diarize;
mod media;
mod models;
mod search;
mod store;
mod transcribe;
mod transcripts;
mod util;
mod workbench;
