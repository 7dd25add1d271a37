//! The mail-server probe: one SMTP conversation per MX on port 25 — banner, `EHLO`,
//! `STARTTLS`, then a rustls handshake that records the version and the chain (judged later,
//! like the TLS stage's, with [`super::tls::verify`]). It never sends mail: `QUIT` follows
//! the handshake.
//!
//! Every step has its own deadline ([`STEP_TIMEOUT`]), the whole conversation another
//! ([`CONVERSATION_TIMEOUT`]), and a reply is read up to [`REPLY_CAP`] bytes: a hostile or
//! trickling server costs at most that, and its bytes are never trusted as text beyond a
//! short, sanitized excerpt.

use super::tls::{self, Session};
use rustls::client::WebPkiServerVerifier;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// The deadline of one step (connect, banner, one reply, the TLS handshake). Mail servers
/// may delay their banner on purpose (tarpitting), so this is longer than a web probe's.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(8);
/// The deadline of a whole conversation with one server.
pub const CONVERSATION_TIMEOUT: Duration = Duration::from_secs(20);
/// The most of one reply (all its lines) read from a server.
pub const REPLY_CAP: usize = 8 * 1024;
/// The name we greet with (RFC 5321 §4.1.4 allows an address literal; a reserved name is
/// clearer in the server's logs).
pub const EHLO_NAME: &str = "launchready.invalid";

/// How the conversation with one mail server ended.
#[derive(Debug, Clone)]
pub enum MxTls {
    /// STARTTLS was offered and the handshake got as far as the certificate.
    Tls(Session),
    /// The server answered EHLO without offering STARTTLS: mail to it travels in clear.
    NoStartTls { ehlo: String },
    /// The server offered STARTTLS and then refused it or failed the handshake before any
    /// certificate was seen.
    TlsFailed(String),
    /// No TCP connection (refused, timed out, no route): possibly this network's doing —
    /// outbound port 25 is blocked on many residential and cloud networks.
    Unreachable(String),
    /// The server connected but did not speak SMTP as expected (bad banner, 4xx/5xx, silence).
    Protocol(String),
}

/// Sends nothing but `STARTTLS` after `EHLO`; the caller gives the address (after
/// `--connect-to`) and the MX name (the SNI and the name the certificate must cover).
pub async fn probe(inner: Arc<WebPkiServerVerifier>, addrs: &[SocketAddr], mx: &str) -> MxTls {
    let (tcp, addr) = match tls::connect(addrs).await {
        Ok(c) => c,
        Err(e) => return MxTls::Unreachable(e.to_string()),
    };
    match tokio::time::timeout(CONVERSATION_TIMEOUT, converse(inner, tcp, addr, mx)).await {
        Ok(outcome) => outcome,
        Err(_) => MxTls::Protocol(format!(
            "{addr}: the conversation took longer than {}s",
            CONVERSATION_TIMEOUT.as_secs()
        )),
    }
}

async fn converse(
    inner: Arc<WebPkiServerVerifier>,
    mut tcp: TcpStream,
    addr: SocketAddr,
    mx: &str,
) -> MxTls {
    let banner = match read_reply(&mut tcp).await {
        Ok(r) => r,
        Err(e) => return MxTls::Protocol(format!("{addr}: banner: {e}")),
    };
    if banner.code != 220 {
        return MxTls::Protocol(format!(
            "{addr}: the banner is {} {}",
            banner.code,
            banner.excerpt()
        ));
    }
    let ehlo = match command(&mut tcp, &format!("EHLO {EHLO_NAME}")).await {
        Ok(r) => r,
        Err(e) => return MxTls::Protocol(format!("{addr}: EHLO: {e}")),
    };
    if ehlo.code != 250 {
        return MxTls::Protocol(format!(
            "{addr}: EHLO answered {} {}",
            ehlo.code,
            ehlo.excerpt()
        ));
    }
    if !ehlo.offers("STARTTLS") {
        let _ = command(&mut tcp, "QUIT").await;
        return MxTls::NoStartTls {
            ehlo: ehlo.excerpt(),
        };
    }
    let go = match command(&mut tcp, "STARTTLS").await {
        Ok(r) => r,
        Err(e) => return MxTls::TlsFailed(format!("{addr}: STARTTLS: {e}")),
    };
    if go.code != 220 {
        return MxTls::TlsFailed(format!(
            "{addr}: STARTTLS answered {} {}",
            go.code,
            go.excerpt()
        ));
    }
    match tls::handshake_on(inner, tcp, addr, mx).await {
        Ok(session) => MxTls::Tls(session),
        Err(e) => MxTls::TlsFailed(format!("{addr}: {e}")),
    }
}

/// One SMTP reply: its code and its text lines (without the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// Whether an EHLO reply lists this extension keyword (RFC 5321 §4.1.1.1: each line after
    /// the first is `keyword [params]`).
    pub fn offers(&self, keyword: &str) -> bool {
        self.lines.iter().skip(1).any(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case(keyword))
        })
    }

    /// The reply's text, printable ASCII only and short, for evidence.
    pub fn excerpt(&self) -> String {
        let text = self.lines.join(" / ");
        let clean: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(160)
            .collect();
        clean
    }
}

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("no complete reply within {0}s")]
    Timeout(u64),
    #[error("the reply is longer than {REPLY_CAP} bytes")]
    TooLong,
    #[error("the server closed the connection")]
    Closed,
    #[error("not an SMTP reply: {0:?}")]
    Malformed(String),
    #[error("{0}")]
    Io(String),
}

async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    line: &str,
) -> Result<Reply, ReplyError> {
    let write = async {
        io.write_all(format!("{line}\r\n").as_bytes()).await?;
        io.flush().await
    };
    match tokio::time::timeout(STEP_TIMEOUT, write).await {
        Err(_) => return Err(ReplyError::Timeout(STEP_TIMEOUT.as_secs())),
        Ok(Err(e)) => return Err(ReplyError::Io(e.to_string())),
        Ok(Ok(())) => {}
    }
    read_reply(io).await
}

/// Reads one (possibly multi-line) reply within [`STEP_TIMEOUT`] and [`REPLY_CAP`]. Reads
/// byte-wise-bounded chunks, so nothing past the reply's last line is consumed in a way that
/// matters: a server that pipelines more than one reply is already broken.
pub async fn read_reply<S: AsyncRead + Unpin>(io: &mut S) -> Result<Reply, ReplyError> {
    let work = async {
        let mut buf: Vec<u8> = Vec::with_capacity(512);
        let mut chunk = [0u8; 512];
        loop {
            if let Some(reply) = parse_reply(&buf)? {
                return Ok(reply);
            }
            if buf.len() >= REPLY_CAP {
                return Err(ReplyError::TooLong);
            }
            let room = (REPLY_CAP - buf.len()).min(chunk.len());
            let n = io
                .read(&mut chunk[..room])
                .await
                .map_err(|e| ReplyError::Io(e.to_string()))?;
            if n == 0 {
                return Err(ReplyError::Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    match tokio::time::timeout(STEP_TIMEOUT, work).await {
        Ok(r) => r,
        Err(_) => Err(ReplyError::Timeout(STEP_TIMEOUT.as_secs())),
    }
}

/// Parses a complete reply out of `buf`, `Ok(None)` while more lines are needed (RFC 5321
/// §4.2: `ddd-text` continues, `ddd text` or `ddd` ends). Never panics on any bytes.
pub fn parse_reply(buf: &[u8]) -> Result<Option<Reply>, ReplyError> {
    let mut lines = Vec::new();
    let mut code = None;
    let mut rest = buf;
    while let Some(end) = rest.iter().position(|b| *b == b'\n') {
        let raw = &rest[..end];
        rest = &rest[end + 1..];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        let malformed = || ReplyError::Malformed(text.chars().take(60).collect());
        let digits = text.get(..3).ok_or_else(malformed)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let this: u16 = digits.parse().map_err(|_| malformed())?;
        if code.is_some_and(|c| c != this) {
            return Err(malformed());
        }
        code = Some(this);
        let sep = text.as_bytes().get(3).copied();
        lines.push(text.get(4..).unwrap_or("").to_string());
        match sep {
            None | Some(b' ') => return Ok(Some(Reply { code: this, lines })),
            Some(b'-') => {}
            Some(_) => return Err(malformed()),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_single_and_multi_line() {
        let r = parse_reply(b"220 mx.example.com ESMTP\r\n")
            .expect("ok")
            .expect("complete");
        assert_eq!(r.code, 220);
        let ehlo = b"250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
        let r = parse_reply(ehlo).expect("ok").expect("complete");
        assert!(r.offers("starttls"));
        assert!(
            !r.offers("mx.example.com"),
            "the greeting line is no keyword"
        );
        assert_eq!(parse_reply(b"250-a\r\n250-b\r\n"), Ok(None));
        assert!(parse_reply(b"HTTP/1.1 400 Bad\r\n").is_err());
        assert!(parse_reply(b"250-a\r\n251 b\r\n").is_err());
        assert_eq!(parse_reply(b"\xff\xfe"), Ok(None));
    }

    /// A server that trickles an endless reply is cut at the cap, one that says nothing at
    /// the step deadline — never a hang.
    #[tokio::test]
    async fn an_endless_reply_is_capped() {
        let (mut client, mut server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            let line =
                b"250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n";
            while server.write_all(line).await.is_ok() {}
        });
        assert_eq!(read_reply(&mut client).await, Err(ReplyError::TooLong));
        writer.abort();
    }
}
