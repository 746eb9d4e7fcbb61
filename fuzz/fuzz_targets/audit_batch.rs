//! A stored batch of audit events (`audit_batches.data`): any bytes give a batch or an error,
//! never a panic, and a batch that reads, written again, reads as the same events.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::events::Batch;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = Batch::decode(data) {
        let again = Batch::decode(&batch.encode()).expect("an encoded batch reads");
        assert_eq!(again.iter().collect::<Vec<_>>(), batch.iter().collect::<Vec<_>>());
    }
});
