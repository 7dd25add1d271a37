//! The SPF record parser (RFC 7208 grammar): any bytes in, a record or a typed error out.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = launchready::spf::record::is_spf_record(data);
    if let Ok(record) = launchready::spf::record::parse(data) {
        let _ = record.lookup_terms();
        let _ = record.all();
    }
});
