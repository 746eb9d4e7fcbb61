//! The people directory importers: CSV, Slack `users.list`, SCIM ListResponse (`people import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::people::directory::{self, DirectoryFormat};

fuzz_target!(|data: &[u8]| {
    let format = directory::DirectoryFormat::sniff(data);
    let _ = directory::parse(data, "fuzz", format);
    for f in [DirectoryFormat::Csv, DirectoryFormat::Slack, DirectoryFormat::Scim] {
        let _ = directory::parse(data, "fuzz", f);
    }
});
