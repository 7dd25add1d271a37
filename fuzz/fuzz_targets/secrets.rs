//! The secrets engine over arbitrary bytes: no panic, and no match that un-redacts — a
//! redacted form shows at most 4 characters of the value.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for label in ["src/config.ts", ".env", "https://example.test/assets/app.js"] {
        for m in launchready::secrets::scan_bytes(label, data) {
            let (head, rest) = m
                .redacted
                .split_once('…')
                .unwrap_or(("", m.redacted.as_str()));
            assert!(head.chars().count() <= 4, "redacted form shows {head:?}");
            assert!(rest.len() < 64, "redacted form too long: {rest:?}");
        }
    }
});
