//! `email.dkim.weak-key`.

use super::*;

crate::check! {
    DkimWeakKey for EmailObservation = CheckDoc {
        id: "email.dkim.weak-key",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "DKIM key is too short",
        catches: "An RSA DKIM key shorter than 2048 bits: high below 1024 bits (RFC 8301 forbids them; verifiers treat the signature as absent), low from 1024 to 2047.",
        why: "512-bit RSA keys can be factored in hours on rented hardware, after which anyone can sign mail as you; 1024-bit keys are the minimum RFC 8301 allows and are being phased out.",
        fix: "Generate a 2048-bit key at your mail provider, publish it under a new selector, switch signing to it, then revoke the old selector with an empty `p=`.",
        refs: &["RFC 8301 §3.2", "RFC 6376 §3.3.3"],
    };
    fn evaluate(o, out, doc) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if let Ok(k) = &f.key {
                if let (dkim::KeyType::Rsa, Some(bits)) = (k.key_type, k.bits) {
                    if bits < 2048 {
                        let mut finding = doc.finding(
                            txt_subject(&f.name),
                            format!("RSA key of {bits} bits under selector {}", f.selector),
                        );
                        if bits >= 1024 {
                            finding.severity = Severity::Low;
                        }
                        out.push(finding);
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
    fn fires_on_a_hand_built_observation() {
        let mut o = healthy();
        o.dkim
            .iter_mut()
            .for_each(|d| d.found = vec![dkim_key("s1", &format!("v=DKIM1; p={RSA_1024}"))]);
        let (found, _) = judge(&DkimWeakKey, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].severity,
            Severity::Low,
            "1024 bits is weak, not broken"
        );
    }
}
