//! `headers.server.version`.

use super::*;

crate::check! {
    ServerVersion for HeadersObservation = CheckDoc {
        id: "headers.server.version",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "Server software version disclosed",
        catches: "A `Server` or `X-Powered-By` header names a version (e.g. `nginx/1.18.0`, `PHP/7.4.3`, `Express 4.17`).",
        why: "It tells scanners exactly which known vulnerabilities to try, and it goes stale the day after the launch. (Observatory does not score it.)",
        fix: "Turn version banners off: `server_tokens off;` (nginx), `ServerTokens Prod` (Apache), `app.disable('x-powered-by')` (Express), `expose_php = Off` (PHP).",
        refs: &["OWASP WSTG-INFO-02", "RFC 9110 §10.2.4"],
    };
    fn evaluate(o, out, doc) {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = RE.get_or_init(|| Regex::new(r"\d+\.\d+").ok()).as_ref() else {
            return;
        };
        // One finding per host and banner, however many pages repeat it.
        let mut seen = BTreeSet::new();
        for p in &o.pages {
            for name in ["server", "x-powered-by"] {
                if let Some(v) = header(&p.headers, name).filter(|v| re.is_match(v)) {
                    let host = host_of(&p.url);
                    if seen.insert((host.clone(), name, v.to_string())) {
                        out.push(doc.finding(host, format!("{name}: {v}")));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_once_per_host_and_banner() {
        let mut o = healthy();
        for p in &mut o.pages {
            set(p, "server", "nginx/1.18.0");
        }
        set(&mut o.pages[0], "x-powered-by", "PHP/7.4.3");
        let (found, _) = judge(&ServerVersion, &o);
        let evidence: Vec<&str> = found.iter().map(|f| f.evidence.as_str()).collect();
        assert_eq!(
            evidence,
            ["server: nginx/1.18.0", "x-powered-by: PHP/7.4.3"]
        );
        assert_eq!(found[0].subject, "example.com");
    }
}
