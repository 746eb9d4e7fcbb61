//! REFI-QDA projects (`import qdpx FILE`): the safe zip reader, then project.qde's XML and its
//! schema check. The first byte picks whether the input is the zip or the XML alone.
#![no_main]
use std::io::Write;

use libfuzzer_sys::fuzz_target;
use rapport::import::{safezip::SafeZip, schema, xml};

fn xml_and_schema(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(root) = xml::parse("project.qde", text) {
            let _ = schema::validate("project.qde", &root);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 0 {
        xml_and_schema(rest);
        return;
    }
    let mut file = tempfile::NamedTempFile::new().expect("a temp file");
    file.write_all(rest).expect("writing the temp file");
    let Ok(mut zip) = SafeZip::open(file.path()) else { return };
    if let Some(name) = zip.find("project.qde") {
        if let Ok(bytes) = zip.read(&name) {
            xml_and_schema(&bytes);
        }
    }
});
