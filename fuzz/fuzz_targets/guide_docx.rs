//! Interview guides in Word .docx (`guide import FILE.docx`): the zip and the XML inside.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = rapport::guide::docx::parse(data, "fuzz.docx", "Fuzz");
});
