//! DMARC records (RFC 7489 §6.3) and the organizational-domain lookup.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = launchready::email::dmarc::is_dmarc_record(text);
    let _ = launchready::email::dmarc::parse(text);
    let _ = launchready::email::dmarc::organizational_domain(text);
});
