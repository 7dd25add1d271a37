//! The verdict in the field: a check that could not see its input is never a pass. Each blind
//! spot has a sandbox scenario; the run is INCOMPLETE (exit 3) and the report says what was
//! not checked and why — unless a finding makes it NO-GO anyway.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn unseen_ids(r: &Value) -> BTreeSet<String> {
    r["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect()
}

fn reasons(r: &Value) -> Vec<String> {
    r["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .filter_map(|u| u["reason"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_resolver_that_denies_everything_is_the_auditors_blindness_not_the_sites() {
    let sb = sandbox("dns-deny-all");
    let run = audit(&sb, &[]);
    assert!(run.elapsed.as_secs_f64() < 5.0, "took {:?}", run.elapsed);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(r["verdict"], "incomplete");
    assert_eq!(r["complete"], false);
    // Nothing is blamed on the site: no dns.apex.unresolvable, no email.*.missing.
    assert!(
        r["findings"].as_array().expect("findings").is_empty(),
        "{}",
        r["findings"]
    );
    let blind = r["auditor_blind"].as_str().expect("auditor_blind");
    assert!(blind.contains("cannot resolve public names"), "{blind}");
    assert!(blind.contains("--dns-server"), "{blind}");
    let unseen = unseen_ids(&r);
    for id in [
        "dns.apex.unresolvable",
        "email.spf.missing",
        "email.dmarc.missing",
        "email.mx.missing",
        "tls.unreachable",
    ] {
        assert!(unseen.contains(id), "{id} not listed as not checked");
    }
    // The terminal says it in one sentence.
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    let table = launchready(args);
    assert_eq!(table.code, 3);
    let headline = table.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        headline.contains("INCOMPLETE") && headline.contains("cannot resolve public names"),
        "{}",
        table.stdout
    );
}

#[test]
fn servfail_on_dmarc_spf_mx_or_dkim_is_incomplete_never_go() {
    for (scenario, ids) in [
        (
            "dmarc-servfail",
            &["email.dmarc.missing", "email.dmarc.policy-none"][..],
        ),
        (
            "spf-servfail",
            &["email.spf.missing", "email.spf.permissive"][..],
        ),
        ("mx-servfail", &["email.mx.missing"][..]),
        ("dkim-servfail", &["email.dkim.weak-key"][..]),
    ] {
        let sb = sandbox(scenario);
        // At --fail-on high, the run must not be GO: each of these lookups failed.
        let run = audit(&sb, &["--only", "email", "--fail-on", "high"]);
        assert_eq!(run.code, 3, "{scenario}: {}", run.stdout);
        let r = run.json();
        assert_report_shape(&r);
        assert_eq!(r["verdict"], "incomplete", "{scenario}");
        let unseen = unseen_ids(&r);
        for id in ids {
            assert!(
                unseen.contains(*id),
                "{scenario}: {id} missing from {unseen:?}"
            );
        }
        assert!(
            reasons(&r).iter().all(|why| why.contains("SERVFAIL")
                || why.contains("Server Failure")
                || why.contains("failed")),
            "{scenario}: {:?}",
            reasons(&r)
        );
        let email = r["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["stage"] == "email")
            .cloned()
            .expect("email stage");
        assert_eq!(email["status"], "partial", "{scenario}");
        // The same fault as NXDOMAIN is a finding; SERVFAIL is never silently a pass.
        assert!(
            !r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .any(|f| ids.contains(&f["id"].as_str().unwrap_or_default())),
            "{scenario}: a failed lookup was judged"
        );
    }
}

#[test]
fn fail_on_never_still_cannot_vouch_for_what_was_not_seen() {
    // (That a blocker wins over what is unseen — NO-GO, exit 1 — is the verdict's unit test.)
    let sb = sandbox("dmarc-servfail");
    let run = audit(&sb, &["--only", "email,dns", "--fail-on", "never"]);
    assert_eq!(run.code, 3, "--fail-on never still cannot vouch for DMARC");
    let r = run.json();
    assert_eq!(r["verdict"], "incomplete");
}

#[test]
fn only_secrets_without_a_repository_is_a_usage_error() {
    let run = launchready(["audit", "example.test", "--only", "secrets"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--repo"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
}

/// `--zone` before a cutover: a CNAME to a name outside the zone cannot be judged from the
/// zone alone. It is not checked (INCOMPLETE), never a silent GO.
#[test]
fn a_cname_out_of_the_zone_file_is_not_checked() {
    let dir = std::env::temp_dir().join(format!("lr-verdict-zone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let zone = dir.join("example.test.zone");
    std::fs::write(
        &zone,
        "$ORIGIN example.test.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\n\
         @ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n\
         @ IN A 192.0.2.10\n@ IN AAAA 2001:db8::10\n@ IN CAA 0 issue \"letsencrypt.org\"\n\
         www IN CNAME example.test.\nshop IN CNAME shops.vanished-provider.example.\n",
    )
    .expect("zone");
    let zone_s = zone.to_string_lossy().to_string();
    let run = launchready([
        "audit",
        "example.test",
        "--zone",
        zone_s.as_str(),
        "--subdomain",
        "shop",
        "--only",
        "dns",
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let r = run.json();
    assert_report_shape(&r);
    let unseen = unseen_ids(&r);
    assert!(unseen.contains("dns.cname.dangling"), "{unseen:?}");
    let why = reasons(&r).join(" | ");
    assert!(why.contains("outside the zone file"), "{why}");
    assert!(ids(&r).is_empty(), "{:?}", ids(&r));
}
