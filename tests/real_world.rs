//! Issue 12, items 3 and 5 end to end against the sandbox: mail servers' STARTTLS and
//! certificates on port 25 (a real SMTP responder with rustls on loopback), and every address
//! of a host (a stale round-robin node, a dead AAAA).

mod common;

use common::*;
use serde_json::Value;

fn findings<'a>(r: &'a Value, id: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

#[test]
fn a_mail_server_without_starttls_is_high_under_an_enforce_policy() {
    let sb = sandbox("mx-starttls-missing");
    let run = audit(&sb, &["--only", "email", "--fail-on", "high"]);
    let r = run.json();
    let found = findings(&r, "email.mx.starttls.missing");
    assert_eq!(found.len(), 1, "{}", r["findings"]);
    assert_eq!(found[0]["subject"], "mail.example.test");
    assert_eq!(found[0]["severity"], "high");
    assert_eq!(run.code, 1);
    assert_eq!(
        r["inventory"]["email"]["mx_tls"][0]["starttls"], "no",
        "{}",
        r["inventory"]["email"]
    );
}

#[test]
fn a_mail_certificate_for_another_name_is_invalid_and_a_valid_one_passes() {
    let sb = sandbox("mx-cert-invalid");
    let r = audit(&sb, &["--only", "email"]).json();
    let found = findings(&r, "email.mx.cert.invalid");
    assert_eq!(found.len(), 1, "{}", r["findings"]);
    let evidence = found[0]["evidence"].as_str().unwrap_or_default();
    assert!(
        evidence.contains("not valid for mail.example.test"),
        "{evidence}"
    );

    let healthy = sandbox("healthy");
    let run = audit(&healthy, &["--only", "email"]);
    let r = run.json();
    assert_eq!(run.code, 0, "{}", r["findings"]);
    let row = &r["inventory"]["email"]["mx_tls"][0];
    assert_eq!(row["starttls"], "yes", "{row}");
    assert!(row["version"]
        .as_str()
        .is_some_and(|v| v.starts_with("TLSv1.")));
}

#[test]
fn port_25_blocked_everywhere_is_not_checked_never_a_pass() {
    let sb = sandbox("mx-port25-blocked");
    let run = audit(&sb, &["--only", "email"]);
    let r = run.json();
    assert_eq!(run.code, 3, "{}", r["not_checked"]);
    assert_eq!(r["verdict"], "incomplete");
    let unseen = r["not_checked"].as_array().expect("not_checked");
    assert_eq!(unseen.len(), 2, "{unseen:?}");
    for u in unseen {
        assert!(
            u["reason"].as_str().unwrap_or_default().contains("port 25"),
            "{u}"
        );
    }
}

#[test]
fn a_stale_round_robin_node_is_named_by_its_address() {
    let sb = sandbox("tls-stale-node");
    let r = audit(&sb, &["--only", "tls"]).json();
    let expired = findings(&r, "tls.cert.expired");
    assert!(!expired.is_empty(), "{}", r["findings"]);
    assert!(
        expired.iter().all(|f| f["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("(node 127.0.0.2)")),
        "{expired:?}"
    );
    assert!(expired
        .iter()
        .any(|f| f["subject"] == "https://example.test:443 (node 127.0.0.2)"));
}

#[test]
fn a_dead_aaaa_is_found_while_ipv4_answers() {
    let sb = sandbox("aaaa-unreachable");
    let r = audit(&sb, &["--only", "dns"]).json();
    let found = findings(&r, "dns.aaaa.unreachable");
    assert!(
        found
            .iter()
            .any(|f| f["subject"] == "example.test AAAA ::1"),
        "{}",
        r["findings"]
    );
    assert!(found.iter().all(|f| f["severity"] == "high"));

    let healthy = sandbox("healthy");
    let r = audit(&healthy, &["--only", "dns"]).json();
    assert!(
        findings(&r, "dns.aaaa.unreachable").is_empty(),
        "{}",
        r["findings"]
    );
    assert_eq!(r["complete"], true, "{}", r["not_checked"]);
}
