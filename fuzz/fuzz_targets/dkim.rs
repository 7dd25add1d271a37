//! DKIM key records (RFC 6376 §3.6.1), including the base64 SubjectPublicKeyInfo inside.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = launchready::email::dkim::rsa_bits(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = launchready::email::dkim::looks_like_key(text);
    let _ = launchready::email::dkim::parse(text);
    let _ = launchready::email::mtasts::parse_sts_record(text);
    let _ = launchready::email::mtasts::parse_sts_policy(text);
    let _ = launchready::email::mtasts::parse_tlsrpt_record(text);
});
