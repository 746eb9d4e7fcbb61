//! Integration tests of the core and the `rapport` CLI, one binary with a module per area.

mod cli;
mod media;
mod store;
mod transcribe;
mod util;
