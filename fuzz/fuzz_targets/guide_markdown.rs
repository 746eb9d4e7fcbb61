//! Interview guides in Markdown (`guide import FILE.md`), then the lint over what parsed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(doc) = rapport::guide::format::parse(text, "fuzz.md") {
            let _ = rapport::guide::lint::lint(&doc);
            let _ = rapport::guide::format::write(&doc);
        }
    }
});
