//! `headers.cors.wildcard-credentials`.

use super::*;

crate::check! {
    CorsWildcard for HeadersObservation = CheckDoc {
        id: "headers.cors.wildcard-credentials",
        stage: Stage::Headers,
        severity: Severity::High,
        impact: Impact::Security,
        title: "CORS allows any origin with credentials",
        catches: "Asked with a foreign Origin, the page answers `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`.",
        why: "Browsers refuse that pair, so it means the CORS layer was configured by trial and error — and the next 'fix' is usually reflecting any origin, which lets every website read your users' data. Observatory's CORS test fails a wildcard policy too.",
        fix: "Allow an explicit list of your own origins, and send Allow-Credentials only for them. Never combine `*` with credentials.",
        refs: &["https://fetch.spec.whatwg.org/#cors-protocol-and-credentials", "https://portswigger.net/web-security/cors"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            if p.cors.as_ref().is_some_and(|c| c.allows_with_credentials("*")) {
                out.push(doc.finding(&p.url, format!("Origin: {PROBE_ORIGIN} → Access-Control-Allow-Origin: * with Allow-Credentials: true")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_wildcard_with_credentials_only() {
        let mut o = healthy();
        o.pages[0].cors = Some(cors(Some("*"), None));
        assert!(judge(&CorsWildcard, &o).0.is_empty());
        o.pages[0].cors = Some(cors(Some("*"), Some("TRUE")));
        let (found, _) = judge(&CorsWildcard, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/");
    }
}
