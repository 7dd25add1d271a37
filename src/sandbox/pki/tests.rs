use super::*;

#[test]
fn the_weak_test_key_is_rsa_1024() {
    let k = WeakRsaKey::generate().expect("key");
    assert_eq!(k.n.bits(), 1024);
    assert_eq!(k.sign_pkcs1_sha256(b"hello").len(), 128);
    assert_eq!(k.sign_pss_sha256(b"hello").len(), 128);
}

#[test]
fn every_kind_issues() {
    for kind in [
        "valid",
        "expired",
        "not-yet-valid",
        "wrong-host",
        "self-signed",
        "incomplete-chain",
        "weak-key",
        "expiring-10d",
    ] {
        let k = CertKind::parse(kind).expect(kind);
        let pki = issue_kind("example.test", k, Some("http://127.0.0.1:1/i.der")).expect(kind);
        let leaf = crate::net::tls::parse_cert(pki.chain[0].as_ref()).expect(kind);
        if kind == "weak-key" {
            assert_eq!((leaf.key_type.as_str(), leaf.key_bits), ("RSA", 1024));
        }
        if kind == "incomplete-chain" {
            assert_eq!(leaf.ca_issuers, ["http://127.0.0.1:1/i.der"]);
        }
    }
    assert!(matches!(
        CertKind::parse("expiring-xd"),
        Err(SandboxError::Setting { setting: "[tls] cert", value, .. }) if value == "expiring-xd"
    ));
}
