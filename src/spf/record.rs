//! SPF record syntax: RFC 7208 §4.5 (selection), §4.6.1 (terms), §5 (mechanisms), §6
//! (modifiers), §7.1 (macro strings) and the ABNF of §12. The whole record is parsed before
//! anything is evaluated (§4.6: "If there are any syntax errors anywhere in the record,
//! check_host() returns immediately with the result permerror"), and every error names the
//! term and what is wrong with it.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// §4.6.2: the qualifier of a directive and the result it gives when the mechanism matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// One piece of a macro-string (§7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text, copied as is.
    Literal(String),
    /// `%%`, `%_` or `%-`: a macro-expand that stands for `%`, a space or `%20`.
    Escape(&'static str),
    Macro(Macro),
}

/// `%{` macro-letter transformers *delimiter `}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    /// Lower-case letter: s l o d i p h c r t v.
    pub letter: char,
    /// An upper-case letter asks for URL escaping of the value (§7.3).
    pub url_escape: bool,
    /// Keep this many right-hand parts (nonzero).
    pub keep: Option<usize>,
    pub reverse: bool,
    /// Split on these characters (default `.`).
    pub delimiters: String,
}

/// A parsed macro-string: a domain-spec, an explanation string or an unknown modifier's value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MacroString {
    pub pieces: Vec<Piece>,
}

impl MacroString {
    /// True when the string contains a `%{…}` macro (so its value depends on the message).
    pub fn has_macros(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Macro(_)))
    }

    pub fn uses(&self, letter: char) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Macro(m) if m.letter == letter))
    }

    /// The literal text when the string has no macro at all.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(l) => s.push_str(l),
                Piece::Escape(e) => s.push_str(e),
                Piece::Macro(_) => return None,
            }
        }
        Some(s)
    }
}

/// §5: the mechanisms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include(MacroString),
    A {
        domain: Option<MacroString>,
        v4: u8,
        v6: u8,
    },
    Mx {
        domain: Option<MacroString>,
        v4: u8,
        v6: u8,
    },
    Ptr(Option<MacroString>),
    Ip4 {
        net: Ipv4Addr,
        len: u8,
    },
    Ip6 {
        net: Ipv6Addr,
        len: u8,
    },
    Exists(MacroString),
}

impl Mechanism {
    /// §4.6.4: the terms that cause DNS queries and count toward the limit of 10.
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

/// A qualifier and a mechanism, with the text it was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub qualifier: Qualifier,
    pub mechanism: Mechanism,
    pub text: String,
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub directives: Vec<Directive>,
    /// `redirect=` (§6.1) and its text.
    pub redirect: Option<(MacroString, String)>,
    /// `exp=` (§6.2).
    pub exp: Option<MacroString>,
    /// Unknown modifiers (§6: ignored, but they must be well-formed).
    pub unknown: Vec<(String, String)>,
}

impl Record {
    /// Terms that cause DNS lookups in this record alone (directives plus `redirect`).
    pub fn lookup_terms(&self) -> usize {
        self.directives
            .iter()
            .filter(|d| d.mechanism.queries_dns())
            .count()
            + usize::from(self.redirect.is_some())
    }

    /// The `all` directive, if any.
    pub fn all(&self) -> Option<&Directive> {
        self.directives
            .iter()
            .find(|d| d.mechanism == Mechanism::All)
    }
}

/// A syntax error: which term, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The offending term as written (empty for record-level errors).
    pub term: String,
    pub kind: SyntaxKind,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.term.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "`{}`: {}", self.term, self.kind)
        }
    }
}

impl std::error::Error for SyntaxError {}

/// What is wrong with an SPF record or one of its terms (RFC 7208 §4.6, §5, §6, §7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxKind {
    #[error("not an SPF record: it must start with `v=spf1` followed by a space")]
    NotSpf,
    #[error("record is {0} bytes long (more than {MAX_RECORD_LEN})")]
    TooLong(usize),
    #[error("{} 0x{byte:02X} at offset {offset}", if *.byte >= 0x80 { "a non-ASCII byte (SPF records are 7-bit ASCII)" } else { "a control character (terms are separated by spaces only)" })]
    BadByte { byte: u8, offset: usize },
    #[error("`{0}` appears more than once (§6)")]
    DuplicateModifier(&'static str),
    #[error("unknown modifier `{name}`: {error}")]
    UnknownModifier { name: String, error: MacroError },
    #[error("modifier without a name")]
    ModifierWithoutName,
    #[error("`all` takes no argument")]
    AllWithArgument,
    #[error("`{0}` needs `:domain`")]
    NeedsDomain(String),
    #[error("expected `:domain` or `/prefix` after `{0}`")]
    ExpectedDomainOrPrefix(String),
    #[error("`ptr` takes `:domain` and no prefix length")]
    PtrArguments,
    #[error("`{0}` needs `:address`")]
    NeedsAddress(&'static str),
    #[error("`{0}` is not a whole IPv4 address (four decimal parts, no leading zeros)")]
    NotIpv4(String),
    #[error("`{0}` is not an IPv6 address")]
    NotIpv6(String),
    #[error("`{0}` is a modifier: write `{0}=domain`")]
    ModifierAsMechanism(String),
    #[error("a qualifier without a mechanism")]
    QualifierWithoutMechanism,
    #[error("unknown mechanism `{0}` (all, include, a, mx, ptr, ip4, ip6, exists)")]
    UnknownMechanism(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Cidr(#[from] CidrError),
}

/// A prefix length that is not one (§5.6 `ip4-cidr-length`, `ip6-cidr-length`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("`/{0}` is not a prefix length")]
    NotAPrefix(String),
    #[error("prefix length `/{0}` has a leading zero")]
    LeadingZero(String),
    #[error("prefix length /{len} is larger than {max}")]
    TooLarge { len: String, max: u8 },
}

/// A `domain-spec` that is not one (§7.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("empty domain")]
    Empty,
    #[error("`{0}` is not a domain: it must end in a dot and a top-level label, or in a macro")]
    NoTopLabel(String),
    #[error("`{spec}` is not a domain: `{top}` is not a valid top-level label{}", if *.numeric { " (an all-numeric top-level label: an IP address belongs in ip4:)" } else { "" })]
    BadTopLabel {
        spec: String,
        top: String,
        numeric: bool,
    },
    #[error(transparent)]
    Macro(#[from] MacroError),
}

/// A macro-string that is not one (§7.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacroError {
    #[error("character {0:?} is not allowed in a macro-string")]
    BadCharacter(char),
    #[error("unterminated macro `%{{{0}`")]
    Unterminated(String),
    #[error("`%{0}`: a `%` must be followed by `{{`, `%`, `_` or `-` (write `%%` for a literal percent)")]
    BadPercent(char),
    #[error("a `%` at the end: write `%%` for a literal percent")]
    PercentAtEnd,
    #[error("empty macro `%{{}}`")]
    Empty,
    #[error("macro `%{{{body}}}`: `{letter}` is allowed only in explanation text (§7.2)")]
    ExplanationOnly { body: String, letter: char },
    #[error("macro `%{{{body}}}`: unknown macro letter `{letter}`")]
    UnknownLetter { body: String, letter: char },
    #[error("macro `%{{{0}}}`: the number of parts must not be zero")]
    ZeroParts(String),
    #[error("macro `%{{{body}}}`: `{delimiter}` is not a delimiter (. - + , / _ =)")]
    BadDelimiter { body: String, delimiter: char },
}

fn err(term: &str, kind: impl Into<SyntaxKind>) -> SyntaxError {
    SyntaxError {
        term: term.to_string(),
        kind: kind.into(),
    }
}

/// §4.5: a TXT record is an SPF record when it starts with `v=spf1` (any case) followed by a
/// space or the end of the record.
pub fn is_spf_record(txt: &[u8]) -> bool {
    txt.len() >= 6 && txt[..6].eq_ignore_ascii_case(b"v=spf1") && (txt.len() == 6 || txt[6] == b' ')
}

/// The longest record we parse; anything longer is rejected, not evaluated.
pub const MAX_RECORD_LEN: usize = 4096;

/// Parses a whole SPF record (the character-strings of one TXT record, concatenated).
pub fn parse(txt: &[u8]) -> Result<Record, SyntaxError> {
    if !is_spf_record(txt) {
        return Err(err("", SyntaxKind::NotSpf));
    }
    if txt.len() > MAX_RECORD_LEN {
        return Err(err("", SyntaxKind::TooLong(txt.len())));
    }
    // §3.1 and §4.6.1: 7-bit ASCII, terms separated by spaces only.
    if let Some((i, b)) = txt
        .iter()
        .enumerate()
        .find(|(_, b)| !(0x20..=0x7e).contains(*b))
    {
        return Err(err(
            "",
            SyntaxKind::BadByte {
                byte: *b,
                offset: i,
            },
        ));
    }
    // Checked above: all printable ASCII.
    let text = String::from_utf8_lossy(&txt[6..]).into_owned();
    let mut record = Record::default();
    for term in text.split(' ').filter(|t| !t.is_empty()) {
        parse_term(term, &mut record)?;
    }
    Ok(record)
}

/// `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`: the length of a modifier name at the
/// start of `s`, when `s` is a modifier (`name=`).
fn modifier_name_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        .count();
    (b.get(n) == Some(&b'=')).then_some(n)
}

fn parse_term(term: &str, record: &mut Record) -> Result<(), SyntaxError> {
    if let Some(n) = modifier_name_len(term) {
        let name = term[..n].to_ascii_lowercase();
        let value = &term[n + 1..];
        match name.as_str() {
            "redirect" => {
                if record.redirect.is_some() {
                    return Err(err(term, SyntaxKind::DuplicateModifier("redirect")));
                }
                let spec = parse_domain_spec(value, false).map_err(|m| err(term, m))?;
                record.redirect = Some((spec, term.to_string()));
            }
            "exp" => {
                if record.exp.is_some() {
                    return Err(err(term, SyntaxKind::DuplicateModifier("exp")));
                }
                let spec = parse_domain_spec(value, false).map_err(|m| err(term, m))?;
                record.exp = Some(spec);
            }
            _ => {
                if let Err(error) = parse_macro_string(value, true, false) {
                    return Err(err(term, SyntaxKind::UnknownModifier { name, error }));
                }
                record.unknown.push((name, value.to_string()));
            }
        }
        return Ok(());
    }
    if term.starts_with('=') {
        return Err(err(term, SyntaxKind::ModifierWithoutName));
    }
    let (qualifier, rest) = match term.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &term[1..]),
        b'-' => (Qualifier::Fail, &term[1..]),
        b'~' => (Qualifier::SoftFail, &term[1..]),
        b'?' => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let name_len = rest.find([':', '/']).unwrap_or(rest.len());
    let name = rest[..name_len].to_ascii_lowercase();
    let args = &rest[name_len..];
    let mechanism = match name.as_str() {
        "all" => {
            if !args.is_empty() {
                return Err(err(term, SyntaxKind::AllWithArgument));
            }
            Mechanism::All
        }
        "include" | "exists" => {
            let spec = args
                .strip_prefix(':')
                .ok_or_else(|| err(term, SyntaxKind::NeedsDomain(name.clone())))?;
            let spec = parse_domain_spec(spec, false).map_err(|m| err(term, m))?;
            if name == "include" {
                Mechanism::Include(spec)
            } else {
                Mechanism::Exists(spec)
            }
        }
        "a" | "mx" => {
            let (spec, v4, v6) = split_dual_cidr(args).map_err(|m| err(term, m))?;
            let domain = match spec {
                "" => None,
                s => {
                    let s = s.strip_prefix(':').ok_or_else(|| {
                        err(term, SyntaxKind::ExpectedDomainOrPrefix(name.clone()))
                    })?;
                    Some(parse_domain_spec(s, false).map_err(|m| err(term, m))?)
                }
            };
            let (v4, v6) = (v4.unwrap_or(32), v6.unwrap_or(128));
            if name == "a" {
                Mechanism::A { domain, v4, v6 }
            } else {
                Mechanism::Mx { domain, v4, v6 }
            }
        }
        "ptr" => match args {
            "" => Mechanism::Ptr(None),
            s => {
                let s = s
                    .strip_prefix(':')
                    .ok_or_else(|| err(term, SyntaxKind::PtrArguments))?;
                Mechanism::Ptr(Some(parse_domain_spec(s, false).map_err(|m| err(term, m))?))
            }
        },
        "ip4" => {
            let s = args
                .strip_prefix(':')
                .ok_or_else(|| err(term, SyntaxKind::NeedsAddress("ip4")))?;
            let (addr, len) = match s.split_once('/') {
                Some((a, l)) => (a, Some(parse_cidr(l, 32).map_err(|m| err(term, m))?)),
                None => (s, None),
            };
            let net: Ipv4Addr = addr
                .parse()
                .map_err(|_| err(term, SyntaxKind::NotIpv4(addr.to_string())))?;
            Mechanism::Ip4 {
                net,
                len: len.unwrap_or(32),
            }
        }
        "ip6" => {
            let s = args
                .strip_prefix(':')
                .ok_or_else(|| err(term, SyntaxKind::NeedsAddress("ip6")))?;
            let (addr, len) = match s.split_once('/') {
                Some((a, l)) => (a, Some(parse_cidr(l, 128).map_err(|m| err(term, m))?)),
                None => (s, None),
            };
            let net: Ipv6Addr = addr
                .parse()
                .map_err(|_| err(term, SyntaxKind::NotIpv6(addr.to_string())))?;
            Mechanism::Ip6 {
                net,
                len: len.unwrap_or(128),
            }
        }
        "redirect" | "exp" => return Err(err(term, SyntaxKind::ModifierAsMechanism(name.clone()))),
        "" => return Err(err(term, SyntaxKind::QualifierWithoutMechanism)),
        other => return Err(err(term, SyntaxKind::UnknownMechanism(other.to_string()))),
    };
    record.directives.push(Directive {
        qualifier,
        mechanism,
        text: term.to_string(),
    });
    Ok(())
}

/// `1*DIGIT` without leading zeros, at most `max`.
fn parse_cidr(s: &str, max: u8) -> Result<u8, CidrError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CidrError::NotAPrefix(s.to_string()));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(CidrError::LeadingZero(s.to_string()));
    }
    match s.parse::<u16>() {
        Ok(n) if n <= u16::from(max) => Ok(n as u8),
        _ => Err(CidrError::TooLarge {
            len: s.to_string(),
            max,
        }),
    }
}

/// Splits `[":" domain-spec] [dual-cidr-length]` from the right:
/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]`.
fn split_dual_cidr(s: &str) -> Result<(&str, Option<u8>, Option<u8>), CidrError> {
    let mut rest = s;
    let mut v6 = None;
    let mut v4 = None;
    if let Some(i) = rest.rfind("//") {
        let digits = &rest[i + 2..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            v6 = Some(parse_cidr(digits, 128)?);
            rest = &rest[..i];
        }
    }
    if let Some(i) = rest.rfind('/') {
        let digits = &rest[i + 1..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            v4 = Some(parse_cidr(digits, 32)?);
            rest = &rest[..i];
        } else if !rest.starts_with(':') {
            return Err(CidrError::NotAPrefix(rest[i + 1..].to_string()));
        }
    }
    Ok((rest, v4, v6))
}

/// §7.1: `domain-spec = macro-string domain-end`,
/// `domain-end = ( "." toplabel [ "." ] ) / macro-expand`.
pub fn parse_domain_spec(s: &str, exp_letters: bool) -> Result<MacroString, DomainError> {
    if s.is_empty() {
        return Err(DomainError::Empty);
    }
    let ms = parse_macro_string(s, exp_letters, false)?;
    match ms.pieces.last() {
        Some(Piece::Macro(_) | Piece::Escape(_)) => Ok(ms),
        Some(Piece::Literal(lit)) => {
            let body = lit.strip_suffix('.').unwrap_or(lit);
            let Some((_, top)) = body.rsplit_once('.') else {
                return Err(DomainError::NoTopLabel(s.to_string()));
            };
            if !is_toplabel(top) {
                return Err(DomainError::BadTopLabel {
                    spec: s.to_string(),
                    top: top.to_string(),
                    numeric: top.bytes().all(|b| b.is_ascii_digit()) && !top.is_empty(),
                });
            }
            Ok(ms)
        }
        None => Err(DomainError::Empty),
    }
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`:
/// letters, digits and inner hyphens, and not all digits.
fn is_toplabel(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && b.iter().any(|c| c.is_ascii_alphabetic() || *c == b'-')
}

/// Parses a macro-string (`spaces`: an explain-string, where spaces are literal).
/// `exp_letters`: the letters `c`, `r` and `t`, allowed only in explanation text (§7.2).
pub fn parse_macro_string(
    s: &str,
    exp_letters: bool,
    spaces: bool,
) -> Result<MacroString, MacroError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            let ok = matches!(c, '\x21'..='\x7e') || (spaces && c == ' ');
            if !ok {
                return Err(MacroError::BadCharacter(c));
            }
            lit.push(c);
            continue;
        }
        let piece = match chars.next() {
            Some('%') => Piece::Escape("%"),
            Some('_') => Piece::Escape(" "),
            Some('-') => Piece::Escape("%20"),
            Some('{') => {
                let mut body = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => body.push(ch),
                        None => return Err(MacroError::Unterminated(body)),
                    }
                }
                Piece::Macro(parse_macro(&body, exp_letters)?)
            }
            Some(other) => return Err(MacroError::BadPercent(other)),
            None => return Err(MacroError::PercentAtEnd),
        };
        if !lit.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut lit)));
        }
        pieces.push(piece);
    }
    if !lit.is_empty() {
        pieces.push(Piece::Literal(lit));
    }
    Ok(MacroString { pieces })
}

/// `macro-letter transformers *delimiter` inside `%{…}`.
fn parse_macro(body: &str, exp_letters: bool) -> Result<Macro, MacroError> {
    let mut chars = body.chars();
    let raw = chars.next().ok_or(MacroError::Empty)?;
    let letter = raw.to_ascii_lowercase();
    match letter {
        's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'v' => {}
        'c' | 'r' | 't' if exp_letters => {}
        'c' | 'r' | 't' => {
            return Err(MacroError::ExplanationOnly {
                body: body.to_string(),
                letter: raw,
            })
        }
        _ => {
            return Err(MacroError::UnknownLetter {
                body: body.to_string(),
                letter: raw,
            })
        }
    }
    let rest: String = chars.collect();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let mut tail = &rest[digits.len()..];
    let keep = if digits.is_empty() {
        None
    } else {
        let n = digits
            .parse::<usize>()
            .unwrap_or(usize::MAX)
            .min(crate::spf::MAX_MACRO_PARTS);
        if n == 0 {
            return Err(MacroError::ZeroParts(body.to_string()));
        }
        Some(n)
    };
    let reverse = if let Some(t) = tail.strip_prefix(['r', 'R']) {
        tail = t;
        true
    } else {
        false
    };
    if let Some(bad) = tail.chars().find(|c| !".-+,/_=".contains(*c)) {
        return Err(MacroError::BadDelimiter {
            body: body.to_string(),
            delimiter: bad,
        });
    }
    Ok(Macro {
        letter,
        url_escape: raw.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: tail.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Record {
        parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn bad(s: &str) -> SyntaxError {
        parse(s.as_bytes()).expect_err(s)
    }

    #[test]
    fn rfc7208_4_5_record_selection_needs_version_and_space() {
        assert!(is_spf_record(b"v=spf1"));
        assert!(is_spf_record(b"V=SpF1 -all"));
        assert!(!is_spf_record(b"v=spf1mx"));
        assert!(!is_spf_record(b"v=spf10"));
        assert!(!is_spf_record(b"spf1"));
    }

    #[test]
    fn rfc7208_4_6_1_terms_are_split_on_spaces_only() {
        assert_eq!(ok("v=spf1 a  -all").directives.len(), 2);
        let e = bad("v=spf1 a:ctrl.example.com\rptr -all");
        assert_eq!(
            e.kind,
            SyntaxKind::BadByte {
                byte: b'\r',
                offset: 25
            }
        );
        assert!(e.to_string().contains("control"));
        let e = bad("v=spf1 \u{80}a:example.net -all");
        assert!(
            matches!(e.kind, SyntaxKind::BadByte { byte: 0xC2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("non-ASCII"));
    }

    #[test]
    fn rfc7208_5_mechanisms_and_dual_cidr() {
        let r = ok("v=spf1 a/24//64 mx:foo.example.com//0 ip4:192.0.2.0/24 ip6:2001:db8::/32 ptr exists:%{i}.x.example.com ~all");
        assert_eq!(r.directives.len(), 7);
        assert_eq!(
            r.directives[0].mechanism,
            Mechanism::A {
                domain: None,
                v4: 24,
                v6: 64
            }
        );
        assert_eq!(r.lookup_terms(), 4);
        for b in [
            "v=spf1 a/33",
            "v=spf1 a//129",
            "v=spf1 a/24/64",
            "v=spf1 ip4:1.2.3.4/032",
            "v=spf1 ip4:1.2.3",
            "v=spf1 ip4:1.2.3.4:8080",
            "v=spf1 ip4:1.2.3.4//32",
            "v=spf1 ip6::CAFE::BABE",
            "v=spf1 ip6:::1.1.1.1//33",
            "v=spf1 ptr/0",
            "v=spf1 -all.",
            "v=spf1 -all:foo",
            "v=spf1 -all/8",
            "v=spf1 include:",
            "v=spf1 include",
            "v=spf1 include:ip5.example.com/24",
            "v=spf1 exists",
            "v=spf1 a:",
            "v=spf1 a:museum",
            "v=spf1 a:museum.",
            "v=spf1 a:111.222.33.44",
            "v=spf1 a:abc.123",
            "v=spf1 a:example.-com",
            "v=spf1 a:example.com:8080",
            "v=spf1 a:foo-bar",
        ] {
            bad(b);
        }
        ok("v=spf1 a:foo:bar/baz.example.com");
        ok("v=spf1 a:foo.example.xn--zckzah -all");
        ok("v=spf1 a//33 -all");
    }

    #[test]
    fn rfc7208_6_modifiers() {
        let r = ok("v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all");
        assert_eq!(r.unknown.len(), 1);
        bad("v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all");
        bad("v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all");
        bad("v=spf1 ip4:1.2.3.4 redirect:t2.example.com");
        bad("v=spf1 1up=foo");
        bad("v=spf1 =all");
        bad("v=spf1 exp= -all");
        bad("v=spf1 exp=-all");
        bad("v=spf1 ?all redirect=");
        bad("v=spf1 redirect=-all ?all");
        bad("v=spf1 exp=a.example.com -all exp=b.example.com");
        bad("v=spf1 redirect=a.example.com redirect=a.example.com");
        assert!(matches!(
            bad("v=spf1 -all foo=%abc").kind,
            SyntaxKind::UnknownModifier {
                error: MacroError::BadPercent('a'),
                ..
            }
        ));
        assert_eq!(
            bad("v=spf1 redirect=a.example.com redirect=a.example.com").kind,
            SyntaxKind::DuplicateModifier("redirect")
        );
        assert_eq!(bad("v=spf1 =all").kind, SyntaxKind::ModifierWithoutName);
        ok("v=spf1 default=+");
    }

    #[test]
    fn rfc7208_7_1_macro_syntax() {
        bad("v=spf1 -exists:%(ir).sbl.example.com ?all");
        bad("v=spf1 exists:foo%.sbl.example.com ?all");
        bad("v=spf1 -all exp=%{r}.example.com");
        bad("v=spf1 a:%{a}.example.com -all");
        assert_eq!(
            bad("v=spf1 a:%{d0}.example.com -all").kind,
            SyntaxKind::Domain(DomainError::Macro(MacroError::ZeroParts("d0".into())))
        );
        assert_eq!(
            bad("v=spf1 a:%{a}.example.com -all").kind,
            SyntaxKind::Domain(DomainError::Macro(MacroError::UnknownLetter {
                body: "a".into(),
                letter: 'a'
            }))
        );
        assert_eq!(
            bad("v=spf1 ip4:192.0.2.0/33 -all").kind,
            SyntaxKind::Cidr(CidrError::TooLarge {
                len: "33".into(),
                max: 32
            })
        );
        assert_eq!(
            bad("v=spf1 include:1.2.3.4 -all").kind,
            SyntaxKind::Domain(DomainError::BadTopLabel {
                spec: "1.2.3.4".into(),
                top: "4".into(),
                numeric: true
            })
        );
        ok("v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all");
        ok("v=spf1 exists:%{l2r+-}.user.%{d2}");
        ok("v=spf1 redirect=%{d}.d.spf.example.com.");
        let ms = parse_macro_string("%{ir}.%{v}.arpa %{c}", true, true).expect("explain");
        assert_eq!(ms.pieces.len(), 5);
    }
}
