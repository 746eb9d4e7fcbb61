//! Kubernetes audit Events: one per line, or a JSON array / EventList (`audit import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::formats;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = formats::k8s_event(line, false);
        }
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let _ = formats::k8s_list(value, true);
        }
    }
});
