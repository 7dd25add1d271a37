//! RFC 1035 master-file ("zone file") reader producing hickory-proto `Record`s.
//!
//! Syntax: RFC 1035 section 5 (entries, parentheses, comments, quoting, `\X` and `\DDD`
//! escapes, `@`, blank owners, `$ORIGIN`, `$INCLUDE`), RFC 2308 (`$TTL`), BIND TTL units
//! (`1h30m`), and RFC 3597 (`TYPEnnn`, `CLASSnnn`, `\# len hex`).
//!
//! Every record's RDATA is first built as uncompressed wire bytes and then decoded with
//! hickory's own `RData::read`, so the result is exactly what hickory would have read off the
//! wire. Names are built from raw labels (`Name::from_labels`), because hickory's text parser
//! reads `\DDD` as octal and rejects characters such as space, `:` or `/` inside labels.

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

/// A zone-file error, located by file and 1-based line (line 0: the file itself could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for ZoneError {}

/// Bounds on what one zone load may read: a zone file may come from anyone, so its `$INCLUDE`s
/// must not read outside its directory, read special files, block, or fan out without end.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes read across the zone file and every included file.
    pub max_total_bytes: u64,
    /// Files read, the zone file included.
    pub max_files: usize,
    /// `$INCLUDE` nesting depth (the zone file itself is depth 0).
    pub max_depth: usize,
    /// Parsing stops with an error past this instant (`--timeout` covers parsing too).
    pub deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_total_bytes: 64 << 20,
            max_files: 64,
            max_depth: 8,
            deadline: None,
        }
    }
}

/// Reads a zone file from disk; `$INCLUDE` paths are resolved relative to the including file's directory.
/// `origin`: the initial $ORIGIN if the file does not set one (None: relative names before a $ORIGIN are an error).
pub fn parse_zone_file(path: &Path, origin: Option<&Name>) -> Result<Vec<Record>, ZoneError> {
    parse_zone_file_with(path, origin, &Limits::default())
}

/// [`parse_zone_file`] under explicit limits. Includes resolve only to regular files under the
/// zone file's own (canonical) directory.
pub fn parse_zone_file_with(
    path: &Path,
    origin: Option<&Name>,
    limits: &Limits,
) -> Result<Vec<Record>, ZoneError> {
    let top = |msg: String| Fail::new(0, msg).at(path);
    let canonical = std::fs::canonicalize(path)
        .map_err(|e| top(format!("cannot read zone file: {}", io_reason(&e))))?;
    let root = canonical
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| top("cannot read zone file: not a file".to_string()))?;
    let mut parser = Parser::new(limits, Some(root));
    let bytes = parser.read_file(&canonical).map_err(top)?;
    parser.include_stack.push(canonical);
    parser.run(&bytes, path, origin)
}

/// Parses zone text. `file` is only used to label errors and to resolve `$INCLUDE` relative paths (its parent dir).
pub fn parse_zone_str(
    text: &str,
    file: &Path,
    origin: Option<&Name>,
) -> Result<Vec<Record>, ZoneError> {
    let root = file.parent().and_then(|d| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        std::fs::canonicalize(d).ok()
    });
    let limits = Limits::default();
    let mut parser = Parser::new(&limits, root);
    parser.total_bytes = text.len() as u64;
    parser.files = 1;
    parser
        .include_stack
        .push(std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()));
    parser.run(text.as_bytes(), file, origin)
}

/// An I/O error's reason without the OS's path echo.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::WouldBlock => "would block (not a regular file)".to_string(),
        _ => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits

/// RFC 2181 section 8: TTLs are 31-bit.
const MAX_TTL: u64 = 0x7fff_ffff;
/// Longest token an error message quotes whole...
const MAX_QUOTE: usize = 24;
/// ...and how much of a longer one it shows.
const CUT_QUOTE: usize = 12;
/// Special file systems no zone file or include is ever read from.
const FORBIDDEN_ROOTS: &[&str] = &["/proc", "/sys", "/dev"];

/// An absolute domain name as raw labels (root = no labels).
type Labels = Vec<Vec<u8>>;

/// An error located on a line of the current file.
#[derive(Debug)]
struct Fail {
    line: usize,
    msg: String,
}

impl Fail {
    fn new(line: usize, msg: impl Into<String>) -> Fail {
        Fail {
            line,
            msg: msg.into(),
        }
    }

    fn at(self, file: &Path) -> ZoneError {
        ZoneError {
            file: file.to_path_buf(),
            line: self.line,
            message: self.msg,
        }
    }
}

/// File content as an error may quote it: a token of at most [`MAX_QUOTE`] bytes whole, a
/// longer one cut to its first [`CUT_QUOTE`] bytes, control bytes and non-ASCII escaped as
/// `\xNN` — so an error never prints a whole secret or a terminal escape.
fn show(raw: &[u8]) -> String {
    let (shown, cut) = if raw.len() > MAX_QUOTE {
        (raw.get(..CUT_QUOTE).unwrap_or(raw), true)
    } else {
        (raw, false)
    };
    let mut out = String::new();
    for &b in shown {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if cut {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lexer: splits the source into entries (one logical line each, parentheses joining lines).

#[derive(Debug, Clone)]
struct Token {
    /// Token text with quotes removed but backslash escapes kept verbatim.
    raw: Vec<u8>,
    quoted: bool,
    line: usize,
    /// No whitespace between this token and the previous one (e.g. `alpn="h2"`).
    adjacent: bool,
}

impl Token {
    fn is(&self, word: &str) -> bool {
        !self.quoted && self.raw.eq_ignore_ascii_case(word.as_bytes())
    }

    fn text(&self) -> String {
        show(&self.raw)
    }
}

#[derive(Debug)]
struct Entry {
    line: usize,
    blank_owner: bool,
    tokens: Vec<Token>,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    at_line_start: bool,
    line_starts_blank: bool,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a [u8]) -> Lexer<'a> {
        let pos = if src.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lexer {
            src,
            pos,
            line: 1,
            at_line_start: true,
            line_starts_blank: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn next_entry(&mut self) -> Result<Option<Entry>, Fail> {
        let mut entry: Option<Entry> = None;
        let mut depth = 0usize;
        let mut paren_line = 0usize;
        let mut adjacent = false;
        while let Some(c) = self.peek() {
            if self.at_line_start {
                self.at_line_start = false;
                self.line_starts_blank = c == b' ' || c == b'\t';
            }
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.at_line_start = true;
                    adjacent = false;
                    if depth == 0 {
                        if let Some(e) = entry.take() {
                            return Ok(Some(e));
                        }
                    }
                }
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    adjacent = false;
                }
                b';' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                    adjacent = false;
                }
                b'(' => {
                    self.start(&mut entry);
                    if depth == 0 {
                        paren_line = self.line;
                    }
                    depth += 1;
                    self.pos += 1;
                    adjacent = false;
                }
                b')' => {
                    if depth == 0 {
                        return Err(Fail::new(
                            self.line,
                            "unbalanced parenthesis: ')' without matching '('",
                        ));
                    }
                    depth -= 1;
                    self.pos += 1;
                    adjacent = false;
                }
                _ => {
                    self.start(&mut entry);
                    let line = self.line;
                    let (raw, quoted) = if c == b'"' {
                        (self.quoted()?, true)
                    } else {
                        (self.unquoted()?, false)
                    };
                    if let Some(e) = entry.as_mut() {
                        let adjacent = adjacent && !e.tokens.is_empty();
                        e.tokens.push(Token {
                            raw,
                            quoted,
                            line,
                            adjacent,
                        });
                    }
                    adjacent = true;
                }
            }
        }
        if depth > 0 {
            return Err(Fail::new(
                paren_line,
                "unbalanced parenthesis: '(' is never closed",
            ));
        }
        Ok(entry)
    }

    fn start(&self, entry: &mut Option<Entry>) {
        if entry.is_none() {
            *entry = Some(Entry {
                line: self.line,
                blank_owner: self.line_starts_blank,
                tokens: Vec::new(),
            });
        }
    }

    /// Reads a quoted string (cursor on the opening quote); escapes are kept verbatim.
    fn quoted(&mut self) -> Result<Vec<u8>, Fail> {
        let start_line = self.line;
        self.pos += 1;
        let mut raw = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err(Fail::new(start_line, "unterminated quoted string"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(raw);
                }
                Some(b'\\') => {
                    raw.push(b'\\');
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(Fail::new(start_line, "unterminated quoted string")),
                        Some(c) => {
                            if c == b'\n' {
                                self.line += 1;
                            }
                            raw.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn unquoted(&mut self) -> Result<Vec<u8>, Fail> {
        let mut raw = Vec::new();
        loop {
            match self.peek() {
                None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"') => {
                    return Ok(raw)
                }
                Some(b'\\') => {
                    raw.push(b'\\');
                    self.pos += 1;
                    match self.peek() {
                        None | Some(b'\n') => {
                            return Err(Fail::new(self.line, "backslash at end of line"));
                        }
                        Some(c) => {
                            raw.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escapes, names, numbers

/// Decodes one escape starting at `raw[i] == b'\\'`; returns the byte and the escape's length.
fn escape_at(raw: &[u8], i: usize) -> Result<(u8, usize), String> {
    match raw.get(i + 1) {
        None => Err(format!("dangling backslash in \"{}\"", show(raw))),
        Some(d) if d.is_ascii_digit() => {
            let value = raw
                .get(i + 1..i + 4)
                .filter(|ds| ds.iter().all(u8::is_ascii_digit))
                .map(|ds| {
                    ds.iter()
                        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
                })
                .and_then(|v| u8::try_from(v).ok())
                .ok_or_else(|| {
                    format!(
                        "invalid decimal escape in \"{}\" (expected \\DDD with DDD <= 255)",
                        show(raw)
                    )
                })?;
            Ok((value, 4))
        }
        Some(&x) => Ok((x, 2)),
    }
}

fn unescape(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c == b'\\' {
            let (b, n) = escape_at(raw, i)?;
            out.push(b);
            i += n;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

/// Parses a name in presentation form, relative names being completed with `origin`.
fn parse_labels(tok: &Token, origin: Option<&Labels>) -> Result<Labels, Fail> {
    let fail = |msg: String| Fail::new(tok.line, msg);
    let raw = &tok.raw;
    if !tok.quoted && raw.as_slice() == b"@" {
        return origin
            .cloned()
            .ok_or_else(|| fail("\"@\" used but no $ORIGIN is set".to_string()));
    }
    if raw.is_empty() {
        return Err(fail("empty domain name".to_string()));
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
                        return Err(fail(format!("empty label in name \"{}\"", show(raw))));
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
        return Err(fail(format!(
            "label longer than 63 bytes in name \"{}\"",
            show(raw)
        )));
    }
    if !absolute {
        let origin = origin.ok_or_else(|| {
            fail(format!(
                "relative name \"{}\" but no $ORIGIN is set",
                show(raw)
            ))
        })?;
        labels.extend(origin.iter().cloned());
    }
    if wire_len(&labels) > 255 {
        return Err(fail(format!(
            "domain name \"{}\" longer than 255 bytes",
            show(raw)
        )));
    }
    Ok(labels)
}

fn wire_len(labels: &Labels) -> usize {
    labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
}

fn to_name(labels: &Labels, line: usize) -> Result<Name, Fail> {
    Name::from_labels(labels.iter().map(Vec::as_slice))
        .map_err(|e| Fail::new(line, format!("invalid domain name: {e}")))
}

fn push_name(out: &mut Vec<u8>, labels: &Labels) {
    for l in labels {
        // Labels are checked to be 1..=63 bytes when parsed.
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
}

fn parse_uint(tok: &Token, max: u64, what: &str) -> Result<u64, Fail> {
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
            format!("invalid {what} \"{}\" (expected 0-{max})", tok.text()),
        )
    })
}

/// A TTL: plain seconds or BIND units (`1w2d3h4m5s`, case-insensitive).
/// `Err(true)`: syntax is fine but the value overflows; `Err(false)`: bad syntax.
fn ttl_value(raw: &[u8]) -> Result<u64, bool> {
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

fn parse_ttl(tok: &Token, max: u64) -> Result<u32, Fail> {
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
            format!("TTL \"{}\" out of range (maximum {max})", tok.text()),
        )),
        Err(false) => Err(Fail::new(
            tok.line,
            format!("invalid TTL \"{}\"", tok.text()),
        )),
    }
}

fn parse_class(tok: &Token) -> Option<Result<DNSClass, Fail>> {
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
            format!("class {} is not allowed in a zone file", tok.text()),
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
                        format!("class {} is not allowed in a zone file", tok.text()),
                    )),
                    _ => Ok(class),
                }
            }))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Record types

/// Types this reader understands in presentation form: (mnemonic, code).
const TYPES: &[(&str, u16)] = &[
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
    ("RT", 21),
    ("SIG", 24),
    ("KEY", 25),
    ("AAAA", 28),
    ("LOC", 29),
    ("SRV", 33),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("DNAME", 39),
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
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("SPF", 99),
    ("EUI48", 108),
    ("EUI64", 109),
    ("URI", 256),
    ("CAA", 257),
    ("DLV", 32769),
];

fn type_name(code: u16) -> String {
    TYPES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(n, _)| (*n).to_string())
        .unwrap_or_else(|| format!("TYPE{code}"))
}

/// Parses a type mnemonic or `TYPEnnn`.
fn parse_type(tok: &Token) -> Result<u16, Fail> {
    let unknown = || Fail::new(tok.line, format!("unknown record type \"{}\"", tok.text()));
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
            format!(
                "record type \"{}\" cannot appear in a zone file",
                tok.text()
            ),
        ));
    }
    Ok(code)
}

/// One RDATA field in presentation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
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

fn rdata_fields(code: u16) -> Option<&'static [Field]> {
    use Field::*;
    Some(match code {
        1 => &[Ipv4],
        2 | 3 | 4 | 5 | 7 | 8 | 9 | 12 | 39 => &[Name],
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

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
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

fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
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

fn decode_base32hex(text: &[u8]) -> Option<Vec<u8>> {
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
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RRSIG time (RFC 4034 section 3.2): YYYYMMDDHHmmSS (UTC) or decimal seconds.
fn parse_sig_time(tok: &Token) -> Result<u32, Fail> {
    let raw = &tok.raw;
    let bad = || {
        Fail::new(
            tok.line,
            format!("invalid signature time \"{}\"", tok.text()),
        )
    };
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

fn type_bitmap(types: &[u16]) -> Vec<u8> {
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

fn svc_key(name: &[u8]) -> Option<u16> {
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
fn svc_list(value: &[u8]) -> Vec<Vec<u8>> {
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
fn svc_params(tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while let Some(tok) = tokens.get(i) {
        i += 1;
        let fail = |msg: String| Fail::new(tok.line, msg);
        if tok.quoted {
            return Err(fail(format!(
                "unexpected quoted string \"{}\" in SVCB parameters",
                tok.text()
            )));
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
        let key = svc_key(key_raw)
            .ok_or_else(|| fail(format!("unknown SVCB parameter \"{}\"", show(key_raw))))?;
        let value = unescape(&value_raw).map_err(fail)?;
        let need_value = |v: &[u8]| {
            if v.is_empty() {
                Err(fail(format!(
                    "SVCB parameter \"{}\" needs a value",
                    show(key_raw)
                )))
            } else {
                Ok(())
            }
        };
        let wire = match key {
            0 => {
                need_value(&value)?;
                let mut keys = Vec::new();
                for k in svc_list(&value) {
                    keys.push(svc_key(&k).ok_or_else(|| {
                        fail(format!("unknown SVCB key \"{}\" in mandatory", show(&k)))
                    })?);
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
                        return Err(fail(format!("invalid alpn value \"{}\"", show(&value))));
                    }
                    out.push(id.len() as u8);
                    out.extend_from_slice(&id);
                }
                out
            }
            2 | 8 => {
                if has_value {
                    return Err(fail(format!(
                        "SVCB parameter \"{}\" takes no value",
                        show(key_raw)
                    )));
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
                            .map_err(|_| fail(format!("invalid IPv4 address \"{}\"", show(&a))))?;
                        out.extend_from_slice(&ip.octets());
                    } else {
                        let ip = Ipv6Addr::from_str(text)
                            .map_err(|_| fail(format!("invalid IPv6 address \"{}\"", show(&a))))?;
                        out.extend_from_slice(&ip.octets());
                    }
                }
                out
            }
            5 => {
                need_value(&value)?;
                decode_base64(&value)
                    .ok_or_else(|| fail(format!("invalid base64 \"{}\"", show(&value))))?
            }
            _ => value,
        };
        if params.iter().any(|(k, _)| *k == key) {
            return Err(fail(format!(
                "duplicate SVCB parameter \"{}\"",
                show(key_raw)
            )));
        }
        params.push((key, wire));
    }
    params.sort_by_key(|(k, _)| *k);
    let mut out = Vec::new();
    for (key, value) in params {
        let len = u16::try_from(value.len())
            .map_err(|_| Fail::new(0, "SVCB parameter value too long"))?;
        out.extend_from_slice(&key.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value);
    }
    Ok(out)
}

fn char_string(tok: &Token, out: &mut Vec<u8>, rtype: u16) -> Result<(), Fail> {
    let bytes = unescape(&tok.raw).map_err(|m| Fail::new(tok.line, m))?;
    if bytes.len() > 255 {
        return Err(Fail::new(
            tok.line,
            format!(
                "{} character-string longer than 255 bytes",
                type_name(rtype)
            ),
        ));
    }
    out.push(bytes.len() as u8);
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Concatenates the (unquoted, unescaped) text of the remaining tokens.
fn joined(tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let mut text = Vec::new();
    for t in tokens {
        text.extend(unescape(&t.raw).map_err(|m| Fail::new(t.line, m))?);
    }
    Ok(text)
}

/// RFC 3597 generic RDATA: `\# <length> <hex>...`.
fn generic_rdata(line: usize, tokens: &[Token]) -> Result<Vec<u8>, Fail> {
    let Some(len_tok) = tokens.first() else {
        return Err(Fail::new(line, "missing RDATA length after \\#"));
    };
    let len = parse_uint(len_tok, 65535, "RDATA length")? as usize;
    let rest = tokens.get(1..).unwrap_or_default();
    let hex = joined(rest)?;
    let first_line = rest.first().map_or(len_tok.line, |t| t.line);
    let bytes = decode_hex(&hex)
        .ok_or_else(|| Fail::new(first_line, format!("invalid hex \"{}\"", show(&hex))))?;
    if bytes.len() != len {
        return Err(Fail::new(
            len_tok.line,
            format!(
                "\\# RDATA length {len} does not match the {} bytes of hex data",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Encodes presentation-form RDATA to wire bytes.
fn encode_rdata(
    code: u16,
    line: usize,
    tokens: &[Token],
    origin: Option<&Labels>,
) -> Result<Vec<u8>, Fail> {
    let tname = type_name(code);
    let Some(fields) = rdata_fields(code) else {
        return Err(Fail::new(
            line,
            format!(
                "record type {tname} is only supported in the RFC 3597 generic form (\\# length hex)"
            ),
        ));
    };
    let mut out = Vec::new();
    let mut i = 0usize;
    for (fi, field) in fields.iter().enumerate() {
        let rest = tokens.get(i..).unwrap_or_default();
        match field {
            Field::Strs | Field::Hex | Field::Base64 | Field::TypeBitmap | Field::SvcParams => {
                i = tokens.len();
                let needs_one = matches!(field, Field::Strs | Field::Hex | Field::Base64);
                if needs_one && rest.is_empty() {
                    return Err(Fail::new(line, format!("{tname} record: missing RDATA")));
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
                                Fail::new(tl, format!("invalid hex \"{}\"", show(&text)))
                            })?
                        } else {
                            decode_base64(&text).ok_or_else(|| {
                                Fail::new(tl, format!("invalid base64 \"{}\"", show(&text)))
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
                            Fail::new(line, f.msg)
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
                format!(
                    "{tname} record: missing RDATA (expected {} fields, found {})",
                    fields.len(),
                    fi
                ),
            ));
        };
        i += 1;
        let fail = |msg: String| Fail::new(tok.line, msg);
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
                    .ok_or_else(|| fail(format!("invalid IPv4 address \"{}\"", tok.text())))?;
                out.extend(ip.octets());
            }
            Field::Ipv6 => {
                let t = text()?;
                let ip = std::str::from_utf8(&t)
                    .ok()
                    .and_then(|s| Ipv6Addr::from_str(s).ok())
                    .ok_or_else(|| fail(format!("invalid IPv6 address \"{}\"", tok.text())))?;
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
                        .ok_or_else(|| fail(format!("invalid NSEC3 salt \"{}\"", tok.text())))?
                };
                out.push(salt.len() as u8);
                out.extend(salt);
            }
            Field::Base32Hex => {
                let t = text()?;
                let hash = decode_base32hex(&t)
                    .filter(|h| !h.is_empty() && h.len() <= 255)
                    .ok_or_else(|| fail(format!("invalid base32hex \"{}\"", tok.text())))?;
                out.push(hash.len() as u8);
                out.extend(hash);
            }
            Field::CaaTag => {
                let t = text()?;
                if t.is_empty() || t.len() > 255 || !t.iter().all(u8::is_ascii_alphanumeric) {
                    return Err(fail(format!(
                        "invalid CAA tag \"{}\" (expected 1-255 ASCII letters or digits)",
                        tok.text()
                    )));
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
            format!(
                "unexpected extra token \"{}\" in {tname} record",
                extra.text()
            ),
        ));
    }
    Ok(out)
}

/// Wire RDATA to hickory `RData`.
fn make_rdata(code: u16, bytes: Vec<u8>, generic: bool, line: usize) -> Result<RData, Fail> {
    let tname = type_name(code);
    let len = u16::try_from(bytes.len()).map_err(|_| {
        Fail::new(
            line,
            format!("{tname} RDATA is {} bytes, more than 65535", bytes.len()),
        )
    })?;
    let rtype = RecordType::from(code);
    let mut decoder = BinDecoder::new(&bytes);
    match RData::read(&mut decoder, rtype, Restrict::new(len)) {
        Ok(rdata) => Ok(rdata),
        // Generic-form data for a type hickory knows must be valid for that type (RFC 3597 section 5).
        Err(e) if generic => Err(Fail::new(
            line,
            format!("invalid RDATA for type {tname} in \\# form: {e}"),
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

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser {
    limits: Limits,
    /// Canonical directory includes must stay under (None: includes are refused).
    root: Option<PathBuf>,
    total_bytes: u64,
    files: usize,
    entries: u64,
    records: Vec<Record>,
    /// `$TTL` (RFC 2308); persists across `$INCLUDE`, like BIND.
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_class: DNSClass,
    /// Canonical paths of the files being read, outermost first.
    include_stack: Vec<PathBuf>,
}

impl Parser {
    fn new(limits: &Limits, root: Option<PathBuf>) -> Parser {
        Parser {
            limits: limits.clone(),
            root,
            total_bytes: 0,
            files: 0,
            entries: 0,
            records: Vec::new(),
            default_ttl: None,
            last_ttl: None,
            last_class: DNSClass::IN,
            include_stack: Vec::new(),
        }
    }

    fn run(
        mut self,
        src: &[u8],
        file: &Path,
        origin: Option<&Name>,
    ) -> Result<Vec<Record>, ZoneError> {
        let origin = origin.map(|n| n.iter().map(<[u8]>::to_vec).collect::<Labels>());
        self.parse_text(src, file, origin, None)?;
        Ok(self.records)
    }

    /// Reads one regular file (canonical path) within the byte and file budgets, never blocking
    /// and never reading special files.
    fn read_file(&mut self, canonical: &Path) -> Result<Vec<u8>, String> {
        use std::io::Read;
        if FORBIDDEN_ROOTS.iter().any(|r| canonical.starts_with(r)) {
            return Err("refusing to read a special file (/proc, /sys, /dev)".to_string());
        }
        if self.files >= self.limits.max_files {
            return Err(format!(
                "too many files: more than {} zone and include files",
                self.limits.max_files
            ));
        }
        let meta = std::fs::metadata(canonical).map_err(|e| io_reason(&e))?;
        if !meta.is_file() {
            return Err("not a regular file".to_string());
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Never block on open, even if the file was swapped for a FIFO since the check.
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(canonical).map_err(|e| io_reason(&e))?;
        // The type of what was actually opened.
        if !file.metadata().map_err(|e| io_reason(&e))?.is_file() {
            return Err("not a regular file".to_string());
        }
        let budget = self.limits.max_total_bytes.saturating_sub(self.total_bytes);
        let mut bytes = Vec::new();
        file.take(budget.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io_reason(&e))?;
        self.total_bytes += bytes.len() as u64;
        if self.total_bytes > self.limits.max_total_bytes {
            return Err(format!(
                "zone too large: more than {} bytes across all files",
                self.limits.max_total_bytes
            ));
        }
        self.files += 1;
        Ok(bytes)
    }

    /// Parses one file's text. `$ORIGIN` and the current owner are local to the file: they are
    /// restored when an `$INCLUDE` returns (RFC 1035 section 5.1).
    fn parse_text(
        &mut self,
        src: &[u8],
        file: &Path,
        origin: Option<Labels>,
        owner: Option<Labels>,
    ) -> Result<(), ZoneError> {
        let mut lexer = Lexer::new(src);
        let mut origin = origin;
        let mut owner = owner;
        while let Some(entry) = lexer.next_entry().map_err(|f| f.at(file))? {
            self.entries += 1;
            if self.entries % 256 == 0 {
                if let Some(deadline) = self.limits.deadline {
                    if Instant::now() >= deadline {
                        return Err(Fail::new(
                            entry.line,
                            "timed out reading the zone (--timeout)",
                        )
                        .at(file));
                    }
                }
            }
            let Some(first) = entry.tokens.first() else {
                continue;
            };
            if !first.quoted && first.raw.first() == Some(&b'$') {
                self.directive(&entry, file, &mut origin, &owner)?;
            } else {
                self.record(&entry, &mut owner, origin.as_ref())
                    .map_err(|f| f.at(file))?;
            }
        }
        Ok(())
    }

    fn directive(
        &mut self,
        entry: &Entry,
        file: &Path,
        origin: &mut Option<Labels>,
        owner: &Option<Labels>,
    ) -> Result<(), ZoneError> {
        let tokens = &entry.tokens;
        let Some(dir) = tokens.first() else {
            return Ok(());
        };
        let args = tokens.get(1..).unwrap_or_default();
        let fail = |line: usize, msg: String| Fail::new(line, msg).at(file);
        let arg_count = |min: usize, max: usize| {
            if args.len() < min {
                Err(fail(
                    entry.line,
                    format!("{} needs an argument", dir.text()),
                ))
            } else if let Some(extra) = args.get(max) {
                Err(fail(
                    extra.line,
                    format!(
                        "unexpected extra token \"{}\" after {}",
                        extra.text(),
                        dir.text()
                    ),
                ))
            } else {
                Ok(())
            }
        };
        let name = dir.raw.to_ascii_uppercase();
        match name.as_slice() {
            b"$ORIGIN" => {
                arg_count(1, 1)?;
                if let Some(arg) = args.first() {
                    *origin = Some(parse_labels(arg, origin.as_ref()).map_err(|f| f.at(file))?);
                }
            }
            b"$TTL" => {
                arg_count(1, 1)?;
                if let Some(arg) = args.first() {
                    self.default_ttl = Some(parse_ttl(arg, MAX_TTL).map_err(|f| f.at(file))?);
                }
            }
            b"$INCLUDE" => {
                arg_count(1, 2)?;
                let Some(path_tok) = args.first() else {
                    return Ok(());
                };
                let inc_origin = match args.get(1) {
                    Some(t) => Some(parse_labels(t, origin.as_ref()).map_err(|f| f.at(file))?),
                    None => origin.clone(),
                };
                let raw = unescape(&path_tok.raw).map_err(|m| fail(path_tok.line, m))?;
                let shown = show(&raw);
                let rel = PathBuf::from(std::ffi::OsStr::from_bytes(&raw));
                let path = match file.parent() {
                    Some(dir) if rel.is_relative() => dir.join(&rel),
                    _ => rel,
                };
                let depth = self.include_stack.len();
                if depth > self.limits.max_depth {
                    return Err(fail(
                        path_tok.line,
                        format!(
                            "$INCLUDE nested more than {} levels deep",
                            self.limits.max_depth
                        ),
                    ));
                }
                let canonical = std::fs::canonicalize(&path).map_err(|e| {
                    fail(
                        path_tok.line,
                        format!("cannot read include file \"{shown}\": {}", io_reason(&e)),
                    )
                })?;
                let inside = self.root.as_ref().is_some_and(|r| canonical.starts_with(r));
                if !inside {
                    return Err(fail(
                        path_tok.line,
                        format!("$INCLUDE \"{shown}\" is outside the zone file's directory"),
                    ));
                }
                if self.include_stack.contains(&canonical) {
                    return Err(fail(
                        path_tok.line,
                        format!("$INCLUDE loop: \"{shown}\" is already being read"),
                    ));
                }
                let bytes = self.read_file(&canonical).map_err(|m| {
                    fail(
                        path_tok.line,
                        format!("cannot read include file \"{shown}\": {m}"),
                    )
                })?;
                self.include_stack.push(canonical);
                let result = self.parse_text(&bytes, &path, inc_origin, owner.clone());
                self.include_stack.pop();
                result?;
            }
            b"$GENERATE" => {
                return Err(fail(
                    entry.line,
                    "$GENERATE (a BIND extension) is not supported".to_string(),
                ));
            }
            _ => {
                return Err(fail(
                    entry.line,
                    format!("unknown directive \"{}\"", dir.text()),
                ));
            }
        }
        Ok(())
    }

    fn record(
        &mut self,
        entry: &Entry,
        owner: &mut Option<Labels>,
        origin: Option<&Labels>,
    ) -> Result<(), Fail> {
        let mut tokens = entry.tokens.as_slice();
        let owner_labels = if entry.blank_owner {
            owner.clone().ok_or_else(|| {
                Fail::new(
                    entry.line,
                    "record has a blank owner but there is no previous owner",
                )
            })?
        } else {
            let (first, rest) = tokens
                .split_first()
                .ok_or_else(|| Fail::new(entry.line, "empty record"))?;
            tokens = rest;
            parse_labels(first, origin)?
        };
        *owner = Some(owner_labels.clone());

        let mut ttl: Option<u32> = None;
        let mut class: Option<DNSClass> = None;
        while let Some((tok, rest)) = tokens.split_first() {
            if !tok.quoted && tok.raw.first().is_some_and(u8::is_ascii_digit) {
                if ttl.is_some() {
                    return Err(Fail::new(
                        tok.line,
                        format!("duplicate TTL \"{}\"", tok.text()),
                    ));
                }
                ttl = Some(parse_ttl(tok, MAX_TTL)?);
            } else if let Some(c) = parse_class(tok) {
                if class.is_some() {
                    return Err(Fail::new(
                        tok.line,
                        format!("duplicate class \"{}\"", tok.text()),
                    ));
                }
                class = Some(c?);
            } else {
                break;
            }
            tokens = rest;
        }
        let (type_tok, rdata_toks) = tokens
            .split_first()
            .ok_or_else(|| Fail::new(entry.line, "missing record type"))?;
        let code = parse_type(type_tok)?;

        let generic = rdata_toks.first().is_some_and(|t| t.is("\\#"));
        let bytes = if generic {
            generic_rdata(type_tok.line, rdata_toks.get(1..).unwrap_or_default())?
        } else {
            encode_rdata(code, entry.line, rdata_toks, origin)?
        };
        let rdata = make_rdata(code, bytes, generic, entry.line)?;

        let ttl = match ttl.or(self.default_ttl).or(self.last_ttl) {
            Some(t) => t,
            None => {
                return Err(Fail::new(
                    entry.line,
                    "no TTL given and no $TTL or previous TTL to default to",
                ))
            }
        };
        self.last_ttl = Some(ttl);
        let class = class.unwrap_or(self.last_class);
        self.last_class = class;

        let name = to_name(&owner_labels, entry.line)?;
        let mut record = Record::from_rdata(name, ttl, rdata);
        record.set_dns_class(class);
        self.records.push(record);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn name(s: &str) -> Name {
        Name::from_ascii(s).expect("test name")
    }

    fn parse(text: &str) -> Vec<Record> {
        match parse_zone_str(text, Path::new("test.zone"), Some(&name("example.com."))) {
            Ok(r) => r,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn parse_err(text: &str, origin: Option<&Name>) -> ZoneError {
        match parse_zone_str(text, Path::new("test.zone"), origin) {
            Ok(r) => panic!("expected an error, got {} records", r.len()),
            Err(e) => e,
        }
    }

    fn txt_strings(r: &Record) -> Vec<Vec<u8>> {
        match r.data() {
            Some(RData::TXT(t)) => t.txt_data().iter().map(|s| s.to_vec()).collect(),
            other => panic!("not TXT: {other:?}"),
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "zonefile-test-{}-{}-{}",
            std::process::id(),
            tag,
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    const ZONE: &str = r#"
$ORIGIN example.com.
$TTL 1h
; the apex
@   IN  SOA ns1.example.com. hostmaster.example.com. (
            2024010101 ; serial
            2h         ; refresh
            15M        ; retry
            1w         ; expire
            300 )      ; minimum
    IN  NS  ns1
    IN  NS  ns2.example.net.
    IN  MX  10 mail
    IN  MX  20 mail.backup.example.net.
    IN  A   192.0.2.1
    IN  AAAA 2001:db8::1
    IN  TXT "v=spf1 " "include:_spf.example.net -all"
    IN  CAA 0 issue "letsencrypt.org"
    IN  CAA 0 iodef "mailto:security@example.com"
ns1 300 IN A 192.0.2.53
www IN 600 CNAME @
_dmarc  TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
sel1._domainkey IN TXT ( "v=DKIM1; k=rsa; "
    "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5Qy1"
    "xZ3bq8b0l1m5Kq3d0ZQ4dXoQ1nqfZcwIDAQAB" )
_sip._tcp SRV 10 60 5060 sip.example.com.
mail A 192.0.2.25
"#;

    #[test]
    fn realistic_zone() {
        let records = parse(ZONE);
        assert_eq!(records.len(), 16);
        let soa = &records[0];
        assert_eq!(soa.name(), &name("example.com."));
        assert_eq!(soa.ttl(), 3600);
        match soa.data() {
            Some(RData::SOA(s)) => {
                assert_eq!(s.mname(), &name("ns1.example.com."));
                assert_eq!(s.rname(), &name("hostmaster.example.com."));
                assert_eq!(s.serial(), 2024010101);
                assert_eq!(s.refresh(), 7200);
                assert_eq!(s.retry(), 900);
                assert_eq!(s.expire(), 604800);
                assert_eq!(s.minimum(), 300);
            }
            other => panic!("not SOA: {other:?}"),
        }
        match records[1].data() {
            Some(RData::NS(ns)) => assert_eq!(ns.0, name("ns1.example.com.")),
            other => panic!("not NS: {other:?}"),
        }
        assert_eq!(records[1].name(), &name("example.com."));
        match records[3].data() {
            Some(RData::MX(mx)) => {
                assert_eq!(mx.preference(), 10);
                assert_eq!(mx.exchange(), &name("mail.example.com."));
            }
            other => panic!("not MX: {other:?}"),
        }
        assert_eq!(
            records[5].data(),
            Some(&RData::A("192.0.2.1".parse().expect("ip")))
        );
        assert_eq!(
            records[6].data(),
            Some(&RData::AAAA("2001:db8::1".parse().expect("ip")))
        );
        assert_eq!(
            txt_strings(&records[7]),
            vec![
                b"v=spf1 ".to_vec(),
                b"include:_spf.example.net -all".to_vec()
            ]
        );
        match records[8].data() {
            Some(RData::CAA(caa)) => {
                assert!(caa.tag().is_issue());
                assert!(!caa.issuer_critical());
            }
            other => panic!("not CAA: {other:?}"),
        }
        match records[9].data() {
            Some(RData::CAA(caa)) => assert!(caa.tag().is_iodef()),
            other => panic!("not CAA: {other:?}"),
        }
        assert_eq!(records[10].name(), &name("ns1.example.com."));
        assert_eq!(records[10].ttl(), 300);
        assert_eq!(records[11].ttl(), 600);
        match records[11].data() {
            Some(RData::CNAME(c)) => assert_eq!(c.0, name("example.com.")),
            other => panic!("not CNAME: {other:?}"),
        }
        assert_eq!(records[12].name(), &name("_dmarc.example.com."));
        assert_eq!(records[12].ttl(), 3600);
        assert_eq!(records[13].name(), &name("sel1._domainkey.example.com."));
        let dkim = txt_strings(&records[13]);
        assert_eq!(dkim.len(), 3);
        assert!(dkim[1].starts_with(b"p=MIIB"));
        match records[14].data() {
            Some(RData::SRV(srv)) => {
                assert_eq!((srv.priority(), srv.weight(), srv.port()), (10, 60, 5060));
                assert_eq!(srv.target(), &name("sip.example.com."));
            }
            other => panic!("not SRV: {other:?}"),
        }
        assert_eq!(records[14].name(), &name("_sip._tcp.example.com."));
        assert!(records.iter().all(|r| r.dns_class() == DNSClass::IN));
    }

    #[test]
    fn origin_and_ttl_change_midway() {
        let records = parse(
            "$TTL 300\n\
             a A 192.0.2.1\n\
             $ORIGIN sub.example.com.\n\
             $TTL 2d\n\
             b A 192.0.2.2\n\
             c 60 A 192.0.2.3\n\
             $ORIGIN deeper\n\
             d A 192.0.2.4\n",
        );
        assert_eq!(records[0].name(), &name("a.example.com."));
        assert_eq!(records[0].ttl(), 300);
        assert_eq!(records[1].name(), &name("b.sub.example.com."));
        assert_eq!(records[1].ttl(), 172800);
        assert_eq!(records[2].ttl(), 60);
        assert_eq!(records[3].name(), &name("d.deeper.sub.example.com."));
        assert_eq!(records[3].ttl(), 172800);
    }

    #[test]
    fn previous_ttl_is_default_without_dollar_ttl() {
        let records = parse("a 120 A 192.0.2.1\nb A 192.0.2.2\nc IN 1W30m A 192.0.2.3\n");
        assert_eq!(records[1].ttl(), 120);
        assert_eq!(records[2].ttl(), 604800 + 1800);
    }

    #[test]
    fn at_and_blank_owners() {
        let records = parse(
            "$TTL 60\n@ A 192.0.2.1\n  AAAA ::1\nwww A 192.0.2.2\n\tTXT hello\n\n; c\n  MX 5 @\n",
        );
        assert_eq!(records[0].name(), &name("example.com."));
        assert_eq!(records[1].name(), &name("example.com."));
        assert_eq!(records[2].name(), &name("www.example.com."));
        assert_eq!(records[3].name(), &name("www.example.com."));
        assert_eq!(records[4].name(), &name("www.example.com."));
        assert_eq!(txt_strings(&records[3]), vec![b"hello".to_vec()]);
    }

    #[test]
    fn escaped_owner_names() {
        let records = parse(
            "$TTL 60\nfoo\\032bar A 192.0.2.1\na\\.b.example.com. A 192.0.2.2\nX\\\\y A 192.0.2.3\n",
        );
        let labels: Vec<&[u8]> = records[0].name().iter().collect();
        assert_eq!(labels, vec![&b"foo bar"[..], b"example", b"com"]);
        let labels: Vec<&[u8]> = records[1].name().iter().collect();
        assert_eq!(labels, vec![&b"a.b"[..], b"example", b"com"]);
        assert_eq!(records[1].name().num_labels(), 3);
        assert_ne!(records[1].name(), &name("a.b.example.com."));
        let labels: Vec<&[u8]> = records[2].name().iter().collect();
        assert_eq!(labels[0], b"X\\y");
    }

    #[test]
    fn colon_slash_underscore_star_in_labels() {
        let records = parse(
            "$TTL 60\n\
             a:b/24._spf TXT x\n\
             *.wild A 192.0.2.9\n\
             c CNAME %{i}._ip.%{h}._ehlo.%{d}._spf\n",
        );
        let labels: Vec<&[u8]> = records[0].name().iter().collect();
        assert_eq!(labels, vec![&b"a:b/24"[..], b"_spf", b"example", b"com"]);
        assert!(records[1].name().is_wildcard());
        match records[2].data() {
            Some(RData::CNAME(c)) => {
                let l: Vec<&[u8]> = c.0.iter().collect();
                assert_eq!(l[0], b"%{i}");
                assert_eq!(c.0.num_labels(), 8);
            }
            other => panic!("not CNAME: {other:?}"),
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        let records = parse("$TTL 60\nWWW.Example.COM. A 192.0.2.1\n");
        assert_eq!(records[0].name(), &name("www.example.com."));
        assert_eq!(records[0].name().to_string(), "WWW.Example.COM.");
    }

    #[test]
    fn txt_escapes_and_comments() {
        let records = parse(
            "$TTL 60\nt TXT \"a\\\"b\\\\c\\065\" ; a comment with \"quotes\"\n\
             u TXT \"semi;colon (paren)\" unquoted\\032word \"\"\n",
        );
        assert_eq!(txt_strings(&records[0]), vec![b"a\"b\\cA".to_vec()]);
        assert_eq!(
            txt_strings(&records[1]),
            vec![
                b"semi;colon (paren)".to_vec(),
                b"unquoted word".to_vec(),
                Vec::new()
            ]
        );
    }

    #[test]
    fn generic_rdata() {
        let records = parse(
            "$TTL 60\n\
             a TYPE99 \\# 3 abcdef\n\
             b TYPE1 \\# 4 7f000001\n\
             c TYPE65280 \\# 0\n\
             d A \\# 4 7f 00 00 02\n\
             e TYPE16 \\# 4 03 61 62 63\n",
        );
        match records[0].data() {
            Some(RData::Unknown { code, rdata }) => {
                assert_eq!(u16::from(*code), 99);
                assert_eq!(rdata.anything(), &[0xab, 0xcd, 0xef]);
            }
            other => panic!("not unknown: {other:?}"),
        }
        assert_eq!(u16::from(records[0].record_type()), 99);
        assert_eq!(records[1].record_type(), RecordType::A);
        assert_eq!(
            records[1].data(),
            Some(&RData::A("127.0.0.1".parse().expect("ip")))
        );
        assert_eq!(u16::from(records[2].record_type()), 65280);
        assert_eq!(
            records[3].data(),
            Some(&RData::A("127.0.0.2".parse().expect("ip")))
        );
        assert_eq!(txt_strings(&records[4]), vec![b"abc".to_vec()]);
    }

    #[test]
    fn generic_rdata_errors() {
        let e = parse_err("$TTL 60\na.example. TYPE99 \\# 4 abcdef\n", None);
        assert_eq!(e.line, 2);
        assert!(e.message.contains("does not match"), "{e}");
        let e = parse_err("$TTL 60\na.example. TYPE1 \\# 3 7f0000\n", None);
        assert_eq!(e.line, 2);
        assert!(e.message.contains("invalid RDATA for type A"), "{e}");
        let e = parse_err("$TTL 60\na.example. TYPE1 \\# 2 7f0\n", None);
        assert!(e.message.contains("invalid hex"), "{e}");
    }

    #[test]
    fn spf_and_other_types() {
        let records = parse(
            "$TTL 60\n\
             @ SPF \"v=spf1 -all\"\n\
             @ PTR host.example.net.\n\
             @ HINFO \"PC\" Linux\n\
             @ NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n\
             @ TLSA 3 1 1 0123456789abcdef 0123456789ABCDEF\n\
             @ SSHFP 4 2 abcd\n\
             @ DS 12345 13 2 ABCDEF01\n\
             @ DNSKEY 257 3 13 AQID BAU=\n\
             @ HTTPS 1 . alpn=\"h3,h2\" ipv4hint=192.0.2.1,192.0.2.2 port=443\n\
             @ NSEC next.example.com. A NS SOA RRSIG NSEC TYPE65280\n\
             @ RRSIG A 13 2 3600 20240201000000 20240101000000 12345 example.com. AQID\n\
             @ URI 10 1 \"https://example.com/\"\n\
             @ CAA 128 tbs \"Unknown\"\n",
        );
        assert_eq!(records.len(), 13);
        match records[0].data() {
            Some(RData::Unknown { code, rdata }) => {
                assert_eq!(u16::from(*code), 99);
                assert_eq!(rdata.anything(), b"\x0bv=spf1 -all");
            }
            other => panic!("not SPF: {other:?}"),
        }
        assert_eq!(records[1].record_type(), RecordType::PTR);
        assert_eq!(records[2].record_type(), RecordType::HINFO);
        assert_eq!(records[3].record_type(), RecordType::NAPTR);
        match records[4].data() {
            Some(RData::TLSA(t)) => assert_eq!(t.cert_data().len(), 16),
            other => panic!("not TLSA: {other:?}"),
        }
        assert_eq!(records[5].record_type(), RecordType::SSHFP);
        assert_eq!(records[6].record_type(), RecordType::DS);
        match records[7].data() {
            Some(RData::Unknown { rdata, .. }) => {
                assert_eq!(rdata.anything(), &[1, 1, 3, 13, 1, 2, 3, 4, 5]);
            }
            other => panic!("not DNSKEY bytes: {other:?}"),
        }
        assert_eq!(records[8].record_type(), RecordType::HTTPS);
        assert!(
            matches!(records[8].data(), Some(RData::HTTPS(_))),
            "{:?}",
            records[8].data()
        );
        match records[9].data() {
            Some(RData::Unknown { rdata, .. }) => {
                let d = rdata.anything();
                // next name (5 + 8 + 4 + 1 = 18 bytes), window 0: A NS SOA RRSIG NSEC, window 255
                assert_eq!(&d[18..], &[0, 6, 0x62, 0, 0, 0, 0, 0x03, 255, 1, 0x80]);
            }
            other => panic!("not NSEC: {other:?}"),
        }
        match records[10].data() {
            Some(RData::Unknown { rdata, .. }) => {
                let d = rdata.anything();
                // 2024-02-01T00:00:00Z = 1706745600
                assert_eq!(&d[8..12], &1_706_745_600u32.to_be_bytes());
            }
            other => panic!("not RRSIG: {other:?}"),
        }
        assert_eq!(u16::from(records[11].record_type()), 256);
        assert_eq!(records[12].record_type(), RecordType::CAA);
    }

    #[test]
    fn classes_and_ttl_order() {
        let records = parse(
            "a IN 60 A 192.0.2.1\nb 60 IN A 192.0.2.2\nc CH 60 TXT x\nd CLASS1 A 192.0.2.4\n",
        );
        assert_eq!(records[0].ttl(), 60);
        assert_eq!(records[1].ttl(), 60);
        assert_eq!(records[2].dns_class(), DNSClass::CH);
        assert_eq!(records[3].dns_class(), DNSClass::IN);
    }

    #[test]
    fn include_with_origin() {
        let dir = temp_dir("inc");
        let inc = dir.join("hosts.inc");
        std::fs::write(
            &inc,
            "www A 192.0.2.80\n@ TXT \"included\"\n$ORIGIN elsewhere.test.\nx A 192.0.2.81\n",
        )
        .expect("write");
        let main = dir.join("main.zone");
        let text = "$ORIGIN example.com.\n$TTL 60\n$INCLUDE hosts.inc sub\nafter A 192.0.2.99\n  TXT \"same owner\"\n";
        std::fs::write(&main, text).expect("write");
        let records = parse_zone_file(&main, None).expect("parse");
        assert_eq!(records.len(), 5);
        assert_eq!(records[0].name(), &name("www.sub.example.com."));
        assert_eq!(records[1].name(), &name("sub.example.com."));
        assert_eq!(records[2].name(), &name("x.elsewhere.test."));
        // The origin is restored after the include (RFC 1035 section 5.1).
        assert_eq!(records[3].name(), &name("after.example.com."));
        assert_eq!(records[4].name(), &name("after.example.com."));
        // parse_zone_str resolves relative to `file`'s directory too.
        let records = parse_zone_str(text, &main, None).expect("parse");
        assert_eq!(records.len(), 5);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn include_errors() {
        let dir = temp_dir("loop");
        let a = dir.join("a.zone");
        let b = dir.join("b.zone");
        std::fs::write(&a, "$TTL 60\nx.test. A 192.0.2.1\n$INCLUDE b.zone\n").expect("write");
        std::fs::write(&b, "y.test. A 192.0.2.2\n\n$INCLUDE \"a.zone\"\n").expect("write");
        let e = parse_zone_file(&a, None).expect_err("loop");
        assert_eq!(e.file, dir.join("b.zone"));
        assert_eq!(e.line, 3);
        assert!(e.message.starts_with("$INCLUDE loop"), "{e}");

        let e = parse_zone_str("$INCLUDE missing.inc\n", &a, None).expect_err("missing");
        assert_eq!(e.line, 1);
        assert!(
            e.message
                .starts_with("cannot read include file \"missing.inc\": "),
            "{e}"
        );

        // A chain deeper than 8 files.
        for i in 0..20 {
            std::fs::write(
                dir.join(format!("d{i}.zone")),
                format!("$INCLUDE d{}.zone\n", i + 1),
            )
            .expect("write");
        }
        let e = parse_zone_file(&dir.join("d0.zone"), None).expect_err("deep");
        assert!(e.message.contains("nested more than 8"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn deadline_covers_parsing() {
        let dir = temp_dir("deadline");
        let zone = dir.join("big.zone");
        let mut text = String::from("$ORIGIN example.com.\n$TTL 60\n");
        for i in 0..1000 {
            text.push_str(&format!("h{i} A 192.0.2.1\n"));
        }
        std::fs::write(&zone, text).expect("write");
        let limits = Limits {
            deadline: Some(Instant::now()),
            ..Limits::default()
        };
        let e = parse_zone_file_with(&zone, None, &limits).expect_err("timed out");
        assert!(e.message.contains("timed out"), "{e}");
        assert_eq!(parse_zone_file(&zone, None).expect("parse").len(), 1000);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn error_lines() {
        let origin = name("example.com.");
        let o = Some(&origin);

        let e = parse_err("$TTL 60\n\nwww IN AAA ::1\n", o);
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "unknown record type \"AAA\"")
        );
        assert_eq!(e.to_string(), "test.zone:3: unknown record type \"AAA\"");

        let e = parse_err("$TTL 60\nwww A 1.2.3\n", o);
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "invalid IPv4 address \"1.2.3\"")
        );

        let e = parse_err("$TTL 60\na TXT \"ok\"\nb TXT \"never closed\n", o);
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "unterminated quoted string")
        );

        let e = parse_err("\n\nwww A 192.0.2.1\n", o);
        assert_eq!(e.line, 3);
        assert!(e.message.contains("no TTL"), "{e}");

        let e = parse_err("$TTL 60\n@ SOA ns hm (\n 1 2 3 4 5\n\nwww A 192.0.2.1\n", o);
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unbalanced parenthesis"), "{e}");

        let e = parse_err("$TTL 60\nwww A 192.0.2.1 )\n", o);
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unbalanced parenthesis"), "{e}");

        let e = parse_err(
            "$TTL 60\nwww.example.com. A 192.0.2.1\nmail A 192.0.2.2\n",
            None,
        );
        assert_eq!(e.line, 3);
        assert!(e.message.contains("relative name \"mail\""), "{e}");

        let e = parse_err("$TTL 60\n@ A 192.0.2.1\n", None);
        assert_eq!(e.line, 2);

        let long = "x".repeat(256);
        let e = parse_err(&format!("$TTL 60\nt TXT \"ok\" \"{long}\"\n"), o);
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "TXT character-string longer than 255 bytes")
        );

        let e = parse_err(&format!("$TTL 60\n{} A 192.0.2.1\n", "y".repeat(64)), o);
        assert!(e.message.contains("label longer than 63"), "{e}");
        let long_name = vec!["abcdefghij"; 25].join(".");
        let e = parse_err(&format!("$TTL 60\n{long_name} A 192.0.2.1\n"), o);
        assert!(e.message.contains("longer than 255"), "{e}");

        // The offending token's line inside a multi-line record.
        let e = parse_err("$TTL 60\n@ SOA ns hm (\n 1 2h\n 3x 4 5 )\n", o);
        assert_eq!((e.line, e.message.as_str()), (4, "invalid TTL \"3x\""));

        let e = parse_err("$TTL 60\n  A 192.0.2.1\n", o);
        assert!(e.message.contains("blank owner"), "{e}");
        let e = parse_err("$TTL 60\nwww\n", o);
        assert_eq!((e.line, e.message.as_str()), (2, "missing record type"));
        let e = parse_err("$TTL 60\nwww MX 10\n", o);
        assert!(e.message.contains("missing RDATA"), "{e}");
        let e = parse_err("$TTL 60\nwww A 192.0.2.1 192.0.2.2\n", o);
        assert!(e.message.contains("unexpected extra token"), "{e}");
        let e = parse_err("$TTL 60\nwww CAA 256 issue \"x\"\n", o);
        assert!(e.message.contains("8-bit"), "{e}");
        let e = parse_err("$TTL 60\nwww CAA 0 is-sue \"x\"\n", o);
        assert!(e.message.contains("invalid CAA tag"), "{e}");
        let e = parse_err("$TTL 60\nwww TXT \"\\256\"\n", o);
        assert!(e.message.contains("invalid decimal escape"), "{e}");
        let e = parse_err("$TTL 4294967295\n", o);
        assert!(e.message.contains("out of range"), "{e}");
        let e = parse_err("$TTL 60\nwww WKS 1 2\n", o);
        assert!(e.message.contains("generic form"), "{e}");
        let e = parse_err("$TTL 60\nwww AXFR 1 2\n", o);
        assert!(e.message.contains("cannot appear"), "{e}");
        let e = parse_err("$FOO bar\n", o);
        assert!(e.message.contains("unknown directive"), "{e}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "\\",
            "\"",
            "(",
            ")",
            "$TTL",
            "$INCLUDE",
            "@",
            "a\\",
            "a \\#",
            "a A \\# 99999",
            "a A \\# x",
            "$ORIGIN .\na 1 TXT",
            "a 1 HTTPS 1 . alpn=",
            "a 1 HTTPS 1 . alpn=\"\"",
            "a 1 HTTPS 1 . mandatory=foo",
            "a 1 RRSIG A 1 1 1 20241301000000 1 1 . AA",
            "a 1 NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A",
            "a 1 NSEC3PARAM 1 0 0 zz",
            "a 1 DNSKEY 1 1 1 ====",
            "a 1 CAA 0 issue",
            "a 1 A 1.2.3.4 ; (",
            "\u{feff}a 1 A 1.2.3.4",
            "a 1 TXT \"x\\\ny\"",
            "a 1 TYPE65535 \\# 0",
            "a 1 CLASS99999 A 1.1.1.1",
            "a 99999999999999999999 A 1.1.1.1",
            "a 1h99999999999999999w A 1.1.1.1",
        ];
        for input in inputs {
            let _ = parse_zone_str(input, Path::new("x"), Some(&name("example.")));
            let _ = parse_zone_str(input, Path::new("x"), None);
        }
    }
}
