//! The TLS stage end to end: the real binary against the sandbox's TLS scenarios, through the
//! flags a user has (`--connect-to`, `--ca-file`).

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

fn tls_ids(r: &Value) -> BTreeSet<String> {
    ids(r)
        .into_iter()
        .filter(|i| i.starts_with("tls."))
        .collect()
}

fn stage<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == name)
        .unwrap_or_else(|| panic!("no {name} stage in {r}"))
}

#[test]
fn healthy_has_no_tls_finding_and_lists_its_certificate() {
    let sb = sandbox("healthy");
    let r = audit(&sb, &["--only", "tls"]).json();
    assert_report_shape(&r);
    assert_eq!(stage(&r, "tls")["status"], "ran");
    assert!(tls_ids(&r).is_empty(), "{}", r["findings"]);
    let certs = r["inventory"]["certificates"].as_array().expect("certs");
    assert_eq!(
        certs.len(),
        1,
        "one certificate, served to every host: {certs:?}"
    );
    let leaf = &certs[0];
    assert_eq!(leaf["role"], "leaf");
    assert_eq!(leaf["trust"], "trusted");
    assert_eq!(leaf["protocol"], "TLSv1.3");
    let days = leaf["days_left"].as_i64().expect("days_left");
    assert!((88..=90).contains(&days), "days_left {days}");
    assert!(leaf["not_after"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert!(leaf["expires"].as_str().is_some_and(|s| s.len() == 10));
    let hosts: Vec<&str> = leaf["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for h in [
        "example.test:443",
        "www.example.test:443",
        "app.example.test:443",
    ] {
        assert!(hosts.contains(&h), "{h} in {hosts:?}");
    }
    assert!(leaf["sans"]
        .as_array()
        .is_some_and(|s| s.iter().any(|n| n == "*.example.test")));
}

/// Each fault is classified as exactly one TLS id (nothing else of the stage fires).
#[test]
fn each_tls_fault_is_classified_precisely() {
    let cases: &[(&str, &[&str])] = &[
        ("tls-expired", &["tls.cert.expired"]),
        ("tls-not-yet-valid", &["tls.cert.not-yet-valid"]),
        ("tls-wrong-host", &["tls.cert.hostname-mismatch"]),
        ("tls-self-signed", &["tls.cert.untrusted"]),
        ("tls-incomplete-chain", &["tls.chain.incomplete"]),
        ("tls-weak-key", &["tls.key.weak"]),
        ("tls-expiring", &["tls.cert.expiring"]),
        ("tls-legacy", &["tls.protocol.legacy"]),
        ("tls-weak-cipher", &["tls.cipher.weak"]),
        ("tls-no-tls13", &["tls.protocol.no-tls13"]),
        ("hsts-missing", &["tls.hsts.missing"]),
        ("hsts-short", &["tls.hsts.short"]),
    ];
    let mut failures = Vec::new();
    for (name, want) in cases {
        let sb = sandbox(name);
        let r = audit(&sb, &["--only", "tls"]).json();
        assert_report_shape(&r);
        let got = tls_ids(&r);
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
        for f in r["findings"].as_array().expect("findings") {
            let subject = f["subject"].as_str().expect("subject");
            assert!(subject.starts_with("https://"), "{name}: subject {subject}");
            if f["id"] == "tls.cert.expiring" {
                assert_eq!(f["severity"], "high", "10 days left is high");
            }
        }
        // Certificate faults still show the certificate in the inventory.
        if name.starts_with("tls-") {
            assert!(
                !r["inventory"]["certificates"]
                    .as_array()
                    .expect("certs")
                    .is_empty(),
                "{name}: no certificate in the inventory"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A port that answers garbage or never speaks costs one probe timeout (3 s) at most, becomes
/// `tls.unreachable`, and the rest of the report is there.
#[test]
fn garbage_and_silent_ports_cost_at_most_the_probe_timeout() {
    for (name, limit) in [
        ("tls-garbage", Duration::from_millis(1500)),
        ("tls-silent", Duration::from_millis(3800)),
    ] {
        let sb = sandbox(name);
        let run = audit(&sb, &["--only", "dns,tls"]);
        let r = run.json();
        assert_report_shape(&r);
        assert!(
            run.elapsed < limit + Duration::from_millis(700),
            "{name}: the whole run took {:?}",
            run.elapsed
        );
        let tls = stage(&r, "tls");
        // Partial: the certificate checks of hosts without a handshake are not checked.
        assert_eq!(tls["status"], "partial", "{name}: {tls}");
        let ms = tls["duration_ms"].as_u64().expect("duration");
        assert!(ms <= limit.as_millis() as u64, "{name}: tls took {ms} ms");
        assert_eq!(tls_ids(&r), BTreeSet::from(["tls.unreachable".to_string()]));
        assert_eq!(
            r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["id"] == "tls.unreachable")
                .count(),
            3,
            "apex, www and app"
        );
        // The rest of the audit still reports.
        assert_eq!(stage(&r, "dns")["status"], "ran");
        assert!(r["inventory"]["dns"]["records"].is_array());
        assert_eq!(r["verdict"], "no-go");
    }
}
