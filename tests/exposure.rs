//! The exposure stage against the sandbox: a site that leaks everything, a single-page app that
//! answers 200 everywhere (must stay clean), and no secret value in any output format.

mod common;

use common::*;
use launchready::secrets::samples::sample;

/// The longest token of a sample text: the secret (or the URL holding it).
fn secret_token(rule: &str, seed: u64) -> String {
    let (text, _) = sample(rule, seed).expect("sample");
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '=')
        .max_by_key(|t| t.len())
        .expect("token")
        .to_string()
}

#[test]
fn leaky_site_fires_every_exposure_check_and_the_spa_none() {
    let sb = sandbox("leaky");
    let r = audit(&sb, &["--only", "exposure"]).json();
    let got = ids(&r);
    for id in [
        "exposure.env-file",
        "exposure.git",
        "exposure.secret-in-bundle",
        "exposure.source-map",
        "exposure.stack-trace",
        "exposure.directory-listing",
        "exposure.debug-endpoint",
    ] {
        assert!(got.contains(id), "{id} missing from {got:?}");
    }
    // The publishable key in the same bundle is not a finding.
    let bundle: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == "exposure.secret-in-bundle")
        .collect();
    assert!(bundle
        .iter()
        .all(|f| !f["evidence"].as_str().unwrap_or("").contains("publishable")));
    let spa = sandbox("spa");
    let r = audit(&spa, &["--only", "exposure,headers"]).json();
    assert!(
        ids(&r).is_empty(),
        "an SPA answering 200 everywhere is clean: {:?}",
        ids(&r)
    );
}

#[test]
fn no_output_format_ever_contains_a_secret_value() {
    let sb = sandbox("leaky");
    let tokens: Vec<String> = [
        ("openai-api-key", 12),
        ("stripe-secret-key", 14),
        ("postgres-url-password", 10),
    ]
    .iter()
    .map(|(rule, seed)| secret_token(rule, *seed))
    .collect();
    let dir = std::env::temp_dir().join(format!("lr-exposure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for format in ["table", "json", "markdown", "sarif", "junit", "html"] {
        let file = dir.join(format!("report.{format}"));
        let mut args = vec!["audit".to_string()];
        args.extend(sb.info.audit_args());
        args.extend(["--only", "exposure", "-v", "--format", format, "-o"].map(String::from));
        args.push(file.display().to_string());
        let run = launchready(args);
        let saved = std::fs::read_to_string(&file).expect("report written");
        assert!(
            saved.contains("exposure.secret-in-bundle"),
            "{format}: {saved}"
        );
        for t in &tokens {
            let tail = &t[t.len() - 12..];
            for (what, text) in [
                ("file", &saved),
                ("stdout", &run.stdout),
                ("stderr", &run.stderr),
            ] {
                assert!(
                    !text.contains(tail),
                    "{format} {what} leaks the end of a secret ({tail})"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Apps throw where their API is, not at made-up URLs: the route the page calls with fetch()
/// is asked, and its Express HTML stack is a high finding charged to that URL.
#[test]
fn error_pages_are_provoked_on_the_apps_own_api_routes() {
    let sb = sandbox("api-debug");
    let run = audit(&sb, &["--only", "exposure", "--fail-on", "high"]);
    let r = run.json();
    assert_eq!(
        run.code, 1,
        "a stack trace is high: NO-GO at --fail-on high"
    );
    let traces: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == "exposure.stack-trace")
        .collect();
    assert_eq!(traces.len(), 1, "{traces:?}");
    assert_eq!(traces[0]["severity"], "high");
    assert_eq!(traces[0]["subject"], "https://example.test/api/items/1");
    // The discovered route was asked, and every request went to an audited host.
    let log = sb.info.requests.lock().expect("log").clone();
    assert!(
        log.iter().any(|l| l == "example.test /api/items/1"),
        "{log:?}"
    );
    assert!(log.iter().all(|l| l.starts_with("example.test ")
        || l.starts_with("www.example.test ")
        || l.starts_with("app.example.test ")
        || l.starts_with("mta-sts.")
        || l.starts_with("staging.")
        || l.starts_with("dev.")
        || l.starts_with("test.")
        || l.starts_with("preview.")));
}

/// Pages recorded from real Flask (debug on and off) and PHP, served by the sandbox: the
/// Werkzeug debugger behind the route the page calls is a blocker (the default
/// `--fail-on blocker` says NO-GO), phpinfo() is high; the production twin gives nothing.
#[test]
fn recorded_framework_pages_raise_the_right_findings_at_the_right_severity() {
    let sb = sandbox("framework-debug");
    let run = audit(&sb, &["--only", "exposure"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let findings = r["findings"].as_array().expect("findings");
    let of = |id: &str| -> Vec<&serde_json::Value> {
        findings.iter().filter(|f| f["id"] == id).collect()
    };
    let traces = of("exposure.stack-trace");
    assert_eq!(traces.len(), 1, "{traces:?}");
    assert_eq!(traces[0]["severity"], "blocker");
    assert!(traces[0]["subject"]
        .as_str()
        .unwrap_or("")
        .contains("/api/items/1"));
    assert!(traces[0]["evidence"]
        .as_str()
        .unwrap_or("")
        .starts_with("Werkzeug debugger"));
    let debug = of("exposure.debug-endpoint");
    assert_eq!(debug.len(), 1, "{debug:?}");
    assert_eq!(debug[0]["severity"], "high");
    assert!(debug[0]["subject"]
        .as_str()
        .unwrap_or("")
        .ends_with("/info.php"));

    let twin = sandbox("framework-production");
    let run = audit(&twin, &["--only", "exposure"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(ids(&run.json()).is_empty());
}

/// Pages recorded from real Rails, Symfony, Go (negroni) and Mono ASP.NET installed from
/// Debian, debug on and off, served by the sandbox behind the routes the page calls: each
/// framework's page is recognised with its own evidence and severity (Rails' web-console is a
/// blocker, so NO-GO), each debug endpoint is high, and the production twins give nothing.
#[test]
fn recorded_debian_framework_pages_raise_the_right_findings_at_the_right_severity() {
    let sb = sandbox("framework-debug-debian");
    let run = audit(&sb, &["--only", "exposure"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let findings = r["findings"].as_array().expect("findings");
    let of = |id: &str| -> Vec<(String, String, String)> {
        findings
            .iter()
            .filter(|f| f["id"] == id)
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                (s("subject"), s("evidence"), s("severity"))
            })
            .collect()
    };
    let traces = of("exposure.stack-trace");
    assert_eq!(traces.len(), 4, "{traces:?}");
    for (route, evidence, severity) in [
        ("/api/rails/items/1", "Rails web-console", "blocker"),
        ("/api/symfony/items/1", "Symfony exception page", "high"),
        ("/api/go/items/1", "Go panic", "high"),
        ("/api/aspnet/items/1", "ASP.NET stack trace (Mono", "high"),
    ] {
        assert!(
            traces
                .iter()
                .any(|(s, e, sev)| s.contains(route) && e.starts_with(evidence) && sev == severity),
            "{route}: {traces:?}"
        );
    }
    let debug = of("exposure.debug-endpoint");
    assert_eq!(debug.len(), 4, "{debug:?}");
    for path in [
        "/rails/info/properties",
        "/_profiler/latest",
        "/debug/pprof/",
        "/trace.axd",
    ] {
        assert!(
            debug
                .iter()
                .any(|(s, _, sev)| s.ends_with(path) && sev == "high"),
            "{path}: {debug:?}"
        );
    }

    let twin = sandbox("framework-production-debian");
    let run = audit(&twin, &["--only", "exposure"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(ids(&run.json()).is_empty(), "{}", run.stdout);
}
