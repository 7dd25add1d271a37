//! SVCB/HTTPS SvcParams (RFC 9460).

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

pub(super) fn svc_key(name: &[u8]) -> Option<u16> {
    Some(match name.to_ascii_lowercase().as_slice() {
        b"mandatory" => 0,
        b"alpn" => 1,
        b"no-default-alpn" => 2,
        b"port" => 3,
        b"ipv4hint" => 4,
        b"ech" => 5,
        b"ipv6hint" => 6,
        b"dohpath" => 7,
        b"ohttp" => 8,
        other => {
            let digits = other.strip_prefix(b"key")?;
            if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let n = digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            u16::try_from(n).ok()?
        }
    })
}

/// Splits an (already unescaped) SvcParam value list on commas; `\,` and `\\` escape (RFC 9460 A.1).
pub(super) fn svc_list(value: &[u8]) -> Vec<Vec<u8>> {
    let mut items = vec![Vec::new()];
    let mut i = 0;
    while let Some(&c) = value.get(i) {
        match c {
            b'\\' => {
                if let (Some(&n), Some(cur)) = (value.get(i + 1), items.last_mut()) {
                    cur.push(n);
                }
                i += 2;
            }
            b',' => {
                items.push(Vec::new());
                i += 1;
            }
            _ => {
                if let Some(cur) = items.last_mut() {
                    cur.push(c);
                }
                i += 1;
            }
        }
    }
    items
}

/// SVCB/HTTPS SvcParams (RFC 9460 section 2.1) to wire format, sorted by key.
pub(super) fn svc_params(tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while let Some(tok) = tokens.get(i) {
        i += 1;
        let fail = |kind: ZoneErrorKind| Fail::new(tok.line, kind);
        let param = |token: &[u8], reason: &'static str| {
            fail(ZoneErrorKind::SvcParam {
                token: show(token),
                reason,
            })
        };
        if tok.quoted {
            return Err(param(&tok.raw, "unexpected quoted string"));
        }
        let (key_raw, mut value_raw, has_value) = match tok.raw.iter().position(|&c| c == b'=') {
            Some(p) => (
                tok.raw.get(..p).unwrap_or_default(),
                tok.raw.get(p + 1..).unwrap_or_default().to_vec(),
                true,
            ),
            None => (tok.raw.as_slice(), Vec::new(), false),
        };
        if has_value && value_raw.is_empty() {
            if let Some(next) = tokens.get(i).filter(|t| t.quoted && t.adjacent) {
                value_raw = next.raw.clone();
                i += 1;
            }
        }
        let key = svc_key(key_raw).ok_or_else(|| param(key_raw, "unknown parameter"))?;
        let value = unescape(&value_raw).map_err(fail)?;
        let need_value = |v: &[u8]| {
            if v.is_empty() {
                Err(param(key_raw, "needs a value"))
            } else {
                Ok(())
            }
        };
        let wire = match key {
            0 => {
                need_value(&value)?;
                let mut keys = Vec::new();
                for k in svc_list(&value) {
                    keys.push(svc_key(&k).ok_or_else(|| param(&k, "unknown key in mandatory"))?);
                }
                keys.sort_unstable();
                keys.dedup();
                keys.iter().flat_map(|k| k.to_be_bytes()).collect()
            }
            1 => {
                need_value(&value)?;
                let mut out = Vec::new();
                for id in svc_list(&value) {
                    if id.is_empty() || id.len() > 255 {
                        return Err(param(&value, "invalid alpn value"));
                    }
                    out.push(id.len() as u8);
                    out.extend_from_slice(&id);
                }
                out
            }
            2 | 8 => {
                if has_value {
                    return Err(param(key_raw, "takes no value"));
                }
                Vec::new()
            }
            3 => {
                let t = Token {
                    raw: value,
                    ..tok.clone()
                };
                (parse_uint(&t, 65535, "port")? as u16)
                    .to_be_bytes()
                    .to_vec()
            }
            4 | 6 => {
                need_value(&value)?;
                let mut out = Vec::new();
                for a in svc_list(&value) {
                    let text = std::str::from_utf8(&a).unwrap_or("");
                    if key == 4 {
                        let ip = Ipv4Addr::from_str(text)
                            .map_err(|_| fail(ZoneErrorKind::invalid("IPv4 address", &a)))?;
                        out.extend_from_slice(&ip.octets());
                    } else {
                        let ip = Ipv6Addr::from_str(text)
                            .map_err(|_| fail(ZoneErrorKind::invalid("IPv6 address", &a)))?;
                        out.extend_from_slice(&ip.octets());
                    }
                }
                out
            }
            5 => {
                need_value(&value)?;
                decode_base64(&value)
                    .ok_or_else(|| fail(ZoneErrorKind::invalid("base64", &value)))?
            }
            _ => value,
        };
        if params.iter().any(|(k, _)| *k == key) {
            return Err(param(key_raw, "duplicate parameter"));
        }
        params.push((key, wire));
    }
    params.sort_by_key(|(k, _)| *k);
    let mut out = Vec::new();
    for (key, value) in params {
        let len = u16::try_from(value.len()).map_err(|_| {
            Fail::new(
                0,
                ZoneErrorKind::SvcParam {
                    token: String::new(),
                    reason: "value longer than 65535 bytes",
                },
            )
        })?;
        out.extend_from_slice(&key.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value);
    }
    Ok(out)
}
