//! Security-header values a hostile server sends: CSP directives, HSTS, and Set-Cookie, whose
//! redacted form must never carry the cookie's value.
#![no_main]
use launchready::checks::headers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = headers::csp_directives(text);
    let _ = launchready::checks::tls::parse_hsts(text);
    let redacted = headers::redact_cookie(text);
    if let Some((name, value)) = text.split(';').next().and_then(|p| p.split_once('=')) {
        let value = value.trim();
        // The value may also stand in the name or the attributes; only a value found nowhere
        // else in the header must be absent from its redacted form.
        let elsewhere = name.contains(value) || text.matches(value).count() > 1;
        // The placeholder is ours (`<redacted N chars>`): a value that happens to spell part
        // of it is not shown (the first crash this target found was exactly that).
        let placeholder = format!("<redacted {} chars>", value.chars().count());
        let shown = redacted.replacen(&placeholder, "", 1);
        if value.len() >= 12 && !elsewhere {
            assert!(!shown.contains(value), "cookie value in {redacted:?}");
        }
    }
});
