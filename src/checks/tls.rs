//! The `tls` stage: for the apex, www, every configured subdomain (and the app URL's host), one
//! full handshake that records the presented chain, classified precisely — expired, not yet
//! valid, expiring, hostname mismatch, untrusted (self-signed or unknown CA), incomplete chain,
//! weak key or SHA-1 signature — plus TLS 1.3 support, hand-built ClientHellos for TLS 1.0/1.1
//! and for weak cipher suites, and the app's HSTS policy. Hosts are probed concurrently; per
//! host: one full handshake, one legacy probe per legacy version, one weak-suite probe.
//!
//! The inventory lists every certificate seen, with its expiry date and days left.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Outcomes, Stage};
use crate::config::Date;
use crate::finding::{Impact, Severity};
use crate::net::http::destinations;
use crate::net::tls::{
    self, hello, version_name, CertInfo, HelloAnswer, Session, TLS1_0, TLS1_1, TLS1_2,
};
use crate::stage::{StageDef, StageError};
use futures_util::future::join_all;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::CertificateDer;
use rustls::CertificateError;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Certificates expiring within this many days are reported (high under [`EXPIRING_HIGH`]).
pub const EXPIRING_DAYS: i64 = 30;
pub const EXPIRING_HIGH: i64 = 14;
/// HSTS max-age under 180 days is short (the preload list asks for a year).
pub const HSTS_MIN_AGE: u64 = 15_552_000;
/// The most of an AIA caIssuers download we accept.
pub const AIA_CAP: usize = 64 * 1024;

/// How the presented chain relates to the trust anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    Trusted,
    /// The only (or top) certificate is self-signed and not a trust anchor.
    SelfSigned,
    /// The server omits an intermediate; the one from the leaf's AIA URL completes the chain.
    Incomplete {
        fetched_from: String,
    },
    /// Issued by a CA the roots don't know (and AIA did not help).
    UnknownIssuer(String),
    /// webpki refused the chain for another reason (bad signature, SHA-1, bad usage…).
    Refused(String),
}

/// One host's TLS, as seen.
#[derive(Debug, Clone)]
pub struct HostTls {
    pub host: String,
    pub port: u16,
    pub outcome: Outcome,
    /// One address of the host probed on its own (round-robin DNS), when it served another
    /// certificate than the host's first answering address (see `probe_nodes`).
    pub node: Option<std::net::IpAddr>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Not probed (the name does not resolve: the dns stage reports it).
    Skipped(String),
    /// No certificate seen at all.
    Unreachable(String),
    /// Nothing seen because of this machine (no route out, no outbound connection works):
    /// every check of the host is not checked.
    NotSeen(String),
    Seen(Box<Seen>),
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub session: Session,
    /// The presented chain, read; unreadable certificates are left out (and noted).
    pub certs: Vec<CertInfo>,
    pub trust: Trust,
    /// Legacy versions the server accepted, with the suite it picked.
    pub legacy: Vec<(u16, u16)>,
    /// A weak suite the server picked when offered only weak ones.
    pub weak_cipher: Option<(u16, u16)>,
    /// Things the probes could not tell (a probe answered garbage, …).
    pub notes: Vec<String>,
}

impl Seen {
    pub fn leaf(&self) -> Option<&CertInfo> {
        self.certs.first()
    }
}

/// The parsed Strict-Transport-Security header (RFC 6797 §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HstsPolicy {
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hsts {
    /// The header as sent, and how it parsed.
    Header {
        url: String,
        value: String,
        policy: Result<HstsPolicy, String>,
    },
    Missing {
        url: String,
    },
    /// The app URL's answer could not be read: the HSTS checks are not checked.
    NotChecked(String),
    /// HSTS does not apply (the app URL is plain http: the redirects stage judges that).
    NotApplicable(String),
}

/// Everything the TLS probes saw.
#[derive(Debug)]
pub struct TlsObservation {
    /// Unix seconds at the time of the probes.
    pub now: i64,
    pub hosts: Vec<HostTls>,
    pub hsts: Hsts,
    /// The app URL (the subject of the HSTS checks).
    pub app_url: String,
}

impl TlsObservation {
    fn seen(&self) -> impl Iterator<Item = (&HostTls, &Seen)> {
        self.hosts.iter().filter_map(|h| match &h.outcome {
            Outcome::Seen(s) => Some((h, s.as_ref())),
            _ => None,
        })
    }
}

fn subject(h: &HostTls) -> String {
    match h.node {
        Some(ip) => format!("https://{}:{} (node {ip})", h.host, h.port),
        None => format!("https://{}:{}", h.host, h.port),
    }
}

fn days_left(now: i64, not_after: i64) -> i64 {
    (not_after - now).div_euclid(86_400)
}

/// `2026-03-01T12:00:00Z`
pub fn iso(ts: i64) -> String {
    let d = Date::from_days(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    format!("{d}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

// ---------------------------------------------------------------------------------------
// The checks: one unit per id.

pub struct Unreachable;
static UNREACHABLE: CheckDoc = CheckDoc {
    id: "tls.unreachable",
    stage: Stage::Tls,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "HTTPS does not answer",
    catches: "The host resolves but no TLS handshake completes on port 443: the connection is refused or times out, the server answers something that is not TLS (plain HTTP on 443, a banner), accepts and never speaks, or refuses every TLS 1.2/1.3 handshake.",
    why: "Browsers only reach your site over HTTPS (links, HSTS, the https:// you print on the launch post). If the handshake never completes, nobody signs up and nobody pays.",
    fix: "Make the web server or load balancer listen for TLS on port 443 with a certificate for this name. Check the firewall / security group, that 443 is not forwarded to a plain-HTTP port, and `openssl s_client -connect HOST:443 -servername HOST`.",
    refs: &["RFC 8446", "RFC 9110 §4.2.2 (https URI scheme)"],
};
impl Check<TlsObservation> for Unreachable {
    fn doc(&self) -> &'static CheckDoc {
        &UNREACHABLE
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for h in &o.hosts {
            match &h.outcome {
                Outcome::Unreachable(why) => out.push(self.doc().finding(subject(h), why.clone())),
                Outcome::NotSeen(why) => out.unseen(self.doc(), subject(h), why.clone()),
                _ => {}
            }
        }
    }
}

pub struct CertExpired;
static CERT_EXPIRED: CheckDoc = CheckDoc {
    id: "tls.cert.expired",
    stage: Stage::Tls,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The certificate has expired",
    catches: "The leaf certificate's notAfter is in the past.",
    why: "Every browser shows a full-page security error; most visitors leave, API clients and webhooks fail hard. It is the most common self-inflicted launch outage.",
    fix: "Renew the certificate and deploy it on every server and load balancer for this name. Automate renewal (ACME: certbot, Caddy, your host's managed certificates) and monitor expiry.",
    refs: &["RFC 5280 §4.1.2.5", "https://letsencrypt.org/docs/integration-guide/"],
};
impl Check<TlsObservation> for CertExpired {
    fn doc(&self) -> &'static CheckDoc {
        &CERT_EXPIRED
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            if let Some(leaf) = s.leaf().filter(|l| l.not_after < o.now) {
                out.push(self.doc().finding(
                    subject(h),
                    format!(
                        "{} expired on {} ({} days ago)",
                        leaf.subject,
                        iso(leaf.not_after),
                        -days_left(o.now, leaf.not_after)
                    ),
                ));
            }
        }
    }
}

pub struct CertNotYetValid;
static CERT_NOT_YET_VALID: CheckDoc = CheckDoc {
    id: "tls.cert.not-yet-valid",
    stage: Stage::Tls,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The certificate is not valid yet",
    catches: "The leaf certificate's notBefore is in the future: it was issued post-dated, or the issuing machine's clock is wrong.",
    why: "Browsers reject it exactly as they reject an expired one: a full-page error for every visitor until that date.",
    fix: "Deploy a certificate whose validity has started (re-issue it). Check the clock (NTP) of the machine that issued or installed it.",
    refs: &["RFC 5280 §4.1.2.5"],
};
impl Check<TlsObservation> for CertNotYetValid {
    fn doc(&self) -> &'static CheckDoc {
        &CERT_NOT_YET_VALID
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            if let Some(leaf) = s.leaf().filter(|l| l.not_before > o.now) {
                out.push(self.doc().finding(
                    subject(h),
                    format!("{} is valid from {}", leaf.subject, iso(leaf.not_before)),
                ));
            }
        }
    }
}

pub struct CertExpiring;
static CERT_EXPIRING: CheckDoc = CheckDoc {
    id: "tls.cert.expiring",
    stage: Stage::Tls,
    severity: Severity::High,
    impact: Impact::Signup,
    title: "The certificate expires soon",
    catches: "The leaf certificate expires in less than 30 days (high under 14 days, medium from 14 to 29).",
    why: "Launch weeks are when nobody watches renewals. Automated renewal (ACME) normally renews 30 days before expiry, so a certificate this close to its end usually means renewal is broken.",
    fix: "Renew now and check that automatic renewal works (`certbot renew --dry-run` or your host's certificate page). Add expiry monitoring that alerts at 21 days.",
    refs: &["RFC 8555 (ACME)", "https://letsencrypt.org/docs/expiration-emails/"],
};
impl Check<TlsObservation> for CertExpiring {
    fn doc(&self) -> &'static CheckDoc {
        &CERT_EXPIRING
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            let Some(leaf) = s.leaf() else { continue };
            let left = days_left(o.now, leaf.not_after);
            if leaf.not_after >= o.now && left < EXPIRING_DAYS {
                let mut f = self.doc().finding(
                    subject(h),
                    format!(
                        "{} expires on {} ({left} days left)",
                        leaf.subject,
                        iso(leaf.not_after)
                    ),
                );
                if left >= EXPIRING_HIGH {
                    f.severity = Severity::Medium;
                }
                out.push(f);
            }
        }
    }
}

pub struct HostnameMismatch;
static HOSTNAME_MISMATCH: CheckDoc = CheckDoc {
    id: "tls.cert.hostname-mismatch",
    stage: Stage::Tls,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The certificate is not valid for this name",
    catches: "None of the leaf certificate's subjectAltName DNS names covers the host (a wildcard covers exactly one label; the subject CN is ignored, as browsers do).",
    why: "Browsers show a full-page error. It typically hits www or a subdomain that was added after the certificate was issued, or a CDN serving its default certificate.",
    fix: "Issue a certificate that lists every name you serve (apex, www, each subdomain) or a wildcard, and deploy it. Make sure the server picks it by SNI for each name.",
    refs: &["RFC 6125 §6.4", "RFC 5280 §4.2.1.6"],
};
impl Check<TlsObservation> for HostnameMismatch {
    fn doc(&self) -> &'static CheckDoc {
        &HOSTNAME_MISMATCH
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            let Some(leaf) = s.leaf() else { continue };
            if !leaf.sans.iter().any(|n| tls::name_matches(n, &h.host)) {
                let names = if leaf.sans.is_empty() {
                    "no subjectAltName".to_string()
                } else {
                    leaf.sans.join(", ")
                };
                out.push(self.doc().finding(
                    subject(h),
                    format!(
                        "{} does not cover {} (names: {names})",
                        leaf.subject, h.host
                    ),
                ));
            }
        }
    }
}

pub struct CertUntrusted;
static CERT_UNTRUSTED: CheckDoc = CheckDoc {
    id: "tls.cert.untrusted",
    stage: Stage::Tls,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The certificate is not trusted (self-signed or unknown CA)",
    catches: "The presented chain does not lead to a trusted root (the web PKI roots plus --ca-file): a self-signed certificate, a private or unknown CA, or a chain webpki refuses (bad signature, SHA-1, wrong key usage). Judged at a moment inside the leaf's validity, so expiry is reported separately.",
    why: "Browsers show a full-page error and API clients refuse to connect. Teaching users to click through certificate warnings is worse than the outage.",
    fix: "Serve a certificate from a publicly trusted CA (Let's Encrypt and your host's managed certificates are free). If the CA is private on purpose, audit with --ca-file PEM.",
    refs: &["RFC 5280 §6", "https://letsencrypt.org/getting-started/"],
};
impl Check<TlsObservation> for CertUntrusted {
    fn doc(&self) -> &'static CheckDoc {
        &CERT_UNTRUSTED
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            let evidence = match &s.trust {
                Trust::SelfSigned => {
                    let top = s.certs.last().map(|c| c.subject.as_str()).unwrap_or("?");
                    format!("self-signed: {top}")
                }
                Trust::UnknownIssuer(why) | Trust::Refused(why) => why.clone(),
                Trust::Trusted | Trust::Incomplete { .. } => continue,
            };
            out.push(self.doc().finding(subject(h), evidence));
        }
    }
}

pub struct ChainIncomplete;
static CHAIN_INCOMPLETE: CheckDoc = CheckDoc {
    id: "tls.chain.incomplete",
    stage: Stage::Tls,
    severity: Severity::High,
    impact: Impact::Signup,
    title: "The server does not send the intermediate certificate",
    catches: "The presented chain stops below a trusted root, and the intermediate downloaded from the leaf's Authority Information Access (caIssuers) URL completes it.",
    why: "Desktop Chrome fetches the missing intermediate and works, so it looks fine to you — but Firefox, many Android versions, curl, Python, Node and Go clients (webhooks, mobile apps, partners' integrations) fail with an untrusted-certificate error.",
    fix: "Configure the full chain: serve the leaf followed by the intermediate(s) (e.g. `fullchain.pem`, not `cert.pem`). With nginx, `ssl_certificate` must point to the full chain.",
    refs: &["RFC 8446 §4.4.2", "RFC 5280 §4.2.2.1 (AIA)", "https://whatsmychaincertificate.com/"],
};
impl Check<TlsObservation> for ChainIncomplete {
    fn doc(&self) -> &'static CheckDoc {
        &CHAIN_INCOMPLETE
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            if let Trust::Incomplete { fetched_from } = &s.trust {
                out.push(self.doc().finding(
                    subject(h),
                    format!(
                        "{} certificate(s) presented; the issuer from {fetched_from} completes the chain",
                        s.session.chain.len()
                    ),
                ));
            }
        }
    }
}

pub struct ProtocolLegacy;
static PROTOCOL_LEGACY: CheckDoc = CheckDoc {
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
impl Check<TlsObservation> for ProtocolLegacy {
    fn doc(&self) -> &'static CheckDoc {
        &PROTOCOL_LEGACY
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
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
                    self.doc()
                        .finding(subject(h), format!("accepted: {}", list.join(", "))),
                );
            }
        }
    }
}

pub struct NoTls13;
static NO_TLS13: CheckDoc = CheckDoc {
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
impl Check<TlsObservation> for NoTls13 {
    fn doc(&self) -> &'static CheckDoc {
        &NO_TLS13
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for (h, s) in o.seen() {
            if let Some(v) = s.session.version.filter(|_| !s.session.tls13()) {
                out.push(self.doc().finding(
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

pub struct CipherWeak;
static CIPHER_WEAK: CheckDoc = CheckDoc {
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
impl Check<TlsObservation> for CipherWeak {
    fn doc(&self) -> &'static CheckDoc {
        &CIPHER_WEAK
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        for h in &o.hosts {
            let Outcome::Seen(s) = &h.outcome else {
                continue;
            };
            if let Some((v, suite)) = s.weak_cipher {
                out.push(self.doc().finding(
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

pub struct KeyWeak;
static KEY_WEAK: CheckDoc = CheckDoc {
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
impl Check<TlsObservation> for KeyWeak {
    fn doc(&self) -> &'static CheckDoc {
        &KEY_WEAK
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
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
                out.push(self.doc().finding(subject(h), why.join("; ")));
            }
        }
    }
}

pub struct HstsMissing;
static HSTS_MISSING: CheckDoc = CheckDoc {
    id: "tls.hsts.missing",
    stage: Stage::Tls,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "No Strict-Transport-Security header",
    catches: "The HTTPS answer of the app URL has no valid Strict-Transport-Security header (absent, or without a valid max-age: RFC 6797 says browsers then ignore it).",
    why: "Without HSTS, the first http:// request of every visit (typed URL, old link) can be intercepted on public Wi-Fi and the visitor kept on plain HTTP (SSL stripping), session cookies included. Mozilla's HTTP Observatory deducts 20 points for it.",
    fix: "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS answer. Start with a short max-age if unsure that every subdomain has HTTPS, then raise it.",
    refs: &["RFC 6797", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "https://hstspreload.org/"],
};
impl Check<TlsObservation> for HstsMissing {
    fn doc(&self) -> &'static CheckDoc {
        &HSTS_MISSING
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        match &o.hsts {
            Hsts::Missing { url } => out.push(self.doc().finding(
                url,
                "no Strict-Transport-Security header on the HTTPS answer",
            )),
            Hsts::Header {
                url,
                value,
                policy: Err(why),
            } => out.push(self.doc().finding(
                url,
                format!("Strict-Transport-Security: {value} is ignored by browsers: {why}"),
            )),
            Hsts::NotChecked(why) => out.unseen(self.doc(), &o.app_url, why.clone()),
            _ => {}
        }
    }
}

pub struct HstsShort;
static HSTS_SHORT: CheckDoc = CheckDoc {
    id: "tls.hsts.short",
    stage: Stage::Tls,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "HSTS max-age shorter than 180 days",
    catches: "The Strict-Transport-Security max-age is under 15552000 seconds (180 days); max-age=0 switches HSTS off.",
    why: "A short max-age lapses between visits of most users, who then get the unprotected first request again. Mozilla's HTTP Observatory requires at least six months to pass its HSTS test, and the preload list a year.",
    fix: "Raise it to `max-age=31536000` (one year), with `includeSubDomains` once every subdomain serves HTTPS. Add `preload` and submit to hstspreload.org when you are sure.",
    refs: &["RFC 6797 §6.1.1", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "https://hstspreload.org/"],
};
impl Check<TlsObservation> for HstsShort {
    fn doc(&self) -> &'static CheckDoc {
        &HSTS_SHORT
    }
    fn evaluate(&self, o: &TlsObservation, out: &mut Outcomes) {
        if let Hsts::NotChecked(why) = &o.hsts {
            out.unseen(self.doc(), &o.app_url, why.clone());
        }
        if let Hsts::Header {
            url,
            value,
            policy: Ok(p),
        } = &o.hsts
        {
            if p.max_age < HSTS_MIN_AGE {
                out.push(self.doc().finding(
                    url,
                    format!(
                        "Strict-Transport-Security: {value} (max-age {} days, under 180)",
                        p.max_age / 86_400
                    ),
                ));
            }
        }
    }
}

/// The stage's checks, in catalog order.
impl Observed for TlsObservation {
    fn blind(&self) -> Option<(String, String)> {
        // Nothing seen on any host because of this machine: no check of the stage can pass.
        let mut why = None;
        for h in &self.hosts {
            match &h.outcome {
                Outcome::NotSeen(w) => why = Some((subject(h), w.clone())),
                Outcome::Skipped(_) => {}
                _ => return None,
            }
        }
        why
    }

    /// A host without a handshake leaves its certificate and protocol checks unseen: they
    /// cannot pass (tls.unreachable says why, when it is the host's fault).
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        let mut blind: Vec<(String, String)> = self.blind().into_iter().collect();
        if matches!(
            check.id,
            "tls.unreachable" | "tls.hsts.missing" | "tls.hsts.short"
        ) {
            return blind;
        }
        for h in &self.hosts {
            if let Outcome::Unreachable(w) | Outcome::NotSeen(w) = &h.outcome {
                blind.push((subject(h), format!("no TLS handshake: {w}")));
            }
        }
        blind
    }
}

pub static CHECKS: &[&dyn Check<TlsObservation>] = &[
    &Unreachable,
    &CertExpired,
    &CertNotYetValid,
    &CertExpiring,
    &HostnameMismatch,
    &CertUntrusted,
    &ChainIncomplete,
    &ProtocolLegacy,
    &NoTls13,
    &CipherWeak,
    &KeyWeak,
    &HstsMissing,
    &HstsShort,
];

// ---------------------------------------------------------------------------------------
// HSTS parsing (RFC 6797 §6.1).

/// Parses a Strict-Transport-Security value. Directive names are case-insensitive, values may
/// be quoted, a directive may appear only once, and max-age is required.
pub fn parse_hsts(value: &str) -> Result<HstsPolicy, String> {
    let mut max_age = None;
    let mut include_subdomains = false;
    let mut preload = false;
    let mut seen = std::collections::HashSet::new();
    for part in value.split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, val) = match part.split_once('=') {
            Some((n, v)) => (
                n.trim().to_ascii_lowercase(),
                Some(v.trim().trim_matches('"')),
            ),
            None => (part.to_ascii_lowercase(), None),
        };
        if !seen.insert(name.clone()) {
            return Err(format!("the {name} directive appears twice"));
        }
        match name.as_str() {
            "max-age" => {
                let v = val.ok_or("max-age has no value")?;
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("max-age {v:?} is not a number of seconds"));
                }
                max_age = Some(v.parse::<u64>().unwrap_or(u64::MAX));
            }
            "includesubdomains" => include_subdomains = true,
            "preload" => preload = true,
            _ => {} // unknown directives are ignored (RFC 6797 §6.1)
        }
    }
    Ok(HstsPolicy {
        max_age: max_age.ok_or("no max-age directive")?,
        include_subdomains,
        preload,
    })
}

// ---------------------------------------------------------------------------------------
// The probes.

/// The hosts to probe: apex, www, the subdomains and the app URL's host, each once.
fn targets(ctx: &Context) -> Vec<(String, u16)> {
    let domain = &ctx.target.domain;
    let mut list: Vec<(String, u16)> = vec![(domain.clone(), 443), (format!("www.{domain}"), 443)];
    for s in &ctx.target.subdomains {
        list.push((s.clone(), 443));
    }
    if let Ok(uri) = ctx.target.url.parse::<hyper::Uri>() {
        if uri.scheme_str() == Some("https") {
            if let Some(h) = uri.host() {
                list.push((h.to_ascii_lowercase(), uri.port_u16().unwrap_or(443)));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    list.retain(|x| seen.insert(x.clone()));
    list
}

/// Judges trust at `at` (inside the leaf's validity), fetching a missing intermediate from the
/// AIA caIssuers URL when the chain stops at an unknown issuer.
async fn classify_trust(
    ctx: &Context,
    verifier: &WebPkiServerVerifier,
    chain: &[CertificateDer<'static>],
    certs: &[CertInfo],
    host: &str,
    at: u64,
    aia: &AiaCache,
) -> Trust {
    let verdict = tls::verify(verifier, chain, host, at);
    match verdict {
        Ok(()) => return Trust::Trusted,
        Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => return Trust::Trusted, // the chain is fine; the name is judged on its own
        Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {}
        Err(e) => return Trust::Refused(format!("the chain is refused: {e}")),
    }
    let Some(top) = certs.last() else {
        return Trust::UnknownIssuer("no readable certificate".into());
    };
    if top.self_issued {
        return if chain.len() == 1 {
            Trust::SelfSigned
        } else {
            Trust::UnknownIssuer(format!(
                "the chain ends at an unknown root: {}",
                top.subject
            ))
        };
    }
    // Climb at most two missing levels through AIA.
    let mut extended = chain.to_vec();
    let mut issuers = top.ca_issuers.clone();
    for _ in 0..2 {
        let Some(url) = issuers.first().cloned() else {
            break;
        };
        let Some(cert) = aia.fetch(ctx, &url).await else {
            break;
        };
        let info = tls::parse_cert(cert.as_ref()).ok();
        extended.push(cert);
        match tls::verify(verifier, &extended, host, at) {
            Ok(())
            | Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => return Trust::Incomplete { fetched_from: url },
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {}
            Err(_) => break,
        }
        issuers = info.map(|i| i.ca_issuers).unwrap_or_default();
    }
    Trust::UnknownIssuer(format!("issued by an unknown CA: {}", top.issuer))
}

/// Downloads of AIA caIssuers URLs, once per URL per run.
#[derive(Default)]
struct AiaCache(tokio::sync::Mutex<BTreeMap<String, Option<CertificateDer<'static>>>>);

impl AiaCache {
    async fn fetch(&self, ctx: &Context, url: &str) -> Option<CertificateDer<'static>> {
        let mut map = self.0.lock().await;
        if let Some(c) = map.get(url) {
            return c.clone();
        }
        // A URL taken from the target: fetched over http(s) on public addresses only (unless
        // the target itself lives on private ones), never at a metadata or loopback address.
        let cert = if url.starts_with("http://") || url.starts_with("https://") {
            let client = ctx.http.for_target_urls(&ctx.target.domain).await;
            match client.get(url).await {
                Ok(r) if r.status.is_success() && !r.truncated && r.body.len() <= AIA_CAP => {
                    decode_certificate(&r.body)
                }
                _ => None,
            }
        } else {
            None
        };
        map.insert(url.to_string(), cert.clone());
        cert
    }
}

/// A certificate as AIA servers publish it: DER, or PEM.
fn decode_certificate(body: &[u8]) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    if body.first() == Some(&0x30) {
        let der = CertificateDer::from(body.to_vec());
        return tls::parse_cert(der.as_ref()).is_ok().then_some(der);
    }
    CertificateDer::from_pem_slice(body).ok()
}

async fn probe_host(
    ctx: &Context,
    verifier: Arc<WebPkiServerVerifier>,
    host: String,
    port: u16,
    now: i64,
    aia: &AiaCache,
    node_addrs: Option<Vec<std::net::SocketAddr>>,
) -> HostTls {
    let addrs = match node_addrs {
        Some(a) => Ok(a),
        None => destinations(&ctx.resolver, &ctx.connect_to, &host, port).await,
    };
    let addrs = match addrs {
        Ok(a) => a,
        Err(e) => {
            return HostTls {
                host,
                port,
                outcome: Outcome::Skipped(e),
                node: None,
            }
        }
    };
    let (session, tls10, tls11, weak) = tokio::join!(
        tls::handshake(verifier.clone(), &addrs, &host),
        tls::hello_probe(&addrs, &host, TLS1_0, hello::LEGACY_SUITES),
        tls::hello_probe(&addrs, &host, TLS1_1, hello::LEGACY_SUITES),
        tls::hello_probe(&addrs, &host, TLS1_2, hello::WEAK_SUITES),
    );
    let mut notes = Vec::new();
    let mut legacy = Vec::new();
    for (asked, answer) in [(TLS1_0, &tls10), (TLS1_1, &tls11)] {
        match answer {
            HelloAnswer::Accepted { version, suite } if *version <= TLS1_1 => {
                legacy.push((*version, *suite))
            }
            HelloAnswer::NotTls(why) => notes.push(format!(
                "{host}: the {} probe got no TLS answer: {why}",
                version_name(asked)
            )),
            _ => {}
        }
    }
    legacy.dedup();
    let weak_cipher = match &weak {
        HelloAnswer::Accepted { version, suite } if hello::WEAK_SUITES.contains(suite) => {
            Some((*version, *suite))
        }
        _ => None,
    };
    let session = match session {
        Ok(s) => s,
        Err(why) => {
            return HostTls {
                host,
                port,
                outcome: Outcome::Unreachable(why),
                node: None,
            }
        }
    };
    let mut certs = Vec::new();
    for (i, der) in session.chain.iter().enumerate() {
        match tls::parse_cert(der.as_ref()) {
            Ok(c) => certs.push(c),
            Err(e) => notes.push(format!("{host}: certificate #{i}: {e}")),
        }
    }
    if let Some(why) = &session.failed_after_certificate {
        notes.push(format!(
            "{host}: the handshake failed after the certificate: {why}"
        ));
    }
    // Judge trust at a moment inside the leaf's validity: expiry is its own finding.
    let at = match certs.first() {
        Some(leaf) => now.clamp(
            leaf.not_before + 1,
            (leaf.not_after - 1).max(leaf.not_before + 1),
        ),
        None => now,
    };
    let trust = classify_trust(
        ctx,
        &verifier,
        &session.chain,
        &certs,
        &host,
        u64::try_from(at).unwrap_or(0),
        aia,
    )
    .await;
    HostTls {
        host,
        port,
        outcome: Outcome::Seen(Box::new(Seen {
            session,
            certs,
            trust,
            legacy,
            weak_cipher,
            notes,
        })),
        node: None,
    }
}

/// Round-robin DNS: every address of each host (bounded), handshaken on its own. A node that
/// serves another leaf than the host's first answering address (a stale server with an old
/// certificate) is judged by every certificate check, named by its address. Nodes that serve
/// the same leaf add nothing; a node that does not answer is the DNS stage's
/// (`dns.aaaa.unreachable`) or goes unnoticed here. Only the certificate is judged per node:
/// the protocol and cipher probes run once per host.
async fn probe_nodes(
    ctx: &Context,
    verifier: &Arc<WebPkiServerVerifier>,
    hosts: &[HostTls],
    now: i64,
    aia: &AiaCache,
) -> Vec<HostTls> {
    let mut out = Vec::new();
    for h in hosts {
        let Outcome::Seen(seen) = &h.outcome else {
            continue;
        };
        let Some(leaf) = seen.session.chain.first() else {
            continue;
        };
        let addrs =
            crate::net::nodes::each_address(&ctx.resolver, &ctx.connect_to, &h.host, h.port).await;
        let probes = addrs.into_iter().map(|(ip, to)| async move {
            let session = tls::handshake(verifier.clone(), &[to], &h.host)
                .await
                .ok()?;
            if session.chain.first() == Some(leaf) {
                return None;
            }
            let mut node = probe_host(
                ctx,
                verifier.clone(),
                h.host.clone(),
                h.port,
                now,
                aia,
                Some(vec![to]),
            )
            .await;
            node.node = Some(ip);
            if let Outcome::Seen(s) = &mut node.outcome {
                // Judged once per host, not per node.
                s.legacy.clear();
                s.weak_cipher = None;
            }
            Some(node)
        });
        out.extend(join_all(probes).await.into_iter().flatten());
    }
    out
}

async fn fetch_hsts(
    http: crate::net::http::Client,
    roots: Arc<rustls::RootCertStore>,
    url: String,
) -> Hsts {
    let mut answer = http.get(&url).await;
    // A certificate the other checks already report does not hide the HSTS header.
    if matches!(&answer, Err(crate::net::http::HttpError::Tls(e))
        if e.contains("invalid peer certificate") && !e.contains("not valid for name"))
    {
        if let Ok(lenient) = http.lenient(roots) {
            answer = lenient.get(&url).await;
        }
    }
    match answer {
        Ok(r) => {
            match r
                .headers
                .get("strict-transport-security")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            {
                Some(value) => Hsts::Header {
                    url,
                    policy: parse_hsts(&value),
                    value,
                },
                None => Hsts::Missing { url },
            }
        }
        Err(e) => Hsts::NotChecked(format!("{url}: {e}")),
    }
}

/// Runs the probes.
pub async fn observe(ctx: &Context) -> Result<TlsObservation, String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let verifier = tls::verifier(ctx.roots.clone())?;
    let app_url = ctx.target.url.clone();
    let app_host = app_url
        .parse::<hyper::Uri>()
        .ok()
        .filter(|u| u.scheme_str() == Some("https"))
        .and_then(|u| u.host().map(|h| h.to_ascii_lowercase()));
    // HSTS alongside the handshakes; dropped if the app host turns out unreachable, so a dead
    // server costs one probe timeout, not two.
    let hsts_task = app_host.is_some().then(|| {
        tokio::spawn(fetch_hsts(
            ctx.http.clone(),
            ctx.roots.clone(),
            app_url.clone(),
        ))
    });
    let aia = AiaCache::default();
    let mut hosts = join_all(
        targets(ctx)
            .into_iter()
            .map(|(h, p)| probe_host(ctx, verifier.clone(), h, p, now, &aia, None)),
    )
    .await;
    let nodes = probe_nodes(ctx, &verifier, &hosts, now, &aia).await;
    hosts.extend(nodes);
    // The auditor's blindness is not the site's fault: a connection that failed with a local
    // error, or while no outbound connection works at all, is not a finding.
    for h in &mut hosts {
        if let Outcome::Unreachable(why) = &h.outcome {
            let from_here = if why.ends_with(&format!("({})", tls::LOCAL_MARK)) {
                Some(format!("the site is unreachable from here: {why}"))
            } else if tls::connect_failed(why) {
                ctx.http
                    .outbound_broken()
                    .await
                    .map(|o| format!("the site is unreachable from here: {why}; {o}"))
            } else {
                None
            };
            if let Some(w) = from_here {
                h.outcome = Outcome::NotSeen(w);
            }
        }
    }
    let app_unreachable = hosts.iter().any(|h| {
        Some(&h.host) == app_host.as_ref()
            && matches!(h.outcome, Outcome::Unreachable(_) | Outcome::NotSeen(_))
    });
    let hsts = match hsts_task {
        None => Hsts::NotApplicable(format!(
            "HSTS not checked: the app URL {app_url} is not https"
        )),
        Some(task) if app_unreachable => {
            task.abort();
            Hsts::NotChecked(format!("{app_url} is not reachable over TLS"))
        }
        Some(task) => task
            .await
            .unwrap_or_else(|e| Hsts::NotChecked(format!("HSTS not read: {e}"))),
    };
    Ok(TlsObservation {
        now,
        hosts,
        hsts,
        app_url,
    })
}

/// Every certificate seen, once per fingerprint, with the hosts that served it.
fn inventory(o: &TlsObservation) -> Vec<Value> {
    let mut rows: Vec<(String, Value, Vec<String>)> = Vec::new();
    for (h, s) in o.seen() {
        let top = s.certs.len().saturating_sub(1);
        for (i, c) in s.certs.iter().enumerate() {
            let hostport = format!("{}:{}", h.host, h.port);
            if let Some(row) = rows.iter_mut().find(|r| r.0 == c.sha256) {
                if !row.2.contains(&hostport) {
                    row.2.push(hostport);
                }
                continue;
            }
            let role = match i {
                0 => "leaf",
                _ if i == top && c.self_issued => "root",
                _ => "intermediate",
            };
            let v = json!({
                "role": role,
                "subject": c.subject,
                "issuer": c.issuer,
                "sans": c.sans,
                "not_before": iso(c.not_before),
                "not_after": iso(c.not_after),
                "expires": Date::from_days(c.not_after.div_euclid(86_400)).to_string(),
                "days_left": days_left(o.now, c.not_after),
                "key": if c.key_bits > 0 { format!("{} {}", c.key_type, c.key_bits) } else { c.key_type.clone() },
                "signature": c.signature,
                "sha256": c.sha256,
                "protocol": if i == 0 { s.session.version } else { None },
                "cipher": if i == 0 { s.session.cipher.clone() } else { None },
                "trust": if i == 0 { Some(match &s.trust {
                    Trust::Trusted => "trusted".to_string(),
                    Trust::SelfSigned => "self-signed".to_string(),
                    Trust::Incomplete { .. } => "incomplete chain".to_string(),
                    Trust::UnknownIssuer(w) | Trust::Refused(w) => w.clone(),
                }) } else { None },
            });
            rows.push((c.sha256.clone(), v, vec![hostport]));
        }
    }
    rows.into_iter()
        .map(|(_, mut v, hosts)| {
            v["hosts"] = json!(hosts);
            v
        })
        .collect()
}

/// The stage: probes, then every check.
pub struct Tls;

impl StageDef for Tls {
    const STAGE: Stage = Stage::Tls;
    type Observation = TlsObservation;
    type Inventory = Vec<Value>;

    fn checks() -> &'static [&'static dyn Check<TlsObservation>] {
        CHECKS
    }

    async fn observe(ctx: &Context, notes: &mut Vec<String>) -> Result<TlsObservation, StageError> {
        let obs = observe(ctx).await.map_err(StageError::Setup)?;
        for h in &obs.hosts {
            match &h.outcome {
                Outcome::Skipped(why) => notes.push(format!("{} not probed: {why}", h.host)),
                Outcome::Seen(s) => notes.extend(s.notes.iter().cloned()),
                Outcome::Unreachable(_) => {}
                Outcome::NotSeen(why) if !notes.contains(why) => notes.push(why.clone()),
                Outcome::NotSeen(_) => {}
            }
        }
        match &obs.hsts {
            Hsts::NotChecked(why) => notes.push(format!("HSTS not checked: {why}")),
            Hsts::NotApplicable(why) => notes.push(why.clone()),
            _ => {}
        }
        Ok(obs)
    }

    fn inventory(obs: &TlsObservation, _: &Context) -> Vec<Value> {
        inventory(obs)
    }

    fn file(inventory: Vec<Value>, into: &mut crate::report::Inventory) {
        into.certificates = inventory;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::evaluate_all;

    #[test]
    fn parses_hsts_like_rfc_6797() {
        let p = parse_hsts("max-age=31536000; includeSubDomains; preload").expect("valid");
        assert_eq!(p.max_age, 31_536_000);
        assert!(p.include_subdomains && p.preload);
        let p = parse_hsts("MAX-AGE=\"86400\"").expect("quoted");
        assert_eq!(p.max_age, 86_400);
        assert!(!p.include_subdomains);
        assert!(parse_hsts("includeSubDomains").is_err());
        assert!(parse_hsts("max-age=abc").is_err());
        assert!(parse_hsts("max-age=1; max-age=2").is_err());
        assert!(parse_hsts("max-age=10; foo=bar").is_ok());
    }

    fn leaf(not_before: i64, not_after: i64, sans: &[&str]) -> CertInfo {
        CertInfo {
            subject: "CN=example.test".into(),
            issuer: "CN=CA".into(),
            sans: sans.iter().map(|s| s.to_string()).collect(),
            not_before,
            not_after,
            key_type: "EC".into(),
            key_bits: 256,
            signature: "ecdsa-with-SHA256".into(),
            weak_signature: false,
            self_issued: false,
            is_ca: false,
            ca_issuers: vec![],
            sha256: "00".into(),
        }
    }

    fn obs_with(cert: CertInfo, now: i64) -> TlsObservation {
        let session = Session {
            addr: "127.0.0.1:443".parse().expect("addr"),
            chain: vec![],
            version: Some("TLSv1.3"),
            cipher: None,
            failed_after_certificate: None,
            signature_refused: None,
        };
        TlsObservation {
            now,
            hosts: vec![HostTls {
                host: "example.test".into(),
                port: 443,
                outcome: Outcome::Seen(Box::new(Seen {
                    session,
                    certs: vec![cert],
                    trust: Trust::Trusted,
                    legacy: vec![],
                    weak_cipher: None,
                    notes: vec![],
                })),
                node: None,
            }],
            hsts: Hsts::NotApplicable(String::new()),
            app_url: "https://example.com/".into(),
        }
    }

    #[test]
    fn expiring_is_high_under_14_days_and_medium_under_30() {
        let now = 1_800_000_000;
        let day = 86_400;
        for (days, want) in [
            (10, Some(Severity::High)),
            (20, Some(Severity::Medium)),
            (45, None),
        ] {
            let o = obs_with(
                leaf(now - 60 * day, now + days * day + 100, &["example.test"]),
                now,
            );
            let f = evaluate_all(CHECKS, &o).findings;
            let got = f
                .iter()
                .find(|f| f.id == "tls.cert.expiring")
                .map(|f| f.severity);
            assert_eq!(got, want, "{days} days");
            assert_eq!(f.len(), usize::from(want.is_some()), "{f:?}");
        }
        let expired = obs_with(leaf(now - 90 * day, now - day, &["example.test"]), now);
        let ids: Vec<String> = evaluate_all(CHECKS, &expired)
            .findings
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, ["tls.cert.expired"]);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
