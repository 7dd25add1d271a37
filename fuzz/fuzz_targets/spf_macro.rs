//! SPF macro strings (RFC 7208 §7): parse any text as a domain-spec and as an explanation
//! string, then expand it; the expansion must never panic and stays bounded.
#![no_main]
use launchready::spf::macros::{expand, target_name, MacroEnv};
use launchready::spf::record::{parse_domain_spec, parse_macro_string};
use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, Ipv6Addr};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = MacroEnv {
        sender: "strong-bad@email.example.com",
        local: "strong-bad",
        sender_domain: "email.example.com",
        domain: "email.example.com",
        ip: IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xcb01)),
        helo: "mx.example.org",
        validated: Some("mx.example.org"),
        receiver: "receiver.example.net",
        timestamp: 1_700_000_000,
    };
    for parsed in [
        parse_domain_spec(text, false),
        parse_macro_string(text, true, true),
    ] {
        if let Ok(ms) = parsed {
            let out = expand(&ms, &env);
            let _ = target_name(&out);
        }
    }
});
