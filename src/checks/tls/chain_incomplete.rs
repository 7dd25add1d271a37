//! `tls.chain.incomplete`.

use super::*;

crate::check! {
    ChainIncomplete for TlsObservation = CheckDoc {
        id: "tls.chain.incomplete",
        stage: Stage::Tls,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "The server does not send the intermediate certificate",
        catches: "The presented chain stops below a trusted root, and the intermediate downloaded from the leaf's Authority Information Access (caIssuers) URL completes it.",
        why: "Desktop Chrome fetches the missing intermediate and works, so it looks fine to you — but Firefox, many Android versions, curl, Python, Node and Go clients (webhooks, mobile apps, partners' integrations) fail with an untrusted-certificate error.",
        fix: "Configure the full chain: serve the leaf followed by the intermediate(s) (e.g. `fullchain.pem`, not `cert.pem`). With nginx, `ssl_certificate` must point to the full chain.",
        refs: &["RFC 8446 §4.4.2", "RFC 5280 §4.2.2.1 (AIA)", "https://whatsmychaincertificate.com/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            if let Trust::Incomplete { fetched_from } = &s.trust {
                out.push(doc.finding(
                    subject(h),
                    format!(
                        "{} certificate(s) presented; the issuer from {fetched_from} completes the chain",
                        s.session.chain.len()
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
    fn fires_when_aia_completed_the_chain() {
        let mut o = healthy();
        seen_mut(&mut o).trust = Trust::Incomplete {
            fetched_from: "http://ca.example/i.der".into(),
        };
        let (found, _) = judge(&ChainIncomplete, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("http://ca.example/i.der"));
    }
}
