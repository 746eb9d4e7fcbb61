//! CSV audit files through the default field map (`audit import --format csv`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::audit::{formats::CsvColumns, AuditFormat, FieldMap};

fuzz_target!(|data: &[u8]| {
    let map = FieldMap::new(&[], AuditFormat::Csv).expect("the default map is valid");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let Ok(header) = reader.headers().cloned() else { return };
    let Ok(columns) = CsvColumns::new(&header, &map, "fuzz.csv") else { return };
    for rec in reader.records().flatten() {
        let _ = columns.event(&rec, &map, false);
    }
});
