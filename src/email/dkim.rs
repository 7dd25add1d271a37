//! DKIM key records (RFC 6376 §3.6.1): the tag list, the key type and its size read from
//! the SubjectPublicKeyInfo, revocation (empty `p=`) and testing mode (`t=y`).

use base64::Engine;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// Selectors the common providers publish under, tried besides the configured ones.
pub const COMMON_SELECTORS: &[&str] = &[
    "google",     // Google Workspace
    "selector1",  // Microsoft 365
    "selector2",  // Microsoft 365
    "s1",         // SendGrid, generic
    "s2",         // SendGrid, generic
    "smtpapi",    // SendGrid (legacy)
    "mailo",      // Mailgun
    "mx",         // Mailgun, generic
    "smtp",       // Mailgun, generic
    "pm",         // Postmark
    "amazonses",  // Amazon SES (legacy TXT)
    "k1",         // Mailchimp / Mandrill
    "k2",         // Mailchimp
    "k3",         // Mailchimp
    "mandrill",   // Mandrill
    "zoho",       // Zoho Mail
    "zmail",      // Zoho Mail
    "fm1",        // Fastmail
    "fm2",        // Fastmail
    "fm3",        // Fastmail
    "protonmail", // Proton Mail
    "sig1",       // iCloud custom domains
    "mxvault",    // MXroute
    "default",    // cPanel, generic
    "dkim",       // generic
    "mail",       // generic
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa,
    Ed25519,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// A parsed DKIM key record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    pub key_type: KeyType,
    /// Key size in bits (RSA modulus; 256 for Ed25519); `None` when revoked.
    pub bits: Option<usize>,
    /// `p=` is empty: the key was revoked (§3.6.1).
    pub revoked: bool,
    /// `t=y`: the domain is testing DKIM; verifiers may treat failures as unsigned.
    pub testing: bool,
    /// `t=s`: the i= domain must equal d=.
    pub strict: bool,
    pub hashes: Vec<String>,
}

/// What is wrong with a DKIM key record (RFC 6376 §3.6.1), with the tag it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DkimError {
    #[error("the record contains non-ASCII characters")]
    NonAscii,
    #[error("`{0}` is not a tag=value pair")]
    NotTagValue(String),
    #[error("`{0}`: bad tag name")]
    BadTagName(String),
    #[error("tag `{0}` appears more than once (RFC 6376 §3.2)")]
    DuplicateTag(String),
    #[error("v= must be the first tag")]
    VersionNotFirst,
    #[error("v={0}: the version must be DKIM1")]
    BadVersion(String),
    #[error("k={0}: unknown key type (rsa or ed25519)")]
    UnknownKeyType(String),
    #[error("h=: unknown hash algorithm `{0}` (sha256)")]
    UnknownHash(String),
    #[error("the required p= tag (the public key) is missing")]
    MissingKey,
    #[error("p= is not valid base64: {0}")]
    BadBase64(String),
    #[error("p= does not hold an RSA public key (SubjectPublicKeyInfo)")]
    NotRsaKey,
    #[error("p= holds {0} bytes; an Ed25519 key is 32 (RFC 8463)")]
    BadEd25519Length(usize),
}

/// Reads one DER TLV at the start of `b`: (tag, content, rest).
fn der_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((tag, b.get(header..end)?, b.get(end..)?))
}

/// Bits in a big-endian unsigned integer (leading zero bytes and bits ignored).
fn bit_len(n: &[u8]) -> usize {
    let n: &[u8] = match n.iter().position(|b| *b != 0) {
        Some(i) => &n[i..],
        None => return 0,
    };
    (n.len() - 1) * 8 + (8 - n[0].leading_zeros() as usize)
}

/// The RSA modulus size of a key: a SubjectPublicKeyInfo (what RFC 6376 specifies), or a bare
/// PKCS#1 RSAPublicKey (which some providers publish).
pub fn rsa_bits(der: &[u8]) -> Option<usize> {
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(der) {
        if let Ok(PublicKey::RSA(rsa)) = spki.parsed() {
            return Some(bit_len(rsa.modulus));
        }
        return None;
    }
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    let (tag, seq, _) = der_tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (t1, modulus, rest) = der_tlv(seq)?;
    let (t2, _, _) = der_tlv(rest)?;
    (t1 == 0x02 && t2 == 0x02).then(|| bit_len(modulus))
}

/// A TXT record at `<selector>._domainkey` looks like a key record when it has a `p=` tag.
pub fn looks_like_key(txt: &str) -> bool {
    txt.split(';').any(|t| {
        t.trim().to_ascii_lowercase().starts_with("p=") || t.trim().eq_ignore_ascii_case("v=DKIM1")
    })
}

/// Parses a DKIM key record.
pub fn parse(txt: &str) -> Result<DkimKey, DkimError> {
    if !txt.is_ascii() {
        return Err(DkimError::NonAscii);
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    for (i, part) in txt.split(';').enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((k, v)) = part.split_once('=') else {
            return Err(DkimError::NotTagValue(part.to_string()));
        };
        let k = k.trim().to_string();
        if k.is_empty()
            || !k.as_bytes()[0].is_ascii_alphabetic()
            || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(DkimError::BadTagName(part.to_string()));
        }
        if tags.iter().any(|(t, _)| *t == k) {
            return Err(DkimError::DuplicateTag(k));
        }
        if k == "v" && i != 0 {
            return Err(DkimError::VersionNotFirst);
        }
        // Whitespace inside values (folded base64) is not significant.
        tags.push((k, v.chars().filter(|c| !c.is_whitespace()).collect()));
    }
    let get = |name: &str| {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(v) = get("v") {
        if v != "DKIM1" {
            return Err(DkimError::BadVersion(v.to_string()));
        }
    }
    let key_type = match get("k") {
        None | Some("rsa") => KeyType::Rsa,
        Some("ed25519") => KeyType::Ed25519,
        Some(k) => return Err(DkimError::UnknownKeyType(k.to_string())),
    };
    let hashes: Vec<String> = get("h")
        .map(|h| h.split(':').map(str::to_string).collect())
        .unwrap_or_default();
    if let Some(bad) = hashes
        .iter()
        .find(|h| !matches!(h.as_str(), "sha1" | "sha256"))
    {
        return Err(DkimError::UnknownHash(bad.clone()));
    }
    let flags: Vec<&str> = get("t").map(|t| t.split(':').collect()).unwrap_or_default();
    let Some(p) = get("p") else {
        return Err(DkimError::MissingKey);
    };
    if p.is_empty() {
        return Ok(DkimKey {
            key_type,
            bits: None,
            revoked: true,
            testing: flags.contains(&"y"),
            strict: flags.contains(&"s"),
            hashes,
        });
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(p)
        .map_err(|err| DkimError::BadBase64(err.to_string()))?;
    let bits = match key_type {
        KeyType::Rsa => rsa_bits(&der).ok_or(DkimError::NotRsaKey)?,
        KeyType::Ed25519 => {
            if der.len() != 32 {
                return Err(DkimError::BadEd25519Length(der.len()));
            }
            256
        }
    };
    Ok(DkimKey {
        key_type,
        bits: Some(bits),
        revoked: false,
        testing: flags.contains(&"y"),
        strict: flags.contains(&"s"),
        hashes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1024-bit RSA SubjectPublicKeyInfo (the RFC 6376 appendix C example key).
    const RFC6376_KEY: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

    #[test]
    fn rfc6376_3_6_1_key_record() {
        let k = parse(&format!("v=DKIM1; k=rsa; p={RFC6376_KEY}")).expect("valid");
        assert_eq!(
            (k.key_type, k.bits, k.revoked),
            (KeyType::Rsa, Some(1024), false)
        );
        let t = parse(&format!("v=DKIM1; t=y; p={RFC6376_KEY}")).expect("valid");
        assert!(t.testing);
        let r = parse("v=DKIM1; p=").expect("revoked");
        assert!(r.revoked && r.bits.is_none());
    }

    #[test]
    fn rfc6376_3_6_1_errors() {
        use DkimError as E;
        let typed = [
            ("v=DKIM1; k=rsa", E::MissingKey),
            ("v=DKIM2; p=abc", E::BadVersion("DKIM2".into())),
            ("k=rsa; v=DKIM1; p=abc", E::VersionNotFirst),
            ("v=DKIM1; p=aGVsbG8=", E::NotRsaKey),
            (
                "v=DKIM1; k=dsa; p=aGVsbG8=",
                E::UnknownKeyType("dsa".into()),
            ),
            ("v=DKIM1; p=a; p=b", E::DuplicateTag("p".into())),
            ("v=DKIM1; k=ed25519; p=aGVsbG8=", E::BadEd25519Length(5)),
            ("v=DKIM1; h=md5; p=aGVsbG8=", E::UnknownHash("md5".into())),
        ];
        for (bad, want) in typed {
            assert_eq!(parse(bad), Err(want), "{bad}");
        }
        assert!(matches!(
            parse("v=DKIM1; p=!!!notbase64"),
            Err(E::BadBase64(_))
        ));
        for bad in [
            "v=DKIM1; k=rsa",
            "v=DKIM2; p=abc",
            "k=rsa; v=DKIM1; p=abc",
            "v=DKIM1; p=!!!notbase64",
            "v=DKIM1; p=aGVsbG8=",
            "v=DKIM1; k=dsa; p=aGVsbG8=",
            "v=DKIM1; p=a; p=b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
