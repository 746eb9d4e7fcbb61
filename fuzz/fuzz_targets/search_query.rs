//! The search query language (`rapport search QUERY`, the search box).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rapport::search::parse(text);
    }
});
