//! The report formats end to end, through the real binary: an incomplete run in every format,
//! the demo's and a repository scan's SARIF against the OASIS 2.1.0 schema, JUnit parsed back,
//! `-o` picking the format and failing before any probe, and a closed stdout.

mod common;

use common::{launchready, launchready_in};
use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};

/// No DNS server listens on the discard port: every lookup is refused, so every selected check
/// of the DNS and email stages is not checked.
const BLIND: &[&str] = &[
    "audit",
    "example.test",
    "--dns-server",
    "127.0.0.1:9",
    "--only",
    "dns,email",
];

fn blind(format: &str) -> common::Run {
    let mut args = BLIND.to_vec();
    args.extend(["--format", format]);
    let run = launchready(&args);
    assert_eq!(run.code, 3, "{format}: stderr {}", run.stderr);
    run
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/sarif-schema-2.1.0.json")).expect("schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// Parses JUnit XML back; asserts every count attribute equals its elements; returns the
/// root's (tests, failures, errors, skipped).
fn junit(xml: &str) -> (usize, usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML 1.0");
    let root = doc.root_element();
    let count =
        |n: roxmltree::Node, tag: &str| n.descendants().filter(|d| d.has_tag_name(tag)).count();
    let attr = |n: roxmltree::Node, a: &str| -> usize {
        n.attribute(a)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {a} on {}", n.tag_name().name()))
    };
    let suites = root.children().filter(|c| c.has_tag_name("testsuite"));
    for n in std::iter::once(root).chain(suites) {
        assert_eq!(attr(n, "tests"), count(n, "testcase"));
        assert_eq!(attr(n, "failures"), count(n, "failure"));
        assert_eq!(attr(n, "errors"), count(n, "error"));
        assert_eq!(attr(n, "skipped"), count(n, "skipped"));
    }
    (
        count(root, "testcase"),
        count(root, "failure"),
        count(root, "error"),
        count(root, "skipped"),
    )
}

#[test]
fn an_incomplete_run_says_so_in_every_format() {
    let v = blind("json").json();
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(v["complete"], false);
    let unseen = v["not_checked"].as_array().expect("not_checked").len();
    assert!(unseen > 0);

    let table = blind("table").stdout;
    assert!(table.contains("INCOMPLETE"), "{table}");
    assert!(
        table.contains(&format!("Not checked ({unseen})")),
        "{table}"
    );
    assert!(table.contains("dns.apex.unresolvable"), "{table}");

    let md = blind("markdown").stdout;
    assert!(md.contains("**Verdict: INCOMPLETE**") && md.contains("## Not checked"));
    let html = blind("html").stdout;
    assert!(html.contains("Verdict: INCOMPLETE") && html.contains("<h2>Not checked</h2>"));

    let sarif: Value = serde_json::from_str(&blind("sarif").stdout).expect("SARIF JSON");
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), unseen);
    assert!(notes.iter().all(|n| n["level"] == "error"));
    assert_eq!(run["properties"]["verdict"], "incomplete");
    assert_eq!(schema_errors(&sarif), Vec::<String>::new());

    let xml = blind("junit").stdout;
    let (tests, failures, errors, skipped) = junit(&xml);
    assert_eq!(failures, 0);
    assert!(errors > 0, "{xml}");
    // Without DNS every selected check is an error (none passed), the others skipped.
    assert!(skipped > 0 && tests == errors + skipped, "{xml}");
    // No DNS: the apex check did not pass.
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    let apex = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("dns.apex.unresolvable"))
        .expect("apex case");
    assert!(apex.children().any(|c| c.has_tag_name("error")), "{xml}");
}

#[test]
fn the_demo_sarif_and_junit_are_valid() {
    let run = launchready(["demo", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF JSON");
    assert_eq!(schema_errors(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        assert!(r["partialFingerprints"].is_object());
        let loc = &r["locations"][0];
        if let Some(uri) = loc["physicalLocation"]["artifactLocation"]["uri"].as_str() {
            assert!(
                uri.starts_with("https://")
                    || uri.starts_with("http://")
                    || uri.starts_with("dns:"),
                "{uri}"
            );
            assert!(!uri.contains(' '), "{uri}");
        }
    }
    // The bundle secret is anchored to its line.
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "exposure.secret-in-bundle"
            && r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    let run = launchready(["demo", "--format", "junit"]);
    let (_, failures, errors, _) = junit(&run.stdout);
    // The demo is NO-GO at --fail-on high: its blocking checks are failures.
    assert!(failures > 0, "{}", run.stdout);
    assert_eq!(errors, 0);
}

#[test]
fn a_repository_scan_sarif_points_at_file_and_line() {
    let dir = std::env::temp_dir().join(format!("launchready-sarif-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("dir");
    // Assembled at run time so that no scanner flags this source file.
    let key = format!("AKIA{}", "Q3ZKXB7PLMW4TRSD");
    std::fs::write(
        dir.join("src/deploy config.js"),
        format!("// deploy\nconst aws = {{ accessKeyId: \"{key}\" }};\n"),
    )
    .expect("write");
    let run = launchready_in(
        [
            "secrets",
            dir.to_str().expect("utf-8 path"),
            "--format",
            "sarif",
        ],
        None,
    );
    // The same tree through `audit --repo`: repository findings are files under %SRCROOT%,
    // never `dns:` names, and the root resolves.
    std::fs::write(
        dir.join("package.json"),
        "{\"dependencies\":{\"x\":\"1\"}}\n",
    )
    .expect("write");
    let audit = launchready([
        "audit",
        "example.test",
        "--repo",
        dir.to_str().expect("utf-8 path"),
        "--only",
        "repo",
        "--format",
        "sarif",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let doc: Value = serde_json::from_str(&audit.stdout).expect("SARIF JSON");
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    let run0 = &doc["runs"][0];
    assert!(run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("file:///")));
    let lock = run0["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "repo.lockfile.missing")
        .unwrap_or_else(|| panic!("no lockfile finding: {}", audit.stdout));
    let loc = &lock["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "package.json");
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");

    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF JSON");
    assert_eq!(schema_errors(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let r = results
        .first()
        .unwrap_or_else(|| panic!("no result: {}", run.stdout));
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/deploy%20config.js");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 2);
    assert!(
        !run.stdout.contains(&key),
        "the full key never reaches a report"
    );
}

#[test]
fn output_file_extension_picks_the_format() {
    let dir = std::env::temp_dir().join(format!("launchready-o-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("report.sarif");
    let mut args = BLIND.to_vec();
    let path = file.to_str().expect("utf-8");
    args.extend(["-q", "-o", path]);
    let run = launchready(&args);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let text = std::fs::read_to_string(&file).expect("the report file");
    let _ = std::fs::remove_dir_all(&dir);
    let v: Value = serde_json::from_str(&text).expect("SARIF, not a table");
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn an_unwritable_output_fails_before_any_probe() {
    // A DNS server that only counts: nothing may reach it.
    let dns = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let server = dns.local_addr().expect("addr").to_string();
    let run = launchready([
        "audit",
        "example.test",
        "--dns-server",
        &server,
        "--only",
        "dns",
        "-o",
        "/nonexistent-launchready-dir/report.json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("-o /nonexistent-launchready-dir/report.json"),
        "{}",
        run.stderr
    );
    dns.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0u8; 512];
    assert!(dns.recv_from(&mut buf).is_err(), "a DNS query was sent");
}

/// `launchready checks | head -1`: the reader goes away; no panic, no exit 101.
#[test]
fn a_closed_stdout_is_a_quiet_exit() {
    for args in [
        &["checks"][..],
        &["checks", "--format", "json"][..],
        &["explain", "dns.ns.lame"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_launchready"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the read end before the child writes its first line.
        drop(child.stdout.take());
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        let status = child.wait().expect("wait");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(status.code(), Some(101), "{args:?}: {stderr}");
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// A DMARC record that clears the screen, prints a fake verdict and carries an HTML payload:
/// every format shows it inert (escaped), whatever the renderer.
#[test]
fn hostile_dns_text_is_inert_in_every_format() {
    let dir = std::env::temp_dir().join(format!("launchready-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let zone = dir.join("hostile.zone");
    std::fs::write(
        &zone,
        concat!(
            "$ORIGIN example.test.\n$TTL 3600\n",
            "@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 1209600 300\n",
            "@ IN NS ns1.example.test.\n@ IN NS ns2.example.test.\n",
            "ns1 IN A 127.0.0.1\nns2 IN A 127.0.0.3\n@ 300 IN A 127.0.0.1\n",
            "@ IN MX 10 mail.example.test.\nmail IN A 127.0.0.1\n",
            "@ IN TXT \"v=spf1 mx -all\"\n",
            "_dmarc IN TXT \"v=DMARC1; p=none; \\027[2J\\027[H GO - all checks passed ",
            "<img src=x onerror=alert(1)>\"\n",
        ),
    )
    .expect("zone");
    let zone = zone.to_str().expect("utf-8").to_string();
    for format in ["table", "markdown", "html", "junit", "sarif", "json"] {
        let run = launchready([
            "audit",
            "example.test",
            "--zone",
            &zone,
            "--only",
            "email",
            "-v",
            "--format",
            format,
        ]);
        assert!(
            run.code == 0 || run.code == 1 || run.code == 3,
            "{format}: {}",
            run.stderr
        );
        // (The table at 80 columns may wrap the record inside its cell.)
        assert!(
            format == "table" || run.stdout.contains("2J"),
            "{format}: the record is shown: {}",
            run.stdout
        );
        assert!(!run.stdout.contains('\x1b'), "{format}: raw ESC on stdout");
        assert!(!run.stderr.contains('\x1b'), "{format}: raw ESC on stderr");
        if matches!(format, "markdown" | "html" | "junit") {
            assert!(!run.stdout.contains("<img"), "{format}: {}", run.stdout);
        }
        if format == "junit" {
            junit(&run.stdout);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The terminal at 80 columns: the ranked list names each check once with its count, and no
/// line (tables included) is wider than the terminal.
#[test]
fn the_demo_in_an_80_column_terminal() {
    let out = Command::new(env!("CARGO_BIN_EXE_launchready"))
        .arg("demo")
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    // The certificate expiring on four hosts is one entry with its count and fix once.
    assert_eq!(text.matches("tls.cert.expiring (4)").count(), 1, "{text}");
    assert_eq!(text.matches("fix: Renew now").count(), 1, "{text}");
    assert!(!text.contains("<domain>"), "{text}");
    assert!(text.contains("Latency (ms):"), "{text}");
}
