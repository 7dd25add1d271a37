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
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

mod weak_rsa;
pub use weak_rsa::WeakRsaKey;

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
    use weak_rsa::der_len;
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

#[cfg(test)]
mod tests;
