//! Integration tests of the core and the `rapport` CLI, one binary with a module per area.

mod cli;
mod models;
mod search;
mod store;
mod transcripts;
mod util;
