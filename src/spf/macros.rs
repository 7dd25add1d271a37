//! Macro expansion (RFC 7208 §7): the letters, the transformers (keep N right-hand parts,
//! reverse), the delimiters, URL escaping for upper-case letters, and the 253-octet rule for
//! names used in queries.

use super::record::{MacroString, Piece};
use std::net::IpAddr;

/// The values the macro letters expand to (§7.2).
#[derive(Debug, Clone)]
pub struct MacroEnv<'a> {
    /// `s`: the sender, `local@domain`.
    pub sender: &'a str,
    /// `l`: its local-part.
    pub local: &'a str,
    /// `o`: its domain.
    pub sender_domain: &'a str,
    /// `d`: the domain whose record is being evaluated.
    pub domain: &'a str,
    /// `i`, `c` and `v`.
    pub ip: IpAddr,
    /// `h`: the HELO/EHLO name.
    pub helo: &'a str,
    /// `p`: the validated domain name of the IP, computed only when a string uses it.
    pub validated: Option<&'a str>,
    /// `r`: the receiving host.
    pub receiver: &'a str,
    /// `t`: seconds since the epoch.
    pub timestamp: u64,
}

/// `i`: dotted decimal for IPv4; for IPv6 the 32 nibbles separated by dots (§7.3).
/// The nibbles are upper-case, as the OpenSPF suite expects; DNS names are case-insensitive.
pub fn ip_dotted(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => nibbles(&v6.octets()).join("."),
    }
}

fn nibbles(octets: &[u8; 16]) -> Vec<String> {
    octets
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0f])
        .map(|n| format!("{n:X}"))
        .collect()
}

/// The reverse-mapping name of an IP (in-addr.arpa / ip6.arpa), for `ptr` and `%{p}`.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut n = nibbles(&v6.octets());
            n.reverse();
            format!("{}.ip6.arpa", n.join(".").to_ascii_lowercase())
        }
    }
}

/// §7.3: upper-case macros are URL-escaped: everything outside the unreserved set
/// (`ALPHA / DIGIT / "-" / "." / "_" / "~"`) becomes `%XX`.
pub fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn letter_value(letter: char, env: &MacroEnv<'_>) -> String {
    match letter {
        's' => env.sender.to_string(),
        'l' => env.local.to_string(),
        'o' => env.sender_domain.to_string(),
        'd' => env.domain.to_string(),
        'i' => ip_dotted(env.ip),
        'p' => env.validated.unwrap_or("unknown").to_string(),
        'v' => match env.ip {
            IpAddr::V4(_) => "in-addr".into(),
            IpAddr::V6(_) => "ip6".into(),
        },
        'h' => env.helo.to_string(),
        'c' => env.ip.to_string(),
        'r' => env.receiver.to_string(),
        't' => env.timestamp.to_string(),
        _ => String::new(),
    }
}

/// Expands a macro-string.
pub fn expand(ms: &MacroString, env: &MacroEnv<'_>) -> String {
    let mut out = String::new();
    for piece in &ms.pieces {
        match piece {
            Piece::Literal(l) => out.push_str(l),
            Piece::Escape(e) => out.push_str(e),
            Piece::Macro(m) => {
                let value = letter_value(m.letter, env);
                let delims: &str = if m.delimiters.is_empty() {
                    "."
                } else {
                    &m.delimiters
                };
                let mut parts: Vec<&str> = value.split(|c| delims.contains(c)).collect();
                if m.reverse {
                    parts.reverse();
                }
                if let Some(n) = m.keep {
                    if parts.len() > n {
                        parts.drain(..parts.len() - n);
                    }
                }
                let joined = parts.join(".");
                if m.url_escape {
                    out.push_str(&url_escape(&joined));
                } else {
                    out.push_str(&joined);
                }
            }
        }
    }
    out
}

/// §7.3 and §4.3: a name built by expansion, ready for a query: without its trailing dot, and
/// when longer than 253 octets, shortened from the left a whole label at a time.
pub fn target_name(expanded: &str) -> String {
    let mut s = expanded.strip_suffix('.').unwrap_or(expanded);
    while s.len() > 253 {
        match s.find('.') {
            Some(i) => s = &s[i + 1..],
            None => return String::new(),
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::record::parse_macro_string;
    use super::*;

    fn env(ip: &str) -> MacroEnv<'static> {
        MacroEnv {
            sender: "strong-bad@email.example.com",
            local: "strong-bad",
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: ip.parse().expect("ip"),
            helo: "mx.example.org",
            validated: None,
            receiver: "unknown",
            timestamp: 0,
        }
    }

    fn x(s: &str, e: &MacroEnv<'_>) -> String {
        expand(&parse_macro_string(s, true, true).expect(s), e)
    }

    /// The examples of RFC 7208 §7.4, with <sender> strong-bad@email.example.com and
    /// <ip> 192.0.2.3 (and 2001:db8::cb01).
    #[test]
    fn rfc7208_7_4_examples() {
        let e = env("192.0.2.3");
        assert_eq!(x("%{s}", &e), "strong-bad@email.example.com");
        assert_eq!(x("%{o}", &e), "email.example.com");
        assert_eq!(x("%{d}", &e), "email.example.com");
        assert_eq!(x("%{d4}", &e), "email.example.com");
        assert_eq!(x("%{d3}", &e), "email.example.com");
        assert_eq!(x("%{d2}", &e), "example.com");
        assert_eq!(x("%{d1}", &e), "com");
        assert_eq!(x("%{dr}", &e), "com.example.email");
        assert_eq!(x("%{d2r}", &e), "example.email");
        assert_eq!(x("%{l}", &e), "strong-bad");
        assert_eq!(x("%{l-}", &e), "strong.bad");
        assert_eq!(x("%{lr}", &e), "strong-bad");
        assert_eq!(x("%{lr-}", &e), "bad.strong");
        assert_eq!(x("%{l1r-}", &e), "strong");
        assert_eq!(
            x("%{ir}.%{v}._spf.%{d2}", &e),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            x("%{lr-}.lp._spf.%{d2}", &e),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(
            x("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", &e),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            x("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", &e),
            "3.2.0.192.in-addr.strong.lp._spf.example.com"
        );
        assert_eq!(
            x("%{d2}.trusted-domains.example.net", &e),
            "example.com.trusted-domains.example.net"
        );
        let e6 = env("2001:db8::cb01");
        assert_eq!(
            x("%{ir}.%{v}._spf.%{d2}", &e6).to_ascii_lowercase(),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
    }

    #[test]
    fn rfc7208_7_3_escapes_and_url_encoding() {
        let e = env("192.0.2.3");
        assert_eq!(x("a%%b%_c%-d", &e), "a%b c%20d");
        let mut e2 = e.clone();
        e2.local = "~jack&jill=up-a_b3.c";
        assert_eq!(x("%{L}", &e2), "~jack%26jill%3Dup-a_b3.c");
        assert_eq!(x("%{c}", &env("2001:db8::cb01")), "2001:db8::cb01");
        assert_eq!(x("%{p}", &e), "unknown");
    }

    #[test]
    fn rfc7208_7_3_long_names_lose_labels_on_the_left() {
        let long = format!("{}.example.com.", "abcdefghij.".repeat(30));
        let t = target_name(&long);
        assert!(t.len() <= 253 && t.ends_with("example.com"));
        assert!(t.starts_with("abcdefghij."));
        assert_eq!(
            reverse_name("192.0.2.3".parse().expect("ip")),
            "3.2.0.192.in-addr.arpa"
        );
    }
}
