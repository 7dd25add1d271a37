//! The sandbox's extra web nodes: addresses of a round-robin set that the audit reaches one
//! by one through `--connect-to ADDR:443:…` rules (see `net::nodes`).

use super::pki::{self, Issuer};
use super::SandboxError;
use rustls::ServerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A client that does not finish its handshake in this long is dropped.
const IDLE: Duration = Duration::from_secs(10);

/// A stale web node: a TLS server whose certificate (for the domain, from the sandbox CA)
/// expired ten days ago. It completes the handshake and closes; nothing more is asked of it.
pub async fn serve_stale_node(
    domain: &str,
    issuer: Option<&Issuer>,
) -> Result<(SocketAddr, JoinHandle<()>), SandboxError> {
    let issuer = issuer.ok_or(SandboxError::NoIssuer {
        what: "sandbox stale node",
    })?;
    let names = vec![domain.to_string(), format!("*.{domain}")];
    let (chain, key) = pki::issue_leaf(issuer, &names, (-100, -10))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(SandboxError::tls("sandbox stale node"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(SandboxError::tls("sandbox stale node"))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(SandboxError::io("sandbox stale node"))?;
    let addr = listener
        .local_addr()
        .map_err(SandboxError::io("sandbox stale node"))?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(Ok(mut tls)) = tokio::time::timeout(IDLE, acceptor.accept(stream)).await {
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    Ok((addr, task))
}

/// The most of a request a plain node reads before answering.
const REQUEST_CAP: usize = 16 * 1024;

/// A stale web node's port 80: a server left out of the HTTP → HTTPS redirect, which answers
/// every request with the site's page, 200, over plain HTTP (one request per connection).
pub async fn serve_plain_node(domain: &str) -> Result<(SocketAddr, JoinHandle<()>), SandboxError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(SandboxError::io("sandbox plain node"))?;
    let addr = listener
        .local_addr()
        .map_err(SandboxError::io("sandbox plain node"))?;
    let body =
        format!("<!doctype html><title>{domain}</title><p>Welcome (served by an old node)</p>");
    let answer = Arc::new(format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                let read = async {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < REQUEST_CAP {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return false,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    true
                };
                if let Ok(true) = tokio::time::timeout(IDLE, read).await {
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                }
            });
        }
    });
    Ok((addr, task))
}
