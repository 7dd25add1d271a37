//! Issue 12, items 3 and 5 end to end against the sandbox: mail servers' STARTTLS and
//! certificates on port 25 (a real SMTP responder with rustls on loopback), and every address
//! of a host (a stale round-robin node, a dead AAAA, a node left out of the HTTP → HTTPS
//! redirect, a dead A).

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

#[test]
fn a_round_robin_node_without_the_https_redirect_is_named_by_its_address() {
    let sb = sandbox("redirect-stale-node");
    let run = audit(&sb, &["--only", "redirects", "--fail-on", "high"]);
    let r = run.json();
    let plain = findings(&r, "redirect.http.no-https");
    let subjects: Vec<&str> = plain.iter().filter_map(|f| f["subject"].as_str()).collect();
    assert_eq!(
        subjects,
        [
            "http://example.test/login?next=%2Fcheckout (node 127.0.0.2)",
            "http://www.example.test/login?next=%2Fcheckout (node 127.0.0.2)"
        ],
        "{}",
        r["findings"]
    );
    assert!(findings(&r, "redirect.node.mismatch").is_empty());
    assert_eq!(run.code, 1, "high is NO-GO at --fail-on high");
    // The inventory keeps the node's chain, with its address.
    let nodes: Vec<&Value> = r["inventory"]["redirects"]
        .as_array()
        .expect("chains")
        .iter()
        .filter(|c| c["node"] == "127.0.0.2")
        .collect();
    assert!(!nodes.is_empty(), "{}", r["inventory"]["redirects"]);

    // A dead A next to a live one: the node fails where the host answers.
    let sb = sandbox("redirect-dead-node");
    let r = audit(&sb, &["--only", "redirects"]).json();
    let dead = findings(&r, "redirect.node.mismatch");
    // app is a CNAME to the apex: its machines are the apex's, asked once.
    assert_eq!(dead.len(), 2, "one per host (apex, www): {}", r["findings"]);
    assert!(dead.iter().all(|f| f["severity"] == "high"
        && f["evidence"]
            .as_str()
            .is_some_and(|e| e.starts_with("fails on 127.0.0.2"))));

    // Healthy: both addresses answer alike, nothing reported, nothing left unchecked.
    let healthy = sandbox("healthy");
    let run = audit(&healthy, &["--only", "redirects"]);
    let r = run.json();
    assert_eq!(run.code, 0, "{}", r["findings"]);
    assert_eq!(r["complete"], true, "{}", r["not_checked"]);
}

#[test]
fn a_stale_node_behind_a_subdomain_of_its_own_is_named_by_its_address() {
    // The apex and www have one address each; app has two, and the second is stale.
    let sb = sandbox("redirect-stale-subdomain-node");
    let run = audit(&sb, &["--only", "redirects", "--fail-on", "high"]);
    let r = run.json();
    let subjects: Vec<&str> = findings(&r, "redirect.http.no-https")
        .iter()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        ["http://app.example.test/login?next=%2Fcheckout (node 127.0.0.2)"],
        "{}",
        r["findings"]
    );
    assert_eq!(run.code, 1, "high is NO-GO at --fail-on high");
    assert_eq!(r["complete"], true, "{}", r["not_checked"]);
    let chains = r["inventory"]["redirects"].as_array().expect("chains");
    assert!(
        chains.iter().any(|c| c["node"] == "127.0.0.2"
            && c["start"]
                .as_str()
                .is_some_and(|s| s.starts_with("http://app."))),
        "{}",
        r["inventory"]["redirects"]
    );
}

#[test]
fn subdomains_split_address_by_address_are_bounded_and_the_cut_is_noted() {
    // Nine subdomains on two addresses of their own each, all answering alike: nothing to
    // report, and the ninth is named as left out rather than silently passed over.
    let sb = sandbox("redirect-many-split-subdomains");
    let run = audit(&sb, &["--only", "redirects"]);
    let r = run.json();
    assert_eq!(run.code, 0, "{}", r["findings"]);
    assert_eq!(r["complete"], true, "{}", r["not_checked"]);
    let note = stage_note(&r, "redirects");
    assert!(
        note.contains("1 more subdomain(s) with addresses of their own than the 8"),
        "{note}"
    );
}

#[test]
fn a_host_pinned_by_connect_to_is_probed_at_that_one_place_only() {
    // The user pins the apex, www and app to the live server: the stale node is never
    // dialled.
    let sb = sandbox("redirect-stale-node");
    let http = sb.info.http.to_string();
    let https = sb.info.https.to_string();
    let mut pins = Vec::new();
    for host in ["example.test", "www.example.test", "app.example.test"] {
        pins.push(format!("{host}:80:{http}"));
        pins.push(format!("{host}:443:{https}"));
    }
    let mut args: Vec<&str> = vec!["--only", "redirects"];
    for p in &pins {
        args.push("--connect-to");
        args.push(p);
    }
    let run = audit(&sb, &args);
    let r = run.json();
    assert!(
        findings(&r, "redirect.http.no-https").is_empty(),
        "{}",
        r["findings"]
    );
    assert_eq!(run.code, 0, "{}", r["findings"]);
}
