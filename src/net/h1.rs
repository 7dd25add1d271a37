//! A minimal HTTP/1.1 keep-alive client for the load probe's hot path only (every other probe
//! keeps hyper). Why: hyper's client hands each request to a connection task over a channel
//! and the answer back over another, so one request costs two task wake-ups and a few
//! allocations; at tens of thousands of requests a second on one core that is the ceiling.
//! Here the virtual user's own task writes the request and parses the answer in place.
//!
//! What it does: one request at a time on one connection; the response head parsed by
//! `httparse` (bounded: [`HEAD_CAP`] bytes, [`MAX_HEADERS`] headers); bodies framed by
//! Content-Length, chunked transfer coding or the connection's end, drained and never kept,
//! capped by the caller; `1xx` interim answers skipped; `Connection: close` and HTTP/1.0
//! honoured. The caller owns the timeout (one timer around the whole exchange).

use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most a response head may take.
pub const HEAD_CAP: usize = 64 * 1024;
/// The most headers one response head may carry.
pub const MAX_HEADERS: usize = 100;
/// The most a chunk-size or trailer line may take.
const LINE_CAP: usize = 4096;
/// The most trailer lines after the last chunk.
const MAX_TRAILERS: usize = 100;
const INITIAL_BUF: usize = 16 * 1024;

/// Why an exchange failed. After any error the connection is not reusable.
#[derive(Debug, thiserror::Error)]
pub enum H1Error {
    #[error("the connection closed before the answer was complete")]
    Closed,
    #[error("malformed answer: {0}")]
    Malformed(&'static str),
    #[error("response head larger than {HEAD_CAP} bytes")]
    HeadTooLarge,
    #[error("body larger than {0} bytes")]
    BodyTooLarge(usize),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What the load probe keeps of one answer.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    /// When the final response head had been read.
    pub head_at: Instant,
    pub retry_after: bool,
    /// Body bytes drained.
    pub body_len: usize,
}

/// One request's bytes, built once and sent as often as needed.
pub fn request_bytes(
    method: &str,
    path: &str,
    host: &str,
    user_agent: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut r = Vec::with_capacity(128 + body.len());
    for part in [
        method,
        " ",
        path,
        " HTTP/1.1\r\nhost: ",
        host,
        "\r\nuser-agent: ",
        user_agent,
        "\r\naccept: */*\r\n",
    ] {
        r.extend_from_slice(part.as_bytes());
    }
    if !body.is_empty() || !matches!(method, "GET" | "HEAD") {
        r.extend_from_slice(b"content-type: application/x-www-form-urlencoded\r\n");
        r.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

/// How the body of one answer is framed.
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn<S> {
    io: S,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    reusable: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub fn new(io: S) -> Conn<S> {
        Conn {
            io,
            buf: vec![0; INITIAL_BUF],
            start: 0,
            end: 0,
            reusable: true,
        }
    }

    /// Whether the connection cannot carry another request (the server closed it or asked
    /// to, or an exchange failed).
    pub fn is_closed(&self) -> bool {
        !self.reusable
    }

    /// Sends one request (bytes from [`request_bytes`]) and reads its whole answer, the body
    /// drained up to `body_cap` bytes. `head` says the request was a HEAD (no body follows).
    pub async fn exchange(
        &mut self,
        request: &[u8],
        head: bool,
        body_cap: usize,
    ) -> Result<Answer, H1Error> {
        if !self.reusable {
            return Err(H1Error::Closed);
        }
        // Pessimistic until the answer is whole: a cancelled or failed exchange leaves the
        // connection unusable.
        self.reusable = false;
        // Bytes before our request's answer would be a server speaking out of turn.
        if self.start != self.end {
            return Err(H1Error::Malformed("data before the request was sent"));
        }
        self.start = 0;
        self.end = 0;
        self.io.write_all(request).await?;
        self.io.flush().await?;
        let (status, framing, keep_alive, retry_after) = loop {
            let parsed = self.read_head().await?;
            // 1xx interim answers (100 Continue, 103 Early Hints) precede the real one; 101
            // would switch protocols, which a load request never asks for.
            match parsed.0 {
                101 => return Err(H1Error::Malformed("unexpected 101 Switching Protocols")),
                100..=199 => continue,
                _ => break parsed,
            }
        };
        let head_at = Instant::now();
        let framing = if head || status == 204 || status == 304 {
            Framing::None
        } else {
            framing
        };
        let body_len = match framing {
            Framing::None => 0,
            Framing::Length(n) => {
                if n > body_cap as u64 {
                    return Err(H1Error::BodyTooLarge(body_cap));
                }
                self.skip(n as usize).await?;
                n as usize
            }
            Framing::Chunked => self.drain_chunked(body_cap).await?,
            Framing::UntilClose => {
                let n = self.drain_to_close(body_cap).await?;
                return Ok(Answer {
                    status,
                    head_at,
                    retry_after,
                    body_len: n,
                });
            }
        };
        self.reusable = keep_alive && self.start == self.end;
        Ok(Answer {
            status,
            head_at,
            retry_after,
            body_len,
        })
    }

    /// Reads more bytes into the buffer, growing it (up to `limit`) when it is full of
    /// unconsumed bytes. Err(Closed) at the end of the stream.
    async fn fill(&mut self, limit: usize) -> Result<(), H1Error> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= limit {
                return Err(H1Error::HeadTooLarge);
            }
            let grown = (self.buf.len() * 2).min(limit);
            self.buf.resize(grown, 0);
        }
        let n = self.io.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(H1Error::Closed);
        }
        self.end += n;
        Ok(())
    }

    /// Parses one response head: (status, framing, keep-alive, Retry-After present).
    async fn read_head(&mut self) -> Result<(u16, Framing, bool, bool), H1Error> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.buf[self.start..self.end]) {
                Ok(httparse::Status::Complete(n)) => {
                    let out = judge_head(&resp)?;
                    self.start += n;
                    return Ok(out);
                }
                Ok(httparse::Status::Partial) => {
                    if self.end - self.start >= HEAD_CAP {
                        return Err(H1Error::HeadTooLarge);
                    }
                }
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(H1Error::Malformed("too many headers"))
                }
                Err(_) => return Err(H1Error::Malformed("bad response head")),
            }
            self.fill(HEAD_CAP).await?;
        }
    }

    /// Consumes `n` body bytes.
    async fn skip(&mut self, mut n: usize) -> Result<(), H1Error> {
        loop {
            let take = n.min(self.end - self.start);
            self.start += take;
            n -= take;
            if n == 0 {
                return Ok(());
            }
            self.fill(INITIAL_BUF).await?;
        }
    }

    /// One CRLF-terminated line (without the CRLF), as a range of the buffer.
    async fn line(&mut self) -> Result<(usize, usize), H1Error> {
        let mut searched = 0;
        loop {
            let window = &self.buf[self.start + searched..self.end];
            if let Some(at) = window.windows(2).position(|w| w == b"\r\n") {
                let from = self.start;
                let to = self.start + searched + at;
                self.start = to + 2;
                return Ok((from, to));
            }
            searched = (self.end - self.start).saturating_sub(1);
            if searched >= LINE_CAP {
                return Err(H1Error::Malformed("chunk line too long"));
            }
            // `searched` counts from `start`, so fill moving the bytes to the front keeps it.
            self.fill(INITIAL_BUF).await?;
        }
    }

    async fn drain_chunked(&mut self, cap: usize) -> Result<usize, H1Error> {
        let mut total = 0usize;
        loop {
            let (from, to) = self.line().await?;
            let size = chunk_size(&self.buf[from..to])?;
            if size == 0 {
                break;
            }
            total = total
                .checked_add(size)
                .filter(|t| *t <= cap)
                .ok_or(H1Error::BodyTooLarge(cap))?;
            self.skip(size).await?;
            let (from, to) = self.line().await?;
            if from != to {
                return Err(H1Error::Malformed("chunk data longer than its size"));
            }
        }
        // Trailers, up to the empty line.
        for _ in 0..=MAX_TRAILERS {
            let (from, to) = self.line().await?;
            if from == to {
                return Ok(total);
            }
        }
        Err(H1Error::Malformed("too many trailers"))
    }

    async fn drain_to_close(&mut self, cap: usize) -> Result<usize, H1Error> {
        let mut total = self.end - self.start;
        self.start = self.end;
        loop {
            if total > cap {
                return Err(H1Error::BodyTooLarge(cap));
            }
            match self.fill(INITIAL_BUF).await {
                Ok(()) => {
                    total += self.end - self.start;
                    self.start = self.end;
                }
                Err(H1Error::Closed) => return Ok(total),
                Err(e) => return Err(e),
            }
        }
    }
}

/// Status, framing, keep-alive and Retry-After of a parsed head.
fn judge_head(resp: &httparse::Response) -> Result<(u16, Framing, bool, bool), H1Error> {
    let status = resp.code.ok_or(H1Error::Malformed("no status"))?;
    let http11 = resp.version == Some(1);
    let mut keep_alive = http11;
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut encoded = false;
    let mut retry_after = false;
    for h in resp.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            let v = std::str::from_utf8(h.value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(H1Error::Malformed("bad Content-Length"))?;
            if length.is_some_and(|l| l != v) {
                return Err(H1Error::Malformed("conflicting Content-Length"));
            }
            length = Some(v);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            encoded = true;
            // Chunked must be the last coding for the body to be framed by it.
            chunked = h
                .value
                .rsplit(|b| *b == b',')
                .next()
                .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in h.value.split(|b| *b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && !http11 {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("retry-after") {
            retry_after = true;
        }
    }
    // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length; a coding other than chunked
    // last means the body runs to the connection's end.
    let framing = if encoded {
        if chunked {
            Framing::Chunked
        } else {
            Framing::UntilClose
        }
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::UntilClose
    };
    if encoded && length.is_some() {
        // A message with both is a smuggling attempt or a broken proxy: no reuse.
        keep_alive = false;
    }
    Ok((status, framing, keep_alive, retry_after))
}

/// The size of one chunk from its line (`1a;ext=x`).
fn chunk_size(line: &[u8]) -> Result<usize, H1Error> {
    let digits = line
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return Err(H1Error::Malformed("bad chunk size"));
    }
    let mut n = 0usize;
    for b in digits {
        let d = (*b as char)
            .to_digit(16)
            .ok_or(H1Error::Malformed("bad chunk size"))?;
        n = n * 16 + d as usize;
    }
    Ok(n)
}

#[cfg(test)]
#[path = "h1_tests.rs"]
mod tests;
