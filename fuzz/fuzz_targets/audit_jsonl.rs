//! JSON Lines audit records through the default field map (`audit import --format jsonl`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::{formats, AuditFormat, FieldMap};

fuzz_target!(|data: &[u8]| {
    let map = FieldMap::new(&[], AuditFormat::Jsonl).expect("the default map is valid");
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = formats::jsonl_event(line, &map, false);
        }
    }
});
