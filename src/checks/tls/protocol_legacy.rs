//! `tls.protocol.legacy`.

use super::*;

crate::check! {
    ProtocolLegacy for TlsObservation = CheckDoc {
        id: "tls.protocol.legacy",
        stage: Stage::Tls,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "TLS 1.0 or 1.1 is accepted",
        catches: "The server answers a hand-built TLS 1.0 or TLS 1.1 ClientHello with a ServerHello of that version (rather than a protocol_version alert).",
        why: "TLS 1.0/1.1 are deprecated (RFC 8996), rely on weak constructions (CBC with implicit IVs, SHA-1/MD5 in the PRF) and fail PCI DSS. No current browser needs them; their only users are downgrade attacks.",
        fix: "Allow only TLS 1.2 and 1.3 (nginx: `ssl_protocols TLSv1.2 TLSv1.3;`, or your CDN's minimum TLS version setting). Mozilla's \"intermediate\" configuration is a good default.",
        refs: &["RFC 8996", "https://ssl-config.mozilla.org/"],
    };
    fn evaluate(o, out, doc) {
        for h in &o.hosts {
            let legacy = match &h.outcome {
                Outcome::Seen(s) => &s.legacy,
                _ => continue,
            };
            if !legacy.is_empty() {
                let list: Vec<String> = legacy
                    .iter()
                    .map(|(v, s)| format!("{} ({})", version_name(*v), hello::suite_name(*s)))
                    .collect();
                out.push(
                    doc
                        .finding(subject(h), format!("accepted: {}", list.join(", "))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_accepted_legacy_versions() {
        let mut o = healthy();
        seen_mut(&mut o).legacy = vec![(crate::net::tls::TLS1_0, 0xC013)];
        let (found, _) = judge(&ProtocolLegacy, &o);
        assert_eq!(
            found[0].evidence,
            "accepted: TLSv1.0 (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)"
        );
    }
}
