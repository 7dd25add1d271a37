//! The sandbox's web servers: real HTTP/1.1 over TCP and over rustls, on loopback. The site's
//! behaviour is the scenario's `[web]` table: each knob is one fault, the defaults are healthy.
//! Hostile modes (hang, trickle, huge bodies and headers) bypass hyper and write raw bytes.

use super::scenario::Web;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// What the site's servers saw, for tests that hold the auditor to its own limits.
#[derive(Debug, Default)]
pub struct Counters {
    /// TCP connections accepted (HTTP and HTTPS ports).
    pub connections: AtomicU64,
    /// Requests carrying the load probe's User-Agent.
    pub load_requests: AtomicU64,
}

/// The site: its knobs, the domain it serves, and the state its latency faults need.
pub struct Site {
    pub web: Web,
    pub domain: String,
    /// More domains served as copies of `domain` (the multi-target sandbox).
    pub aliases: Vec<String>,
    pub counters: Arc<Counters>,
    /// Page answers so far (drives the seeded delay draws and `error_every`).
    served: AtomicU64,
    /// The global lock of `serialize_ms`.
    lock: tokio::sync::Mutex<()>,
    /// (second, count) of the rate limiter.
    window: std::sync::Mutex<(u64, u64)>,
    /// Leaked files by path, made at start (fake secrets are assembled at run time, so no
    /// real-looking key sits in the repository).
    leaked: Vec<(&'static str, u16, &'static str, String)>,
    /// `host path` of every request answered (the first [`LOG_CAP`]), so that tests can see
    /// where the audit's probes went.
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
}

/// The most requests the log keeps.
pub const LOG_CAP: usize = 10_000;

/// A fake secret of a rule, as the secrets engine's own samples write it.
fn fake(rule: &str, seed: u64) -> String {
    crate::secrets::samples::sample(rule, seed)
        .map(|(positive, _)| positive)
        .unwrap_or_default()
}

fn leaked_files(leaks: &[String]) -> Vec<(&'static str, u16, &'static str, String)> {
    let has = |l: &str| leaks.iter().any(|x| x == l);
    let mut out = Vec::new();
    if has("env") {
        out.push((
            "/.env",
            200,
            "text/plain",
            format!(
                "NODE_ENV=production\n{}\nSESSION_SECRET={:016x}{:016x}\n",
                fake("postgres-url-password", 10)
                    .replace(" = ", "=")
                    .replace('"', ""),
                splitmix(11),
                splitmix(12)
            ),
        ));
    }
    if has("git") {
        out.push((
            "/.git/HEAD",
            200,
            "text/plain",
            "ref: refs/heads/main\n".into(),
        ));
        out.push((
            "/.git/config",
            200,
            "text/plain",
            "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n".into(),
        ));
    }
    if has("bundle") {
        let map_ref = if has("source-map") {
            "\n//# sourceMappingURL=app.3f9a1c7e.js.map\n"
        } else {
            "\n"
        };
        out.push((
            "/static/app.3f9a1c7e.js",
            200,
            "text/javascript",
            format!(
                "(function(){{var cfg={{}};\n{}\n{}\nconsole.log(cfg);}})();{map_ref}",
                fake("openai-api-key", 12),
                fake("stripe-publishable-key", 13)
            ),
        ));
    }
    for (leak, size, offset) in [
        ("big-bundle", 3usize << 20, (5usize << 20) / 2),
        ("huge-bundle", 33 << 20, (65 << 20) / 2),
    ] {
        if has(leak) {
            out.push((
                "/static/app.3f9a1c7e.js",
                200,
                "text/javascript",
                padded_script(size, offset, &fake("openai-api-key", 12)),
            ));
        }
    }
    if has("source-map") {
        let sources = serde_json::json!({
            "version": 3,
            "file": "app.3f9a1c7e.js",
            "sources": ["src/billing.ts"],
            "sourcesContent": [format!("// billing\n{}\n", fake("stripe-secret-key", 14))],
            "mappings": "AAAA",
        });
        out.push((
            "/static/app.3f9a1c7e.js.map",
            200,
            "application/json",
            sources.to_string(),
        ));
    }
    if has("directory-listing") {
        out.push((
            "/static/",
            200,
            "text/html",
            "<html><head><title>Index of /static/</title></head><body><h1>Index of /static/</h1><pre><a href=\"app.3f9a1c7e.js\">app.3f9a1c7e.js</a>\n<a href=\"backup.zip\">backup.zip</a></pre></body></html>\n".into(),
        ));
    }
    if has("debug") {
        out.push((
            "/phpinfo.php",
            200,
            "text/html",
            "<html><head><title>phpinfo()</title></head><body><h1>PHP Version 8.1.2</h1></body></html>\n".into(),
        ));
    }
    out
}

/// A script of `size` bytes of harmless code with `secret` on a line at `offset`.
fn padded_script(size: usize, offset: usize, secret: &str) -> String {
    const LINE: &str = "console.log(\"launch\");\n";
    let mut s = String::with_capacity(size + secret.len() + LINE.len() * 2);
    while s.len() < offset {
        s.push_str(LINE);
    }
    s.push_str(&format!("var cfg={{k:\"{secret}\"}};\n"));
    while s.len() < size {
        s.push_str(LINE);
    }
    s
}

const PYTHON_TRACE: &str = "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 42, in page\n    return render(lookup[path])\nKeyError: 'launchready-missing'\n";

/// SplitMix64: a tiny seeded generator, so a scenario's delays are the same on every run.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const HEALTHY_PAGE: &str =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Example</title>\n\
<link rel=\"stylesheet\" href=\"/static/app.3f9a1c7e.css\"></head>\n\
<body><h1>Launching soon</h1><a href=\"/login\">Sign in</a>\n\
<img src=\"/static/logo.svg\" alt=\"\">\n\
<script src=\"/static/app.3f9a1c7e.js\"></script></body></html>\n";

const LOGIN_PAGE: &str = "<!doctype html>\n<html><head><title>Sign in</title></head><body>\n\
<form method=\"post\" action=\"/login\"><input name=\"email\"><input name=\"password\" type=\"password\"></form>\n\
</body></html>\n";

/// A generated asset of the scenario: filler text for text types, bytes 0–255 otherwise.
fn generated_asset(a: &crate::sandbox::scenario::Asset) -> Response<Full<Bytes>> {
    let text = a.content_type.starts_with("text/") || a.content_type.contains("javascript");
    let body: Vec<u8> = if text {
        b"/* launchready sandbox filler */\n"
            .iter()
            .copied()
            .cycle()
            .take(a.bytes)
            .collect()
    } else {
        (0..a.bytes).map(|i| (i % 251) as u8).collect()
    };
    let mut b = Response::builder()
        .status(200)
        .header("content-type", a.content_type.as_str())
        .header("cache-control", "public, max-age=31536000, immutable");
    for (k, v) in &a.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Full::new(Bytes::from(body))).unwrap_or_default()
}

fn host_of(req: &Request<Incoming>) -> String {
    req.headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .unwrap_or_default()
}

fn redirect(status: u16, location: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("location", location)
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(b"moved\n")))
        .unwrap_or_default()
}

impl Site {
    pub fn new(web: Web, domain: String) -> Site {
        Site {
            domain,
            aliases: Vec::new(),
            counters: Arc::default(),
            served: AtomicU64::new(0),
            lock: tokio::sync::Mutex::new(()),
            window: std::sync::Mutex::new((0, 0)),
            leaked: leaked_files(&web.leaks),
            log: Arc::default(),
            web,
        }
    }

    /// Latency faults, applied before a page is answered. Returns a status to answer with
    /// instead (429 or 500), if any.
    async fn latency_faults(&self, load: bool) -> Option<u16> {
        let web = &self.web;
        let n = self.served.fetch_add(1, Ordering::Relaxed);
        // Errors and the rate limit hit load-probe traffic only, so that the other stages of
        // the same audit see the same site on every run.
        if load && web.rate_limit_per_sec > 0 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            if let Ok(mut w) = self.window.lock() {
                if w.0 != now {
                    *w = (now, 0);
                }
                w.1 += 1;
                if w.1 > web.rate_limit_per_sec {
                    return Some(429);
                }
            }
        }
        let mut delay = web.delay_ms;
        if !web.delay_mixture.is_empty() {
            let draw = (splitmix(web.seed ^ n) >> 11) as f64 / (1u64 << 53) as f64;
            let mut acc = 0.0;
            for (share, ms) in &web.delay_mixture {
                acc += share;
                if draw < acc {
                    delay = *ms;
                    break;
                }
            }
        }
        if web.stall_period_ms > 0 && web.stall_ms > 0 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            let phase = now % web.stall_period_ms;
            if phase < web.stall_ms {
                tokio::time::sleep(Duration::from_millis(web.stall_ms - phase)).await;
            }
        }
        if web.serialize_ms > 0 {
            let _held = self.lock.lock().await;
            tokio::time::sleep(Duration::from_millis(web.serialize_ms + delay)).await;
        } else if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        (load && web.error_every > 0 && n % web.error_every == web.error_every - 1).then_some(500)
    }

    /// The host a request for `host` should end on.
    fn canonical_host(&self, host: &str) -> String {
        let apex = self
            .aliases
            .iter()
            .find(|a| host == a.as_str() || host.strip_prefix("www.") == Some(a.as_str()))
            .unwrap_or(&self.domain);
        let www = format!("www.{apex}");
        match self.web.canonical.as_str() {
            "apex" if host == www => apex.clone(),
            "www" if host == apex => www,
            _ => host.to_string(),
        }
    }

    fn target_path(&self, path_and_query: &str) -> String {
        let path = if self.web.keep_path {
            path_and_query.to_string()
        } else {
            "/".to_string()
        };
        if self.web.chain_hops > 0 {
            format!("/__hop/{}{path}", self.web.chain_hops)
        } else {
            path
        }
    }

    fn respond(&self, tls: bool, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let web = &self.web;
        let host = host_of(req);
        let path = req.uri().path();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        if let Some(route) = web.routes.iter().find(|r| r.matches(&host, path, tls)) {
            let mut b = Response::builder().status(route.status);
            for (k, v) in &route.headers {
                b = b.header(k.as_str(), v.as_str());
            }
            return b
                .body(Full::new(Bytes::from(route.body.clone())))
                .unwrap_or_default();
        }
        let scheme = if tls { "https" } else { "http" };
        // Intermediate hops of a long chain: /__hop/N/rest → /__hop/N-1/rest → /rest.
        if let Some(rest) = path_and_query.strip_prefix("/__hop/") {
            let (n, tail) = rest.split_once('/').unwrap_or((rest, ""));
            let n: u8 = n.parse().unwrap_or(1);
            let next = if n > 1 {
                format!("/__hop/{}/{tail}", n - 1)
            } else {
                format!("/{tail}")
            };
            return redirect(web.redirect_status, format!("{scheme}://{host}{next}"));
        }
        let canonical = self.canonical_host(&host);
        if !tls && web.https_redirect {
            let target = format!("https://{canonical}{}", self.target_path(&path_and_query));
            return redirect(web.redirect_status, target);
        }
        if tls && canonical != host {
            let path = if web.keep_path {
                path_and_query.clone()
            } else {
                "/".into()
            };
            let target = format!("{}://{canonical}{path}", web.canonical_scheme);
            return redirect(web.redirect_status, target);
        }

        if let Some(a) = web.assets.iter().find(|a| {
            a.path == path
                && a.host
                    .as_deref()
                    .is_none_or(|h| h.eq_ignore_ascii_case(&host))
        }) {
            return generated_asset(a);
        }
        if let Some((_, status, ctype, body)) = self.leaked.iter().find(|(p, ..)| *p == path) {
            return Response::builder()
                .status(*status)
                .header("content-type", *ctype)
                .header("cache-control", web.static_cache.as_str())
                .body(Full::new(Bytes::from(body.clone())))
                .unwrap_or_default();
        }
        let page_html = web.page_html.as_deref().unwrap_or(HEALTHY_PAGE);
        let (status, ctype, body, cache, cookies): (StatusCode, &str, Bytes, &str, bool) =
            match path {
                "/" => (
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    Bytes::from(page_html.to_string()),
                    "no-cache",
                    true,
                ),
                "/login" => (
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    Bytes::from_static(LOGIN_PAGE.as_bytes()),
                    web.login_cache.as_str(),
                    true,
                ),
                "/health" if web.health => (
                    StatusCode::OK,
                    "text/plain",
                    Bytes::from_static(b"ok\n"),
                    "no-store",
                    false,
                ),
                p if p.starts_with("/static/") => (
                    StatusCode::OK,
                    if p.ends_with(".css") {
                        "text/css"
                    } else {
                        "text/javascript"
                    },
                    Bytes::from_static(b"/* asset */\n"),
                    web.static_cache.as_str(),
                    false,
                ),
                _ if web.spa => (
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    Bytes::from(page_html.to_string()),
                    "no-cache",
                    false,
                ),
                _ if web.leaks.iter().any(|l| l == "stack-trace") => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "text/plain",
                    Bytes::from_static(PYTHON_TRACE.as_bytes()),
                    "no-cache",
                    false,
                ),
                _ => (
                    StatusCode::NOT_FOUND,
                    "text/plain",
                    Bytes::from_static(b"not found\n"),
                    "no-cache",
                    false,
                ),
            };
        let mut b = Response::builder()
            .status(status)
            .header("content-type", ctype)
            .header("cache-control", cache);
        if tls && !web.hsts.is_empty() {
            b = b.header("strict-transport-security", web.hsts.as_str());
        }
        if !web.alt_svc.is_empty() && ctype.starts_with("text/html") {
            b = b.header("alt-svc", web.alt_svc.as_str());
        }
        let edge_hit = web.static_edge_hit && path.starts_with("/static/");
        if web.security_headers {
            b = b
                .header("content-security-policy", web.csp.as_str())
                .header("x-content-type-options", "nosniff")
                .header("referrer-policy", "strict-origin-when-cross-origin");
        }
        if cookies {
            for c in &web.set_cookies {
                b = b.header("set-cookie", c.as_str());
            }
        }
        if let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) {
            match web.cors.as_str() {
                "reflect" => {
                    b = b
                        .header("access-control-allow-origin", origin)
                        .header("access-control-allow-credentials", "true")
                }
                "wildcard" => {
                    b = b
                        .header("access-control-allow-origin", "*")
                        .header("access-control-allow-credentials", "true")
                }
                _ => {}
            }
        }
        match web.cdn.as_str() {
            "fastly" => {
                b = b
                    .header("via", "1.1 varnish")
                    .header("x-served-by", "cache-fra-etou8220035-FRA")
                    .header("x-cache", if edge_hit { "HIT" } else { "MISS" })
            }
            "cloudflare" => {
                b = b
                    .header("server", "cloudflare")
                    .header("cf-ray", "8c1d2e3f4a5b6c7d-FRA")
                    .header("cf-cache-status", if edge_hit { "HIT" } else { "MISS" })
            }
            _ => {}
        }
        if let Some(s) = &web.server_header {
            b = b.header("server", s.as_str());
        }
        if let Some(s) = &web.powered_by {
            b = b.header("x-powered-by", s.as_str());
        }
        b.body(Full::new(body)).unwrap_or_default()
    }
}

/// Reads a request head (up to 16 KiB) so that hostile modes answer after the request.
async fn read_head<S: AsyncRead + Unpin>(io: &mut S) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while buf.len() < 16 * 1024 {
        match tokio::time::timeout(Duration::from_secs(10), io.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    return;
                }
            }
            _ => return,
        }
    }
}

/// The hostile modes: bytes a real server should never send, written by hand.
async fn hostile<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, mode: &str) {
    read_head(&mut io).await;
    const HUNDRED_MB: usize = 100 * 1024 * 1024;
    match mode {
        "hang" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        "trickle" => {
            let response =
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n";
            for byte in response.iter().chain([b'x'; 100].iter()) {
                if io.write_all(&[*byte]).await.is_err() {
                    return;
                }
                let _ = io.flush().await;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        "huge-body" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {HUNDRED_MB}\r\n\r\n"
            );
            if io.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b'a'; 64 * 1024];
            let mut sent = 0;
            while sent < HUNDRED_MB {
                if io.write_all(&block).await.is_err() {
                    return;
                }
                sent += block.len();
            }
        }
        "huge-headers" => {
            if io.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
                return;
            }
            let line = format!("X-Filler: {}\r\n", "a".repeat(1000));
            let mut sent = 0;
            while sent < HUNDRED_MB {
                if io.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
                sent += line.len();
            }
        }
        _ => {}
    }
}

async fn serve_connection<S>(io: S, site: Arc<Site>, tls: bool)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Hostile modes are on the HTTPS port; plain HTTP keeps redirecting to it.
    if tls && site.web.mode != "normal" {
        let mode = site.web.mode.clone();
        hostile(io, &mode).await;
        return;
    }
    let service = service_fn(move |req: Request<Incoming>| {
        let site = site.clone();
        async move {
            if req
                .headers()
                .get("user-agent")
                .and_then(|u| u.to_str().ok())
                .is_some_and(|u| u.starts_with("launchready-load/"))
            {
                site.counters.load_requests.fetch_add(1, Ordering::Relaxed);
            }
            if let Ok(mut log) = site.log.lock() {
                if log.len() < LOG_CAP {
                    log.push(format!("{} {}", host_of(&req), req.uri().path()));
                }
            }
            if site.web.hang_paths.iter().any(|p| p == req.uri().path()) {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            if tls && !req.uri().path().starts_with("/static/") {
                let load = req
                    .headers()
                    .get("user-agent")
                    .and_then(|u| u.to_str().ok())
                    .is_some_and(|u| u.starts_with("launchready-load/"));
                if let Some(code) = site.latency_faults(load).await {
                    let mut b = Response::builder().status(code);
                    if code == 429 {
                        b = b.header("retry-after", "1");
                    }
                    let body = Full::new(Bytes::from_static(b"try again later\n"));
                    return Ok::<_, Infallible>(b.body(body).unwrap_or_default());
                }
            }
            Ok::<_, Infallible>(site.respond(tls, &req))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// A loopback port nothing listens on (bound, then closed): connections are refused.
async fn closed_port() -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok((addr, tokio::spawn(async {})))
}

/// Serves plain HTTP on a new loopback port.
pub async fn serve_http(site: Arc<Site>) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    if site.web.mode == "refuse" {
        return closed_port().await;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            site.counters.connections.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(serve_connection(stream, site.clone(), false));
        }
    });
    Ok((addr, task))
}

/// Serves HTTPS on a new loopback port.
pub async fn serve_https(
    site: Arc<Site>,
    config: Arc<rustls::ServerConfig>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    if site.web.mode == "refuse" {
        return closed_port().await;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(config);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            site.counters.connections.fetch_add(1, Ordering::Relaxed);
            let acceptor = acceptor.clone();
            let site = site.clone();
            tokio::spawn(async move {
                let handshake =
                    tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                if let Ok(Ok(tls)) = handshake.await {
                    serve_connection(tls, site, true).await;
                }
            });
        }
    });
    Ok((addr, task))
}
