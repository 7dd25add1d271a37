//! What the web stages read out of pages and scripts a hostile site serves: subresources
//! (mixed content), script sources, the app's own API routes, and the signatures of leaked
//! files and error pages.
#![no_main]
use launchready::checks::{exposure, headers};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = headers::subresources(&text);
    let _ = exposure::script_srcs(&text);
    let _ = exposure::api_routes(&text);
    let _ = exposure::stack_trace(&text);
    let _ = exposure::looks_like_env(&text);
    let _ = exposure::looks_like_git("/.git/config", &text);
    let _ = exposure::looks_like_listing(&text);
    let _ = exposure::looks_like_source_map(&text);
    for line in text.lines().take(64) {
        if let Some(name) = exposure::env_name(line) {
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        }
    }
});
