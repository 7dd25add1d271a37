//! The wire format of the first flight: a ClientHello built by hand (RFC 5246 §7.4.1.2,
//! RFC 2246 for TLS 1.0), the ServerHello or alert that answers it, and — for the sandbox's
//! legacy responder — the reverse: reading a ClientHello and writing a ServerHello.

use super::HelloAnswer;

pub use super::suites::{suite_name, weakness, LEGACY_SUITES, WEAK_SUITES};

/// Bytes that differ per hello; no security rests on them (the probe never finishes).
fn random32() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    out
}

fn push_u16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_be_bytes());
}

fn push_ext(v: &mut Vec<u8>, ty: u16, body: &[u8]) {
    push_u16(v, ty);
    push_u16(v, body.len() as u16);
    v.extend_from_slice(body);
}

/// A TLS record holding a ClientHello for `version`, with SNI, the common groups and
/// point formats, renegotiation_info and (for TLS 1.2) signature_algorithms.
pub fn client_hello(host: &str, version: u16, suites: &[u16]) -> Vec<u8> {
    let mut body = Vec::with_capacity(256);
    push_u16(&mut body, version);
    body.extend_from_slice(&random32());
    body.push(0); // no session id
    push_u16(&mut body, (suites.len() * 2) as u16);
    for s in suites {
        push_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only

    let mut ext = Vec::new();
    let name = host.as_bytes();
    if !name.is_empty() && name.len() < 256 && host.parse::<std::net::IpAddr>().is_err() {
        let mut sni = Vec::new();
        push_u16(&mut sni, (name.len() + 3) as u16);
        sni.push(0); // host_name
        push_u16(&mut sni, name.len() as u16);
        sni.extend_from_slice(name);
        push_ext(&mut ext, 0x0000, &sni);
    }
    // supported_groups: x25519, secp256r1, secp384r1
    push_ext(
        &mut ext,
        0x000a,
        &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
    );
    // ec_point_formats: uncompressed
    push_ext(&mut ext, 0x000b, &[1, 0]);
    if version >= super::TLS1_2 {
        // signature_algorithms: rsa_pkcs1_sha256/384, ecdsa_sha256/384, rsa_pss_sha256, rsa_pkcs1_sha1
        let algs: [u16; 6] = [0x0401, 0x0501, 0x0403, 0x0503, 0x0804, 0x0201];
        let mut sa = Vec::new();
        push_u16(&mut sa, (algs.len() * 2) as u16);
        for a in algs {
            push_u16(&mut sa, a);
        }
        push_ext(&mut ext, 0x000d, &sa);
    }
    push_ext(&mut ext, 0xff01, &[0]); // renegotiation_info, empty
    push_u16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);

    handshake_record(1, &body, super::TLS1_0)
}

fn handshake_record(msg_type: u8, body: &[u8], record_version: u16) -> Vec<u8> {
    let mut hs = Vec::with_capacity(body.len() + 4);
    hs.push(msg_type);
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(body);
    let mut rec = Vec::with_capacity(hs.len() + 5);
    rec.push(0x16);
    push_u16(&mut rec, record_version);
    push_u16(&mut rec, hs.len() as u16);
    rec.extend_from_slice(&hs);
    rec
}

/// A bounds-checked reader: peer bytes never index out of range.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }
}

pub enum Parsed {
    Incomplete,
    Done(HelloAnswer),
}

/// Reads the records at the start of `buf`: the handshake payload so far, or the answer if
/// the first record is an alert or not TLS at all.
fn handshake_payload(buf: &[u8]) -> Result<(Vec<u8>, bool), HelloAnswer> {
    let mut r = Reader::new(buf);
    let mut payload = Vec::new();
    loop {
        if r.rest().is_empty() {
            return Ok((payload, false));
        }
        let head = r.rest();
        if head.len() < 5 {
            // Judge the content type as soon as it is there.
            if !matches!(head[0], 0x15 | 0x16) {
                return Err(not_tls(head));
            }
            return Ok((payload, false));
        }
        let ty = head[0];
        let major = head[1];
        if !matches!(ty, 0x15 | 0x16) || major != 3 {
            return Err(not_tls(head));
        }
        let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
        if len > 18_432 {
            return Err(not_tls(head));
        }
        let _ = r.take(5);
        let Some(frag) = r.take(len) else {
            return Ok((payload, false));
        };
        if ty == 0x15 {
            if payload.is_empty() {
                return Err(match frag {
                    [level, desc, ..] => HelloAnswer::Refused(format!(
                        "alert {} ({desc}, level {level})",
                        alert_name(*desc)
                    )),
                    _ => HelloAnswer::Refused("a truncated alert".into()),
                });
            }
            return Ok((payload, true));
        }
        payload.extend_from_slice(frag);
    }
}

fn not_tls(head: &[u8]) -> HelloAnswer {
    let shown: String = head
        .iter()
        .take(16)
        .map(|b| {
            if b.is_ascii_graphic() || *b == b' ' {
                char::from(*b)
            } else {
                '.'
            }
        })
        .collect();
    HelloAnswer::NotTls(format!(
        "the server answered bytes that are not TLS: {shown:?}"
    ))
}

pub fn alert_name(desc: u8) -> &'static str {
    match desc {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        112 => "unrecognized_name",
        _ => "alert",
    }
}

/// Parses the server's first flight as far as it has arrived.
pub fn parse_server_answer(buf: &[u8]) -> Parsed {
    let (payload, closed) = match handshake_payload(buf) {
        Ok(p) => p,
        Err(answer) => return Parsed::Done(answer),
    };
    let mut r = Reader::new(&payload);
    let (Some(msg_type), Some(len)) = (r.u8(), r.u24()) else {
        return incomplete_or(closed);
    };
    if msg_type != 2 {
        return Parsed::Done(HelloAnswer::NotTls(format!(
            "the first handshake message is type {msg_type}, not a ServerHello"
        )));
    }
    let Some(body) = r.take(len) else {
        return incomplete_or(closed);
    };
    match server_hello_fields(body) {
        Some((version, suite)) => Parsed::Done(HelloAnswer::Accepted { version, suite }),
        None => Parsed::Done(HelloAnswer::NotTls("a malformed ServerHello".into())),
    }
}

fn incomplete_or(closed: bool) -> Parsed {
    if closed {
        Parsed::Done(HelloAnswer::Refused(
            "an alert after a partial answer".into(),
        ))
    } else {
        Parsed::Incomplete
    }
}

/// (version, suite) of a ServerHello body; the supported_versions extension wins.
fn server_hello_fields(body: &[u8]) -> Option<(u16, u16)> {
    let mut r = Reader::new(body);
    let mut version = r.u16()?;
    r.take(32)?;
    r.vec8()?;
    let suite = r.u16()?;
    r.u8()?;
    if let Some(exts) = r.vec16() {
        let mut e = Reader::new(exts);
        while let (Some(ty), Some(data)) = (e.u16(), e.vec16()) {
            if ty == 0x002b && data.len() == 2 {
                version = u16::from_be_bytes([data[0], data[1]]);
            }
        }
    }
    Some((version, suite))
}

/// What the sandbox's responder needs to know about a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloInfo {
    /// The highest version offered (supported_versions if present, else client_version).
    pub max_version: u16,
    pub suites: Vec<u16>,
    pub sni: Option<String>,
}

/// Why the first bytes of a connection are not a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientHelloError {
    /// The first record is an alert, or not TLS at all.
    #[error("not a TLS handshake record: {0:?}")]
    NotHandshake(HelloAnswer),
    /// A handshake message of another type.
    #[error("handshake type {0}, not a ClientHello")]
    NotClientHello(u8),
    #[error("malformed ClientHello")]
    Malformed,
}

/// Reads a ClientHello from the start of a buffer. `None` until a whole first record is
/// there, `Some(Err)` when it is not a ClientHello.
pub fn parse_client_hello(buf: &[u8]) -> Option<Result<ClientHelloInfo, ClientHelloError>> {
    let (payload, _) = match handshake_payload(buf) {
        Ok(p) => p,
        Err(e) => return Some(Err(ClientHelloError::NotHandshake(e))),
    };
    let mut r = Reader::new(&payload);
    let msg_type = r.u8()?;
    let len = r.u24()?;
    if msg_type != 1 {
        return Some(Err(ClientHelloError::NotClientHello(msg_type)));
    }
    let body = r.take(len)?;
    Some(client_hello_fields(body).ok_or(ClientHelloError::Malformed))
}

fn client_hello_fields(body: &[u8]) -> Option<ClientHelloInfo> {
    let mut r = Reader::new(body);
    let mut max_version = r.u16()?;
    r.take(32)?;
    r.vec8()?;
    let suites = r
        .vec16()?
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    r.vec8()?;
    let mut sni = None;
    if let Some(exts) = r.vec16() {
        let mut e = Reader::new(exts);
        while let (Some(ty), Some(data)) = (e.u16(), e.vec16()) {
            let mut d = Reader::new(data);
            match ty {
                0x0000 => {
                    if let Some(list) = d.vec16() {
                        let mut l = Reader::new(list);
                        if let (Some(0), Some(name)) = (l.u8(), l.vec16()) {
                            sni = Some(String::from_utf8_lossy(name).into_owned());
                        }
                    }
                }
                0x002b => {
                    if let Some(list) = d.vec8() {
                        if let Some(v) = list
                            .chunks_exact(2)
                            .map(|c| u16::from_be_bytes([c[0], c[1]]))
                            .filter(|v| v & 0x0f0f != 0x0a0a) // GREASE
                            .max()
                        {
                            max_version = v;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Some(ClientHelloInfo {
        max_version,
        suites,
        sni,
    })
}

/// A ServerHello record for `version` and `suite` (the sandbox's legacy responder).
pub fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut body = Vec::with_capacity(80);
    push_u16(&mut body, version);
    body.extend_from_slice(&random32());
    body.push(0);
    push_u16(&mut body, suite);
    body.push(0);
    let mut ext = Vec::new();
    push_ext(&mut ext, 0xff01, &[0]);
    push_u16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);
    handshake_record(2, &body, version)
}

#[cfg(test)]
mod tests;
