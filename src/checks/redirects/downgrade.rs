//! `redirect.https.downgrade`.

use super::*;

crate::check! {
    Downgrade for RedirectObservation = CheckDoc {
        id: "redirect.https.downgrade",
        stage: Stage::Redirects,
        severity: Severity::High,
        impact: Impact::Security,
        title: "HTTPS redirects to plain HTTP",
        catches: "A hop goes from an https:// URL to an http:// one.",
        why: "The request after the downgrade — with its cookies and query — crosses the network in clear text, and browsers with HSTS refuse it outright, breaking the page.",
        fix: "Make every redirect target https://. Check the app's idea of its own scheme behind the proxy (X-Forwarded-Proto, `trust proxy`).",
        refs: &["RFC 6797 §7.2", "RFC 9110 §4.2.2"],
    };
    fn evaluate(o, out, doc) {
        flag_first_hop(o, doc, out, |h, target| {
            scheme_host(&h.url).0 == "https" && scheme_host(target).0 == "http"
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_https_to_http() {
        let mut o = healthy();
        assert!(judge(&Downgrade, &o).0.is_empty());
        let www = "https://www.example.com/login?next=%2Fcheckout";
        let plain = "http://example.com/login?next=%2Fcheckout";
        o.https_www = Some(chain(www, &[(www, 301, plain), (plain, 301, APEX)], 200));
        let (found, _) = judge(&Downgrade, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("→ http://example.com/"));
    }
}
