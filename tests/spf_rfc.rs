//! The SPF engine against RFC 7208, section by section, through the real binary:
//! `launchready spf check-host --zone FILE --format json`. Each test names the section whose
//! text it checks; the zone below holds one domain per case.

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

const ZONE: &str = r#"
$ORIGIN example.com.
$TTL 300
mail            A     192.0.2.10
mail            AAAA  2001:db8::10
mx1             A     192.0.2.20
mx2             A     192.0.2.21
pass            TXT   "v=spf1 ip4:192.0.2.0/24 -all"
fail            TXT   "v=spf1 -all"
softfail        TXT   "v=spf1 ~all"
neutral         TXT   "v=spf1 ?all"
default         TXT   "v=spf1 ip4:198.51.100.1"
other-txt       TXT   "google-site-verification=abc"
nospace         TXT   "v=spf1" "mx"
case            TXT   "V=SpF1 IP4:192.0.2.0/24 -ALL"
two             TXT   "v=spf1 -all"
two             TXT   "v=spf1 +all"
syntax          TXT   "v=spf1 ip4:192.0.2.0/24 -all moo"
ctrl            TXT   "v=spf1 a\013-all"
a               TXT   "v=spf1 a:mail.example.com -all"
a-dual          TXT   "v=spf1 a:mail.example.com/24//64 -all"
a-cidr6         TXT   "v=spf1 a:mail.example.com//33 -all"
a-bad-cidr      TXT   "v=spf1 a/33 -all"
a-numeric       TXT   "v=spf1 a:192.0.2.10 -all"
mx              MX    10 mx1.example.com.
mx              MX    20 mx2.example.com.
mx              TXT   "v=spf1 mx -all"
mx-none         TXT   "v=spf1 mx -all"
mx-none         A     192.0.2.99
ip6             TXT   "v=spf1 ip6:2001:db8::/32 -all"
mapped          TXT   "v=spf1 -ip4:192.0.2.10 ip6:::ffff:192.0.2.10 +all"
exists          TXT   "v=spf1 exists:%{ir}.list.example.com -all"
10.2.0.192.list A     127.0.0.2
inc             TXT   "v=spf1 include:pass.example.com -all"
inc-soft        TXT   "v=spf1 include:softfail.example.com -all"
inc-none        TXT   "v=spf1 include:nothing.example.com -all"
inc-perm        TXT   "v=spf1 include:syntax.example.com -all"
10.2.0.192.in-addr.arpa. PTR mail.example.com.
ptr             TXT   "v=spf1 ptr:example.com -all"
ptr-self        TXT   "v=spf1 ptr -all"
ptr-other       TXT   "v=spf1 ptr:example.net -all"
redir           TXT   "v=spf1 exp=no.example.com redirect=redir-target.example.com"
redir-target    TXT   "v=spf1 -all exp=why.example.com"
why             TXT   "%{i} may not send for %{d}; see https://%{o}/spf"
redir-none      TXT   "v=spf1 redirect=nothing.example.com"
redir-all       TXT   "v=spf1 redirect=nothing.example.com -all"
exp-local       TXT   "v=spf1 -all exp=exp-local-text.example.com"
exp-local-text  TXT   "%{l} is not welcome (%{c}, %{v})"
exp-twice       TXT   "v=spf1 -all exp=why.example.com exp=why.example.com"
macro           TXT   "v=spf1 exists:%{l2r-}.users.%{d2} -all"
dash.strong.users A   127.0.0.2
macro-exp-only  TXT   "v=spf1 a:%{r}.example.com -all"
limit10         TXT   "v=spf1 a a a a a a a a a a ip4:192.0.2.0/24 -all"
limit11         TXT   "v=spf1 a a a a a a a a a a a ip4:192.0.2.0/24 -all"
limit10         A     192.0.2.200
limit11         A     192.0.2.200
loop1           TXT   "v=spf1 include:loop2.example.com -all"
loop2           TXT   "v=spf1 include:loop1.example.com -all"
void2           TXT   "v=spf1 a:gone1.example.com a:gone2.example.com ?all"
void3           TXT   "v=spf1 a:gone1.example.com a:gone2.example.com a:gone3.example.com ?all"
manymx          TXT   "v=spf1 mx -all"
manymx          MX    1 mx1.example.com.
manymx          MX    2 mx1.example.com.
manymx          MX    3 mx1.example.com.
manymx          MX    4 mx1.example.com.
manymx          MX    5 mx1.example.com.
manymx          MX    6 mx1.example.com.
manymx          MX    7 mx1.example.com.
manymx          MX    8 mx1.example.com.
manymx          MX    9 mx1.example.com.
manymx          MX    10 mx1.example.com.
manymx          MX    11 mx2.example.com.
"#;

fn zone_file() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(write_zone).clone()
}

fn write_zone() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("launchready-spf-rfc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("rfc7208.zone");
    std::fs::write(&path, ZONE).expect("write zone");
    path
}

fn check(ip: &str, sender: &str) -> Value {
    check_helo(ip, sender, "mail.example.com")
}

fn check_helo(ip: &str, sender: &str, helo: &str) -> Value {
    let zone = zone_file();
    let run = launchready([
        "spf",
        "check-host",
        "--ip",
        ip,
        "--sender",
        sender,
        "--helo",
        helo,
        "--zone",
        zone.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run.json()
}

fn result(ip: &str, sender: &str) -> String {
    check(ip, sender)["result"]
        .as_str()
        .expect("result")
        .to_string()
}

#[test]
fn spec_1_json_is_exactly_the_five_keys() {
    let v = check("192.0.2.10", "user@pass.example.com");
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "dns_lookups",
            "explanation",
            "mechanism",
            "result",
            "void_lookups"
        ]
    );
    assert_eq!(v["result"], "pass");
    assert_eq!(v["mechanism"], "ip4:192.0.2.0/24");
    assert!(v["dns_lookups"].is_u64() && v["void_lookups"].is_u64());
}

#[test]
fn rfc7208_2_6_every_result() {
    assert_eq!(result("192.0.2.1", "u@pass.example.com"), "pass");
    assert_eq!(result("192.0.2.1", "u@fail.example.com"), "fail");
    assert_eq!(result("192.0.2.1", "u@softfail.example.com"), "softfail");
    assert_eq!(result("192.0.2.1", "u@neutral.example.com"), "neutral");
    assert_eq!(result("192.0.2.1", "u@other-txt.example.com"), "none");
    assert_eq!(result("192.0.2.1", "u@syntax.example.com"), "permerror");
}

#[test]
fn rfc7208_4_3_malformed_or_missing_domains_are_none() {
    assert_eq!(result("192.0.2.1", "u@nowhere.example.com"), "none");
    assert_eq!(result("192.0.2.1", "u@single-label"), "none");
    assert_eq!(result("192.0.2.1", "u@a..example.com"), "none");
    assert_eq!(result("192.0.2.1", "u@[192.0.2.1]"), "none");
    let long = format!("u@{}.example.com", "a".repeat(64));
    assert_eq!(result("192.0.2.1", &long), "none");
}

#[test]
fn rfc7208_4_3_no_local_part_is_postmaster_and_empty_sender_is_helo() {
    let v = check("192.0.2.1", "@exp-local.example.com");
    assert_eq!(v["result"], "fail");
    assert_eq!(
        v["explanation"],
        "postmaster is not welcome (192.0.2.1, in-addr)"
    );
    // §2.4: an empty MAIL FROM checks postmaster@<HELO>.
    let v = check_helo("192.0.2.1", "", "pass.example.com");
    assert_eq!(v["result"], "pass");
}

#[test]
fn rfc7208_4_4_dns_errors_are_temperror() {
    // A resolver that never answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = silent.local_addr().expect("addr").to_string();
    let run = launchready([
        "spf",
        "check-host",
        "--ip",
        "192.0.2.1",
        "--sender",
        "u@example.com",
        "--dns-server",
        &addr,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["result"], "temperror");
}

#[test]
fn rfc7208_4_5_record_selection() {
    // "v=spf1" "mx" joins to "v=spf1mx": not an SPF record.
    assert_eq!(result("192.0.2.1", "u@nospace.example.com"), "none");
    assert_eq!(result("192.0.2.1", "u@two.example.com"), "permerror");
    assert_eq!(result("192.0.2.1", "u@case.example.com"), "pass");
    assert_eq!(result("198.51.100.7", "u@case.example.com"), "fail");
}

#[test]
fn rfc7208_4_6_syntax_errors_anywhere_are_permerror() {
    let v = check("192.0.2.1", "u@syntax.example.com");
    assert_eq!(v["result"], "permerror");
    assert!(
        v["explanation"].as_str().expect("text").contains("moo"),
        "{v}"
    );
    assert_eq!(result("192.0.2.1", "u@ctrl.example.com"), "permerror");
    assert_eq!(result("192.0.2.1", "u@a-bad-cidr.example.com"), "permerror");
    assert_eq!(result("192.0.2.1", "u@a-numeric.example.com"), "permerror");
    assert_eq!(result("192.0.2.1", "u@exp-twice.example.com"), "permerror");
    assert_eq!(
        result("192.0.2.1", "u@macro-exp-only.example.com"),
        "permerror"
    );
}

#[test]
fn rfc7208_4_6_4_dns_lookup_limit() {
    let at = check("192.0.2.1", "u@limit10.example.com");
    assert_eq!(
        (at["result"].as_str(), at["dns_lookups"].as_u64()),
        (Some("pass"), Some(10))
    );
    let over = check("192.0.2.1", "u@limit11.example.com");
    assert_eq!(over["result"], "permerror");
    assert_eq!(result("192.0.2.1", "u@loop1.example.com"), "permerror");
    assert_eq!(result("192.0.2.21", "u@manymx.example.com"), "permerror");
}

#[test]
fn rfc7208_4_6_4_void_lookup_limit() {
    let two = check("192.0.2.1", "u@void2.example.com");
    assert_eq!(
        (two["result"].as_str(), two["void_lookups"].as_u64()),
        (Some("neutral"), Some(2))
    );
    assert_eq!(result("192.0.2.1", "u@void3.example.com"), "permerror");
}

#[test]
fn rfc7208_4_7_default_result_is_neutral() {
    assert_eq!(result("192.0.2.1", "u@default.example.com"), "neutral");
}

#[test]
fn rfc7208_5_2_include_results() {
    assert_eq!(result("192.0.2.1", "u@inc.example.com"), "pass");
    assert_eq!(result("198.51.100.1", "u@inc.example.com"), "fail");
    // softfail inside the include is "no match": evaluation goes on to -all.
    assert_eq!(result("192.0.2.1", "u@inc-soft.example.com"), "fail");
    assert_eq!(result("192.0.2.1", "u@inc-none.example.com"), "permerror");
    assert_eq!(result("192.0.2.1", "u@inc-perm.example.com"), "permerror");
}

#[test]
fn rfc7208_5_3_a_with_dual_cidr() {
    assert_eq!(result("192.0.2.10", "u@a.example.com"), "pass");
    assert_eq!(result("192.0.2.11", "u@a.example.com"), "fail");
    assert_eq!(result("192.0.2.99", "u@a-dual.example.com"), "pass");
    assert_eq!(result("2001:db8::ffff", "u@a-dual.example.com"), "pass");
    assert_eq!(result("2001:db9::1", "u@a-dual.example.com"), "fail");
    assert_eq!(result("2001:db8:0:1::1", "u@a-cidr6.example.com"), "pass");
}

#[test]
fn rfc7208_5_4_mx() {
    assert_eq!(result("192.0.2.21", "u@mx.example.com"), "pass");
    assert_eq!(result("192.0.2.22", "u@mx.example.com"), "fail");
    // §5.4: no MX records means no match, never an implicit A lookup.
    assert_eq!(result("192.0.2.99", "u@mx-none.example.com"), "fail");
}

#[test]
fn rfc7208_5_5_ptr() {
    assert_eq!(result("192.0.2.10", "u@ptr.example.com"), "pass");
    assert_eq!(result("192.0.2.10", "u@ptr-other.example.com"), "fail");
    assert_eq!(result("192.0.2.11", "u@ptr.example.com"), "fail");
    // Without a domain, the validated name must be the domain itself or below it.
    assert_eq!(result("192.0.2.10", "u@ptr-self.example.com"), "fail");
}

#[test]
fn rfc7208_5_6_ip6_and_ipv4_mapped_addresses() {
    assert_eq!(result("2001:db8::1", "u@ip6.example.com"), "pass");
    assert_eq!(result("2001:db9::1", "u@ip6.example.com"), "fail");
    // §5: an IPv4-mapped IPv6 address is evaluated as IPv4 (ip4 matches, ip6 does not).
    assert_eq!(result("::ffff:192.0.2.10", "u@mapped.example.com"), "fail");
}

#[test]
fn rfc7208_5_7_exists() {
    assert_eq!(result("192.0.2.10", "u@exists.example.com"), "pass");
    assert_eq!(result("192.0.2.11", "u@exists.example.com"), "fail");
}

#[test]
fn rfc7208_6_1_redirect() {
    let v = check("192.0.2.1", "u@redir.example.com");
    assert_eq!(v["result"], "fail");
    // §6.2: after a redirect, the target's exp= applies with its own %{d}.
    assert_eq!(
        v["explanation"],
        "192.0.2.1 may not send for redir-target.example.com; see https://redir.example.com/spf"
    );
    assert_eq!(result("192.0.2.1", "u@redir-none.example.com"), "permerror");
    // Ignored when the record has an all.
    assert_eq!(result("192.0.2.1", "u@redir-all.example.com"), "fail");
}

#[test]
fn rfc7208_7_macros() {
    assert_eq!(result("192.0.2.1", "strong-dash@macro.example.com"), "pass");
    assert_eq!(result("192.0.2.1", "other@macro.example.com"), "fail");
    let v = check("2001:db8::1", "jo@exp-local.example.com");
    assert_eq!(v["explanation"], "jo is not welcome (2001:db8::1, ip6)");
}

#[test]
fn check_host_usage_errors_exit_2() {
    let zone = zone_file();
    let z = zone.to_str().expect("path");
    for args in [
        vec![
            "spf",
            "check-host",
            "--ip",
            "not-an-ip",
            "--sender",
            "u@example.com",
            "--zone",
            z,
        ],
        vec![
            "spf",
            "check-host",
            "--ip",
            "192.0.2.1",
            "--sender",
            "",
            "--zone",
            z,
        ],
        vec!["spf", "check-host", "--sender", "u@example.com"],
    ] {
        let run = launchready(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn check_host_text_shows_the_include_tree() {
    let zone = zone_file();
    let run = launchready([
        "spf",
        "check-host",
        "--ip",
        "192.0.2.1",
        "--sender",
        "u@inc.example.com",
        "--zone",
        zone.to_str().expect("path"),
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("result:       pass"), "{}", run.stdout);
    assert!(
        run.stdout.contains("include tree: 1 DNS-querying terms"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("include:pass.example.com"),
        "{}",
        run.stdout
    );
}
