//! Presentation-form RDATA to wire bytes, and wire bytes to hickory `RData`.

use super::*;
use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{RData, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

pub(super) fn char_string(tok: &Token, out: &mut Vec<u8>, rtype: u16) -> Result<(), Fail> {
    let bytes = unescape(&tok.raw).map_err(|k| Fail::new(tok.line, k))?;
    if bytes.len() > 255 {
        return Err(Fail::new(
            tok.line,
            ZoneErrorKind::OutOfRange {
                what: "character-string length",
                token: format!("{} ({})", show(&bytes), type_name(rtype)),
                max: 255,
            },
        ));
    }
    out.push(bytes.len() as u8);
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Concatenates the (unquoted, unescaped) text of the remaining tokens.
pub(super) fn joined(tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let mut text = Vec::new();
    for t in tokens {
        text.extend(unescape(&t.raw).map_err(|k| Fail::new(t.line, k))?);
    }
    Ok(text)
}

/// RFC 3597 generic RDATA: `\# <length> <hex>...`.
pub(super) fn generic_rdata(line: usize, tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let Some(len_tok) = tokens.first() else {
        return Err(Fail::new(
            line,
            ZoneErrorKind::MissingRdata {
                rtype: "\\#".to_string(),
            },
        ));
    };
    let len = parse_uint(len_tok, 65535, "RDATA length")? as usize;
    let rest = tokens.get(1..).unwrap_or_default();
    let hex = joined(rest)?;
    let first_line = rest.first().map_or(len_tok.line, |t| t.line);
    let bytes = decode_hex(&hex)
        .ok_or_else(|| Fail::new(first_line, ZoneErrorKind::invalid("hex", &hex)))?;
    if bytes.len() != len {
        return Err(Fail::new(
            len_tok.line,
            ZoneErrorKind::GenericLength {
                declared: len,
                actual: bytes.len(),
            },
        ));
    }
    Ok(bytes)
}

/// Encodes presentation-form RDATA to wire bytes.
pub(super) fn encode_rdata(
    code: u16,
    line: usize,
    tokens: &[Token],
    origin: Option<&Labels>,
) -> Result<Vec<u8>, Fail> {
    let tname = type_name(code);
    let Some(fields) = rdata_fields(code) else {
        return Err(Fail::new(
            line,
            ZoneErrorKind::Unsupported("this record type outside the \\# form"),
        ));
    };
    let mut out = Vec::new();
    let mut i = 0usize;
    for field in fields {
        let rest = tokens.get(i..).unwrap_or_default();
        match field {
            Field::Strs | Field::Hex | Field::Base64 | Field::TypeBitmap | Field::SvcParams => {
                i = tokens.len();
                let needs_one = matches!(field, Field::Strs | Field::Hex | Field::Base64);
                if needs_one && rest.is_empty() {
                    return Err(Fail::new(
                        line,
                        ZoneErrorKind::MissingRdata { rtype: tname },
                    ));
                }
                match field {
                    Field::Strs => {
                        for t in rest {
                            char_string(t, &mut out, code)?;
                        }
                    }
                    Field::Hex | Field::Base64 => {
                        let text = joined(rest)?;
                        let tl = rest.first().map_or(line, |t| t.line);
                        let bytes = if *field == Field::Hex {
                            decode_hex(&text).ok_or_else(|| {
                                Fail::new(tl, ZoneErrorKind::invalid("hex", &text))
                            })?
                        } else {
                            decode_base64(&text).ok_or_else(|| {
                                Fail::new(tl, ZoneErrorKind::invalid("base64", &text))
                            })?
                        };
                        out.extend(bytes);
                    }
                    Field::TypeBitmap => {
                        let codes = rest.iter().map(parse_type).collect::<Result<Vec<_>, _>>()?;
                        out.extend(type_bitmap(&codes));
                    }
                    _ => out.extend(svc_params(rest).map_err(|f| {
                        if f.line == 0 {
                            Fail::new(line, f.kind)
                        } else {
                            f
                        }
                    })?),
                }
                continue;
            }
            _ => {}
        }
        let Some(tok) = rest.first() else {
            return Err(Fail::new(
                line,
                ZoneErrorKind::MissingRdata { rtype: tname },
            ));
        };
        i += 1;
        let fail = |kind: ZoneErrorKind| Fail::new(tok.line, kind);
        let text = || unescape(&tok.raw).map_err(fail);
        match field {
            Field::Name => push_name(&mut out, &parse_labels(tok, origin)?),
            Field::U8 => out.push(parse_uint(tok, 255, "8-bit number")? as u8),
            Field::U16 => {
                out.extend((parse_uint(tok, 65535, "16-bit number")? as u16).to_be_bytes())
            }
            Field::U32 => out.extend(
                (parse_uint(tok, u64::from(u32::MAX), "32-bit number")? as u32).to_be_bytes(),
            ),
            Field::Period => out.extend(parse_ttl(tok, u64::from(u32::MAX))?.to_be_bytes()),
            Field::Str => char_string(tok, &mut out, code)?,
            Field::Ipv4 => {
                let t = text()?;
                let ip = std::str::from_utf8(&t)
                    .ok()
                    .and_then(|s| Ipv4Addr::from_str(s).ok())
                    .ok_or_else(|| fail(ZoneErrorKind::invalid("IPv4 address", &tok.raw)))?;
                out.extend(ip.octets());
            }
            Field::Ipv6 => {
                let t = text()?;
                let ip = std::str::from_utf8(&t)
                    .ok()
                    .and_then(|s| Ipv6Addr::from_str(s).ok())
                    .ok_or_else(|| fail(ZoneErrorKind::invalid("IPv6 address", &tok.raw)))?;
                out.extend(ip.octets());
            }
            Field::Type => out.extend(parse_type(tok)?.to_be_bytes()),
            Field::Time => out.extend(parse_sig_time(tok)?.to_be_bytes()),
            Field::Salt => {
                let t = text()?;
                let salt = if t.as_slice() == b"-" {
                    Vec::new()
                } else {
                    decode_hex(&t)
                        .filter(|s| !s.is_empty() && s.len() <= 255)
                        .ok_or_else(|| fail(ZoneErrorKind::invalid("NSEC3 salt", &tok.raw)))?
                };
                out.push(salt.len() as u8);
                out.extend(salt);
            }
            Field::Base32Hex => {
                let t = text()?;
                let hash = decode_base32hex(&t)
                    .filter(|h| !h.is_empty() && h.len() <= 255)
                    .ok_or_else(|| fail(ZoneErrorKind::invalid("base32hex", &tok.raw)))?;
                out.push(hash.len() as u8);
                out.extend(hash);
            }
            Field::CaaTag => {
                let t = text()?;
                if t.is_empty() || t.len() > 255 || !t.iter().all(u8::is_ascii_alphanumeric) {
                    return Err(fail(ZoneErrorKind::invalid("CAA tag", &tok.raw)));
                }
                out.push(t.len() as u8);
                out.extend(t);
            }
            Field::Bytes => out.extend(text()?),
            Field::Strs | Field::Hex | Field::Base64 | Field::TypeBitmap | Field::SvcParams => {}
        }
    }
    if let Some(extra) = tokens.get(i) {
        return Err(Fail::new(
            extra.line,
            ZoneErrorKind::ExtraToken {
                token: extra.text(),
                after: format!("{tname} RDATA"),
            },
        ));
    }
    Ok(out)
}

/// Wire RDATA to hickory `RData`.
pub(super) fn make_rdata(
    code: u16,
    bytes: Vec<u8>,
    generic: bool,
    line: usize,
) -> Result<RData, Fail> {
    let tname = type_name(code);
    let len = u16::try_from(bytes.len()).map_err(|_| {
        Fail::new(
            line,
            ZoneErrorKind::RdataTooLong {
                rtype: tname.clone(),
                len: bytes.len(),
            },
        )
    })?;
    let rtype = RecordType::from(code);
    let mut decoder = BinDecoder::new(&bytes);
    match RData::read(&mut decoder, rtype, Restrict::new(len)) {
        Ok(rdata) => Ok(rdata),
        // Generic-form data for a type hickory knows must be valid for that type (RFC 3597 section 5).
        Err(e) if generic => Err(Fail::new(
            line,
            ZoneErrorKind::BadGenericRdata {
                rtype: tname,
                reason: e.to_string().chars().filter(|c| !c.is_control()).collect(),
            },
        )),
        // Presentation data was encoded correctly by us; hickory is just stricter than the RFC
        // (e.g. CAA tags over 15 bytes): keep the bytes as an opaque record of the right type.
        Err(_) => Ok(RData::Unknown {
            code: rtype,
            rdata: if bytes.is_empty() {
                NULL::new()
            } else {
                NULL::with(bytes)
            },
        }),
    }
}

/// Types the audit's checks read: their RDATA must be valid, as a DNS server would insist.
/// Any other type whose presentation form this reader can't encode (a mnemonic where a number
/// was expected, a type without field rules, a format hickory can't hold) is kept as an opaque
/// record instead of stopping the audit.
pub(super) fn strict(code: u16) -> bool {
    matches!(
        code,
        1 | 2 | 5 | 6 | 12 | 15 | 16 | 28 | 33 | 39 | 64 | 65 | 99 | 257
    )
}

/// An opaque record of a type this reader doesn't interpret: hickory's `RData::Unknown`
/// holding the presentation text (tokens joined by spaces, quoted ones re-quoted).
pub(super) fn opaque(code: u16, tokens: &[Token]) -> RData {
    let mut text = Vec::new();
    for (n, t) in tokens.iter().enumerate() {
        if n > 0 {
            text.push(b' ');
        }
        if t.quoted {
            text.push(b'"');
            text.extend_from_slice(&t.raw);
            text.push(b'"');
        } else {
            text.extend_from_slice(&t.raw);
        }
    }
    text.truncate(usize::from(u16::MAX));
    RData::Unknown {
        code: RecordType::from(code),
        rdata: if text.is_empty() {
            NULL::new()
        } else {
            NULL::with(text)
        },
    }
}
