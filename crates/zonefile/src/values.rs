//! Names, numbers, TTLs and classes in presentation form.

use super::*;
use hickory_proto::rr::{DNSClass, Name};

/// Parses a name in presentation form, relative names being completed with `origin`.
pub(super) fn parse_labels(tok: &Token, origin: Option<&Labels>) -> Result<Labels, Fail> {
    let fail = |kind: ZoneErrorKind| Fail::new(tok.line, kind);
    let bad = |reason: &'static str| {
        fail(ZoneErrorKind::BadName {
            token: show(&tok.raw),
            reason,
        })
    };
    let raw = &tok.raw;
    if !tok.quoted && raw.as_slice() == b"@" {
        return origin
            .cloned()
            .ok_or_else(|| fail(ZoneErrorKind::NoOrigin { token: "@".into() }));
    }
    if raw.is_empty() {
        return Err(bad("empty name"));
    }
    let mut labels: Labels = Vec::new();
    let mut absolute = false;
    if raw.as_slice() == b"." {
        absolute = true;
    } else {
        let mut cur = Vec::new();
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            match c {
                b'.' => {
                    if cur.is_empty() {
                        return Err(bad("empty label"));
                    }
                    labels.push(std::mem::take(&mut cur));
                    i += 1;
                    absolute = i == raw.len();
                }
                b'\\' => {
                    let (b, n) = escape_at(raw, i).map_err(fail)?;
                    cur.push(b);
                    i += n;
                }
                _ => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        if !cur.is_empty() {
            labels.push(cur);
        }
    }
    if labels.iter().any(|l| l.len() > 63) {
        return Err(bad("label longer than 63 bytes"));
    }
    if !absolute {
        let origin = origin.ok_or_else(|| fail(ZoneErrorKind::NoOrigin { token: show(raw) }))?;
        labels.extend(origin.iter().cloned());
    }
    if wire_len(&labels) > 255 {
        return Err(bad("longer than 255 bytes"));
    }
    Ok(labels)
}

pub(super) fn wire_len(labels: &Labels) -> usize {
    labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
}

pub(super) fn to_name(labels: &Labels, line: usize) -> Result<Name, Fail> {
    Name::from_labels(labels.iter().map(Vec::as_slice)).map_err(|_| {
        Fail::new(
            line,
            ZoneErrorKind::BadName {
                token: String::new(),
                reason: "rejected by the DNS library",
            },
        )
    })
}

pub(super) fn push_name(out: &mut Vec<u8>, labels: &Labels) {
    for l in labels {
        // Labels are checked to be 1..=63 bytes when parsed.
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
}

pub(super) fn parse_uint(tok: &Token, max: u64, what: &'static str) -> Result<u64, Fail> {
    let raw = &tok.raw;
    let value = if !raw.is_empty() && raw.iter().all(u8::is_ascii_digit) {
        raw.iter().try_fold(0u64, |acc, d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
    } else {
        None
    };
    value.filter(|v| *v <= max).ok_or_else(|| {
        Fail::new(
            tok.line,
            ZoneErrorKind::OutOfRange {
                what,
                token: tok.text(),
                max,
            },
        )
    })
}

/// A TTL: plain seconds or BIND units (`1w2d3h4m5s`, case-insensitive).
/// `Err(true)`: syntax is fine but the value overflows; `Err(false)`: bad syntax.
pub(super) fn ttl_value(raw: &[u8]) -> Result<u64, bool> {
    if !raw.first().is_some_and(u8::is_ascii_digit) {
        return Err(false);
    }
    let mut total = 0u64;
    let mut num: Option<u64> = None;
    for &c in raw {
        if c.is_ascii_digit() {
            let n = num.unwrap_or(0);
            num = Some(
                n.checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(c - b'0')))
                    .ok_or(true)?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            b'w' => 604_800,
            b'd' => 86_400,
            b'h' => 3_600,
            b'm' => 60,
            b's' => 1,
            _ => return Err(false),
        };
        let n = num.take().ok_or(false)?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or(true)?;
    }
    total.checked_add(num.unwrap_or(0)).ok_or(true)
}

pub(super) fn parse_ttl(tok: &Token, max: u64) -> Result<u32, Fail> {
    let value = if tok.quoted {
        Err(false)
    } else {
        ttl_value(&tok.raw)
    };
    match value {
        // `v <= max <= u32::MAX` here.
        Ok(v) if v <= max => Ok(v as u32),
        Ok(_) | Err(true) => Err(Fail::new(
            tok.line,
            ZoneErrorKind::OutOfRange {
                what: "TTL",
                token: tok.text(),
                max,
            },
        )),
        Err(false) => Err(Fail::new(tok.line, ZoneErrorKind::invalid("TTL", &tok.raw))),
    }
}

pub(super) fn parse_class(tok: &Token) -> Option<Result<DNSClass, Fail>> {
    if tok.quoted {
        return None;
    }
    let up = tok.raw.to_ascii_uppercase();
    match up.as_slice() {
        b"IN" => Some(Ok(DNSClass::IN)),
        b"CH" | b"CHAOS" => Some(Ok(DNSClass::CH)),
        b"HS" | b"HESIOD" => Some(Ok(DNSClass::HS)),
        b"NONE" | b"ANY" => Some(Err(Fail::new(
            tok.line,
            ZoneErrorKind::ClassNotAllowed { token: tok.text() },
        ))),
        _ => {
            let digits = up.strip_prefix(b"CLASS")?;
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let t = Token {
                raw: digits.to_vec(),
                ..tok.clone()
            };
            Some(parse_uint(&t, 65535, "class number").and_then(|n| {
                let class = DNSClass::from(n as u16);
                match class {
                    DNSClass::NONE | DNSClass::ANY => Err(Fail::new(
                        tok.line,
                        ZoneErrorKind::ClassNotAllowed { token: tok.text() },
                    )),
                    _ => Ok(class),
                }
            }))
        }
    }
}
