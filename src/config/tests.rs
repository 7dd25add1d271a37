use super::*;

fn p(text: &str) -> Result<Loaded, ConfigError> {
    parse(text, Path::new("launchready.toml"))
}

#[test]
fn reads_a_full_config() {
    let cfg = p(r#"
domain = "example.com"
url = "https://app.example.com/"
subdomains = ["app", "api"]
sends_mail = true
dkim_selectors = ["google", "s1"]

[latency]
requests = 20
concurrency = [1, 10]

[[endpoints]]
path = "/api/*"
budget_ms = 800

[[suppress]]
id = "dns.caa.missing"
subject = "example.com"
reason = "registrar adds CAA next week"
expires = 2026-12-31

[[suppress]]
id = "dns.aaaa.missing"
reason = "no IPv6 at our host"
expires = "2027-01-15"
"#)
    .expect("valid config");
    assert_eq!(cfg.domain(), Some("example.com"));
    assert_eq!(cfg.suppressions.len(), 2);
    assert_eq!(cfg.suppressions[1].expires.to_string(), "2027-01-15");
}

/// The line and key of an invalid config, and its one-line message.
fn invalid(e: &ConfigError) -> (usize, &str, String) {
    match e {
        ConfigError::Invalid { line, key, .. } => (*line, key.as_str(), e.to_string()),
        other => panic!("not an Invalid error: {other}"),
    }
}

#[test]
fn errors_name_the_key_and_line() {
    let e = p("domain = \"example.com\"\n\nsubdomian = [\"x\"]\n").expect_err("typo");
    let (line, key, msg) = invalid(&e);
    assert_eq!((line, key), (3, "toml"));
    assert!(
        msg.starts_with("launchready.toml:3:") && msg.contains("subdomian"),
        "{msg}"
    );
    let e =
        p("[[suppress]]\nid = \"dns.caa.missing\"\nexpires = 2027-01-01\n").expect_err("no reason");
    assert!(e.to_string().contains("reason"), "{e}");
    let e = p("[[suppress]]\nid = \"dns.nope\"\nreason = \"r\"\nexpires = 2027-01-01\n")
        .expect_err("bad id");
    let (line, key, msg) = invalid(&e);
    assert_eq!((line, key), (2, "suppress.id"));
    assert!(msg.contains("dns.nope"), "{msg}");
    let e = p("[[suppress]]\nid = \"dns.caa.missing\"\nreason = \"r\"\nexpires = \"soon\"\n")
        .expect_err("bad date");
    assert_eq!(invalid(&e).0, 4);
    assert_eq!(invalid(&e).1, "suppress.expires");
    let e = p("domain = \"exa mple.com\"\n").expect_err("bad domain");
    assert_eq!(invalid(&e).0, 1);
    assert_eq!(invalid(&e).1, "domain");
    let missing = load(Path::new("/nonexistent/launchready.toml")).expect_err("missing");
    assert!(matches!(missing, ConfigError::Read { .. }), "{missing}");
}

#[test]
fn latency_values_have_the_flags_limits() {
    for (text, key, line) in [
        (
            "[latency]\nconcurrency = [12000]\n",
            "latency.concurrency",
            2,
        ),
        (
            "[latency]\nconcurrency = [1, 4294967295]\n",
            "latency.concurrency",
            2,
        ),
        ("[latency]\nconcurrency = []\n", "latency.concurrency", 2),
        ("[latency]\n\nconcurrency = [0]\n", "latency.concurrency", 3),
        ("[latency]\nrequests = 0\n", "latency.requests", 2),
        ("[latency]\nmax_requests = 0\n", "latency.max_requests", 2),
    ] {
        let e = p(text).expect_err(text);
        let (l, k, msg) = invalid(&e);
        assert_eq!((l, k), (line, key), "{text:?}: {msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
    let e = p("[latency]\nmax_requests = -1\n").expect_err("negative");
    assert!(e.to_string().contains("max_requests"), "{e}");
    let ok = p("[latency]\nconcurrency = [1, 10000]\nmax_requests = 10\n").expect("valid");
    let l = ok.config.latency.expect("latency");
    assert_eq!(l.levels(), Some(vec![1, 10_000]));
}

#[test]
fn civil_dates() {
    assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    assert_eq!(Date::from_days(20_782).to_string(), "2026-11-25");
    assert_eq!(Date::parse("2024-02-29").map(|d| d.day), Some(29));
    assert!(Date::parse("2023-02-29").is_none());
}
