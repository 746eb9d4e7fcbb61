//! The CSV reader under the NPS, feedback, deploy, incident and catalog CSV importers.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(table) = rapport::tabular::Table::parse(text, "fuzz.csv") {
            for rec in table.records() {
                if let Some(t) = rec.get("time") {
                    let _ = rapport::nps::parse_survey_time(t);
                }
            }
        }
    }
});
