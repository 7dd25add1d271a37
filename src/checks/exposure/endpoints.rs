//! Leftover debug files and endpoints: the paths asked on the app's origin and the content that
//! proves each one is what its path says (a soft 404 answers 200 everywhere).

use super::signatures::{sig, Hit, Sig};
use crate::finding::Severity::{Blocker, High};

/// A well-known debug endpoint: its path and the content that proves it is that endpoint.
pub struct DebugEndpoint {
    pub path: &'static str,
    sig: Sig,
}

const fn at(path: &'static str, sig: Sig) -> DebugEndpoint {
    DebugEndpoint { path, sig }
}

const PHPINFO: &[&str] = &["phpinfo()", "PHP Version"];

/// Leftover debug files and endpoints, asked on the app's origin (GET only).
pub const DEBUG_ENDPOINTS: &[DebugEndpoint] = &[
    at(
        "/info.php",
        sig(
            "phpinfo",
            "phpinfo() (the environment and configuration)",
            High,
            PHPINFO,
        ),
    ),
    at(
        "/phpinfo.php",
        sig(
            "phpinfo",
            "phpinfo() (the environment and configuration)",
            High,
            PHPINFO,
        ),
    ),
    at(
        "/test.php",
        sig(
            "phpinfo",
            "phpinfo() (the environment and configuration)",
            High,
            PHPINFO,
        ),
    ),
    at(
        "/server-status",
        sig(
            "apache-server-status",
            "Apache server-status (every request and client)",
            High,
            &["Apache Server Status"],
        ),
    ),
    at(
        "/actuator/env",
        sig(
            "spring-actuator-env",
            "Spring actuator env (the environment and properties)",
            High,
            &["\"propertySources\""],
        ),
    ),
    at(
        "/actuator/heapdump",
        sig(
            "spring-actuator-heapdump",
            "Spring actuator heap dump (the process memory, secrets included)",
            Blocker,
            &["JAVA PROFILE 1.0"],
        ),
    ),
    at(
        "/console",
        sig(
            "werkzeug-console",
            "the Werkzeug console (runs code)",
            Blocker,
            &["Werkzeug", "Interactive Console"],
        ),
    ),
    // `/_profiler` and `/_profiler/` only redirect (301, then 302 to a search URL); the
    // `latest` token answers 200 with the last request's profile, or "There are no profiles".
    at(
        "/_profiler/latest",
        sig(
            "symfony-profiler",
            "the Symfony profiler (requests, settings)",
            High,
            &["<title>Symfony Profiler</title>"],
        ),
    ),
    at(
        "/telescope",
        sig(
            "laravel-telescope",
            "Laravel Telescope (requests, queries, jobs)",
            High,
            &["window.Telescope"],
        ),
    ),
    at(
        "/_debugbar/open",
        sig(
            "laravel-debugbar",
            "Laravel Debugbar's stored requests",
            High,
            &["\"utime\"", "\"datetime\""],
        ),
    ),
    at(
        "/rails/info/properties",
        sig(
            "rails-info",
            "Rails info (versions and paths)",
            High,
            &["Rails version"],
        ),
    ),
    at(
        "/elmah.axd",
        sig(
            "elmah",
            "ELMAH error log (every exception with its request)",
            High,
            &["ELMAH"],
        ),
    ),
    at(
        "/trace.axd",
        sig(
            "aspnet-trace",
            "ASP.NET trace (requests with their headers and session)",
            High,
            &["Application Trace"],
        ),
    ),
    at(
        "/debug/pprof/",
        sig(
            "go-pprof",
            "Go pprof (profiles and goroutine dumps)",
            High,
            &["Types of profiles available"],
        ),
    ),
    at(
        "/__debug__/",
        sig(
            "django-debug-toolbar",
            "the Django debug toolbar",
            High,
            &["djDebug"],
        ),
    ),
];

/// The debug endpoint a 2xx page at `path` is, judged by its body.
pub fn debug_endpoint(path: &str, status: u16, body: &str) -> Option<Hit> {
    if !(200..300).contains(&status) {
        return None;
    }
    DEBUG_ENDPOINTS
        .iter()
        .filter(|e| e.path == path)
        .find(|e| e.sig.all.iter().all(|n| body.contains(n)))
        .map(|e| Hit {
            id: e.sig.id,
            what: e.sig.what,
            severity: e.sig.severity,
        })
}
