//! `tls.key.weak`.

use super::*;

crate::check! {
    KeyWeak for TlsObservation = CheckDoc {
        id: "tls.key.weak",
        stage: Stage::Tls,
        severity: Severity::High,
        impact: Impact::Security,
        title: "Weak certificate key or SHA-1 signature",
        catches: "The leaf's RSA key is shorter than 2048 bits (EC keys under 224 bits), or a presented certificate below the root is signed with SHA-1 or MD5.",
        why: "RSA-1024 is within reach of well-funded attackers and refused by current browsers and CAs; SHA-1 signatures can be forged (SHAttered, 2017). Either makes the certificate unusable for many clients.",
        fix: "Re-issue the certificate with an ECDSA P-256 or RSA-2048+ key and a SHA-256 signature. Any CA does this by default today; the weak one is usually an old hand-made or appliance certificate.",
        refs: &["CA/Browser Forum Baseline Requirements §6.1.5", "NIST SP 800-131A Rev. 2", "https://shattered.io/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            let mut why = Vec::new();
            if let Some(leaf) = s.leaf() {
                let weak = match leaf.key_type.as_str() {
                    "RSA" | "DSA" => leaf.key_bits > 0 && leaf.key_bits < 2048,
                    "EC" => leaf.key_bits > 0 && leaf.key_bits < 224,
                    _ => false,
                };
                if weak {
                    why.push(format!("{} key of {} bits", leaf.key_type, leaf.key_bits));
                }
            }
            for c in s
                .certs
                .iter()
                .filter(|c| c.weak_signature && !c.self_issued)
            {
                why.push(format!("{} signed with {}", c.subject, c.signature));
            }
            if !why.is_empty() {
                out.push(doc.finding(subject(h), why.join("; ")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_short_rsa_key_and_on_sha1_below_the_root() {
        let mut o = healthy();
        let leaf = leaf_mut(&mut o);
        leaf.key_type = "RSA".into();
        leaf.key_bits = 1024;
        leaf.signature = "sha1WithRSAEncryption".into();
        leaf.weak_signature = true;
        let (found, _) = judge(&KeyWeak, &o);
        assert_eq!(
            found[0].evidence,
            "RSA key of 1024 bits; CN=example.com signed with sha1WithRSAEncryption"
        );
        // A self-signed root's own signature is not checked by anyone.
        let leaf = leaf_mut(&mut o);
        leaf.key_bits = 2048;
        leaf.self_issued = true;
        assert!(judge(&KeyWeak, &o).0.is_empty());
    }
}
