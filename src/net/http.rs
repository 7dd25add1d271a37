//! The run's one HTTP client: hyper-util's pooled client over rustls, with names resolved by
//! the run's resolver (so `--dns-server` and `--zone` apply to HTTP too), `--connect-to`
//! overrides, `--ca-file` trust anchors, a timeout on every request and a cap on every body.
//!
//! Why not reqwest: its resolver hook sees only host names, and hyper-util then overwrites the
//! resolved port with the URL's, so curl's `--connect-to HOST:PORT:ADDR:PORT` (a new port)
//! cannot be expressed. A 40-line connector here can, and redirects are followed by hand anyway.

use super::dns::{DnsError, Resolver};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{HeaderMap, Method, StatusCode, Uri};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tower_service::Service;

mod chain;
mod connect_to;
mod connector;
mod trust;

pub use chain::*;
pub use connect_to::*;
use connector::*;
pub use connector::{is_local_io, is_public};
pub use trust::*;

/// Why a request got no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    Timeout,
    /// The name did not resolve, or DNS did not answer.
    Resolve(String),
    Connect(String),
    /// This machine could not open the connection (no route out, EMFILE, …): not the site's
    /// fault, and nothing about the site was seen.
    Local(String),
    /// Not fetched on purpose: the URL came from the target and points at a non-public address.
    Blocked(String),
    Tls(String),
    Protocol(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Timeout => f.write_str("timed out"),
            HttpError::Resolve(e) => write!(f, "cannot resolve: {e}"),
            HttpError::Connect(e) => write!(f, "cannot connect: {e}"),
            HttpError::Local(e) => write!(f, "cannot connect from this machine: {e}"),
            HttpError::Blocked(e) => write!(f, "not fetched: {e}"),
            HttpError::Tls(e) => write!(f, "TLS failed: {e}"),
            HttpError::Protocol(e) => write!(f, "bad HTTP response: {e}"),
        }
    }
}

/// A response with its body read up to the cap.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    pub elapsed: Duration,
}

/// One run's answers to the requests its stages share ([`Client::with_shared_answers`]), by
/// request: the first asker sends it, the others await that answer.
type Shared = Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<Answer>>>>;
type Answer = tokio::sync::OnceCell<Result<Response, HttpError>>;

/// The shared client.
#[derive(Clone)]
pub struct Client {
    inner: Inner,
    /// The connector under `inner`, for [`Client::preconnect`].
    warm: Warm,
    pub timeout: Duration,
    pub body_cap: usize,
    resolver: Arc<Resolver>,
    connect_to: Arc<Vec<ConnectTo>>,
    tls: Arc<rustls::ClientConfig>,
    /// Whether any outbound TCP connection works (asked once, when a probe fails).
    outbound: Arc<tokio::sync::OnceCell<Option<String>>>,
    /// Whether the audited domain itself resolves to non-public addresses (the sandbox, a lab).
    private_target: Arc<tokio::sync::OnceCell<bool>>,
    /// Requests in flight per origin, when bounded (runs over many targets).
    limit: Option<super::origin_limit::OriginLimit>,
    /// The pages several stages read (see [`Client::with_shared_answers`]).
    shared: Option<Shared>,
    /// A second pool of one target's client, for the requests its longest chains of
    /// dependent round trips go through (see [`Client::urgent`]).
    lane: Option<(Inner, Warm)>,
    /// A pinned client's host, and the client it was pinned from: the hops of a chain to
    /// other hosts go through that one (see [`Client::pinned`]).
    pin: Option<Arc<(String, Client)>>,
}

impl Client {
    pub fn new(
        resolver: Arc<Resolver>,
        connect_to: Vec<ConnectTo>,
        tls: rustls::ClientConfig,
        timeout: Duration,
        body_cap: usize,
    ) -> Client {
        let connect_to = Arc::new(connect_to);
        let tls = Arc::new(tls);
        let (inner, warm) = build_inner(&resolver, &connect_to, &tls, timeout, false);
        Client {
            inner,
            warm,
            timeout,
            body_cap,
            resolver,
            connect_to,
            tls,
            outbound: Arc::default(),
            private_target: Arc::default(),
            limit: None,
            shared: None,
            lane: None,
            pin: None,
        }
    }

    /// This client on a pool of its own, built from its (changed) trust, connect-to rules and
    /// address policy. The run's shared answers are not carried over: they were asked through
    /// another pool (a node-pinned or lenient client must ask for itself).
    fn repooled(mut self, public_only: bool) -> Client {
        (self.inner, self.warm) = build_inner(
            &self.resolver,
            &self.connect_to,
            &self.tls,
            self.timeout,
            public_only,
        );
        self.shared = None;
        self.lane = None;
        self.pin = None;
        self
    }

    /// The same client with at most `per_origin` requests in flight to one origin (runs over
    /// many targets: fewer connections, so fewer handshakes, when the cores are the limit).
    pub fn with_origin_limit(mut self, per_origin: usize) -> Client {
        self.limit = Some(super::origin_limit::OriginLimit::new(per_origin));
        self
    }

    /// A client for one target of a run over several: the same resolver, trust, TLS session
    /// cache and outbound check, but its own connection pool, spare connections and
    /// private-target answer, all dropped (connections closed) when the target's audit ends
    /// instead of idling in a pool shared with every target until the run's end.
    pub fn for_target(&self) -> Client {
        let mut c = self.clone().repooled(false);
        c.private_target = Arc::default();
        c.limit = self.limit.as_ref().map(|l| l.fresh());
        // Runs over many targets bound the connections per origin: no second pool there.
        if c.limit.is_none() {
            c.lane = Some(build_inner(
                &c.resolver,
                &c.connect_to,
                &c.tls,
                c.timeout,
                false,
            ));
        }
        c
    }

    /// The same client on its target's lane: a pool of its own (with its own connections
    /// opened ahead of need) for the few requests that others wait on — the app's scripts
    /// before their source maps, an asset asked twice. When the app page is read, a wave of
    /// probes leaves at once and takes every connection opened for it; the next hop of a
    /// chain would then wait for a connection of its own (two round trips more at internet
    /// latency). Everything else about the client is the same (its shared answers too); a
    /// client without a lane (one not made by [`Client::for_target`]) returns itself.
    pub fn urgent(&self) -> Client {
        let mut c = self.clone();
        if let Some((inner, warm)) = &self.lane {
            c.inner = inner.clone();
            c.warm = warm.clone();
        }
        c
    }

    /// The same client, with one answer per request for the pages several stages read (the
    /// hops of [`Client::follow`] and [`Client::get_shared`]): the app page that the headers,
    /// exposure, edge, page and tls stages all read is asked once per run, not five times at
    /// once (at internet latency, each of those asks would wait for a connection of its own).
    /// The answers live as long as the client (one audit's context).
    pub fn with_shared_answers(&self) -> Client {
        let mut c = self.clone();
        c.shared = Some(Arc::default());
        c
    }

    /// A GET whose answer is shared with the run's other stages (see
    /// [`Client::with_shared_answers`]); an ordinary GET on a client without shared answers.
    pub async fn get_shared(&self, url: &str) -> Result<Response, HttpError> {
        self.request_shared(url, &[]).await
    }

    async fn request_shared(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, HttpError> {
        let Some(shared) = &self.shared else {
            return self.request(Method::GET, url, headers).await;
        };
        let key = format!("{url} {headers:?}");
        let answer = shared
            .lock()
            .ok()
            .map(|mut map| map.entry(key).or_default().clone());
        let Some(answer) = answer else {
            return self.request(Method::GET, url, headers).await;
        };
        answer
            .get_or_init(|| self.request(Method::GET, url, headers))
            .await
            .clone()
    }

    /// The same client, accepting a certificate that is expired, self-signed, not yet valid or
    /// from an unknown CA — but not one for another name (that may be another server). The
    /// headers and exposure stages read a page through it when only its certificate is wrong:
    /// the tls stage reports the certificate, and the page's own faults still count.
    pub fn lenient(
        &self,
        roots: Arc<RootCertStore>,
    ) -> Result<Client, rustls::client::VerifierBuilderError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner =
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()?;
        let mut config = (*self.tls).clone();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(Lenient { inner }));
        let mut c = self.clone();
        c.tls = Arc::new(config);
        Ok(c.repooled(false))
    }

    /// Opens `count` connections to the origin of `url` ahead of need (DNS, TCP and TLS), for
    /// the first requests to take: started at the run's beginning they overlap its other first
    /// round trips. Unused ones are dropped after a few seconds; a failed one costs nothing
    /// (its request connects again and reports its own error).
    pub fn preconnect(&self, url: &str, count: usize) {
        let Ok(uri) = url.parse::<Uri>() else { return };
        let Some(key) = spare_key(&uri) else { return };
        // Never more spares to one origin than requests may run there at once.
        let count = match (&self.limit, self.warm.spares.lock()) {
            (Some(limit), Ok(spares)) => {
                let have = spares.get(&key).map_or(0, Vec::len);
                count.min(limit.per_origin().saturating_sub(have))
            }
            _ => count,
        };
        let mut started = Vec::with_capacity(count);
        for _ in 0..count {
            let mut tls = self.warm.tls.clone();
            let uri = uri.clone();
            let spare: Spare = tokio::spawn(async move { tls.call(uri).await });
            started.push((Instant::now(), spare));
        }
        if let Ok(mut spares) = self.warm.spares.lock() {
            spares.entry(key).or_default().extend(started);
        }
    }

    /// The same client, refusing to connect to any address that is not public.
    pub fn public_only(&self) -> Client {
        self.clone().repooled(true)
    }

    /// The same client with `host` pinned: on each `(port, to)`, connections for `host` go to
    /// `to` (one address of a round-robin set, see `net::nodes`), ahead of every other rule.
    /// Other hosts are reached as before: the hops of a chain ([`Client::follow`] and its
    /// kin) to another host go through this client itself, so they share its warm
    /// connections and the run's answers (the same request as its host chain's hop, with
    /// nothing of the node in it).
    pub fn pinned(&self, host: &str, to: &[(u16, SocketAddr)]) -> Client {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rules: Vec<ConnectTo> = to
            .iter()
            .map(|(port, addr)| ConnectTo {
                host: Some(host.clone()),
                port: Some(*port),
                addr: addr.ip(),
                to_port: Some(addr.port()),
            })
            .collect();
        rules.extend(self.connect_to.iter().cloned());
        let mut c = self.clone();
        c.connect_to = Arc::new(rules);
        let mut c = c.repooled(false);
        c.pin = Some(Arc::new((host, self.clone())));
        c
    }

    /// The client a chain's hop to `url` goes through: a pinned client's own for its host,
    /// the one it was pinned from for every other host.
    fn for_hop(&self, url: &str) -> &Client {
        match &self.pin {
            Some(pin) => {
                let host = url.parse::<Uri>().ok().and_then(|u| {
                    u.host()
                        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
                });
                if host.as_deref() == Some(pin.0.as_str()) {
                    self
                } else {
                    &pin.1
                }
            }
            None => self,
        }
    }

    /// A client for URLs taken from the target (AIA, off-site redirects): public addresses
    /// only, unless the audited domain itself resolves to a non-public one (a lab, the sandbox).
    pub async fn for_target_urls(&self, domain: &str) -> Client {
        let private = *self
            .private_target
            .get_or_init(|| async {
                destinations(&self.resolver, &self.connect_to, domain, 443)
                    .await
                    .is_ok_and(|a| a.iter().any(|a| !is_public(a.ip())))
            })
            .await;
        if private {
            self.clone()
        } else {
            self.public_only()
        }
    }

    /// Why no outbound connection works at all, if that is so: a TCP connection to the DNS
    /// resolver in use is tried once per run. `None` when one works or none can be tried.
    pub async fn outbound_broken(&self) -> Option<String> {
        self.outbound
            .get_or_init(|| async {
                let servers: Vec<SocketAddr> = self
                    .resolver
                    .describe()
                    .split(", ")
                    .filter_map(|s| s.parse().ok())
                    .collect();
                if servers.is_empty() {
                    return None;
                }
                let mut last = String::new();
                for s in &servers {
                    let t = Duration::from_secs(2);
                    match tokio::time::timeout(t, TcpStream::connect(s)).await {
                        Ok(Ok(_)) => return None,
                        Ok(Err(e)) => last = format!("{s}: {e}"),
                        Err(_) => last = format!("{s}: timed out"),
                    }
                }
                Some(format!(
                    "no outbound connection works (the resolver {last})"
                ))
            })
            .await
            .clone()
    }

    /// When a failed request means the auditor, not the site, is blind: a local error, or a
    /// failed connection while no outbound connection works at all. The reason says so.
    pub async fn blind_from_here(&self, e: &HttpError) -> Option<String> {
        match e {
            HttpError::Local(why) => Some(format!("the site is unreachable from here: {why}")),
            HttpError::Connect(_) | HttpError::Timeout => self
                .outbound_broken()
                .await
                .map(|why| format!("the site is unreachable from here: {e}; {why}")),
            _ => None,
        }
    }

    /// How a failed request reads as a not-checked reason (`timed out after 5 s`).
    pub fn reason(&self, e: &HttpError) -> String {
        match e {
            HttpError::Timeout => format!("timed out after {} s", self.timeout.as_secs()),
            e => e.to_string(),
        }
    }

    /// One request, never following redirects; the whole exchange (body included) is bounded
    /// by the client's timeout and the body by its cap.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, HttpError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| HttpError::Protocol(format!("bad URL {url}: {e}")))?;
        let mut builder = hyper::Request::builder().method(method).uri(uri);
        builder = builder.header(
            "user-agent",
            concat!("launchready/", env!("CARGO_PKG_VERSION")),
        );
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(Empty::<Bytes>::new())
            .map_err(|e| HttpError::Protocol(e.to_string()))?;
        // The wait for a slot at the origin is not the site's time: before the clock starts.
        let _slot = match (&self.limit, spare_key(request.uri())) {
            (Some(limit), Some(origin)) => limit.acquire(&origin).await,
            _ => None,
        };
        let started = Instant::now();
        let at = crate::log::since_start();
        let cap = self.body_cap;
        let work = async {
            let resp = self
                .inner
                .request(request)
                .await
                .map_err(|e| classify(&e))?;
            let (parts, mut body) = resp.into_parts();
            // Sized from Content-Length (within the cap) so a big body is not grown by doubling.
            let declared = parts
                .headers
                .get(hyper::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut buf = Vec::with_capacity(declared.min(cap.saturating_add(1)).min(64 << 20));
            let mut truncated = false;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| HttpError::Protocol(e.to_string()))?;
                if let Ok(data) = frame.into_data() {
                    let room = cap.saturating_sub(buf.len());
                    if data.len() > room {
                        buf.extend_from_slice(&data[..room]);
                        truncated = true;
                        break;
                    }
                    buf.extend_from_slice(&data);
                }
            }
            Ok(Response {
                status: parts.status,
                headers: parts.headers,
                body: Bytes::from(buf),
                truncated,
                elapsed: started.elapsed(),
            })
        };
        let answer = match tokio::time::timeout(self.timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(HttpError::Timeout),
        };
        crate::debug!(
            "http: {url} {} in {} (asked at +{at:.0} ms)",
            match &answer {
                Ok(r) => r.status.as_u16().to_string(),
                Err(e) => e.to_string(),
            },
            crate::log::duration(started.elapsed())
        );
        answer
    }

    pub async fn get(&self, url: &str) -> Result<Response, HttpError> {
        self.request(Method::GET, url, &[]).await
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod lane_tests;
