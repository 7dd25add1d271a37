//! Logs go to stderr only, never into a report; control characters in them are shown escaped. `-v` shows probe-level detail, `-q` silences
//! warnings.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(1);
static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// 0 = quiet, 1 = warnings (default), 2 = info (`-v`), 3 = debug (`-vv`).
pub fn set_level(level: u8) {
    START.get_or_init(std::time::Instant::now);
    LEVEL.store(level, Ordering::Relaxed);
}

/// Milliseconds since the logging was set up (the process's start), for debug lines that
/// show when a probe ran: at internet latency, which waits on which.
pub fn since_start() -> f64 {
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1000.0
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

/// A duration as a person reads it in a log line: `0.42 ms`, `37 ms`, `1.28 s`, `2 min 5 s`.
pub fn duration(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let s = d.as_secs();
        format!("{} min {} s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(super::duration(Duration::from_nanos(1_284_632)), "1.28 ms");
        assert_eq!(super::duration(Duration::from_micros(37_400)), "37 ms");
        assert_eq!(super::duration(Duration::from_millis(1_284)), "1.28 s");
        assert_eq!(super::duration(Duration::from_secs(125)), "2 min 5 s");
    }
}
