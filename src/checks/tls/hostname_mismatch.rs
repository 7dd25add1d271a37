//! `tls.cert.hostname-mismatch`.

use super::*;

crate::check! {
    HostnameMismatch for TlsObservation = CheckDoc {
        id: "tls.cert.hostname-mismatch",
        stage: Stage::Tls,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The certificate is not valid for this name",
        catches: "None of the leaf certificate's subjectAltName DNS names covers the host (a wildcard covers exactly one label; the subject CN is ignored, as browsers do).",
        why: "Browsers show a full-page error. It typically hits www or a subdomain that was added after the certificate was issued, or a CDN serving its default certificate.",
        fix: "Issue a certificate that lists every name you serve (apex, www, each subdomain) or a wildcard, and deploy it. Make sure the server picks it by SNI for each name.",
        refs: &["RFC 6125 §6.4", "RFC 5280 §4.2.1.6"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            let Some(leaf) = s.leaf() else { continue };
            if !leaf.sans.iter().any(|n| tls::name_matches(n, &h.host)) {
                let names = if leaf.sans.is_empty() {
                    "no subjectAltName".to_string()
                } else {
                    leaf.sans.join(", ")
                };
                out.push(doc.finding(
                    subject(h),
                    format!(
                        "{} does not cover {} (names: {names})",
                        leaf.subject, h.host
                    ),
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
    fn fires_when_no_san_covers_the_host() {
        let mut o = healthy();
        leaf_mut(&mut o).sans = vec!["*.example.com".into()];
        let (found, _) = judge(&HostnameMismatch, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("names: *.example.com"),
            "{}",
            found[0].evidence
        );
        leaf_mut(&mut o).sans.clear();
        assert!(judge(&HostnameMismatch, &o).0[0]
            .evidence
            .contains("no subjectAltName"));
    }
}
