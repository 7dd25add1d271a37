//! The zone-file reader: any text as a master file (with and without an origin). `$INCLUDE`
//! resolves under a directory that does not exist, so only the text itself is read.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("/nonexistent-launchready-fuzz/zone.db");
    let origin = launchready::net::dns::name("example.test").ok();
    let _ = launchready::net::zonefile::parse_zone_str(text, file, origin.as_ref());
    let _ = launchready::net::zonefile::parse_zone_str(text, file, None);
});
