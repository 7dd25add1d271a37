//! `headers.cors.reflected-origin`.

use super::*;

crate::check! {
    CorsReflected for HeadersObservation = CheckDoc {
        id: "headers.cors.reflected-origin",
        stage: Stage::Headers,
        severity: Severity::High,
        impact: Impact::Security,
        title: "CORS reflects any origin with credentials",
        catches: "Asked with a foreign Origin, the page echoes it in `Access-Control-Allow-Origin` and sends `Access-Control-Allow-Credentials: true`.",
        why: "Any website a logged-in user visits can read their data from your API with their cookies: account takeover without a single bug in your code. Observatory's CORS test fails it too.",
        fix: "Check the Origin against an allow-list of your own origins before echoing it; send `Vary: Origin`.",
        refs: &["https://portswigger.net/web-security/cors", "https://fetch.spec.whatwg.org/#cors-protocol-and-credentials"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            if p.cors.as_ref().is_some_and(|c| c.allows_with_credentials(PROBE_ORIGIN)) {
                out.push(doc.finding(
                    &p.url,
                    format!("Origin: {PROBE_ORIGIN} reflected with Allow-Credentials: true"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_the_probe_origin_comes_back_with_credentials() {
        let mut o = healthy();
        o.pages[1].cors = Some(cors(Some(PROBE_ORIGIN), Some("true")));
        let (found, _) = judge(&CorsReflected, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/login");
        o.pages[1].cors = Some(cors(Some("https://example.com"), Some("true")));
        assert!(judge(&CorsReflected, &o).0.is_empty());
    }

    #[test]
    fn a_failed_probe_is_not_checked() {
        let mut o = healthy();
        o.unseen.push((
            CorsReflected::DOC.id,
            "https://example.com/".into(),
            "reset".into(),
        ));
        let (found, unseen) = judge(&CorsReflected, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
