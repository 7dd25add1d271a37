//! The sandbox's mail server: a small SMTP responder on loopback that greets, answers EHLO
//! (with or without STARTTLS), upgrades to TLS with rustls and a certificate from the
//! sandbox CA, and says goodbye. It accepts no mail. The audit reaches it as port 25 of every
//! MX through `--connect-to :25:127.0.0.1:PORT`.

use super::pki::{self, Issuer};
use super::scenario::Smtp;
use super::SandboxError;
use rustls::ServerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A client that says nothing for this long is dropped.
const IDLE: Duration = Duration::from_secs(10);
/// The longest command line read (RFC 5321 §4.5.3.1.4: 512 octets).
const LINE_CAP: u64 = 1024;

/// Starts the mail server of a scenario. With `mode = "refuse"` nothing listens on the
/// returned address (a port that was free a moment ago): every connection is refused.
/// `aliases` are the other domains the same sandbox serves (`demo --aliases`): the one mail
/// server answers for all of them, so its certificate names them too.
pub async fn serve(
    smtp: &Smtp,
    domain: &str,
    aliases: &[String],
    issuer: Option<&Issuer>,
) -> Result<(SocketAddr, Vec<JoinHandle<()>>), SandboxError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(SandboxError::io("sandbox SMTP"))?;
    let addr = listener
        .local_addr()
        .map_err(SandboxError::io("sandbox SMTP"))?;
    if smtp.mode == "refuse" {
        drop(listener);
        return Ok((addr, Vec::new()));
    }
    if smtp.mode != "normal" {
        return Err(SandboxError::Setting {
            setting: "[smtp] mode",
            value: smtp.mode.clone(),
            expected: "expected normal or refuse".into(),
        });
    }
    let names = match smtp.cert.as_str() {
        "valid" => std::iter::once(domain)
            .chain(aliases.iter().map(String::as_str))
            .flat_map(|d| [d.to_string(), format!("*.{d}")])
            .collect(),
        "wrong-host" => vec!["mx.example.net".to_string(), "*.example.net".into()],
        other => {
            return Err(SandboxError::Setting {
                setting: "[smtp] cert",
                value: other.to_string(),
                expected: "expected valid or wrong-host".into(),
            })
        }
    };
    let issuer = issuer.ok_or(SandboxError::NoIssuer {
        what: "sandbox SMTP",
    })?;
    let (chain, key) = pki::issue_leaf(issuer, &names, (-1, 90))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(SandboxError::tls("sandbox SMTP"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(SandboxError::tls("sandbox SMTP"))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let greeting = format!("mail.{domain}");
    let starttls = smtp.starttls;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let greeting = greeting.clone();
            tokio::spawn(async move {
                let mut io = BufReader::new(stream);
                let upgrade = session(&mut io, &greeting, starttls, false).await;
                if upgrade {
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(IDLE, acceptor.accept(io.into_inner())).await
                    {
                        let mut io = BufReader::new(tls);
                        let _ = session(&mut io, &greeting, false, true).await;
                    }
                }
            });
        }
    });
    Ok((addr, vec![task]))
}

/// One SMTP session until QUIT, silence or STARTTLS (then `true`: upgrade now).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    greeting: &str,
    starttls: bool,
    secured: bool,
) -> bool {
    if !secured {
        let banner = format!("220 {greeting} ESMTP launchready sandbox\r\n");
        if io.get_mut().write_all(banner.as_bytes()).await.is_err() {
            return false;
        }
    }
    loop {
        let mut line = String::new();
        let mut limited = tokio::io::AsyncReadExt::take(&mut *io, LINE_CAP);
        match tokio::time::timeout(IDLE, limited.read_line(&mut line)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return false,
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let (reply, then) = match verb.as_str() {
            "EHLO" => {
                let mut r = format!("250-{greeting}\r\n250-PIPELINING\r\n");
                if starttls && !secured {
                    r.push_str("250-STARTTLS\r\n");
                }
                r.push_str("250 8BITMIME\r\n");
                (r, None)
            }
            "HELO" => (format!("250 {greeting}\r\n"), None),
            "STARTTLS" if starttls && !secured => {
                ("220 2.0.0 Ready to start TLS\r\n".to_string(), Some(true))
            }
            "QUIT" => ("221 2.0.0 Bye\r\n".to_string(), Some(false)),
            "NOOP" | "RSET" => ("250 2.0.0 OK\r\n".to_string(), None),
            _ => ("502 5.5.2 Command not implemented\r\n".to_string(), None),
        };
        let w = io.get_mut();
        if w.write_all(reply.as_bytes()).await.is_err() || w.flush().await.is_err() {
            return false;
        }
        if let Some(upgrade) = then {
            return upgrade;
        }
    }
}
