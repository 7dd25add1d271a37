//! `exposure.stack-trace`.

use super::signatures::error_page;
use super::*;

crate::check! {
    StackTrace for ExposureObservation = CheckDoc {
        id: "exposure.stack-trace",
        stage: Stage::Exposure,
        severity: Severity::High,
        impact: Impact::Security,
        title: "Error pages show stack traces or debug screens",
        catches: "A request for a page that cannot exist, a malformed one, or one of the app's own API routes (found in the page and its scripts — fetch, axios, XMLHttpRequest, API_URL-style constants — and in an OpenAPI document at the usual paths; GET only, with a malformed variant) returns a stack trace or a framework debug page: Django (debug 404 and technical 500), the Werkzeug/Flask debugger, Starlette/FastAPI, Express/Node (text and HTML), Rails, Laravel/Ignition, Symfony, Spring Boot Whitelabel with a trace, ASP.NET (yellow screen, developer page, Mono's error page), PHP display_errors, Go panics, JVM, Ruby, .NET. High: it maps the code for an attacker and means debug mode is on; an interactive console (the Werkzeug debugger, Rails web-console) is a blocker.",
        why: "It shows file paths, library versions, SQL and sometimes environment variables, and it means debug mode is on in production — often with an interactive console one step away.",
        fix: "Turn debug mode off in production (DEBUG=False, APP_DEBUG=false, NODE_ENV=production, display_errors=Off) and serve a generic error page; send the details to your logs instead.",
        refs: &["OWASP WSTG-ERRH-01", "https://cwe.mitre.org/data/definitions/209.html"],
    };
    fn evaluate(o, out, doc) {
        let mut seen: Vec<(&str, Option<String>)> = Vec::new();
        for p in &o.errors {
            let Some(hit) = error_page(&p.body) else { continue };
            // One finding per kind of page and host is enough to act on.
            let key = (hit.id, crate::target::host_of(&p.url));
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let mut f = doc.finding(&p.url, format!("{} in the error page (HTTP {})", hit.what, p.status));
            f.severity = hit.severity;
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_once_per_kind_and_host_at_the_signatures_severity() {
        let mut o = healthy();
        let trace = "Traceback (most recent call last):\n  File \"app.py\", line 3";
        o.errors = vec![
            page("https://example.com/api/items/1", 500, trace),
            page("https://example.com/api/items/1/x", 500, trace),
            page(
                "https://example.com/api/user",
                500,
                "<title>KeyError // Werkzeug Debugger</title>",
            ),
        ];
        let (found, unseen) = judge(&StackTrace, &o);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[1].severity, Severity::Blocker);
        assert!(found[1].evidence.starts_with("Werkzeug debugger"));
        assert!(unseen.is_empty());
    }

    #[test]
    fn silent_on_plain_error_pages() {
        let mut o = healthy();
        o.errors.push(page("https://example.com/x", 404, INDEX));
        assert!(judge(&StackTrace, &o).0.is_empty());
    }
}
