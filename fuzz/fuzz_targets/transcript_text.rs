//! Stamped text transcripts (`[00:01:02] Name: text`, MAXQDA, f4; `--format text`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rapport::transcript::parse(text, "fuzz.txt", rapport::transcript::Format::Text);
    }
});
