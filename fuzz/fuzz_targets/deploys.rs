//! Deploy and incident files: CSV, JSON Lines, DevLake webhook JSON (`deploys import`, `incidents import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::deploys::{read_deploys, read_incidents, ImportOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_deploys(text, "fuzz", &ImportOptions::default());
        let opts = ImportOptions { skip_invalid: true, service: Some("svc".into()) };
        let _ = read_deploys(text, "fuzz", &opts);
        let _ = read_incidents(text, "fuzz", true);
    }
});
