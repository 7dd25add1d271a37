//! The TLS part of the report's inventory: every certificate seen, once per fingerprint, with
//! the hosts that served it.

use super::*;
use serde::Serialize;

/// Every certificate seen (`inventory.certificates`).
pub type Inventory = Vec<Certificate>;

/// One certificate. Fields in alphabetical order, as the report has always written them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// The negotiated cipher suite (leaf only).
    pub cipher: Option<String>,
    pub days_left: i64,
    /// The expiry date, `2026-03-01`.
    pub expires: String,
    /// `host:port` of every host that served it.
    pub hosts: Vec<String>,
    pub issuer: String,
    /// `EC 256`, `RSA 2048`, or the key type alone when its size is unknown.
    pub key: String,
    pub not_after: String,
    pub not_before: String,
    /// The negotiated protocol version (leaf only).
    pub protocol: Option<&'static str>,
    /// `leaf`, `intermediate` or `root`.
    pub role: &'static str,
    pub sans: Vec<String>,
    pub sha256: String,
    pub signature: String,
    pub subject: String,
    /// How the chain relates to the trust anchors (leaf only).
    pub trust: Option<String>,
}

pub fn inventory(o: &TlsObservation) -> Inventory {
    let mut rows: Vec<Certificate> = Vec::new();
    for (h, s) in o.seen() {
        let top = s.certs.len().saturating_sub(1);
        for (i, c) in s.certs.iter().enumerate() {
            let hostport = format!("{}:{}", h.host, h.port);
            if let Some(row) = rows.iter_mut().find(|r| r.sha256 == c.sha256) {
                if !row.hosts.contains(&hostport) {
                    row.hosts.push(hostport);
                }
                continue;
            }
            let leaf = i == 0;
            rows.push(Certificate {
                cipher: s.session.cipher.clone().filter(|_| leaf),
                days_left: days_left(o.now, c.not_after),
                expires: Date::from_days(c.not_after.div_euclid(86_400)).to_string(),
                hosts: vec![hostport],
                issuer: c.issuer.clone(),
                key: if c.key_bits > 0 {
                    format!("{} {}", c.key_type, c.key_bits)
                } else {
                    c.key_type.clone()
                },
                not_after: iso(c.not_after),
                not_before: iso(c.not_before),
                protocol: s.session.version.filter(|_| leaf),
                role: match i {
                    0 => "leaf",
                    _ if i == top && c.self_issued => "root",
                    _ => "intermediate",
                },
                sans: c.sans.clone(),
                sha256: c.sha256.clone(),
                signature: c.signature.clone(),
                subject: c.subject.clone(),
                trust: leaf.then(|| match &s.trust {
                    Trust::Trusted => "trusted".to_string(),
                    Trust::SelfSigned => "self-signed".to_string(),
                    Trust::Incomplete { .. } => "incomplete chain".to_string(),
                    Trust::UnknownIssuer(w) | Trust::Refused(w) => w.clone(),
                }),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    /// The JSON the report has always had, key for key (serde_json sorts keys of `json!`).
    #[test]
    fn certificates_serialise_as_before() {
        let mut o = healthy();
        let second = o.hosts[0].clone();
        o.hosts.push(HostTls {
            host: "www.example.com".into(),
            ..second
        });
        let inv = inventory(&o);
        assert_eq!(inv.len(), 1, "one row per fingerprint");
        let v = serde_json::to_value(&inv).expect("json");
        let keys: Vec<&String> = v[0].as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            [
                "cipher",
                "days_left",
                "expires",
                "hosts",
                "issuer",
                "key",
                "not_after",
                "not_before",
                "protocol",
                "role",
                "sans",
                "sha256",
                "signature",
                "subject",
                "trust"
            ]
        );
        assert_eq!(
            v[0]["hosts"],
            serde_json::json!(["example.com:443", "www.example.com:443"])
        );
        assert_eq!(v[0]["role"], "leaf");
        assert_eq!(v[0]["trust"], "trusted");
        assert_eq!(v[0]["protocol"], "TLSv1.3");
        assert_eq!(v[0]["key"], "EC 256");
        assert_eq!(v[0]["days_left"], 60);
        let text = serde_json::to_string(&inv).expect("json");
        assert!(text.contains("\"cipher\":null"), "{text}");
    }
}
