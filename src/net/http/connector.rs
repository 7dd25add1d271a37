//! The connector under the client: TCP through the run's resolver and `--connect-to`, the
//! refusal of non-public addresses a target points at, connections opened ahead of need, and
//! the classification of a failed request (this machine's trouble, the name, TLS, the site).

use super::*;

/// The TCP side of the client: resolves through the run's resolver and `--connect-to`.
#[derive(Clone)]
pub(super) struct Connector {
    resolver: Arc<Resolver>,
    connect_to: Arc<Vec<ConnectTo>>,
    timeout: Duration,
    /// Refuse destinations that are not public addresses (for URLs taken from the target).
    public_only: bool,
}

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct Blocked(String);

/// Every address failed with an error of this machine's (no route, no file descriptor left).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct LocalError(String);

/// ENFILE, EMFILE, ENOBUFS: errno values std has no `ErrorKind` for.
#[cfg(target_os = "linux")]
pub(super) const LOCAL_ERRNOS: &[i32] = &[23, 24, 105];
#[cfg(target_os = "macos")]
pub(super) const LOCAL_ERRNOS: &[i32] = &[23, 24, 55];
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub(super) const LOCAL_ERRNOS: &[i32] = &[];

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

/// The host name could not be turned into an address: the DNS stage's business, not the
/// site's, so HTTP-level checks stay silent about it.
#[derive(Debug)]
pub(super) struct ResolveError(String);

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResolveError {}

pub(super) type Inner = HyperClient<Warm, Empty<Bytes>>;
pub(super) type Tls = hyper_rustls::HttpsConnector<Connector>;
pub(super) type Stream = hyper_rustls::MaybeHttpsStream<TokioIo<TcpStream>>;
pub(super) type Spare = tokio::task::JoinHandle<Result<Stream, BoxError>>;
/// Connections opened ahead of need, by `scheme://host:port`, with when they were started.
pub(super) type Spares =
    Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<(Instant, Spare)>>>>;

/// How long a connection opened ahead of need waits for a request before it is not used.
pub(super) const SPARE_TTL: Duration = Duration::from_secs(10);

/// The TLS connector with connections opened ahead of need ([`Client::preconnect`]): the
/// first requests to a host take them (finished or still in flight) instead of starting a
/// handshake of their own. At 50 ms a round trip, that is two round trips off each of them.
#[derive(Clone)]
pub(super) struct Warm {
    pub(super) tls: Tls,
    pub(super) spares: Spares,
}

pub(super) fn spare_key(uri: &Uri) -> Option<String> {
    let scheme = uri.scheme_str()?;
    let host = uri.host()?.trim_end_matches('.').to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some(format!("{scheme}://{host}:{port}"))
}

impl Warm {
    pub(super) fn take(&self, uri: &Uri) -> Option<Spare> {
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

pub(super) fn build_inner(
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

pub(super) fn classify(e: &hyper_util::client::legacy::Error) -> HttpError {
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
