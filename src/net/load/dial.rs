//! Reaching the target: each virtual user's own connection, and the first request's phases.

use super::*;

/// Why the first request to an endpoint ([`Dialer::phases`]) got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("the --max-requests cap ({cap}) is spent")]
    BudgetSpent { cap: u64 },
    /// This machine could not open the connection ([`ErrorKind::Local`]).
    #[error("{why}")]
    Local { why: String },
    #[error("cannot connect: {why}")]
    Connect { why: String },
    /// TLS, timeout or protocol trouble on the way to an answer.
    #[error("{why}")]
    Request { kind: ErrorKind, why: String },
}

/// How a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorKind {
    /// An answer with status ≥ 400.
    Status,
    Timeout,
    Connect,
    Tls,
    /// The connection broke mid-exchange.
    Protocol,
    /// This machine could not open the connection (out of file descriptors, buffers or local
    /// ports): never the target's error, never counted as one.
    Local,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Status => "status",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Local => "local",
        }
    }
}

/// The first request's phases, like `curl -w`.
#[derive(Debug, Clone, Default)]
pub struct Phases {
    pub dns: Duration,
    pub connect: Duration,
    pub tls: Option<Duration>,
    pub ttfb: Duration,
    pub total: Duration,
    pub status: u16,
}

/// Opens connections to the target the way the rest of the audit does.
#[derive(Clone)]
pub struct Dialer {
    pub resolver: Arc<Resolver>,
    pub connect_to: Arc<Vec<ConnectTo>>,
    pub tls: Arc<rustls::ClientConfig>,
    pub timeout: Duration,
}

/// One parsed endpoint URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub https: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Option<Endpoint> {
        let uri: Uri = url.parse().ok()?;
        let https = uri.scheme_str() == Some("https");
        Some(Endpoint {
            url: url.to_string(),
            https,
            host: uri.host()?.to_string(),
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
            path: uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

/// One keep-alive connection of the load path: our own HTTP/1.1 exchange ([`super::h1`]),
/// driven from the virtual user's task (hyper's client would add a connection task and two
/// wake-ups per request, which was this probe's ceiling).
pub(super) type Sender = h1::Conn<Box<dyn Io>>;

/// A request's bytes and whether it is a HEAD.
pub struct Prepared {
    bytes: Vec<u8>,
    head: bool,
}

impl Endpoint {
    /// The request for this endpoint, built once and sent as often as needed.
    pub fn prepare(&self, method: &Method, body: &[u8]) -> Prepared {
        let default_port = if self.https { 443 } else { 80 };
        let host = if self.port == default_port {
            self.host.clone()
        } else if self.host.contains(':') {
            format!("[{}]:{}", self.host.trim_matches(['[', ']']), self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        };
        Prepared {
            bytes: h1::request_bytes(method.as_str(), &self.path, &host, LOAD_USER_AGENT, body),
            head: method == Method::HEAD,
        }
    }
}

pub(super) fn h1_error(e: h1::H1Error) -> (ErrorKind, String) {
    (ErrorKind::Protocol, e.to_string())
}

impl Dialer {
    /// Opens one keep-alive connection, timing its phases.
    pub(super) async fn connect(
        &self,
        ep: &Endpoint,
    ) -> Result<(Sender, Phases), (ErrorKind, String)> {
        let mut phases = Phases::default();
        let t = Instant::now();
        let addrs = destinations(&self.resolver, &self.connect_to, &ep.host, ep.port)
            .await
            .map_err(|e| (ErrorKind::Connect, e.to_string()))?;
        phases.dns = t.elapsed();
        let t = Instant::now();
        let mut stream = None;
        let mut last = (ErrorKind::Connect, String::from("no address"));
        for addr in addrs {
            match tokio::time::timeout(self.timeout, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => {
                    stream = Some(s);
                    break;
                }
                // Out of descriptors here is out of descriptors for every address.
                Ok(Err(e)) if crate::net::dns::is_local_io_error(&e) => {
                    return Err((ErrorKind::Local, format!("cannot open a connection: {e}")));
                }
                Ok(Err(e)) => last = (ErrorKind::Connect, format!("{addr}: {e}")),
                Err(_) => last = (ErrorKind::Connect, format!("{addr}: connect timed out")),
            }
        }
        let tcp = stream.ok_or(last)?;
        let _ = tcp.set_nodelay(true);
        phases.connect = t.elapsed();
        let io: Box<dyn Io> = if ep.https {
            let t = Instant::now();
            let name = rustls_pki_types::ServerName::try_from(ep.host.clone())
                .map_err(|e| (ErrorKind::Tls, e.to_string()))?;
            let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
            let tls = tokio::time::timeout(self.timeout, connector.connect(name, tcp))
                .await
                .map_err(|_| (ErrorKind::Timeout, "TLS handshake timed out".to_string()))?
                .map_err(|e| (ErrorKind::Tls, e.to_string()))?;
            phases.tls = Some(t.elapsed());
            Box::new(tls)
        } else {
            Box::new(tcp)
        };
        Ok((h1::Conn::new(io), phases))
    }

    /// Sends one request on a connection and reads the whole answer (drained, not kept).
    /// Returns the status, the time to the response head, and the Retry-After header.
    pub(super) async fn send(
        &self,
        sender: &mut Sender,
        req: &Prepared,
    ) -> Result<(u16, Duration, bool), (ErrorKind, String)> {
        self.send_until(sender, req, None).await
    }

    /// [`Dialer::send`], given up at `stop` too when that comes before the request's own
    /// timeout (one timer per request either way: the load loop's hot path).
    pub(super) async fn send_until(
        &self,
        sender: &mut Sender,
        req: &Prepared,
        stop: Option<tokio::time::Instant>,
    ) -> Result<(u16, Duration, bool), (ErrorKind, String)> {
        let t = Instant::now();
        let own = tokio::time::Instant::now() + self.timeout;
        let until = stop.map_or(own, |s| s.min(own));
        // Drained, never kept, and capped: a 10 GB answer costs the cap, not the run.
        match tokio::time::timeout_at(until, sender.exchange(&req.bytes, req.head, BODY_CAP)).await
        {
            Ok(Ok(a)) => Ok((a.status, a.head_at.duration_since(t), a.retry_after)),
            Ok(Err(e)) => Err(h1_error(e)),
            Err(_) => Err((ErrorKind::Timeout, "timed out".into())),
        }
    }

    /// The phases of one fresh request, like `curl -w`: one request (and its connection)
    /// from the budget.
    pub async fn phases(&self, ep: &Endpoint, budget: &Budget) -> Result<Phases, PhaseError> {
        if !budget.claim() {
            return Err(PhaseError::BudgetSpent { cap: budget.cap });
        }
        let t = Instant::now();
        let (mut sender, mut phases) = match self.connect(ep).await {
            Ok(c) => c,
            Err((ErrorKind::Local, why)) => {
                budget.refund();
                return Err(PhaseError::Local { why });
            }
            Err((ErrorKind::Connect, why)) => return Err(PhaseError::Connect { why }),
            Err((kind, why)) => return Err(PhaseError::Request { kind, why }),
        };
        let (status, ttfb, _) = self
            .send(&mut sender, &ep.prepare(&Method::GET, b""))
            .await
            .map_err(|(kind, why)| PhaseError::Request { kind, why })?;
        phases.ttfb = ttfb;
        phases.total = t.elapsed();
        phases.status = status;
        Ok(phases)
    }

    /// A burst of `count` requests spread over `over`, on one connection (reconnecting when the
    /// server closes it). Returns the statuses.
    pub async fn burst(
        &self,
        ep: &Endpoint,
        method: Method,
        body: &str,
        count: usize,
        over: Duration,
        budget: &Budget,
    ) -> Vec<Result<u16, ErrorKind>> {
        let mut out = Vec::new();
        let mut conn: Option<Sender> = None;
        let gap = over / count.max(1) as u32;
        let req = ep.prepare(&method, body.as_bytes());
        for _ in 0..count {
            if !budget.claim() {
                break;
            }
            if conn.as_ref().is_none_or(|c| c.is_closed()) {
                conn = match self.connect(ep).await {
                    Ok((s, _)) => Some(s),
                    Err((ErrorKind::Local, _)) => {
                        // Nothing reached the target: not an attempt, and no use going on.
                        budget.refund();
                        break;
                    }
                    Err((k, _)) => {
                        out.push(Err(k));
                        continue;
                    }
                };
            }
            if let Some(sender) = conn.as_mut() {
                match self.send(sender, &req).await {
                    Ok((status, _, _)) => out.push(Ok(status)),
                    Err((k, _)) => {
                        conn = None;
                        out.push(Err(k));
                    }
                }
            }
            tokio::time::sleep(gap).await;
        }
        out
    }
}
