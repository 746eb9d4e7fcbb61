//! Kubernetes audit Events: one per line (through the scanner, through serde_json alone, and
//! from the line's bytes where they are all ASCII, which must read as the text path does), or a
//! JSON array / EventList (`audit import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::formats;

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if let Some(fast) = formats::k8s_line_ascii(line, false) {
            let text = std::str::from_utf8(line).expect("read from bytes only when ASCII");
            let mut slow = Vec::new();
            formats::k8s_line(text, false, &mut |r| slow.push(r));
            assert_eq!(format!("{:?}", [fast]), format!("{slow:?}"));
        }
    }
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
