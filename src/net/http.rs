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

/// One `--connect-to HOST:PORT:ADDR:PORT` rule (an empty HOST or PORT matches any, as in curl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub addr: IpAddr,
    pub to_port: Option<u16>,
}

/// Why a `--connect-to` rule is refused; `rule` is the rule as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectToError {
    #[error("--connect-to {rule:?}: unclosed '[' (expected HOST:PORT:ADDR:PORT)")]
    UnclosedBracket { rule: String },
    #[error("--connect-to {rule:?}: {host:?} is not an IPv6 address")]
    HostNotIpv6 { rule: String, host: String },
    #[error("--connect-to {rule:?}: {field} (expected HOST:PORT:ADDR:PORT)")]
    Field { rule: String, field: RuleField },
}

/// The part of a `--connect-to` rule that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleField {
    #[error("missing ':'")]
    MissingColon,
    #[error("needs four ':'-separated fields")]
    FieldCount,
    #[error("missing PORT")]
    MissingPort,
    #[error("bad port {0:?}")]
    Port(String),
    #[error("ADDR {0:?} is not an IP address")]
    Addr(String),
}

impl ConnectTo {
    pub fn parse(s: &str) -> Result<ConnectTo, ConnectToError> {
        // HOST may be a bracketed IPv6 literal: a rule for one address of a host
        // (`[2001:db8::1]:443:127.0.0.1:8443`, see `net::nodes`).
        if let Some(rest) = s.strip_prefix('[') {
            let (v6, tail) =
                rest.split_once(']')
                    .ok_or_else(|| ConnectToError::UnclosedBracket {
                        rule: s.to_string(),
                    })?;
            let ip: std::net::Ipv6Addr = v6.parse().map_err(|_| ConnectToError::HostNotIpv6 {
                rule: s.to_string(),
                host: v6.to_string(),
            })?;
            let mut rule = ConnectTo::parse(&format!("v6{tail}"))?;
            rule.host = Some(ip.to_string());
            return Ok(rule);
        }
        let bad = |field: RuleField| ConnectToError::Field {
            rule: s.to_string(),
            field,
        };
        // The address may be a bracketed IPv6 literal containing colons.
        let (head, addr, tail) = match (s.find('['), s.find(']')) {
            (Some(open), Some(close)) if open < close => {
                let head = s[..open]
                    .strip_suffix(':')
                    .ok_or_else(|| bad(RuleField::MissingColon))?;
                let tail = s[close + 1..]
                    .strip_prefix(':')
                    .ok_or_else(|| bad(RuleField::MissingColon))?;
                (head, &s[open + 1..close], tail)
            }
            _ => {
                let parts: Vec<&str> = s.split(':').collect();
                if parts.len() != 4 {
                    return Err(bad(RuleField::FieldCount));
                }
                let head_len = parts[0].len() + 1 + parts[1].len();
                (&s[..head_len], parts[2], parts[3])
            }
        };
        let (host, port) = head
            .split_once(':')
            .ok_or_else(|| bad(RuleField::MissingPort))?;
        let parse_port = |p: &str| -> Result<Option<u16>, ConnectToError> {
            if p.is_empty() {
                Ok(None)
            } else {
                p.parse::<u16>()
                    .map(Some)
                    .map_err(|_| bad(RuleField::Port(p.to_string())))
            }
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| bad(RuleField::Addr(addr.to_string())))?;
        Ok(ConnectTo {
            host: (!host.is_empty()).then(|| host.trim_end_matches('.').to_ascii_lowercase()),
            port: parse_port(port)?,
            addr,
            to_port: parse_port(tail)?,
        })
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        self.host.as_deref().is_none_or(|h| h == host) && self.port.is_none_or(|p| p == port)
    }

    /// The curl-style text of the rule.
    pub fn to_arg(&self) -> String {
        let host = match self.host.as_deref() {
            Some(h) if h.contains(':') => format!("[{h}]"),
            Some(h) => h.to_string(),
            None => String::new(),
        };
        let addr = match self.addr {
            IpAddr::V6(a) => format!("[{a}]"),
            IpAddr::V4(a) => a.to_string(),
        };
        format!(
            "{}:{}:{}:{}",
            host,
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            addr,
            self.to_port.map(|p| p.to_string()).unwrap_or_default()
        )
    }
}

/// Why a host has no address to connect to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("{error}")]
    Lookup { host: String, error: DnsError },
    #[error("{host} does not resolve")]
    NoAddress { host: String },
}

/// Where the client connects for `host:port`.
pub async fn destinations(
    resolver: &Resolver,
    connect_to: &[ConnectTo],
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, DestinationError> {
    let host_key = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(rule) = connect_to.iter().find(|r| r.matches(&host_key, port)) {
        return Ok(vec![SocketAddr::new(
            rule.addr,
            rule.to_port.unwrap_or(port),
        )]);
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let ips = resolver
        .addrs(host)
        .await
        .map_err(|error| DestinationError::Lookup {
            host: host.to_string(),
            error,
        })?;
    if ips.is_empty() {
        return Err(DestinationError::NoAddress {
            host: host.to_string(),
        });
    }
    Ok(ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect())
}

/// Why `--ca-file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("--ca-file {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("--ca-file {}: not a PEM certificate file: {source}", path.display())]
    NotPem {
        path: std::path::PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("--ca-file {}: no PEM certificate found", .0.display())]
    Empty(std::path::PathBuf),
    #[error("--ca-file: certificate rejected: {0}")]
    Rejected(rustls::Error),
}

/// Reads `--ca-file`: every certificate in a PEM file.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let iter = CertificateDer::pem_file_iter(path).map_err(|source| CaFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let certs: Vec<_> = iter
        .collect::<Result<_, _>>()
        .map_err(|source| CaFileError::NotPem {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(CaFileError::Empty(path.to_path_buf()));
    }
    Ok(certs)
}

/// The web PKI roots plus the extra anchors.
pub fn root_store(extra: &[CertificateDer<'static>]) -> Result<RootCertStore, CaFileError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots.add(cert.clone()).map_err(CaFileError::Rejected)?;
    }
    Ok(roots)
}

pub fn tls_config(roots: RootCertStore) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The TCP side of the client: resolves through the run's resolver and `--connect-to`.
#[derive(Clone)]
struct Connector {
    resolver: Arc<Resolver>,
    connect_to: Arc<Vec<ConnectTo>>,
    timeout: Duration,
    /// Refuse destinations that are not public addresses (for URLs taken from the target).
    public_only: bool,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let host = uri.host().ok_or("URL without a host")?.to_string();
            let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
                Some("https") => 443,
                _ => 80,
            });
            let addrs = destinations(&this.resolver, &this.connect_to, &host, port)
                .await
                .map_err(|e| -> BoxError { Box::new(ResolveError(e.to_string())) })?;
            if this.public_only {
                if let Some(addr) = addrs.iter().find(|a| !is_public(a.ip())) {
                    return Err(Box::new(Blocked(format!(
                        "{host} is at {}, a non-public address; URLs taken from the target are fetched on public addresses only",
                        addr.ip()
                    ))) as BoxError);
                }
            }
            let mut last: BoxError = "no address".into();
            let mut all_local = true;
            for addr in addrs {
                match tokio::time::timeout(this.timeout, TcpStream::connect(addr)).await {
                    Ok(Ok(stream)) => {
                        let _ = stream.set_nodelay(true);
                        return Ok(TokioIo::new(stream));
                    }
                    Ok(Err(e)) => {
                        all_local &= is_local_io(&e);
                        last = format!("connect {addr}: {e}").into();
                    }
                    Err(_) => {
                        all_local = false;
                        last = format!("connect {addr}: timed out").into();
                    }
                }
            }
            if all_local {
                return Err(Box::new(LocalError(last.to_string())));
            }
            Err(last)
        })
    }
}

/// A destination refused by policy (a non-public address for a URL taken from the target).
#[derive(Debug)]
struct Blocked(String);

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Blocked {}

/// Every address failed with an error of this machine's (no route, no file descriptor left).
#[derive(Debug)]
struct LocalError(String);

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LocalError {}

/// ENFILE, EMFILE, ENOBUFS: errno values std has no `ErrorKind` for.
#[cfg(target_os = "linux")]
const LOCAL_ERRNOS: &[i32] = &[23, 24, 105];
#[cfg(target_os = "macos")]
const LOCAL_ERRNOS: &[i32] = &[23, 24, 55];
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
const LOCAL_ERRNOS: &[i32] = &[];

/// A connect error that is this machine's, not the target's: no route out, no address to bind,
/// no file descriptor or buffer left.
pub fn is_local_io(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::NetworkUnreachable
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkDown
            | ErrorKind::AddrNotAvailable
            | ErrorKind::AddrInUse
    ) || e.raw_os_error().is_some_and(|n| LOCAL_ERRNOS.contains(&n))
}

/// Whether an address is on the public internet: not loopback, link-local, private,
/// unique-local, CGNAT, unspecified, multicast, broadcast or documentation space. URLs taken
/// from a target (AIA, off-site redirects) are fetched only on public addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            !(a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_multicast()
                || a.is_broadcast()
                || a.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = a.segments();
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b))
        }
    }
}

/// A verifier that accepts any certificate for the right name (see [`Client::lenient`]).
#[derive(Debug)]
struct Lenient {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
}

impl rustls::client::danger::ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls_pki_types::ServerName<'_>,
        ocsp: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::CertificateError as C;
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(
                e @ rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ),
            ) => Err(e),
            _ => Ok(rustls::client::danger::ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        let mut schemes = self.inner.supported_verify_schemes();
        for s in [
            rustls::SignatureScheme::RSA_PKCS1_SHA1,
            rustls::SignatureScheme::ECDSA_SHA1_Legacy,
        ] {
            if !schemes.contains(&s) {
                schemes.push(s);
            }
        }
        schemes
    }
}

/// The host name could not be turned into an address: the DNS stage's business, not the
/// site's, so HTTP-level checks stay silent about it.
#[derive(Debug)]
struct ResolveError(String);

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResolveError {}

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

type Inner = HyperClient<Warm, Empty<Bytes>>;
type Tls = hyper_rustls::HttpsConnector<Connector>;
type Stream = hyper_rustls::MaybeHttpsStream<TokioIo<TcpStream>>;
type Spare = tokio::task::JoinHandle<Result<Stream, BoxError>>;
/// Connections opened ahead of need, by `scheme://host:port`, with when they were started.
type Spares = Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<(Instant, Spare)>>>>;

/// How long a connection opened ahead of need waits for a request before it is not used.
const SPARE_TTL: Duration = Duration::from_secs(10);

/// The TLS connector with connections opened ahead of need ([`Client::preconnect`]): the
/// first requests to a host take them (finished or still in flight) instead of starting a
/// handshake of their own. At 50 ms a round trip, that is two round trips off each of them.
#[derive(Clone)]
struct Warm {
    tls: Tls,
    spares: Spares,
}

fn spare_key(uri: &Uri) -> Option<String> {
    let scheme = uri.scheme_str()?;
    let host = uri.host()?.trim_end_matches('.').to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some(format!("{scheme}://{host}:{port}"))
}

impl Warm {
    fn take(&self, uri: &Uri) -> Option<Spare> {
        let key = spare_key(uri)?;
        let mut spares = self.spares.lock().ok()?;
        let list = spares.get_mut(&key)?;
        while let Some((at, spare)) = list.pop() {
            if at.elapsed() < SPARE_TTL {
                return Some(spare);
            }
            spare.abort();
        }
        None
    }
}

impl tower_service::Service<Uri> for Warm {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.tls.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self.take(&uri) {
            Some(spare) => {
                let mut tls = self.tls.clone();
                Box::pin(async move {
                    match spare.await {
                        Ok(Ok(stream)) => Ok(stream),
                        // A spare that failed says nothing certain: ask again, as if it never was.
                        _ => tls.call(uri).await,
                    }
                })
            }
            None => self.tls.call(uri),
        }
    }
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

fn build_inner(
    resolver: &Arc<Resolver>,
    connect_to: &Arc<Vec<ConnectTo>>,
    tls: &Arc<rustls::ClientConfig>,
    timeout: Duration,
    public_only: bool,
) -> (Inner, Warm) {
    let connector = Connector {
        resolver: resolver.clone(),
        connect_to: connect_to.clone(),
        timeout,
        public_only,
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls.as_ref().clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    let warm = Warm {
        tls: https,
        spares: Arc::default(),
    };
    let inner = HyperClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(warm.clone());
    (inner, warm)
}

fn classify(e: &hyper_util::client::legacy::Error) -> HttpError {
    let mut text = e.to_string();
    let mut tls = false;
    let mut resolve = None;
    let mut local = None;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<ResolveError>() {
            resolve = Some(r.0.clone());
        }
        if let Some(l) = s.downcast_ref::<LocalError>() {
            local = Some(l.0.clone());
        }
        if let Some(b) = s.downcast_ref::<Blocked>() {
            return HttpError::Blocked(b.0.clone());
        }
        text = format!("{text}: {s}");
        // tokio-rustls reports handshake failures as io::Error wrapping a rustls::Error.
        tls |= s.downcast_ref::<rustls::Error>().is_some()
            || s.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
        source = s.source();
    }
    if let Some(r) = resolve {
        return HttpError::Resolve(r);
    }
    if let Some(l) = local {
        return HttpError::Local(l);
    }
    if e.is_connect() {
        let tls_words = [
            "certificate",
            "corrupt message",
            "handshake",
            "peer is incompatible",
            "alert",
        ];
        if tls || tls_words.iter().any(|w| text.contains(w)) {
            HttpError::Tls(text)
        } else {
            HttpError::Connect(text)
        }
    } else {
        HttpError::Protocol(text)
    }
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
mod tests {
    use super::*;

    #[test]
    fn parses_connect_to_like_curl() {
        let r = ConnectTo::parse("example.com:443:127.0.0.1:8443").expect("valid");
        assert_eq!(r.host.as_deref(), Some("example.com"));
        assert_eq!((r.port, r.to_port), (Some(443), Some(8443)));
        assert!(r.matches("example.com", 443) && !r.matches("example.com", 80));
        let any = ConnectTo::parse("::[::1]:8080").expect("valid");
        assert_eq!(any.addr, "::1".parse::<IpAddr>().expect("ip"));
        assert!(any.matches("whatever.test", 80));
        assert_eq!(any.to_arg(), "::[::1]:8080");
        assert!(ConnectTo::parse("example.com:443:not-an-ip:1").is_err());
        assert!(ConnectTo::parse("example.com:443").is_err());
        assert!(ConnectTo::parse("a:99999:127.0.0.1:1").is_err());
    }

    #[test]
    fn classifies_addresses_a_target_url_may_not_reach() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert!(!is_public(ip), "{ip} is not public");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert!(is_public(ip), "{ip} is public");
        }
    }

    #[test]
    fn local_connect_errors_are_told_from_the_sites() {
        use std::io::{Error, ErrorKind};
        assert!(is_local_io(&Error::from(ErrorKind::NetworkUnreachable)));
        assert!(is_local_io(&Error::from(ErrorKind::AddrNotAvailable)));
        #[cfg(target_os = "linux")]
        assert!(is_local_io(&Error::from_raw_os_error(24)), "EMFILE");
        assert!(!is_local_io(&Error::from(ErrorKind::ConnectionRefused)));
        assert!(!is_local_io(&Error::from(ErrorKind::TimedOut)));
    }

    #[tokio::test]
    async fn a_public_only_client_never_connects_to_loopback() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let resolver = Arc::new(Resolver::new(
            super::super::dns::Source::Server("127.0.0.1:9".parse().expect("sa")),
            Duration::from_millis(200),
        ));
        let tls = tls_config(root_store(&[]).expect("roots")).expect("tls");
        let client = Client::new(resolver, vec![], tls, Duration::from_secs(2), 1024);
        let url = format!("http://{addr}/latest/meta-data/");
        let r = client.public_only().get(&url).await;
        assert!(matches!(r, Err(HttpError::Blocked(_))), "{r:?}");
        // Nothing reached the listener.
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "a connection was made");
        // The ordinary client does connect (the classifier, not the network, refused).
        let served = tokio::spawn(async move { listener.accept().await.is_ok() });
        let _ = client.get(&url).await;
        assert!(served.await.unwrap_or(false));
    }
}

/// Whether a URL is on one of the audited hosts.
pub type Audited<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// One response of a redirect chain.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// The absolute URL the `Location` header points to, for 3xx answers.
    pub location: Option<String>,
}

/// A chain of redirects, followed by hand.
#[derive(Debug, Clone)]
pub struct Chain {
    pub start: String,
    /// Every response received, in order (redirects and the last answer).
    pub hops: Vec<Hop>,
    /// The last response (not a redirect), when the chain ended on one.
    pub last: Option<Response>,
    /// Why the chain stopped without a final answer, and at which URL.
    pub error: Option<HttpError>,
    pub failed_at: Option<String>,
    /// A URL came back: the chain loops.
    pub looped: bool,
    /// The first URL of the chain on a host that is not audited: it was asked once (the one
    /// request a browser makes) and nothing after it was followed.
    pub off_site: Option<String>,
    /// The hop limit was reached.
    pub too_long: bool,
}

impl Chain {
    pub fn redirects(&self) -> usize {
        self.hops.iter().filter(|h| h.location.is_some()).count()
    }

    /// The URL of the last answer (or of the last URL asked).
    pub fn final_url(&self) -> &str {
        self.hops
            .last()
            .map(|h| h.url.as_str())
            .unwrap_or(&self.start)
    }

    /// `url 301 → url 200`, for evidence and the inventory.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .hops
            .iter()
            .map(|h| format!("{} {}", h.url, h.status))
            .collect();
        if let (Some(e), Some(url)) = (&self.error, &self.failed_at) {
            parts.push(format!("{url} ✗ {e}"));
        }
        if self.looped {
            parts.push("… (loop)".into());
        }
        if let (Some(off), None) = (&self.off_site, &self.last) {
            if self.error.is_none() {
                parts.push(format!(
                    "… (left the audited hosts at {off}: not followed further)"
                ));
            }
        }
        parts.join(" → ")
    }
}

/// Resolves a `Location` value against the URL it came from (RFC 9110 §10.2.2, RFC 3986 §5).
pub fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(location.to_string());
    }
    let uri: Uri = base.parse().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?.as_str();
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    if location.starts_with('?') {
        return Some(format!("{scheme}://{authority}{}{location}", uri.path()));
    }
    let dir = match uri.path().rfind('/') {
        Some(i) => &uri.path()[..=i],
        None => "/",
    };
    Some(format!("{scheme}://{authority}{dir}{location}"))
}

impl Client {
    /// Follows redirects by hand, at most `max_hops` of them, recording every hop.
    pub async fn follow(&self, url: &str, max_hops: usize, headers: &[(&str, &str)]) -> Chain {
        self.follow_inner(url, max_hops, headers, None, true).await
    }

    /// Follows redirects within the audited hosts (`audited(url)`): a hop to another host is
    /// asked once — the request a browser would make, on a public address unless the target
    /// itself is on a private one — and the chain stops there.
    pub async fn follow_within(
        &self,
        url: &str,
        max_hops: usize,
        headers: &[(&str, &str)],
        audited: &Audited<'_>,
        domain: &str,
    ) -> Chain {
        self.follow_inner(url, max_hops, headers, Some((audited, domain)), true)
            .await
    }

    /// Follows redirects within the audited hosts and stops, without asking it, at the first
    /// URL on another host (recorded as `off_site`): for chains that repeat one already
    /// followed (one address of a round-robin set), so a third party is not asked again.
    pub async fn follow_on_hosts(
        &self,
        url: &str,
        max_hops: usize,
        audited: &Audited<'_>,
        domain: &str,
    ) -> Chain {
        self.follow_inner(url, max_hops, &[], Some((audited, domain)), false)
            .await
    }

    /// Follows the app URL within the audited hosts. When the only trouble is its certificate
    /// (expired, self-signed, unknown CA — not another name's), follows it again through
    /// [`Client::lenient`] and returns that client for the stage's other probes, with a note.
    pub async fn follow_app(
        &self,
        roots: &Arc<RootCertStore>,
        url: &str,
        audited: &Audited<'_>,
        domain: &str,
    ) -> (Chain, Client, Option<String>) {
        let chain = self.follow_within(url, 10, &[], audited, domain).await;
        let bad_cert = matches!(&chain.error, Some(HttpError::Tls(e))
            if e.contains("invalid peer certificate") && !e.contains("not valid for name"));
        if !bad_cert {
            return (chain, self.clone(), None);
        }
        let Ok(lenient) = self.lenient(roots.clone()) else {
            return (chain, self.clone(), None);
        };
        let again = lenient.follow_within(url, 10, &[], audited, domain).await;
        if again.last.is_none() {
            return (chain, self.clone(), None);
        }
        let note = format!(
            "{}: the certificate is not trusted (the tls stage reports it); the site was read without verifying it",
            chain.failed_at.as_deref().unwrap_or(url)
        );
        (again, lenient, Some(note))
    }

    async fn follow_inner(
        &self,
        url: &str,
        max_hops: usize,
        headers: &[(&str, &str)],
        scope: Option<(&Audited<'_>, &str)>,
        ask_off_site: bool,
    ) -> Chain {
        let mut chain = Chain {
            start: url.to_string(),
            hops: Vec::new(),
            last: None,
            error: None,
            failed_at: None,
            looped: false,
            too_long: false,
            off_site: None,
        };
        let mut seen = std::collections::HashSet::new();
        let mut current = url.to_string();
        loop {
            if !seen.insert(current.clone()) {
                chain.looped = true;
                return chain;
            }
            if chain.hops.len() > max_hops {
                chain.too_long = true;
                return chain;
            }
            let mut client = None;
            if let Some((audited, domain)) = scope {
                if !audited(&current) {
                    if chain.off_site.is_some() {
                        return chain;
                    }
                    chain.off_site = Some(current.clone());
                    if !ask_off_site {
                        return chain;
                    }
                    client = Some(self.for_target_urls(domain).await);
                }
            }
            let resp = match client
                .as_ref()
                .unwrap_or_else(|| self.for_hop(&current))
                .request_shared(&current, headers)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    chain.error = Some(e);
                    chain.failed_at = Some(current);
                    return chain;
                }
            };
            let location = if resp.status.is_redirection() {
                resp.headers
                    .get(hyper::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| resolve_location(&current, l))
            } else {
                None
            };
            chain.hops.push(Hop {
                url: current.clone(),
                status: resp.status.as_u16(),
                location: location.clone(),
            });
            match location {
                Some(next) => current = next,
                None => {
                    chain.last = Some(resp);
                    return chain;
                }
            }
            if client.is_some() {
                // The off-site answer redirects again: not followed.
                return chain;
            }
        }
    }
}

#[cfg(test)]
#[path = "http_lane_tests.rs"]
mod lane_tests;
