//! The sandbox's web servers: real HTTP/1.1 over TCP and over rustls, on loopback.

use super::scenario::Web;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

const HEALTHY_PAGE: &str =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Example</title>\
<link rel=\"stylesheet\" href=\"/static/app.3f9a1c.css\"></head>\
<body><h1>Launching soon</h1><a href=\"/login\">Sign in</a>\
<script src=\"/static/app.3f9a1c.js\"></script></body></html>\n";

fn host_of(req: &Request<Incoming>) -> String {
    req.headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_string())
        .unwrap_or_default()
}

fn respond(web: &Web, tls: bool, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut b = Response::builder();
    let host = host_of(req);
    if let Some(route) = web
        .routes
        .iter()
        .find(|r| r.matches(&host, req.uri().path(), tls))
    {
        b = b.status(route.status);
        for (k, v) in &route.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        return b
            .body(Full::new(Bytes::from(route.body.clone())))
            .unwrap_or_default();
    }
    if !tls && web.https_redirect {
        let location = format!("https://{host}{path_and_query}");
        return b
            .status(StatusCode::MOVED_PERMANENTLY)
            .header("location", location)
            .body(Full::new(Bytes::new()))
            .unwrap_or_default();
    }
    b = b
        .header(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        )
        .header(
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
        )
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "strict-origin-when-cross-origin");
    let (status, ctype, body, cache): (StatusCode, &str, Bytes, &str) = match req.uri().path() {
        "/" => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            Bytes::from_static(HEALTHY_PAGE.as_bytes()),
            "no-cache",
        ),
        "/login" => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            Bytes::from_static(b"<form method=post action=/login></form>"),
            "no-store",
        ),
        "/health" => (
            StatusCode::OK,
            "text/plain",
            Bytes::from_static(b"ok\n"),
            "no-store",
        ),
        p if p.starts_with("/static/") => (
            StatusCode::OK,
            "text/plain",
            Bytes::from_static(b"/* asset */\n"),
            "public, max-age=31536000, immutable",
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            Bytes::from_static(b"not found\n"),
            "no-cache",
        ),
    };
    b.status(status)
        .header("content-type", ctype)
        .header("cache-control", cache)
        .body(Full::new(body))
        .unwrap_or_default()
}

async fn serve_connection<S>(io: S, web: Arc<Web>, tls: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let web = web.clone();
        async move { Ok::<_, Infallible>(respond(&web, tls, &req)) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Serves plain HTTP on a new loopback port.
pub async fn serve_http(web: Arc<Web>) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(serve_connection(stream, web.clone(), false));
        }
    });
    Ok((addr, task))
}

/// Serves HTTPS on a new loopback port.
pub async fn serve_https(
    web: Arc<Web>,
    config: Arc<rustls::ServerConfig>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(config);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let web = web.clone();
            tokio::spawn(async move {
                let handshake =
                    tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                if let Ok(Ok(tls)) = handshake.await {
                    serve_connection(tls, web, true).await;
                }
            });
        }
    });
    Ok((addr, task))
}
