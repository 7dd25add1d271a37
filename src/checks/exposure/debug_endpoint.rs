//! `exposure.debug-endpoint`.

use super::signatures::debug_endpoint;
use super::*;

crate::check! {
    DebugEndpoint for ExposureObservation = CheckDoc {
        id: "exposure.debug-endpoint",
        stage: Stage::Exposure,
        severity: Severity::High,
        impact: Impact::Security,
        title: "A debug endpoint is public",
        catches: "A leftover debug file or endpoint answers 2xx with its own content (a 200 alone is not enough: soft 404s answer 200): phpinfo() (/info.php, /phpinfo.php, /test.php), Apache server-status, Spring actuator /env and /heapdump (a blocker: the process memory), the Werkzeug console (a blocker: it runs code), the Symfony profiler, Laravel Telescope and Debugbar, Rails info, ELMAH (elmah.axd), ASP.NET trace.axd, Go pprof, the Django debug toolbar.",
        why: "They print environment variables and secrets, internal addresses and request data, and some execute code.",
        fix: "Delete the file or disable the endpoint in production, or put it behind authentication on an internal network.",
        refs: &["OWASP WSTG-CONF-05", "https://cwe.mitre.org/data/definitions/215.html"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.debug {
            let path = p
                .url
                .parse::<hyper::Uri>()
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            if let Some(hit) = debug_endpoint(&path, p.status, &p.body) {
                let mut f = doc.finding(&p.url, format!("{} answers with {}", p.url, hit.what));
                f.severity = hit.severity;
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_the_endpoints_own_content_at_its_severity() {
        let mut o = healthy();
        o.debug = vec![
            page(
                "https://example.com/info.php",
                200,
                "<title>PHP 8.2.7 - phpinfo()</title><h1 class=\"p\">PHP Version 8.2.7</h1>",
            ),
            page(
                "https://example.com/console",
                200,
                "<title>Console // Werkzeug Debugger</title><h1>Interactive Console</h1>",
            ),
        ];
        let (found, _) = judge(&DebugEndpoint, &o);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[1].severity, Severity::Blocker);
    }

    #[test]
    fn a_soft_404_is_not_an_endpoint() {
        let mut o = healthy();
        o.debug = vec![
            page("https://example.com/info.php", 200, INDEX),
            page("https://example.com/telescope", 404, "window.Telescope"),
        ];
        assert!(judge(&DebugEndpoint, &o).0.is_empty());
    }
}
