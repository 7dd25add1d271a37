//! What a leak looks like: the content signatures the exposure checks judge pages by. A page
//! is recognised by what it says, never by its status alone — a single-page app or a soft 404
//! answers 200 with its index page for every path.
//!
//! The framework signatures are tested on pages recorded from the real frameworks
//! (`fixtures/frameworks/`, made by its `record.sh`): each debug page is recognised with its
//! id and severity, and each production-configured twin with nothing.

use crate::finding::Severity;
use regex::Regex;
use std::sync::OnceLock;

/// A compiled pattern, built once (a bad pattern matches nothing rather than panicking).
pub(super) fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// A recognised debug page or stack trace: which, and what an attacker gets from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub id: &'static str,
    pub what: &'static str,
    /// Blocker for an interactive console (it runs code) or a memory dump; high for a page
    /// that prints settings, environment or a stack trace.
    pub severity: Severity,
}

/// A page signature: every needle must be in the body.
pub(super) struct Sig {
    pub(super) id: &'static str,
    pub(super) what: &'static str,
    pub(super) severity: Severity,
    pub(super) all: &'static [&'static str],
}

pub(super) const fn sig(
    id: &'static str,
    what: &'static str,
    severity: Severity,
    all: &'static [&'static str],
) -> Sig {
    Sig {
        id,
        what,
        severity,
        all,
    }
}

use Severity::{Blocker, High};

/// Error pages of real frameworks in debug mode, most specific first.
const ERROR_PAGES: &[Sig] = &[
    sig(
        "werkzeug-debugger",
        "Werkzeug debugger (an interactive console)",
        Blocker,
        &["Werkzeug Debugger"],
    ),
    sig(
        "werkzeug-debugger",
        "Werkzeug debugger (an interactive console)",
        Blocker,
        &["The debugger caught an exception in your WSGI application"],
    ),
    sig(
        "rails-web-console",
        "Rails web-console (an interactive console)",
        Blocker,
        &["Action Controller: Exception caught", "__web_console"],
    ),
    // Django 3.2–5.2 print a typographic apostrophe (`You’re seeing…`); older ones a straight one.
    sig(
        "django-debug-500",
        "Django technical 500 page (traceback and settings)",
        High,
        &[
            "seeing this error because you have <code>DEBUG = True</code>",
            "id=\"traceback\"",
        ],
    ),
    sig(
        "django-debug-404",
        "Django debug 404 page (the URL patterns)",
        High,
        &["seeing this error because you have <code>DEBUG = True</code>"],
    ),
    sig(
        "starlette-debug",
        "Starlette/FastAPI debug page (traceback)",
        High,
        &["Starlette Debugger"],
    ),
    sig(
        "starlette-debug",
        "Starlette/FastAPI debug page (traceback)",
        High,
        &["<h2>Traceback</h2>", "class=\"traceback-container\""],
    ),
    sig(
        "laravel-ignition",
        "Laravel/Ignition debug page",
        High,
        &["Spatie\\LaravelIgnition"],
    ),
    sig(
        "laravel-ignition",
        "Laravel/Ignition debug page",
        High,
        &["Facade\\Ignition"],
    ),
    sig(
        "laravel-ignition",
        "Laravel debug page",
        High,
        &["Whoops! There was an error"],
    ),
    sig(
        "laravel-ignition",
        "Laravel stack trace",
        High,
        &["Illuminate\\"],
    ),
    sig(
        "symfony-exception",
        "Symfony exception page",
        High,
        &["Symfony\\Component\\"],
    ),
    sig(
        "symfony-exception",
        "Symfony exception page",
        High,
        &["Symfony Exception"],
    ),
    sig(
        "rails-debug",
        "Rails debug page",
        High,
        &["Action Controller: Exception caught"],
    ),
    sig(
        "aspnet-yellow-screen",
        "ASP.NET error page with the exception (yellow screen)",
        High,
        &["Server Error in '", "Exception Details:"],
    ),
    sig(
        "aspnet-core-developer",
        "ASP.NET Core developer exception page",
        High,
        &["An unhandled exception occurred while processing the request."],
    ),
    sig(
        "spring-whitelabel-trace",
        "Spring Boot Whitelabel page with a stack trace",
        High,
        &["Whitelabel Error Page", "at org.springframework."],
    ),
    sig(
        "php-display-errors",
        "PHP error shown to visitors (display_errors)",
        High,
        &["<b>Fatal error</b>:"],
    ),
    sig(
        "php-display-errors",
        "PHP error shown to visitors (display_errors)",
        High,
        &["<b>Parse error</b>:"],
    ),
    sig(
        "php-display-errors",
        "PHP error shown to visitors (display_errors)",
        High,
        &["<b>Warning</b>:", " on line <b>"],
    ),
    sig(
        "php-display-errors",
        "PHP error shown to visitors (display_errors)",
        High,
        &["PHP Fatal error:"],
    ),
    sig(
        "php-display-errors",
        "PHP stack trace",
        High,
        &["Stack trace:\n#0 "],
    ),
    sig(
        "python-traceback",
        "Python traceback",
        High,
        &["Traceback (most recent call last)"],
    ),
    sig("dotnet-trace", ".NET stack trace", High, &["   at System."]),
    sig(
        "jvm-trace",
        "Java stack trace",
        High,
        &["Exception in thread \""],
    ),
];

/// Stack traces recognised by their frame lines, after [`ERROR_PAGES`].
const TRACE_PATTERNS: &[(&str, &str, &str)] = &[
    // Express renders its stack as HTML: `<br> &nbsp; &nbsp;at fn (/srv/app.js:3:9)`.
    (
        "express-stack",
        "Node.js stack trace (Express)",
        r"<br>\s*(?:&nbsp;\s*)+at [^<]*(/|[A-Za-z]:\\|node:)[^<]*:\d+:\d+",
    ),
    // Mono's ASP.NET error page is not the yellow screen: "Application Exception" and
    // `at Type.Method (args) [0x0004b] in <mvid>:0` frames (its production page keeps the
    // "Exception stack trace:" heading over an empty box, so the frames are what tells).
    (
        "aspnet-mono-trace",
        "ASP.NET stack trace (Mono's error page)",
        r"\bat [^\s(<]+ \([^)\n]*\) \[0x[0-9a-f]+\] in ",
    ),
    (
        "node-stack",
        "Node.js stack trace",
        r"\n\s+at .+\((/|[A-Za-z]:\\|node:).+:\d+:\d+\)",
    ),
    (
        "jvm-trace",
        "JVM stack trace",
        r"\n\s+at [a-z][\w$]*(\.[\w$]+)+\([\w$]+\.(java|kt|scala):\d+\)",
    ),
    ("ruby-backtrace", "Ruby backtrace", r"\.rb:\d+:in `"),
    ("go-panic", "Go panic", r"goroutine \d+ \[[a-z ]+\]:"),
];

/// The stack trace or framework debug page in an error page, if any.
pub fn error_page(body: &str) -> Option<Hit> {
    if let Some(s) = ERROR_PAGES
        .iter()
        .find(|s| s.all.iter().all(|n| body.contains(n)))
    {
        return Some(Hit {
            id: s.id,
            what: s.what,
            severity: s.severity,
        });
    }
    static COMPILED: OnceLock<Vec<Option<Regex>>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        TRACE_PATTERNS
            .iter()
            .map(|(_, _, p)| Regex::new(p).ok())
            .collect()
    });
    TRACE_PATTERNS
        .iter()
        .zip(compiled)
        .find(|(_, r)| r.as_ref().is_some_and(|r| r.is_match(body)))
        .map(|(&(id, what, _), _)| Hit {
            id,
            what,
            severity: High,
        })
}

pub use super::endpoints::{debug_endpoint, DebugEndpoint, DEBUG_ENDPOINTS};

/// An env file: mostly `KEY=value` lines, and not HTML.
pub fn looks_like_env(body: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(line) = re(&RE, r"^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=") else {
        return false;
    };
    if body.trim_start().starts_with('<') {
        return false;
    }
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(50)
        .collect();
    !lines.is_empty() && lines.iter().filter(|l| line.is_match(l)).count() * 2 > lines.len()
}

/// The variable name of an env line (`[A-Za-z_][A-Za-z0-9_]*` before `=`), if it is one:
/// never "whatever is before the first `=`", which may be a URL with a password.
pub fn env_name(line: &str) -> Option<&str> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")?
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// `.git/HEAD` is `ref: refs/…` or a bare commit id; `.git/config` has a `[core]` section.
pub fn looks_like_git(path: &str, body: &str) -> bool {
    let t = body.trim();
    if path.ends_with("HEAD") {
        t.starts_with("ref: refs/") || (t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
    } else {
        t.contains("[core]") && (t.contains("repositoryformatversion") || t.contains("bare ="))
    }
}

pub fn looks_like_listing(body: &str) -> bool {
    body.contains("<title>Index of /")
        || body.contains("<h1>Index of /")
        || body.contains("Directory listing for /")
        || body.contains("[To Parent Directory]")
}

/// A source map: JSON with a version and mappings.
pub fn looks_like_source_map(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with('{') && t.contains("\"version\"") && t.contains("\"mappings\"")
}

#[cfg(test)]
#[path = "signatures_tests.rs"]
mod tests;
