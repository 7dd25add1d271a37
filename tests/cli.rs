//! The command line as a user meets it: bad input, the config file, `checks` and `explain`.

mod common;

use common::*;

/// Bad input: one clear line on stderr, exit 2, nothing audited (stdout empty).
#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("lr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let bad_zone = dir.join("bad.zone");
    std::fs::write(
        &bad_zone,
        "$ORIGIN example.test.\n$TTL 300\n@ IN A 127.0.0.1\nwww IN A 1.2.3\n",
    )
    .expect("write");
    let not_pem = dir.join("ca.pem");
    std::fs::write(&not_pem, "hello\n").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["audit".into(), "exa mple.com".into()], "spaces"),
        (vec!["audit".into(), "example..com".into()], "empty label"),
        (vec!["audit".into(), "127.0.0.1".into()], "IP address"),
        (
            vec!["audit".into(), "https://example.com/pricing".into()],
            "path",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--zone".into(),
                "/nonexistent/zone".into(),
            ],
            "/nonexistent/zone",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--zone".into(),
                bad_zone.display().to_string(),
            ],
            "bad.zone:4",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--ca-file".into(),
                not_pem.display().to_string(),
            ],
            "--ca-file",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--ca-file".into(),
                "/nonexistent.pem".into(),
            ],
            "--ca-file",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--dns-server".into(),
                "dns.google".into(),
            ],
            "--dns-server",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--connect-to".into(),
                "a:b".into(),
            ],
            "--connect-to",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "--only".into(),
                "dns,tsl".into(),
            ],
            "tsl",
        ),
        (
            vec![
                "audit".into(),
                "example.test".into(),
                "-c".into(),
                "/nonexistent.toml".into(),
            ],
            "/nonexistent.toml",
        ),
        (vec!["explain".into(), "dns.nope".into()], "dns.nope"),
        (
            vec!["demo".into(), "--scenario".into(), "nope".into()],
            "nope",
        ),
    ];
    for (args, needle) in cases {
        let run = launchready(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {}", run.stderr);
        assert!(lines[0].contains(needle), "{args:?}: {}", run.stderr);
    }
    // The domain comes from the config when not given; without either it is an error.
    let run = launchready_in(["audit"], Some(&dir));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no domain"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_errors_name_the_key_and_line() {
    let dir = std::env::temp_dir().join(format!("lr-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("launchready.toml"),
        "domain = \"example.test\"\nsubdomian = [\"app\"]\n",
    )
    .expect("write");
    let run = launchready_in(["audit", "--only", "dns"], Some(&dir));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("launchready.toml:2") && run.stderr.contains("subdomian"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An active suppression hides a finding from the verdict; an expired one stops suppressing
/// and says so.
#[test]
fn suppressions_apply_until_they_expire() {
    let sb = sandbox("launch-day");
    let dir = std::env::temp_dir().join(format!("lr-sup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cfg = dir.join("launchready.toml");
    std::fs::write(
        &cfg,
        r#"
[[suppress]]
id = "dns.cname.dangling"
subject = "status.example.test"
reason = "status page is being moved this week"
expires = 2999-12-31

[[suppress]]
id = "dns.ns.single"
reason = "second nameserver ordered"
expires = 2001-01-01
"#,
    )
    .expect("write");
    let run = audit(
        &sb,
        &[
            "-c",
            cfg.to_str().expect("utf-8"),
            "--fail-on",
            "high",
            "--only",
            "dns",
        ],
    );
    assert_eq!(
        run.code, 0,
        "the only high finding is suppressed: {}",
        run.stdout
    );
    let r = run.json();
    let find = |id: &str| {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .expect("finding present")
    };
    assert_eq!(find("dns.cname.dangling")["suppressed"], true);
    assert_eq!(r["summary"]["high"], 0);
    let ns = find("dns.ns.single");
    assert_eq!(ns["suppressed"], false);
    assert!(ns["suppression"]
        .as_str()
        .expect("says so")
        .contains("expired"));
    assert!(r["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .any(|n| n.as_str().is_some_and(|n| n.contains("expired"))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checks_lists_the_registry_and_explain_prints_a_doc() {
    let run = launchready(["checks", "--format", "json"]);
    assert_eq!(run.code, 0);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in [
        "dns.apex.unresolvable",
        "dns.www.missing",
        "dns.cname.dangling",
        "dns.ns.single",
        "dns.ns.lame",
        "dns.caa.missing",
        "dns.aaaa.missing",
        "dns.ttl.long",
        "dns.staging.public",
    ] {
        assert!(ids.contains(&id), "{id} missing from `checks`");
    }
    let table = launchready(["checks"]);
    assert!(table.stdout.contains("dns.ns.lame") && table.stdout.contains("medium"));
    let run = launchready(["explain", "dns.ns.lame"]);
    assert_eq!(run.code, 0);
    for section in [
        "What it catches",
        "Why it matters",
        "How to fix it",
        "References",
        "RFC 1912",
    ] {
        assert!(run.stdout.contains(section), "{section}: {}", run.stdout);
    }
}

#[test]
fn demo_lists_and_runs_the_default_scenario() {
    let list = launchready(["demo", "--list"]);
    assert_eq!(list.code, 0);
    assert!(list
        .stdout
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("healthy")));
    assert!(list.stdout.contains("launch-day"));
    let run = launchready(["demo", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(r["verdict"], "no-go");
    assert!(ids(&r).len() >= 4);
    let strict = launchready(["demo", "--strict", "--format", "json"]);
    assert_eq!(strict.code, 1);
}

/// SARIF and JUnit for CI dashboards, HTML for the handover: each carries the findings.
#[test]
fn ci_and_handover_formats_carry_the_findings() {
    let sb = sandbox("ns-single");
    let base = || {
        let mut a = vec!["audit".to_string()];
        a.extend(sb.info.audit_args());
        a.extend(["--only", "dns", "--fail-on", "medium", "--format"].map(String::from));
        a
    };
    let mut args = base();
    args.push("sarif".into());
    let run = launchready(args);
    assert_eq!(run.code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "dns.ns.single" && r["level"] == "warning"));
    let mut args = base();
    args.push("junit".into());
    let run = launchready(args);
    assert!(
        run.stdout.starts_with("<?xml") && run.stdout.contains("failures=\"1\""),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("<testcase classname=\"dns\" name=\"dns.ns.single\"><failure"));
    let mut args = base();
    args.push("html".into());
    let run = launchready(args);
    assert!(run.stdout.contains("<!doctype html>") && run.stdout.contains("dns.ns.single"));
}

/// `--baseline`: only what is new since an earlier report counts; what was fixed is listed.
#[test]
fn baseline_reports_only_new_and_fixed() {
    let dir = std::env::temp_dir().join(format!("lr-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let before = dir.join("before.json");
    // The earlier report: ns-single's finding plus one that has since been fixed.
    let sb = sandbox("ns-single");
    let first = audit(&sb, &["--only", "dns"]);
    let mut r = first.json();
    r["findings"]
        .as_array_mut()
        .expect("findings")
        .push(serde_json::json!({
            "id": "dns.caa.missing", "subject": "example.test CAA"
        }));
    std::fs::write(&before, r.to_string()).expect("write");
    let b = before.to_str().expect("utf-8");
    // Same site again: nothing new, one fixed; a GO even at --fail-on low.
    let again = audit(&sb, &["--only", "dns", "--baseline", b, "--fail-on", "low"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    let r = again.json();
    assert!(ids(&r).is_empty());
    assert_eq!(r["baseline"]["unchanged"], 1);
    assert_eq!(r["baseline"]["fixed"][0]["id"], "dns.caa.missing");
    // Another site: its finding is new and decides the verdict.
    let other = sandbox("www-missing");
    let run = audit(
        &other,
        &["--only", "dns", "--baseline", b, "--fail-on", "medium"],
    );
    assert_eq!(run.code, 1);
    let r = run.json();
    assert_eq!(
        ids(&r),
        std::collections::BTreeSet::from(["dns.www.missing".to_string()])
    );
    assert_eq!(r["baseline"]["new"], 1);
    let bad = launchready(["audit", "example.test", "--baseline", "/nonexistent.json"]);
    assert_eq!(bad.code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `demo --serve` keeps the sandbox up and prints the exact flags that reach it.
#[test]
fn demo_serve_prints_flags_that_reach_the_sandbox() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(["demo", "--serve", "--scenario", "ns-single"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("demo --serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut audit_line = None;
    let mut ca_file = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.trim().strip_prefix("launchready audit ") {
            audit_line = Some(rest.to_string());
        }
        if let Some(rest) = line.trim().strip_prefix("CA ") {
            ca_file = Some(std::path::PathBuf::from(rest.trim()));
        }
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    let flags = audit_line.expect("the audit command line");
    assert!(
        flags.contains("--dns-server")
            && flags.contains("--connect-to")
            && flags.contains("--ca-file")
    );
    let mut args: Vec<String> = vec!["audit".into()];
    args.extend(flags.split_whitespace().map(String::from));
    args.extend(["--only", "dns,tls", "--format", "json"].map(String::from));
    let run = launchready(args);
    // The sandbox's directory is private, and a SIGTERM removes it.
    let ca_file = ca_file.expect("the CA line");
    let dir = ca_file
        .parent()
        .expect("the sandbox directory")
        .to_path_buf();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).expect("dir").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", dir.display());
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().expect("demo --serve exits");
        assert_eq!(status.code(), Some(143));
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        ids(&run.json()),
        std::collections::BTreeSet::from(["dns.ns.single".to_string()])
    );
}

/// No DNS at all: the audit cannot vouch for anything, so it is neither GO nor a NO-GO about the
/// site — exit 3, the report says which stage could not run, and no HTTP check blames the site.
#[test]
fn without_dns_the_audit_is_incomplete_not_a_verdict_on_the_site() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free port")
        .port();
    let server = format!("127.0.0.1:{port}");
    let run = launchready([
        "audit",
        "example.test",
        "--dns-server",
        server.as_str(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let r = run.json();
    assert_eq!(r["complete"], false);
    assert!(ids(&r).is_empty(), "{:?}", ids(&r));
    assert_eq!(r["verdict"], "incomplete");
    let blind = r["auditor_blind"].as_str().unwrap_or_default();
    assert!(blind.contains("cannot reach"), "{blind}");
    assert!(stage_note(&r, "dns").contains("no working DNS"));
}

/// `auth_paths` in the config decides which pages the auth checks look at; a malformed entry
/// is a configuration error naming the key and line.
#[test]
fn auth_paths_from_the_config_are_the_pages_the_auth_checks_read() {
    let sb = sandbox("login-cacheable");
    let dir = std::env::temp_dir().join(format!("lr-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cfg = dir.join("launchready.toml");
    let cfg_s = cfg.to_string_lossy().to_string();
    let run_with = |text: &str| {
        std::fs::write(&cfg, text).expect("write");
        audit(&sb, &["--only", "headers", "-c", cfg_s.as_str()])
    };
    // The default pages include /login, which this site lets shared caches keep.
    let default = audit(&sb, &["--only", "headers"]);
    assert!(ids(&default.json()).contains("cache.auth.cacheable"));
    // Only a page that does not exist: /login is no longer read.
    let other = run_with("auth_paths = [\"/members-only\"]\n");
    assert!(
        !ids(&other.json()).contains("cache.auth.cacheable"),
        "{}",
        other.stdout
    );
    // Named explicitly, it is read again.
    let named = run_with("auth_paths = [\"/login\"]\n");
    assert!(ids(&named.json()).contains("cache.auth.cacheable"));
    let bad = run_with("domain = \"example.test\"\nauth_paths = [\"login\"]\n");
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(
        bad.stderr.contains("launchready.toml:2") && bad.stderr.contains("auth_paths"),
        "{}",
        bad.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
