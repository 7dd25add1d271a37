//! Blind web stages are not passes: a site that refuses every connection, a machine with no
//! route out, a probe that times out and a script bigger than the body cap each leave what
//! could not be seen as not checked (exit 3, `incomplete`), never GO. And probes never follow
//! a redirect off the audited hosts.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn unseen_ids(r: &Value) -> BTreeSet<String> {
    not_checked(r).into_iter().map(|u| u.0).collect()
}

const PAGE_CHECKS: &[&str] = &[
    "headers.csp.missing",
    "headers.nosniff.missing",
    "headers.cookie.insecure",
    "exposure.env-file",
    "exposure.git",
    "exposure.secret-in-bundle",
    "exposure.stack-trace",
];

#[test]
fn a_refusing_site_is_never_go_with_only_the_page_stages() {
    let sb = sandbox("web-refused");
    let run = audit(&sb, &["--only", "headers,exposure"]);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(r["verdict"], "incomplete");
    assert_eq!(r["complete"], false);
    let got = unseen_ids(&r);
    for id in PAGE_CHECKS {
        assert!(got.contains(*id), "{id} not in {got:?}");
    }
    assert!(not_checked(&r)
        .iter()
        .all(|u| u.2.contains("Connection refused") || u.2.contains("refused")));
    // With the redirects and TLS stages, the refusal is the site's blocker.
    let run = audit(&sb, &["--only", "redirects,tls,headers,exposure"]);
    let r = run.json();
    assert_eq!(run.code, 1);
    assert_eq!(r["verdict"], "no-go");
    let found = ids(&r);
    assert!(found.contains("redirect.unreachable") && found.contains("tls.unreachable"));
}

/// TCP to a multicast address fails locally with ENETUNREACH on Linux: a machine with no
/// route to the site. None of it is the site's fault.
#[test]
fn no_route_out_is_the_auditors_blindness_not_the_sites() {
    match std::net::TcpStream::connect_timeout(
        &"224.0.0.1:443".parse().expect("addr"),
        std::time::Duration::from_secs(2),
    ) {
        Err(e) if e.kind() == std::io::ErrorKind::NetworkUnreachable => {}
        other => {
            eprintln!("skipped: this machine does not refuse multicast TCP locally ({other:?})");
            return;
        }
    }
    let sb = sandbox("healthy");
    let run = launchready([
        "audit",
        &sb.info.domain,
        "--dns-server",
        &sb.info.dns.to_string(),
        "--ca-file",
        &sb.info.ca_file.display().to_string(),
        "--connect-to",
        "::224.0.0.1:",
        "--only",
        "redirects,tls,headers,exposure",
        "--format",
        "json",
    ]);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(r["verdict"], "incomplete");
    assert!(
        ids(&r).is_empty(),
        "nothing is blamed on the site: {:?}",
        ids(&r)
    );
    let got = unseen_ids(&r);
    for id in PAGE_CHECKS.iter().chain(&[
        "redirect.unreachable",
        "tls.unreachable",
        "tls.cert.expired",
    ]) {
        assert!(got.contains(*id), "{id} not in {got:?}");
    }
    let from_here = |id: &str| {
        not_checked(&r)
            .iter()
            .any(|u| u.0 == id && u.2.contains("unreachable from here"))
    };
    assert!(from_here("redirect.unreachable") && from_here("tls.unreachable"));
    assert!(from_here("headers.csp.missing") && from_here("exposure.env-file"));
}

#[test]
fn a_probe_that_times_out_is_not_checked_for_its_url() {
    let sb = sandbox("env-probe-hangs");
    let run = audit(&sb, &["--only", "exposure"]);
    let r = run.json();
    assert_eq!(run.code, 3);
    assert_eq!(r["verdict"], "incomplete");
    let u = not_checked(&r);
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].0, "exposure.env-file");
    assert_eq!(u[0].1, "https://example.test/.env");
    assert_eq!(u[0].2, "timed out after 5 s");
    assert!(ids(&r).is_empty());
}

#[test]
fn scripts_over_the_body_cap_are_scanned_whole_up_to_32_mib() {
    let big = sandbox("bundle-big");
    let run = audit(&big, &["--only", "exposure"]);
    let r = run.json();
    assert_eq!(run.code, 1, "the secret past 2 MiB is found");
    assert!(ids(&r).contains("exposure.secret-in-bundle"));
    assert!(not_checked(&r).is_empty());

    let huge = sandbox("bundle-huge");
    let run = audit(&huge, &["--only", "exposure"]);
    let r = run.json();
    assert_eq!(run.code, 3);
    assert_eq!(r["verdict"], "incomplete");
    assert!(ids(&r).is_empty());
    let u = not_checked(&r);
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].0, "exposure.secret-in-bundle");
    assert_eq!(u[0].1, "https://example.test/static/app.3f9a1c7e.js");
    assert_eq!(
        u[0].2,
        "script larger than 32 MiB: scanned the first 32 MiB"
    );
}

#[test]
fn probes_never_follow_a_redirect_off_the_audited_hosts() {
    let sb = sandbox("redirect-off-site");
    let run = audit(&sb, &["--only", "redirects,tls,headers,exposure"]);
    let r = run.json();
    assert_report_shape(&r);
    let requests = sb.info.requests.lock().expect("log").clone();
    let elsewhere: Vec<&String> = requests
        .iter()
        .filter(|l| l.starts_with("elsewhere.test "))
        .collect();
    // One request per chain that reached it (4 redirect chains, the headers and exposure
    // stages' app page), each for the path the redirect named: never a probe path.
    assert!(!elsewhere.is_empty(), "the off-site hop is asked once");
    assert!(elsewhere.len() <= 6, "{elsewhere:?}");
    assert!(
        elsewhere.iter().all(|l| *l == "elsewhere.test /"),
        "{elsewhere:?}"
    );
    // The audited apex was probed as usual.
    assert!(requests.iter().any(|l| l.starts_with("example.test ")));
    // The chain shows the off-site hop.
    let chains = r["inventory"]["redirects"].to_string();
    assert!(chains.contains("elsewhere.test"), "{chains}");
    assert_eq!(run.code, 3);
    assert_eq!(r["verdict"], "incomplete");
    assert!(unseen_ids(&r).contains("exposure.env-file"));
}

#[test]
fn credentials_in_the_url_are_refused_and_never_echoed() {
    for args in [
        vec![
            "audit",
            "example.com",
            "--url",
            "https://admin:hunter2pass@example.com/",
        ],
        vec!["audit", "https://admin:hunter2pass@example.com/"],
    ] {
        let run = launchready(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("credentials"), "{}", run.stderr);
        assert!(!run.stderr.contains("hunter2pass") && !run.stdout.contains("hunter2pass"));
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn cookie_values_never_reach_the_report() {
    let sb = sandbox("cookies-insecure");
    let run = audit(&sb, &["--only", "headers"]);
    let r = run.json();
    assert!(ids(&r).contains("headers.cookie.insecure"));
    assert!(!run.stdout.contains("s3ss10n"), "the cookie value leaked");
    let inv = r["inventory"]["pages"].to_string();
    assert!(inv.contains("session=<redacted 7 chars>"), "{inv}");
}
