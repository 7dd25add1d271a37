//! Hex, base64, base32hex, RRSIG times and type bit maps.

use super::*;

pub(super) fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

pub(super) fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.chunks(2)
        .map(|p| match p {
            [h, l] => Some(hex_value(*h)? << 4 | hex_value(*l)?),
            _ => None,
        })
        .collect()
}

pub(super) fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let body = text.strip_suffix(b"==").or_else(|| text.strip_suffix(b"="));
    let padded = body.is_some();
    let body = body.unwrap_or(text);
    if (padded && text.len() % 4 != 0) || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in body {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub(super) fn decode_base32hex(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in text {
        let v = match c.to_ascii_uppercase() {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'A'..=b'V' => c - b'A' + 10,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RRSIG time (RFC 4034 section 3.2): YYYYMMDDHHmmSS (UTC) or decimal seconds.
pub(super) fn parse_sig_time(tok: &Token) -> Result<u32, Fail> {
    let raw = &tok.raw;
    let bad = || Fail::new(tok.line, ZoneErrorKind::invalid("signature time", &tok.raw));
    if raw.len() != 14 {
        return parse_uint(tok, u64::from(u32::MAX), "signature time").map(|v| v as u32);
    }
    if !raw.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let num = |a: usize, b: usize| -> i64 {
        raw.get(a..b)
            .unwrap_or_default()
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
    };
    let (y, mo, d, h, mi, s) = (
        num(0, 4),
        num(4, 6),
        num(6, 8),
        num(8, 10),
        num(10, 12),
        num(12, 14),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d < 1 || d > dim || h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s;
    // Serial-number arithmetic (RFC 1982): the value is taken modulo 2^32.
    Ok(secs.rem_euclid(1 << 32) as u32)
}

pub(super) fn type_bitmap(types: &[u16]) -> Vec<u8> {
    let mut types = types.to_vec();
    types.sort_unstable();
    types.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&first) = types.get(i) {
        let window = first >> 8;
        let mut bitmap = [0u8; 32];
        let mut len = 0usize;
        while let Some(&t) = types.get(i) {
            if t >> 8 != window {
                break;
            }
            let low = usize::from(t & 0xff);
            if let Some(b) = bitmap.get_mut(low / 8) {
                *b |= 0x80 >> (low % 8);
            }
            len = low / 8 + 1;
            i += 1;
        }
        out.push(window as u8);
        out.push(len as u8);
        out.extend_from_slice(bitmap.get(..len).unwrap_or_default());
    }
    out
}
