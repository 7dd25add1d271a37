//! Record type mnemonics (every one BIND and dnspython read) and the RDATA fields of each type
//! the reader encodes field by field. A type without fields here is kept as an opaque record
//! of its presentation text (see `rdata::opaque`).

use super::*;
use hickory_proto::rr::RecordType;
use std::str::FromStr;

/// Type mnemonics: (mnemonic, code).
pub(super) const TYPES: &[(&str, u16)] = &[
    ("A", 1),
    ("NS", 2),
    ("MD", 3),
    ("MF", 4),
    ("CNAME", 5),
    ("SOA", 6),
    ("MB", 7),
    ("MG", 8),
    ("MR", 9),
    ("NULL", 10),
    ("WKS", 11),
    ("PTR", 12),
    ("HINFO", 13),
    ("MINFO", 14),
    ("MX", 15),
    ("TXT", 16),
    ("RP", 17),
    ("AFSDB", 18),
    ("X25", 19),
    ("ISDN", 20),
    ("RT", 21),
    ("NSAP", 22),
    ("NSAP-PTR", 23),
    ("SIG", 24),
    ("KEY", 25),
    ("PX", 26),
    ("GPOS", 27),
    ("AAAA", 28),
    ("LOC", 29),
    ("NXT", 30),
    ("EID", 31),
    ("NIMLOC", 32),
    ("SRV", 33),
    ("ATMA", 34),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("A6", 38),
    ("DNAME", 39),
    ("SINK", 40),
    ("APL", 42),
    ("DS", 43),
    ("SSHFP", 44),
    ("IPSECKEY", 45),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("DHCID", 49),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("TLSA", 52),
    ("SMIMEA", 53),
    ("HIP", 55),
    ("NINFO", 56),
    ("RKEY", 57),
    ("TALINK", 58),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("SPF", 99),
    ("UINFO", 100),
    ("UID", 101),
    ("GID", 102),
    ("UNSPEC", 103),
    ("NID", 104),
    ("L32", 105),
    ("L64", 106),
    ("LP", 107),
    ("EUI48", 108),
    ("EUI64", 109),
    ("URI", 256),
    ("CAA", 257),
    ("AVC", 258),
    ("DOA", 259),
    ("AMTRELAY", 260),
    ("RESINFO", 261),
    ("WALLET", 262),
    ("TA", 32768),
    ("DLV", 32769),
];

/// The mnemonic of a type code (`TYPEnnn` when it has none).
pub fn type_name(code: u16) -> String {
    TYPES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(n, _)| (*n).to_string())
        .unwrap_or_else(|| format!("TYPE{code}"))
}

/// Parses a type mnemonic or `TYPEnnn`.
pub(super) fn parse_type(tok: &Token) -> Result<u16, Fail> {
    let unknown = || Fail::new(tok.line, ZoneErrorKind::UnknownType { token: tok.text() });
    if tok.quoted {
        return Err(unknown());
    }
    let up = tok.raw.to_ascii_uppercase();
    let code = if let Some(digits) = up.strip_prefix(b"TYPE") {
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(unknown());
        }
        let t = Token {
            raw: digits.to_vec(),
            ..tok.clone()
        };
        parse_uint(&t, 65535, "type number")? as u16
    } else if let Some((_, c)) = TYPES.iter().find(|(n, _)| n.as_bytes() == up.as_slice()) {
        *c
    } else {
        let text = std::str::from_utf8(&up).map_err(|_| unknown())?;
        match RecordType::from_str(text) {
            Ok(rt) => u16::from(rt),
            Err(_) => return Err(unknown()),
        }
    };
    if code == 0 || code == 41 || (128..=255).contains(&code) {
        return Err(Fail::new(
            tok.line,
            ZoneErrorKind::TypeNotAllowed { token: tok.text() },
        ));
    }
    Ok(code)
}

/// One RDATA field in presentation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    U8,
    U16,
    U32,
    /// 32-bit duration, BIND units allowed (SOA timers).
    Period,
    /// One <character-string> (length-prefixed on the wire).
    Str,
    /// One or more <character-string>s (rest of the entry).
    Strs,
    Ipv4,
    Ipv6,
    /// Hex, possibly split over several tokens (rest of the entry).
    Hex,
    /// Base64, possibly split over several tokens (rest of the entry).
    Base64,
    /// A type mnemonic as a 16-bit number (RRSIG type covered).
    Type,
    /// RRSIG time: YYYYMMDDHHmmSS or seconds.
    Time,
    /// Type list (rest of the entry) as an RFC 4034 type bit map.
    TypeBitmap,
    /// NSEC3 salt: `-` or hex, length-prefixed.
    Salt,
    /// NSEC3 next hashed owner: base32hex, length-prefixed.
    Base32Hex,
    /// CAA tag: 1-255 ASCII letters/digits, length-prefixed.
    CaaTag,
    /// One string, not length-prefixed (CAA value, URI target); must be the last field.
    Bytes,
    /// SVCB/HTTPS parameters (rest of the entry).
    SvcParams,
}

pub(super) fn rdata_fields(code: u16) -> Option<&'static [Field]> {
    use Field::*;
    Some(match code {
        1 => &[Ipv4],
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 39 => &[Name],
        19 => &[Str],
        24 => &[Type, U8, U8, U32, Time, Time, U16, Name, Base64],
        25 => &[U16, U8, U8, Base64],
        26 => &[U16, Name, Name],
        27 => &[Str, Str, Str],
        32768 => &[U16, U8, U8, Hex],
        49 => &[Base64],
        56 | 258 | 261 | 262 => &[Strs],
        62 => &[U32, U16, TypeBitmap],
        63 => &[U32, U8, U8, Hex],
        105 => &[U16, Ipv4],
        107 => &[U16, Name],
        6 => &[Name, Name, U32, Period, Period, Period, Period],
        13 => &[Str, Str],
        14 | 17 => &[Name, Name],
        15 | 18 | 21 | 36 => &[U16, Name],
        16 | 99 => &[Strs],
        28 => &[Ipv6],
        33 => &[U16, U16, U16, Name],
        35 => &[U16, U16, Str, Str, Str, Name],
        43 | 59 | 32769 => &[U16, U8, U8, Hex],
        44 => &[U8, U8, Hex],
        46 => &[Type, U8, U8, U32, Time, Time, U16, Name, Base64],
        47 => &[Name, TypeBitmap],
        48 | 60 => &[U16, U8, U8, Base64],
        50 => &[U8, U8, U16, Salt, Base32Hex, TypeBitmap],
        51 => &[U8, U8, U16, Salt],
        52 | 53 => &[U8, U8, U8, Hex],
        61 => &[Base64],
        64 | 65 => &[U16, Name, SvcParams],
        256 => &[U16, U16, Bytes],
        257 => &[U8, CaaTag, Bytes],
        _ => return None,
    })
}
