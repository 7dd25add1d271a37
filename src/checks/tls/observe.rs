//! The TLS probes: per host, one full handshake (its chain classified against the roots, with
//! a missing intermediate fetched from AIA), the legacy-version and weak-suite hellos; and the
//! app URL's HSTS header alongside. A host this machine could not reach is not the site's fault.

use super::*;
use crate::net::http::destinations;
use crate::net::tls::{HelloAnswer, TLS1_0, TLS1_1, TLS1_2};
use futures_util::future::join_all;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::CertificateDer;
use rustls::CertificateError;
use std::collections::BTreeMap;
use std::sync::Arc;

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
                outcome: Outcome::Skipped(e.to_string()),
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
                outcome: Outcome::Unreachable(why.to_string()),
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

/// One handshake with each address of a host (none when it has at most one, see
/// `nodes::each_address`): the leaf each served, or `None` when the handshake failed.
type NodeLeaves = Vec<(
    std::net::IpAddr,
    std::net::SocketAddr,
    Option<CertificateDer<'static>>,
)>;

async fn node_leaves(
    ctx: &Context,
    verifier: &Arc<WebPkiServerVerifier>,
    host: &str,
    port: u16,
) -> NodeLeaves {
    let addrs = crate::net::nodes::each_address(&ctx.resolver, &ctx.connect_to, host, port).await;
    join_all(addrs.into_iter().map(|(ip, to)| async move {
        let leaf = tls::handshake(verifier.clone(), &[to], host)
            .await
            .ok()
            .and_then(|s| s.chain.into_iter().next());
        (ip, to, leaf)
    }))
    .await
}

/// Round-robin DNS: every address of each host (bounded), handshaken on its own (beside the
/// host's own probe, see [`node_leaves`]). A node that serves another leaf than the host's
/// first answering address (a stale server with an old certificate) is judged by every
/// certificate check, named by its address. Nodes that serve the same leaf add nothing; a
/// node that does not answer is the DNS stage's (`dns.aaaa.unreachable`) or goes unnoticed
/// here. Only the certificate is judged per node: the protocol and cipher probes run once per
/// host.
async fn probe_nodes(
    ctx: &Context,
    verifier: &Arc<WebPkiServerVerifier>,
    hosts: &[(HostTls, NodeLeaves)],
    now: i64,
    aia: &AiaCache,
) -> Vec<HostTls> {
    let per_host = hosts.iter().map(|(h, leaves)| async move {
        let Outcome::Seen(seen) = &h.outcome else {
            return Vec::new();
        };
        let Some(leaf) = seen.session.chain.first() else {
            return Vec::new();
        };
        let probes = leaves
            .iter()
            .filter(|(_, _, l)| l.as_ref().is_some_and(|l| l != leaf))
            .map(|(ip, to, _)| async move {
                let mut node = probe_host(
                    ctx,
                    verifier.clone(),
                    h.host.clone(),
                    h.port,
                    now,
                    aia,
                    Some(vec![*to]),
                )
                .await;
                node.node = Some(*ip);
                if let Outcome::Seen(s) = &mut node.outcome {
                    // Judged once per host, not per node.
                    s.legacy.clear();
                    s.weak_cipher = None;
                }
                node
            });
        join_all(probes).await
    });
    join_all(per_host).await.into_iter().flatten().collect()
}

async fn fetch_hsts(
    http: crate::net::http::Client,
    roots: Arc<rustls::RootCertStore>,
    url: String,
) -> Hsts {
    // The app page as the other stages read it (one answer per run).
    let mut answer = http.get_shared(&url).await;
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
pub async fn observe(ctx: &Context) -> Result<TlsObservation, StageError> {
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
    // Each host's probe and the handshakes with each of its addresses, all at once.
    let probed = join_all(targets(ctx).into_iter().map(|(h, p)| {
        let verifier = verifier.clone();
        let aia = &aia;
        async move {
            let leaves = node_leaves(ctx, &verifier, &h, p);
            let host = probe_host(ctx, verifier.clone(), h.clone(), p, now, aia, None);
            let (host, leaves) = tokio::join!(host, leaves);
            (host, leaves)
        }
    }))
    .await;
    let nodes = probe_nodes(ctx, &verifier, &probed, now, &aia).await;
    let mut hosts: Vec<HostTls> = probed.into_iter().map(|(h, _)| h).collect();
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
