//! SRT transcripts (`transcript import FILE --format srt`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rapport::transcript::parse(text, "fuzz.srt", rapport::transcript::Format::Srt);
    }
});
