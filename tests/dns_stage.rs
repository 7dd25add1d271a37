//! The DNS stage end to end: the real binary against the sandbox, through the flags a user has.

mod common;

use common::*;
use std::collections::BTreeSet;

#[test]
fn healthy_is_go_with_nothing_above_info() {
    let sb = sandbox("healthy");
    let run = audit(&sb, &["--fail-on", "low"]);
    let r = run.json();
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(r["verdict"], "go");
    assert_eq!(r["complete"], true);
    for k in ["blocker", "high", "medium", "low"] {
        assert_eq!(r["summary"][k], 0, "{k}");
    }
    // The inventory lists the records found, for the handover.
    let records = r["inventory"]["dns"]["records"]
        .as_array()
        .expect("records");
    let has = |name: &str, t: &str| records.iter().any(|x| x["name"] == name && x["type"] == t);
    assert!(has("example.test", "A") && has("example.test", "AAAA") && has("example.test", "CAA"));
    assert!(
        has("example.test", "MX") && has("example.test", "TXT") && has("www.example.test", "CNAME")
    );
    let ns = r["inventory"]["dns"]["nameservers"]
        .as_array()
        .expect("nameservers");
    assert_eq!(ns.len(), 2);
    assert!(ns.iter().all(|n| n["status"] == "authoritative"));
}

#[test]
fn fail_on_sets_the_verdict_and_the_exit_code() {
    let sb = sandbox("launch-day");
    let blocker = audit(&sb, &["--only", "dns"]);
    assert_eq!(blocker.code, 0, "nothing is a blocker: {}", blocker.stdout);
    assert_eq!(blocker.json()["verdict"], "go");
    let high = audit(&sb, &["--fail-on", "high", "--only", "dns"]);
    assert_eq!(high.code, 1);
    let r = high.json();
    assert_eq!(r["verdict"], "no-go");
    assert_eq!(r["summary"]["high"], 1);
    // Ranked: severity first.
    let sev: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["severity"].as_str().expect("severity"))
        .collect();
    let order = |s: &str| {
        ["blocker", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
    };
    assert!(
        sev.windows(2).all(|w| order(w[0]) <= order(w[1])),
        "{sev:?}"
    );
    let never = audit(&sb, &["--fail-on", "never", "--only", "dns"]);
    assert_eq!(never.code, 0);
}

#[test]
fn a_dns_server_that_swallows_every_query_costs_only_the_timeout() {
    let sb = sandbox("dns-unresponsive");
    let run = audit(&sb, &["--timeout", "2"]);
    assert!(run.elapsed.as_secs_f64() < 4.0, "took {:?}", run.elapsed);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(r["complete"], false);
    let dns = &r["stages"][0];
    assert_eq!(dns["status"], "failed");
    let note = dns["note"].as_str().expect("note");
    assert!(note.contains("no working DNS"), "{note}");
    assert!(
        r["auditor_blind"]
            .as_str()
            .is_some_and(|s| s.contains("cannot resolve public names")),
        "{}",
        r["auditor_blind"]
    );
    assert_eq!(r["verdict"], "incomplete");
    assert!(r["findings"].as_array().expect("findings").is_empty());
}

#[test]
fn table_output_has_banner_findings_and_stages() {
    let sb = sandbox("launch-day");
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(["--fail-on".into(), "high".into()]);
    let run = launchready(args);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    assert!(out.contains("NO-GO"), "{out}");
    assert!(out.contains("dns.cname.dangling") && out.contains("status.example.test"));
    assert!(out.contains("Stage") && out.contains("skipped"));
    assert!(!out.contains('\x1b'), "no colour without a terminal");
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let sb = sandbox("ns-single");
    let dir = std::env::temp_dir().join(format!("lr-test-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("report.json");
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(["--format", "json", "-o"].map(String::from));
    args.push(file.display().to_string());
    let run = launchready(args);
    assert_eq!(run.code, 0);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("report file")).expect("json");
    assert!(ids(&saved).contains("dns.ns.single"));
    assert!(run.stdout.contains("dns.ns.single") && run.stdout.contains("report written to"));
    let md = dir.join("report.md");
    let run = launchready(
        ["audit".to_string()]
            .into_iter()
            .chain(sb.info.audit_args())
            .chain([
                "--format".into(),
                "markdown".into(),
                "-o".into(),
                md.display().to_string(),
            ]),
    );
    assert_eq!(run.code, 0);
    let text = std::fs::read_to_string(&md).expect("markdown");
    assert!(
        text.contains("MEDIUM — Only one nameserver")
            && text.contains("- [ ] `dns.ns.single` on 1 subject"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `audit example.test --zone ZONE --only dns --format json` with no live resolver beside the
/// zone file (a port nothing answers on), plus `extra`.
fn offline_zone_audit(zone: &str, extra: &[&str]) -> Run {
    let dead = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("port")
        .to_string();
    let mut args = vec![
        "audit",
        "example.test",
        "--zone",
        zone,
        "--dns-server",
        &dead,
        "--only",
        "dns",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    launchready(args)
}

#[test]
fn zone_file_audits_offline() {
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/scenarios/ns-single.zone"
    );
    // No live resolver next to the zone file: the parent's DS cannot be learned, so the DNSSEC
    // link and dns.dnssec.missing are not checked. Offline, the nameservers are not asked
    // directly and the AAAA not dialled: not checked either.
    let run = offline_zone_audit(zone, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let r = run.json();
    assert_eq!(ids(&r), BTreeSet::from(["dns.ns.single".to_string()]));
    let unseen = not_checked(&r);
    let unseen_ids: BTreeSet<&str> = unseen.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(
        unseen_ids,
        BTreeSet::from([
            "dns.aaaa.unreachable",
            "dns.dnssec.broken",
            "dns.dnssec.missing",
            "dns.ns.lame"
        ])
    );
    assert!(
        unseen
            .iter()
            .filter(|(id, _, _)| id == "dns.ns.lame" || id == "dns.aaaa.unreachable")
            .all(|(_, _, why)| why.starts_with("offline (--zone)")),
        "{unseen:?}"
    );
    assert!(r["stages"][0]["note"]
        .as_str()
        .expect("note")
        .contains("--zone: answers from the zone file"));
    // A dangling CNAME is judged offline too, when its target's zone is in the file.
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/scenarios/dangling-cname.zone"
    );
    let run = launchready([
        "audit",
        "example.test",
        "--zone",
        zone,
        "--subdomain",
        "app",
        "--format",
        "json",
    ]);
    assert!(ids(&run.json()).contains("dns.cname.dangling"));
}

/// What an offline audit cannot see can be accepted in the config, like a finding: on
/// purpose, with a reason, until a date. The entries leave `not_checked` (the run is no longer
/// incomplete for them) but stay in the report; an expired acceptance counts no more.
#[test]
fn a_zone_lint_accepts_its_offline_unknowns_by_suppression() {
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/scenarios/ns-single.zone"
    );
    let dir = std::env::temp_dir().join(format!("lr-accept-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = |expires: &str| {
        let path = dir.join(format!("accept-{expires}.toml"));
        let mut text = String::new();
        for id in [
            "dns.ns.lame",
            "dns.aaaa.unreachable",
            "dns.dnssec.broken",
            "dns.dnssec.missing",
        ] {
            text.push_str(&format!(
                "[[suppress]]\nid = \"{id}\"\nreason = \"zone lint before cut-over\"\nexpires = {expires}\n\n"
            ));
        }
        std::fs::write(&path, text).expect("config");
        path
    };
    let lint = |config: &std::path::Path| {
        offline_zone_audit(zone, &["-c", config.to_str().expect("utf-8 path")])
    };
    let run = lint(&config("2099-12-31"));
    let r = run.json();
    assert!(not_checked(&r).is_empty(), "{}", r["not_checked"]);
    let accepted: BTreeSet<&str> = r["accepted_not_checked"]
        .as_array()
        .expect("accepted_not_checked")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(accepted.contains("dns.ns.lame") && accepted.contains("dns.aaaa.unreachable"));
    assert!(r["accepted_not_checked"][0]["suppression"]
        .as_str()
        .is_some_and(|s| s.contains("zone lint before cut-over (until 2099-12-31)")));
    let notes = r["notes"].to_string();
    assert!(notes.contains("accepted by a suppression"), "{notes}");
    assert_eq!(r["complete"], true);
    // dns.ns.single still fires (below the blocker bar): GO, with what was accepted listed.
    assert!(ids(&r).contains("dns.ns.single"));
    assert_eq!(r["verdict"], "go");
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = lint(&config("2020-01-01"));
    let r = run.json();
    assert!(not_checked(&r).iter().any(|(id, _, _)| id == "dns.ns.lame"));
    assert!(r["notes"]
        .to_string()
        .contains("counts as not checked again"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// An answer too big for one UDP datagram comes back truncated; the resolver retries over TCP.
#[test]
fn truncated_answers_are_fetched_again_over_tcp() {
    use launchready::net::dns::{Resolver, Source};
    let sb = sandbox("healthy");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let resolver = Resolver::new(
        Source::Server(sb.info.dns),
        std::time::Duration::from_secs(1),
    );
    let answer = rt
        .block_on(resolver.lookup_str("big-txt.example.test", hickory_proto::rr::RecordType::TXT))
        .expect("answer");
    assert_eq!(answer.records.len(), 8, "all 8 TXT records, over TCP");
    assert_eq!(
        resolver
            .stats
            .queries
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}
