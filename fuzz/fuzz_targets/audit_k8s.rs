//! Kubernetes audit Events: one per line (through the scanner, and through serde_json alone),
//! or a JSON array / EventList (`audit import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::formats;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = formats::k8s_event(line, false);
            formats::k8s_line(line, false, &mut |_| {});
        }
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let _ = formats::k8s_list(value, true);
        }
    }
});
