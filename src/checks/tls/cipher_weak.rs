//! `tls.cipher.weak`.

use super::*;

crate::check! {
    CipherWeak for TlsObservation = CheckDoc {
        id: "tls.cipher.weak",
        stage: Stage::Tls,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "A weak cipher suite is accepted",
        catches: "Offered only anonymous, NULL, EXPORT, RC4, DES/3DES or static-RSA suites in a hand-built TLS 1.2 ClientHello, the server picks one (the evidence names the suite it preferred).",
        why: "These suites allow eavesdropping (NULL, EXPORT, RC4, Sweet32 on 3DES), impersonation (anonymous) or later decryption of recorded traffic once the key leaks (static RSA: no forward secrecy). Scanners and security questionnaires flag them.",
        fix: "Offer only ECDHE suites with AES-GCM or ChaCha20-Poly1305 (Mozilla's \"intermediate\" list). With nginx: `ssl_ciphers` from ssl-config.mozilla.org and `ssl_prefer_server_ciphers off;`.",
        refs: &["RFC 7465 (RC4)", "RFC 9325", "https://sweet32.info/", "https://ssl-config.mozilla.org/"],
    };
    fn evaluate(o, out, doc) {
        for h in &o.hosts {
            let Outcome::Seen(s) = &h.outcome else {
                continue;
            };
            if let Some((v, suite)) = s.weak_cipher {
                out.push(doc.finding(
                    subject(h),
                    format!(
                        "{} accepted over {}: {}",
                        hello::suite_name(suite),
                        version_name(v),
                        hello::weakness(suite)
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
    fn fires_on_an_accepted_weak_suite() {
        let mut o = healthy();
        seen_mut(&mut o).weak_cipher = Some((crate::net::tls::TLS1_2, 0x000A));
        let (found, _) = judge(&CipherWeak, &o);
        assert_eq!(
            found[0].evidence,
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA accepted over TLSv1.2: DES/3DES (Sweet32)"
        );
    }
}
