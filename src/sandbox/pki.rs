//! The sandbox's certificate authority, made fresh at every start with rcgen, and the
//! certificate faults the TLS scenarios serve: expired, not yet valid, wrong host, self-signed,
//! incomplete chain (root → intermediate → leaf, the intermediate left out and published at
//! the leaf's AIA URL), weak key (RSA-1024) and expiring soon.
//!
//! The RSA-1024 key is generated at start with num-bigint ([`WeakRsaKey::generate`]): ring
//! neither generates nor signs with RSA keys under 2048 bits, the sandbox runs no external
//! tools, and a committed private key would be exactly what our own secrets scanner flags.

use super::SandboxError;
use crate::config::Date;
use num_bigint::BigUint;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// The certificate a scenario serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    Valid,
    Expired,
    NotYetValid,
    WrongHost,
    SelfSigned,
    IncompleteChain,
    WeakKey,
    /// Valid, expiring in this many days.
    Expiring(i64),
}

impl CertKind {
    pub fn parse(s: &str) -> Result<CertKind, SandboxError> {
        Ok(match s {
            "valid" => CertKind::Valid,
            "expired" => CertKind::Expired,
            "not-yet-valid" => CertKind::NotYetValid,
            "wrong-host" => CertKind::WrongHost,
            "self-signed" => CertKind::SelfSigned,
            "incomplete-chain" => CertKind::IncompleteChain,
            "weak-key" => CertKind::WeakKey,
            other => match other
                .strip_prefix("expiring-")
                .and_then(|d| d.strip_suffix('d'))
                .and_then(|d| d.parse::<i64>().ok())
            {
                Some(days) if days > 0 => CertKind::Expiring(days),
                _ => return Err(SandboxError::Setting {
                    setting: "[tls] cert",
                    value: other.to_string(),
                    expected: "expected valid, expired, not-yet-valid, wrong-host, self-signed, incomplete-chain, weak-key or expiring-<N>d".into(),
                }),
            },
        })
    }
}

/// The leaf's private key.
pub enum LeafKey {
    Standard(PrivateKeyDer<'static>),
    WeakRsa(Arc<WeakRsaKey>),
}

pub struct Pki {
    /// The trust anchor handed to the audit (`--ca-file`).
    pub ca_pem: String,
    /// The chain the server presents, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    pub key: LeafKey,
    /// The intermediate the server leaves out, published at the leaf's AIA URL (DER).
    pub aia_intermediate: Option<Vec<u8>>,
    /// The CA, to issue more leaves under the same anchor (the SMTP server's).
    pub issuer: Option<Arc<Issuer>>,
}

/// The sandbox CA's certificate and key.
pub struct Issuer {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A leaf for `names` (server auth, valid from `from` to `until`, in days from today) signed
/// by the sandbox CA: the chain (leaf only) and its key.
pub fn issue_leaf(
    issuer: &Issuer,
    names: &[String],
    (from, until): (i64, i64),
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), SandboxError> {
    let e = SandboxError::cert("sandbox CA");
    let today = days_since_epoch();
    let mut leaf = CertificateParams::new(names.to_vec()).map_err(e)?;
    if let Some(first) = names.first() {
        leaf.distinguished_name.push(DnType::CommonName, first);
    }
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    set_validity(&mut leaf, today + from, today + until);
    let key = KeyPair::generate().map_err(e)?;
    let cert = leaf.signed_by(&key, &issuer.cert, &issuer.key).map_err(e)?;
    Ok((
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    ))
}

fn days_since_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0)
}

/// Valid from the start of day `from` to the start of day `until` (days since the epoch).
fn set_validity(p: &mut CertificateParams, from: i64, until: i64) {
    let (a, b) = (Date::from_days(from), Date::from_days(until));
    p.not_before = rcgen::date_time_ymd(a.year, a.month as u8, a.day as u8);
    p.not_after = rcgen::date_time_ymd(b.year, b.month as u8, b.day as u8);
}

fn ca_params(name: &str, today: i64) -> Result<CertificateParams, rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // Long-lived, like real roots: an expired or post-dated leaf is the only fault.
    set_validity(&mut ca, today - 400, today + 3650);
    Ok(ca)
}

/// The Authority Information Access extension with one caIssuers URL (RFC 5280 §4.2.2.1).
fn aia_extension(url: &str) -> CustomExtension {
    let der_len = |n: usize| -> Vec<u8> {
        if n < 0x80 {
            vec![n as u8]
        } else if n < 0x100 {
            vec![0x81, n as u8]
        } else {
            vec![0x82, (n >> 8) as u8, n as u8]
        }
    };
    let tlv = |tag: u8, body: &[u8]| -> Vec<u8> {
        let mut v = vec![tag];
        v.extend(der_len(body.len()));
        v.extend_from_slice(body);
        v
    };
    // id-ad-caIssuers 1.3.6.1.5.5.7.48.2
    let oid = tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02]);
    let location = tlv(0x86, url.as_bytes()); // [6] uniformResourceIdentifier
    let desc = tlv(0x30, &[oid, location].concat());
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], tlv(0x30, &desc))
}

/// The healthy PKI: a CA and a leaf for `domain` and `*.domain`, valid from yesterday for 90
/// days.
pub fn issue(domain: &str) -> Result<Pki, SandboxError> {
    issue_kind(domain, CertKind::Valid, None)
}

/// A CA and the leaf of `kind`. `aia_url` is where the incomplete chain's intermediate is
/// published.
pub fn issue_kind(
    domain: &str,
    kind: CertKind,
    aia_url: Option<&str>,
) -> Result<Pki, SandboxError> {
    issue_kind_with(domain, &[], kind, aia_url)
}

/// [`issue_kind`] for a leaf that also names `aliases` (and `*.alias`): the multi-target
/// sandbox serves one site under many domains.
pub fn issue_kind_with(
    domain: &str,
    aliases: &[String],
    kind: CertKind,
    aia_url: Option<&str>,
) -> Result<Pki, SandboxError> {
    let e = SandboxError::cert("sandbox CA");
    let today = days_since_epoch();
    let ca_key = KeyPair::generate().map_err(e)?;
    let ca_cert = ca_params("launchready sandbox CA", today)
        .map_err(e)?
        .self_signed(&ca_key)
        .map_err(e)?;

    let names = match kind {
        CertKind::WrongHost => vec!["wrong-host.example.net".to_string(), "*.example.net".into()],
        _ => std::iter::once(domain)
            .chain(aliases.iter().map(String::as_str))
            .flat_map(|d| [d.to_string(), format!("*.{d}")])
            .collect(),
    };
    let mut leaf = CertificateParams::new(names.clone()).map_err(e)?;
    leaf.distinguished_name.push(DnType::CommonName, &names[0]);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let (from, until) = match kind {
        CertKind::Expired => (today - 100, today - 10),
        CertKind::NotYetValid => (today + 10, today + 100),
        CertKind::Expiring(days) => (today - 80, today + days),
        _ => (today - 1, today + 90),
    };
    set_validity(&mut leaf, from, until);
    let leaf_key = KeyPair::generate().map_err(e)?;
    let standard = |k: &KeyPair| {
        LeafKey::Standard(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            k.serialize_der(),
        )))
    };

    let mut pki = match kind {
        CertKind::SelfSigned => {
            let cert = leaf.self_signed(&leaf_key).map_err(e)?;
            Pki {
                ca_pem: ca_cert.pem(),
                chain: vec![cert.der().clone()],
                key: standard(&leaf_key),
                aia_intermediate: None,
                issuer: None,
            }
        }
        CertKind::IncompleteChain => {
            let int_key = KeyPair::generate().map_err(e)?;
            let int_cert = ca_params("launchready sandbox intermediate CA", today)
                .map_err(e)?
                .signed_by(&int_key, &ca_cert, &ca_key)
                .map_err(e)?;
            if let Some(url) = aia_url {
                leaf.custom_extensions.push(aia_extension(url));
            }
            let cert = leaf.signed_by(&leaf_key, &int_cert, &int_key).map_err(e)?;
            Pki {
                ca_pem: ca_cert.pem(),
                chain: vec![cert.der().clone()],
                key: standard(&leaf_key),
                aia_intermediate: Some(int_cert.der().to_vec()),
                issuer: None,
            }
        }
        CertKind::WeakKey => {
            let weak = Arc::new(WeakRsaKey::generate()?);
            let cert = leaf
                .signed_by(weak.as_ref(), &ca_cert, &ca_key)
                .map_err(e)?;
            Pki {
                ca_pem: ca_cert.pem(),
                chain: vec![cert.der().clone()],
                key: LeafKey::WeakRsa(weak),
                aia_intermediate: None,
                issuer: None,
            }
        }
        _ => {
            let cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).map_err(e)?;
            Pki {
                ca_pem: ca_cert.pem(),
                chain: vec![cert.der().clone()],
                key: standard(&leaf_key),
                aia_intermediate: None,
                issuer: None,
            }
        }
    };
    pki.issuer = Some(Arc::new(Issuer {
        cert: ca_cert,
        key: ca_key,
    }));
    Ok(pki)
}

// ---------------------------------------------------------------------------------------
// The RSA-1024 test key.

/// An RSA private key small enough that ring refuses it; signs with plain modular
/// exponentiation (not constant-time: a test key on loopback).
pub struct WeakRsaKey {
    n: BigUint,
    d: BigUint,
    /// RSAPublicKey DER (RFC 8017 A.1.1).
    public_der: Vec<u8>,
}

impl std::fmt::Debug for WeakRsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeakRsaKey({} bits)", self.n.bits())
    }
}

fn random_bits(rng: &dyn ring::rand::SecureRandom, bits: usize) -> Result<BigUint, SandboxError> {
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    rng.fill(&mut bytes).map_err(|_| SandboxError::Randomness)?;
    Ok(BigUint::from_bytes_be(&bytes))
}

/// Miller-Rabin with `rounds` random bases, after trial division by small primes.
fn probably_prime(n: &BigUint, rng: &dyn ring::rand::SecureRandom) -> Result<bool, SandboxError> {
    const SMALL: [u32; 24] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    ];
    let zero = BigUint::from(0u32);
    let one = BigUint::from(1u32);
    if SMALL.iter().any(|p| n % p == zero) {
        return Ok(false);
    }
    let n1 = n - &one;
    let s = n1.trailing_zeros().unwrap_or(0);
    let d = &n1 >> s;
    let bits = n.bits() as usize;
    'rounds: for _ in 0..24 {
        let a = random_bits(rng, bits - 1)? % (n - 3u32) + 2u32;
        let mut x = a.modpow(&d, n);
        if x == one || x == n1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&BigUint::from(2u32), n);
            if x == n1 {
                continue 'rounds;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits with its two top bits set (so that p·q has 2·bits),
/// and p − 1 prime to 65537.
fn random_prime(bits: usize, rng: &dyn ring::rand::SecureRandom) -> Result<BigUint, SandboxError> {
    let top = (BigUint::from(3u32) << (bits - 2)) | BigUint::from(1u32);
    for _ in 0..100_000 {
        let c = (random_bits(rng, bits)? >> 2usize) | &top;
        if (&c - 1u32) % 65_537u32 != BigUint::from(0u32) && probably_prime(&c, rng)? {
            return Ok(c);
        }
    }
    Err(SandboxError::NoPrime)
}

/// DER INTEGER of a non-negative number.
fn der_integer(n: &BigUint) -> Vec<u8> {
    let mut body = n.to_bytes_be();
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    let mut v = vec![0x02];
    v.extend(der_len(body.len()));
    v.extend(body);
    v
}

fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else if n < 0x100 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    }
}

impl WeakRsaKey {
    /// A fresh RSA-1024 key (e = 65537).
    pub fn generate() -> Result<WeakRsaKey, SandboxError> {
        let rng = ring::rand::SystemRandom::new();
        let e = BigUint::from(65_537u32);
        loop {
            let p = random_prime(512, &rng)?;
            let q = random_prime(512, &rng)?;
            if p == q {
                continue;
            }
            let n = &p * &q;
            let phi = (&p - 1u32) * (&q - 1u32);
            let Some(d) = e.modinv(&phi) else { continue };
            let inner = [der_integer(&n), der_integer(&e)].concat();
            let mut public_der = vec![0x30];
            public_der.extend(der_len(inner.len()));
            public_der.extend(inner);
            return Ok(WeakRsaKey { n, d, public_der });
        }
    }

    fn size(&self) -> usize {
        (self.n.bits() as usize).div_ceil(8)
    }

    /// RSASP1 over an encoded message of the modulus' size.
    fn private_op(&self, em: &[u8]) -> Vec<u8> {
        let s = BigUint::from_bytes_be(em).modpow(&self.d, &self.n);
        let raw = s.to_bytes_be();
        let mut out = vec![0u8; self.size().saturating_sub(raw.len())];
        out.extend(raw);
        out
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2).
    pub fn sign_pkcs1_sha256(&self, msg: &[u8]) -> Vec<u8> {
        const PREFIX: [u8; 19] = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        let hash = ring::digest::digest(&ring::digest::SHA256, msg);
        let k = self.size();
        let t_len = PREFIX.len() + hash.as_ref().len();
        let mut em = vec![0x00, 0x01];
        em.extend(std::iter::repeat_n(0xff, k.saturating_sub(t_len + 3)));
        em.push(0x00);
        em.extend_from_slice(&PREFIX);
        em.extend_from_slice(hash.as_ref());
        self.private_op(&em)
    }

    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 §9.1), as TLS 1.3
    /// requires for RSA keys.
    pub fn sign_pss_sha256(&self, msg: &[u8]) -> Vec<u8> {
        use ring::digest::{digest, SHA256};
        let h_len = 32;
        let em_bits = self.n.bits() as usize - 1;
        let em_len = em_bits.div_ceil(8);
        let m_hash = digest(&SHA256, msg);
        let salt: Vec<u8> = digest(&SHA256, &std::process::id().to_be_bytes())
            .as_ref()
            .to_vec();
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(m_hash.as_ref());
        m_prime.extend_from_slice(&salt);
        let h = digest(&SHA256, &m_prime);
        let db_len = em_len - h_len - 1;
        let mut db = vec![0u8; db_len - salt.len() - 1];
        db.push(0x01);
        db.extend_from_slice(&salt);
        // MGF1(H, db_len)
        let mut mask = Vec::with_capacity(db_len + h_len);
        let mut counter: u32 = 0;
        while mask.len() < db_len {
            let mut input = h.as_ref().to_vec();
            input.extend_from_slice(&counter.to_be_bytes());
            mask.extend_from_slice(digest(&SHA256, &input).as_ref());
            counter += 1;
        }
        for (b, m) in db.iter_mut().zip(&mask) {
            *b ^= m;
        }
        let unused = 8 * em_len - em_bits;
        db[0] &= 0xffu8 >> unused;
        let mut em = db;
        em.extend_from_slice(h.as_ref());
        em.push(0xbc);
        // em_len may be one byte shorter than the modulus when its size is a multiple of 8.
        let mut padded = vec![0u8; self.size().saturating_sub(em.len())];
        padded.extend(em);
        self.private_op(&padded)
    }
}

impl rcgen::PublicKeyData for WeakRsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public_der
    }
    fn algorithm(&self) -> &rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

#[cfg(test)]
mod tests {
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
}
