//! What the mail servers said on port 25: STARTTLS offered or not, the TLS version and
//! whether the certificate is valid for the MX name. Probed for the first [`MAX_MX`]
//! exchanges (by preference), concurrently, each conversation bounded (see `net::smtp`).

use super::*;
use crate::net::smtp::{self, MxTls};
use crate::net::tls;

/// The most MX hosts whose port 25 is probed.
pub const MAX_MX: usize = 5;

/// One mail server's conversation.
#[derive(Debug, Clone)]
pub struct MxServer {
    /// The MX name (what the certificate must cover).
    pub host: String,
    pub outcome: MxTls,
    /// With TLS: why the chain does not validate for the MX name now (expired, wrong name,
    /// untrusted), or `None` when it does.
    pub cert_problem: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MxTlsObservation {
    pub servers: Vec<MxServer>,
    /// MX hosts past the bound, not probed.
    pub skipped: Vec<String>,
}

/// The reason given when no mail server could be reached at all.
pub const ALL_UNREACHABLE: &str = "no mail server accepted a connection on port 25 from here; outbound port 25 is blocked on many residential and cloud networks, so this is not blamed on the target";

impl MxTlsObservation {
    /// What the STARTTLS and certificate checks could not see: every MX that did not answer
    /// (or did not speak SMTP) stays not checked; when none answered, the reason says this
    /// network may block port 25.
    pub fn blind(&self) -> Vec<(String, String)> {
        let unseen: Vec<&MxServer> = self
            .servers
            .iter()
            .filter(|s| matches!(s.outcome, MxTls::Unreachable(_) | MxTls::Protocol(_)))
            .collect();
        let all_unreachable = !self.servers.is_empty()
            && self
                .servers
                .iter()
                .all(|s| matches!(s.outcome, MxTls::Unreachable(_)));
        unseen
            .into_iter()
            .map(|s| {
                let why = match &s.outcome {
                    MxTls::Unreachable(e) if all_unreachable => format!("{ALL_UNREACHABLE} ({e})"),
                    MxTls::Unreachable(e) => format!("port 25 not reachable: {e}"),
                    MxTls::Protocol(e) => format!("no usable SMTP conversation: {e}"),
                    _ => String::new(),
                };
                (s.host.clone(), why)
            })
            .collect()
    }

    /// A line for the stage's notes when something was left out.
    pub fn note(&self) -> Option<String> {
        (!self.skipped.is_empty()).then(|| {
            format!(
                "mail servers past the first {MAX_MX} not probed on port 25: {}",
                self.skipped.join(", ")
            )
        })
    }
}

/// Whether the domain's MTA-STS policy is in enforce mode (senders then refuse to deliver
/// over a missing or invalid TLS).
pub fn enforced(o: &EmailObservation) -> bool {
    o.mta_sts
        .as_ref()
        .and_then(|s| s.policy.as_ref())
        .is_some_and(|p| p.mode == "enforce")
}

/// Why a chain is not valid for `host` now, in words.
fn cert_problem(
    verifier: &rustls::client::WebPkiServerVerifier,
    session: &tls::Session,
    host: &str,
) -> Option<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let err = tls::verify(verifier, &session.chain, host, now).err()?;
    let names = session
        .chain
        .first()
        .and_then(|c| tls::parse_cert(c).ok())
        .map(|c| c.sans.join(", "))
        .unwrap_or_default();
    use rustls::CertificateError as C;
    Some(match err {
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            format!("the certificate is not valid for {host} (it names {names})")
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the certificate has expired".to_string()
        }
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "the certificate chain does not lead to a trusted root (self-signed, private CA or incomplete chain)".to_string()
        }
        other => format!("the certificate does not validate: {other}"),
    })
}

/// Probes the MX hosts that resolved (bounded), through `--connect-to` and the run's resolver.
pub async fn observe_mx_tls(ctx: &Context, mx: &MxObservation) -> MxTlsObservation {
    let mut hosts: Vec<String> = Vec::new();
    for (_, h) in &mx.exchanges {
        let bad = h.is_empty()
            || mx.unresolvable.iter().any(|(u, _)| u == h)
            || mx.unknown_hosts.iter().any(|(u, _)| u == h);
        if !bad && !hosts.contains(h) {
            hosts.push(h.clone());
        }
    }
    let skipped = hosts.split_off(hosts.len().min(MAX_MX));
    let verifier = match tls::verifier(ctx.roots.clone()) {
        Ok(v) => v,
        Err(e) => {
            let servers = hosts
                .into_iter()
                .map(|host| MxServer {
                    host,
                    outcome: MxTls::Protocol(format!("no TLS verifier: {e}")),
                    cert_problem: None,
                })
                .collect();
            return MxTlsObservation { servers, skipped };
        }
    };
    let probes = hosts.into_iter().map(|host| {
        let verifier = verifier.clone();
        async move {
            let addrs =
                crate::net::http::destinations(&ctx.resolver, &ctx.connect_to, &host, 25).await;
            let outcome = match addrs {
                Ok(addrs) => smtp::probe(verifier.clone(), &addrs, &host).await,
                Err(e) => MxTls::Protocol(format!("no address: {e}")),
            };
            let cert_problem = match &outcome {
                MxTls::Tls(session) => cert_problem(&verifier, session, &host),
                _ => None,
            };
            MxServer {
                host,
                outcome,
                cert_problem,
            }
        }
    });
    MxTlsObservation {
        servers: join_all(probes).await,
        skipped,
    }
}

/// One MX in the inventory: whether STARTTLS worked, and the TLS it gave.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MxTlsRow {
    pub host: String,
    /// `yes`, `no`, `failed`, `unreachable` or `unknown`.
    pub starttls: &'static str,
    pub version: Option<&'static str>,
    pub cipher: Option<String>,
    pub certificate_sha256: Option<String>,
    pub certificate_problem: Option<String>,
    pub error: Option<String>,
}

/// The inventory rows: each MX's STARTTLS outcome and TLS version.
pub fn inventory_rows(o: &MxTlsObservation) -> Vec<MxTlsRow> {
    o.servers
        .iter()
        .map(|s| {
            let mut row = MxTlsRow {
                host: s.host.clone(),
                starttls: "yes",
                version: None,
                cipher: None,
                certificate_sha256: None,
                certificate_problem: s.cert_problem.clone(),
                error: None,
            };
            match &s.outcome {
                MxTls::Tls(session) => {
                    row.version = session.version;
                    row.cipher = session.cipher.clone();
                    row.certificate_sha256 = session.chain.first().map(|c| tls::sha256_hex(c));
                }
                MxTls::NoStartTls { .. } => row.starttls = "no",
                MxTls::TlsFailed(e) => (row.starttls, row.error) = ("failed", Some(e.clone())),
                MxTls::Unreachable(e) => {
                    (row.starttls, row.error) = ("unreachable", Some(e.clone()))
                }
                MxTls::Protocol(e) => (row.starttls, row.error) = ("unknown", Some(e.clone())),
            }
            row
        })
        .collect()
}
