use super::*;
use std::path::{Path, PathBuf};

/// What each recording of `fixtures/frameworks/` must be recognised as: an error page (the
/// probe's URL is a made-up page or an API route) or a debug endpoint at a path; `None` for
/// a page that gives nothing away. Every production-configured twin (`prod-*`) is `None`.
/// A recording, the debug-endpoint path it was fetched at (None: an error page), and the
/// id and severity it must be recognised with.
type Expectation = (
    &'static str,
    Option<&'static str>,
    Option<(&'static str, Severity)>,
);

const RECORDED: &[Expectation] = &[
    (
        "django/debug-404.html",
        None,
        Some(("django-debug-404", High)),
    ),
    (
        "django/debug-500.html",
        None,
        Some(("django-debug-500", High)),
    ),
    ("flask/debug-404.html", None, None),
    (
        "flask/debug-500.html",
        None,
        Some(("werkzeug-debugger", Blocker)),
    ),
    (
        "flask/console.html",
        Some("/console"),
        Some(("werkzeug-console", Blocker)),
    ),
    ("fastapi/debug-404.html", None, None),
    (
        "fastapi/debug-500.html",
        None,
        Some(("starlette-debug", High)),
    ),
    ("express/debug-404.html", None, None),
    (
        "express/debug-500.html",
        None,
        Some(("express-stack", High)),
    ),
    // php -S answers an unknown path with the index page: a soft 404.
    ("php/debug-404.html", None, None),
    (
        "php/debug-500.html",
        None,
        Some(("php-display-errors", High)),
    ),
    (
        "php/phpinfo.html",
        Some("/info.php"),
        Some(("phpinfo", High)),
    ),
    // web-console renders its console in every exception page, the routing error included.
    (
        "rails/debug-404.html",
        None,
        Some(("rails-web-console", Blocker)),
    ),
    (
        "rails/debug-500.html",
        None,
        Some(("rails-web-console", Blocker)),
    ),
    (
        "rails/rails-info.html",
        Some("/rails/info/properties"),
        Some(("rails-info", High)),
    ),
    (
        "symfony/debug-404.html",
        None,
        Some(("symfony-exception", High)),
    ),
    (
        "symfony/debug-500.html",
        None,
        Some(("symfony-exception", High)),
    ),
    (
        "symfony/profiler.html",
        Some("/_profiler/latest"),
        Some(("symfony-profiler", High)),
    ),
    // negroni's Recovery prints the panic and its goroutine's stack (its default).
    ("go/debug-404.html", None, None),
    ("go/debug-500.html", None, Some(("go-panic", High))),
    (
        "go/pprof.html",
        Some("/debug/pprof/"),
        Some(("go-pprof", High)),
    ),
    // customErrors Off shows the stack of the 404 (StaticFileHandler) too.
    (
        "aspnet/debug-404.html",
        None,
        Some(("aspnet-mono-trace", High)),
    ),
    (
        "aspnet/debug-500.html",
        None,
        Some(("aspnet-mono-trace", High)),
    ),
    (
        "aspnet/trace.html",
        Some("/trace.axd"),
        Some(("aspnet-trace", High)),
    ),
];

fn recordings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/frameworks")
}

fn every_recording() -> Vec<String> {
    let mut out = Vec::new();
    for fw in std::fs::read_dir(recordings())
        .into_iter()
        .flatten()
        .flatten()
    {
        if !fw.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(fw.path()).into_iter().flatten().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".html") {
                out.push(format!("{}/{name}", fw.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    out
}

fn read(rel: &str) -> String {
    let bytes = std::fs::read(recordings().join(rel)).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn real_framework_debug_pages_are_recognised_with_their_id_and_severity() {
    for (rel, path, want) in RECORDED {
        let body = read(rel);
        assert!(!body.is_empty() || want.is_none(), "{rel} is missing");
        let got = match path {
            Some(p) => debug_endpoint(p, 200, &body),
            None => error_page(&body),
        };
        assert_eq!(got.map(|h| (h.id, h.severity)), *want, "{rel}");
    }
}

#[test]
fn production_twins_give_nothing_away() {
    let all = every_recording();
    let twins: Vec<&String> = all.iter().filter(|r| r.contains("/prod-")).collect();
    assert!(twins.len() >= 10, "{all:?}");
    for rel in twins {
        let body = read(rel);
        assert_eq!(error_page(&body), None, "{rel}");
        for e in DEBUG_ENDPOINTS {
            assert_eq!(
                debug_endpoint(e.path, 200, &body),
                None,
                "{rel} at {}",
                e.path
            );
        }
    }
}

#[test]
fn every_debug_recording_has_an_expectation() {
    for rel in every_recording().iter().filter(|r| !r.contains("/prod-")) {
        assert!(
            RECORDED.iter().any(|(r, _, _)| r == rel),
            "{rel}: add it to RECORDED"
        );
    }
}

#[test]
fn signatures_tell_real_leaks_from_spa_index_pages() {
    let index = "<!doctype html><html><body><div id=root></div></body></html>";
    assert!(
        !looks_like_env(index)
            && !looks_like_git("/.git/HEAD", index)
            && !looks_like_git("/.git/config", index)
    );
    assert!(!looks_like_listing(index) && !looks_like_source_map(index));
    assert_eq!(error_page(index), None);
    for e in DEBUG_ENDPOINTS {
        assert_eq!(debug_endpoint(e.path, 200, index), None, "{}", e.path);
    }
    assert!(looks_like_env(
        "# prod\nDATABASE_URL=postgres://x\nexport API_KEY=abc\n"
    ));
    assert!(looks_like_git("/.git/HEAD", "ref: refs/heads/main\n"));
    assert!(looks_like_git(
        "/.git/config",
        "[core]\n\trepositoryformatversion = 0\n"
    ));
    assert!(looks_like_source_map(
        r#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#
    ));
    assert!(looks_like_listing(
        "<html><head><title>Index of /static/</title>"
    ));
}

#[test]
fn env_names_are_identifiers_only() {
    assert_eq!(env_name("export API_KEY=abc"), Some("API_KEY"));
    assert_eq!(env_name("  DB_URL = x"), Some("DB_URL"));
    assert_eq!(
        env_name("postgres://user:password@host/db?sslmode=require"),
        None
    );
    assert_eq!(env_name("# COMMENT=1"), None);
    assert_eq!(env_name("1BAD=1"), None);
}

/// Pages that cannot be recorded here (see VERSIONS.txt): Laravel/Ignition and Spring Boot
/// (Packagist and Maven Central are out of reach), .NET Framework's yellow screen and ASP.NET
/// Core (Windows/NuGet), ELMAH (NuGet); and bare stack-trace forms. Their signatures on the
/// fragments their documentation and sources print.
#[test]
fn recognises_frameworks_not_recorded_here() {
    let cases = [
        ("Traceback (most recent call last):\n  File \"app.py\", line 3", "python-traceback"),
        ("Error: boom\n    at Object.<anonymous> (/srv/app/index.js:10:5)", "node-stack"),
        ("java.lang.NullPointerException\n\tat com.acme.App.main(App.java:42)", "jvm-trace"),
        ("app/models/user.rb:12:in `save'", "ruby-backtrace"),
        ("panic: runtime error\n\ngoroutine 7 [running]:\nmain.main()", "go-panic"),
        ("<h1>Whitelabel Error Page</h1><div>java.lang.IllegalStateException\n\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)", "spring-whitelabel-trace"),
        ("<h1>Server Error in '/' Application.</h1><b> Exception Details: </b>System.NullReferenceException", "aspnet-yellow-screen"),
        ("<h1>An unhandled exception occurred while processing the request.</h1>", "aspnet-core-developer"),
        ("<title>Action Controller: Exception caught</title>", "rails-debug"),
        ("<title>Action Controller: Exception caught</title><div id=\"console\" data-mount-point=\"/__web_console\">", "rails-web-console"),
        ("Spatie\\LaravelIgnition\\Http\\Controllers", "laravel-ignition"),
        ("<abbr title=\"Symfony\\Component\\HttpKernel\\Exception\\NotFoundHttpException\">", "symfony-exception"),
    ];
    for (text, want) in cases {
        assert_eq!(error_page(text).map(|h| h.id), Some(want), "{text}");
    }
    // A Whitelabel page without a trace is Spring's production default: nothing.
    assert_eq!(error_page("<h1>Whitelabel Error Page</h1><div>There was an unexpected error (type=Not Found, status=404).</div>"), None);
    // The production yellow screen hides the exception.
    assert_eq!(
        error_page("<h1>Server Error in '/' Application.</h1><h2><i>Runtime Error</i></h2>"),
        None
    );
    assert_eq!(
        debug_endpoint("/actuator/heapdump", 200, "JAVA PROFILE 1.0.2\0").map(|h| h.severity),
        Some(Blocker)
    );
    assert!(debug_endpoint("/_debugbar/open", 200, r#"[{"id":"X1","datetime":"2024-01-01 00:00:00","utime":"1704067200.1","method":"GET","uri":"/","ip":"127.0.0.1"}]"#).is_some());
}
