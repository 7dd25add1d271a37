//! `tls.protocol.no-tls13`.

use super::*;

crate::check! {
    NoTls13 for TlsObservation = CheckDoc {
        id: "tls.protocol.no-tls13",
        stage: Stage::Tls,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "TLS 1.3 is not supported",
        catches: "A handshake offering TLS 1.3 and 1.2 negotiates TLS 1.2.",
        why: "TLS 1.3 saves a round trip on every new connection (faster first page, especially on mobile) and removes the legacy options that attacks rely on.",
        fix: "Enable TLS 1.3 in the server or CDN (nginx ≥ 1.13 with OpenSSL ≥ 1.1.1: `ssl_protocols TLSv1.2 TLSv1.3;`).",
        refs: &["RFC 8446", "https://ssl-config.mozilla.org/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            if let Some(v) = s.session.version.filter(|_| !s.session.tls13()) {
                out.push(doc.finding(
                    subject(h),
                    format!(
                        "negotiated {v} ({}) when TLS 1.3 was offered",
                        s.session.cipher.as_deref().unwrap_or("?")
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
    fn fires_when_tls12_is_negotiated() {
        let mut o = healthy();
        seen_mut(&mut o).session.version = Some("TLSv1.2");
        let (found, _) = judge(&NoTls13, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.starts_with("negotiated TLSv1.2"));
        // A handshake that failed after the certificate negotiated nothing: no verdict.
        seen_mut(&mut o).session.version = None;
        assert!(judge(&NoTls13, &o).0.is_empty());
    }
}
