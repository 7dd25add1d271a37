//! Logs go to stderr only, never into a report; control characters in them are shown escaped. `-v` shows probe-level detail, `-q` silences
//! warnings.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(1);

/// 0 = quiet, 1 = warnings (default), 2 = info (`-v`), 3 = debug (`-vv`).
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

pub fn enabled(level: u8) -> bool {
    LEVEL.load(Ordering::Relaxed) >= level
}

#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => {
        if $crate::log::enabled(2) { eprintln!("launchready: {}", $crate::report::sanitize::terminal(&format!($($arg)*))); }
    };
}

#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::log::enabled(3) { eprintln!("launchready: {}", $crate::report::sanitize::terminal(&format!($($arg)*))); }
    };
}

#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {
        if $crate::log::enabled(1) { eprintln!("launchready: warning: {}", $crate::report::sanitize::terminal(&format!($($arg)*))); }
    };
}
