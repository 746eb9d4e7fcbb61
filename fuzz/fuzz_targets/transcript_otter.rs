//! Otter text transcripts (`transcript import FILE --format otter`) and format detection.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rapport::transcript::detect(text, "fuzz.txt");
        let _ = rapport::transcript::parse(text, "fuzz.txt", rapport::transcript::Format::Otter);
    }
});
