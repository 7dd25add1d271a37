//! `tls.cert.untrusted`.

use super::*;

crate::check! {
    CertUntrusted for TlsObservation = CheckDoc {
        id: "tls.cert.untrusted",
        stage: Stage::Tls,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The certificate is not trusted (self-signed or unknown CA)",
        catches: "The presented chain does not lead to a trusted root (the web PKI roots plus --ca-file): a self-signed certificate, a private or unknown CA, or a chain webpki refuses (bad signature, SHA-1, wrong key usage). Judged at a moment inside the leaf's validity, so expiry is reported separately.",
        why: "Browsers show a full-page error and API clients refuse to connect. Teaching users to click through certificate warnings is worse than the outage.",
        fix: "Serve a certificate from a publicly trusted CA (Let's Encrypt and your host's managed certificates are free). If the CA is private on purpose, audit with --ca-file PEM.",
        refs: &["RFC 5280 §6", "https://letsencrypt.org/getting-started/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            let evidence = match &s.trust {
                Trust::SelfSigned => {
                    let top = s.certs.last().map(|c| c.subject.as_str()).unwrap_or("?");
                    format!("self-signed: {top}")
                }
                Trust::UnknownIssuer(why) | Trust::Refused(why) => why.clone(),
                Trust::Trusted | Trust::Incomplete { .. } => continue,
            };
            out.push(doc.finding(subject(h), evidence));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_self_signed_and_unknown_issuers_only() {
        let mut o = healthy();
        seen_mut(&mut o).trust = Trust::SelfSigned;
        let (found, _) = judge(&CertUntrusted, &o);
        assert_eq!(found[0].evidence, "self-signed: CN=example.com");
        seen_mut(&mut o).trust = Trust::UnknownIssuer("issued by an unknown CA: CN=X".into());
        assert_eq!(judge(&CertUntrusted, &o).0.len(), 1);
        seen_mut(&mut o).trust = Trust::Incomplete {
            fetched_from: "http://ca.example/i.der".into(),
        };
        assert!(
            judge(&CertUntrusted, &o).0.is_empty(),
            "tls.chain.incomplete's"
        );
    }
}
