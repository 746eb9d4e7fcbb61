//! The service catalog: Backstage YAML (multi-document) and CSV (`catalog import`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rapport::catalog::read_text(text, "fuzz.yaml");
        let _ = rapport::catalog::read_text(text, "fuzz.csv");
    }
});
