//! The `tls` stage: for the apex, www, every configured subdomain (and the app URL's host), one
//! full handshake that records the presented chain, classified precisely — expired, not yet
//! valid, expiring, hostname mismatch, untrusted (self-signed or unknown CA), incomplete chain,
//! weak key or SHA-1 signature — plus TLS 1.3 support, hand-built ClientHellos for TLS 1.0/1.1
//! and for weak cipher suites, and the app's HSTS policy. Hosts are probed concurrently; per
//! host: one full handshake, one legacy probe per legacy version, one weak-suite probe.
//!
//! The inventory lists every certificate seen, with its expiry date and days left.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Stage};
use crate::config::Date;
use crate::finding::{Impact, Severity};
use crate::net::tls::{self, hello, version_name, CertInfo, Session};
use crate::stage::{StageDef, StageError};

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
    /// certificate than the host's first answering address (see `observe::probe_nodes`).
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

mod cert_expired;
mod cert_expiring;
mod cert_not_yet_valid;
mod cert_untrusted;
mod chain_incomplete;
mod cipher_weak;
mod hostname_mismatch;
mod hsts;
mod hsts_missing;
mod hsts_short;
mod inventory;
mod key_weak;
mod no_tls13;
mod observe;
mod protocol_legacy;
mod unreachable;

pub use cert_expired::CertExpired;
pub use cert_expiring::CertExpiring;
pub use cert_not_yet_valid::CertNotYetValid;
pub use cert_untrusted::CertUntrusted;
pub use chain_incomplete::ChainIncomplete;
pub use cipher_weak::CipherWeak;
pub use hostname_mismatch::HostnameMismatch;
pub use hsts::{parse_hsts, Hsts, HstsError, HstsPolicy};
pub use hsts_missing::HstsMissing;
pub use hsts_short::HstsShort;
pub use inventory::{Certificate, Inventory};
pub use key_weak::KeyWeak;
pub use no_tls13::NoTls13;
pub use observe::observe;
pub use protocol_legacy::ProtocolLegacy;
pub use unreachable::Unreachable;

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

/// The stage's checks, in catalog order.
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

/// The stage: probes, then every check.
pub struct Tls;

impl StageDef for Tls {
    crate::stage_header!(Tls, TlsObservation, Inventory, |obs, _| {
        inventory::inventory(obs)
    });

    async fn observe(ctx: &Context, notes: &mut Vec<String>) -> Result<TlsObservation, StageError> {
        let obs = observe(ctx).await?;
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

    fn file(inventory: Inventory, into: &mut crate::report::Inventory) {
        into.certificates = inventory;
    }
}

/// Hand-built observations for the checks' unit tests: one healthy host to break one way at a
/// time, and the stage's own evaluation (blind spots included) over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub const NOW: i64 = 1_800_000_000;
    pub const DAY: i64 = 86_400;

    /// A leaf for example.com, valid from 30 days ago for 60 more days.
    pub fn leaf() -> CertInfo {
        CertInfo {
            subject: "CN=example.com".into(),
            issuer: "CN=Example CA".into(),
            sans: vec!["example.com".into(), "www.example.com".into()],
            not_before: NOW - 30 * DAY,
            not_after: NOW + 60 * DAY + 100,
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

    pub fn host_with(host: &str, outcome: Outcome) -> HostTls {
        HostTls {
            host: host.to_string(),
            port: 443,
            outcome,
            node: None,
        }
    }

    pub fn seen() -> Seen {
        Seen {
            session: Session {
                addr: std::net::SocketAddr::from(([192, 0, 2, 10], 443)),
                chain: vec![],
                version: Some("TLSv1.3"),
                cipher: None,
                failed_after_certificate: None,
                signature_refused: None,
            },
            certs: vec![leaf()],
            trust: Trust::Trusted,
            legacy: vec![],
            weak_cipher: None,
            notes: vec![],
        }
    }

    /// The HSTS answer of the app URL with this header value.
    pub fn header(value: &str) -> Hsts {
        Hsts::Header {
            url: "https://example.com/".into(),
            value: value.to_string(),
            policy: parse_hsts(value),
        }
    }

    pub fn healthy() -> TlsObservation {
        TlsObservation {
            now: NOW,
            hosts: vec![host_with("example.com", Outcome::Seen(Box::new(seen())))],
            hsts: header("max-age=31536000; includeSubDomains"),
            app_url: "https://example.com/".into(),
        }
    }

    /// The first host's handshake.
    pub fn seen_mut(o: &mut TlsObservation) -> &mut Seen {
        match &mut o.hosts[0].outcome {
            Outcome::Seen(s) => s,
            other => panic!("not seen: {other:?}"),
        }
    }

    pub fn leaf_mut(o: &mut TlsObservation) -> &mut CertInfo {
        &mut seen_mut(o).certs[0]
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn nothing_seen_from_here_leaves_every_check_not_checked() {
        let mut o = healthy();
        o.hosts[0].outcome = Outcome::NotSeen("no route out".into());
        for check in CHECKS {
            let (found, unseen) = judge(*check, &o);
            assert!(found.is_empty(), "{}", check.doc().id);
            assert!(!unseen.is_empty(), "{}", check.doc().id);
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
