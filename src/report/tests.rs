//! Every renderer on hand-built reports: the INCOMPLETE verdict in each format, and hostile
//! text (terminal escapes, HTML, U+FFFF) from a finding's evidence rendered inert.

use super::*;
use crate::finding::Impact;
use serde_json::json;

/// What a DMARC TXT record may hold: clears the screen, prints a fake verdict, injects an
/// image with a script handler, and carries a character XML 1.0 forbids.
const HOSTILE: &str =
    "v=DMARC1; p=none\x1b[2J\x1b[H GO - all checks passed <img src=x onerror=alert(1)> \u{ffff}\u{7}";

fn finding(id: &str, stage: Stage, severity: Severity, subject: &str, evidence: &str) -> Finding {
    Finding {
        id: id.into(),
        stage,
        severity,
        impact: Impact::Email,
        title: "a title".into(),
        subject: subject.into(),
        evidence: evidence.into(),
        fix: "Publish `v=DMARC1; p=quarantine` at _dmarc.".into(),
        refs: vec![],
        suppressed: false,
        suppression: None,
    }
}

fn unseen(id: &str, stage: Stage, subject: &str) -> NotChecked {
    NotChecked {
        id: id.into(),
        stage,
        subject: subject.into(),
        reason: "SERVFAIL from 127.0.0.1:53".into(),
    }
}

fn report(findings: Vec<Finding>, not_checked: Vec<NotChecked>, fail_on: FailOn) -> Report {
    let stages = Stage::ALL
        .iter()
        .map(|st| {
            let (status, note) = match st {
                Stage::Email if !not_checked.is_empty() => {
                    (StageStatus::Partial, "DMARC \x1b[31mSERVFAIL")
                }
                Stage::Dns | Stage::Email | Stage::Tls => (StageStatus::Ran, ""),
                _ => (StageStatus::Skipped, "not selected (--only)"),
            };
            StageReport::new(*st, status, Duration::from_millis(12), note.into())
        })
        .collect();
    Report {
        tool: Tool {
            name: "launchready".into(),
            version: "0.1.0".into(),
        },
        target: TargetInfo {
            domain: "example.com".into(),
            url: "https://example.com/".into(),
        },
        verdict: verdict(&findings, &not_checked, fail_on),
        fail_on,
        complete: not_checked.is_empty(),
        started_at: "2026-11-29T22:00:00Z".into(),
        summary: Summary::of(&findings),
        stages,
        not_checked,
        accepted_not_checked: Vec::new(),
        auditor_blind: None,
        findings,
        latency: vec![],
        inventory: Inventory::default(),
        notes: vec![format!("a note with {HOSTILE}")],
        duration_ms: 1500,
        dns_queries: 7,
        baseline: None,
    }
}

/// An incomplete run: DMARC and SPF unseen, one low finding with hostile evidence.
fn incomplete() -> Report {
    let r = report(
        vec![finding(
            "dns.caa.missing",
            Stage::Dns,
            Severity::Low,
            "example.com CAA",
            HOSTILE,
        )],
        vec![
            unseen(
                "email.dmarc.missing",
                Stage::Email,
                "_dmarc.example.com TXT",
            ),
            unseen("email.spf.missing", Stage::Email, "example.com TXT"),
        ],
        FailOn::At(Severity::High),
    );
    assert_eq!(r.verdict, Verdict::Incomplete);
    r
}

/// A NO-GO run: a blocker, a high finding, a suppressed blocker, hostile evidence.
fn no_go() -> Report {
    let mut suppressed = finding(
        "tls.cert.expired",
        Stage::Tls,
        Severity::Blocker,
        "https://old.example.com:443",
        "expired",
    );
    suppressed.suppressed = true;
    suppressed.suppression = Some("decommissioned next week (until 2026-12-31)".into());
    report(
        vec![
            finding(
                "email.dmarc.policy-none",
                Stage::Email,
                Severity::High,
                "_dmarc.example.com TXT",
                HOSTILE,
            ),
            finding(
                "dns.apex.unresolvable",
                Stage::Dns,
                Severity::Blocker,
                "example.com",
                "NXDOMAIN",
            ),
            suppressed,
        ],
        vec![],
        FailOn::At(Severity::High),
    )
}

fn assert_no_raw_controls(out: &str, format: &str) {
    for (i, c) in out.chars().enumerate() {
        assert!(
            !(c.is_control() && c != '\n' && c != '\t') && c != '\u{ffff}',
            "{format}: raw {c:?} at char {i}"
        );
    }
}

#[test]
fn table_lists_what_was_not_checked_and_escapes_controls() {
    let out = table::render(&incomplete(), false, 100);
    assert!(out.contains("INCOMPLETE"), "{out}");
    assert!(out.contains("Not checked (2)"), "{out}");
    assert!(out.contains("because SERVFAIL from 127.0.0.1:53"), "{out}");
    assert!(out.contains("email.dmarc.missing") && out.contains("_dmarc.example.com TXT"));
    assert!(out.contains("PARTIAL"));
    assert_no_raw_controls(&out, "table");
    assert!(out.contains("\\x1b[2J"), "{out}");
    // -v: every finding with its evidence, escaped too.
    let verbose = table::render_with(&incomplete(), false, 100, true);
    assert_no_raw_controls(&verbose, "table -v");
    assert!(verbose.contains("v=DMARC1; p=none\\x1b[2J"), "{verbose}");
    // With colour, the only escapes are our own SGR sequences.
    let colored = table::render(&incomplete(), true, 100);
    assert!(!colored.contains("\x1b[2J") && !colored.contains("\x1b[H"));
    assert!(!colored.contains('\u{7}'));
}

#[test]
fn the_ranked_list_names_each_check_once_and_fits_80_columns() {
    let mut r = no_go();
    for host in [
        "www", "app", "status", "api", "shop", "blog", "docs", "mail",
    ] {
        r.findings.push(finding(
            "tls.cert.expiring",
            Stage::Tls,
            Severity::High,
            &format!("https://{host}.example.com:443"),
            "expires in 5 days",
        ));
    }
    crate::finding::rank(&mut r.findings);
    r.latency = vec![crate::checks::latency::Level {
        endpoint: "/a/rather/long/path/to/the/login/page?with=query".into(),
        url: "https://www.example.com/a/rather/long/path/to/the/login/page?with=query".into(),
        concurrency: 50,
        requests: 1000,
        errors: 12,
        p50_ms: 1234.4,
        p95_ms: 20345.0,
        p99_ms: 30456.0,
        max_ms: 99999.0,
        errors_by_kind: Default::default(),
        budget_ms: 500,
        rate: None,
        stopped: None,
        backed_off_to: None,
    }];
    let out = table::render(&r, false, 80);
    assert!(
        out.contains("    c=50     1000 req  12 err  p50  1234  p95 20345  p99 30456  max 99999"),
        "{out}"
    );
    for line in out.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert_eq!(out.matches("tls.cert.expiring (8)").count(), 1, "{out}");
    assert_eq!(
        out.matches("fix: Publish").count(),
        3,
        "one fix per check: {out}"
    );
    assert!(out.contains("… and 2 more"), "{out}");
    assert!(out.contains("Accepted risks (suppressed)"));
    // The blocker ranks first.
    let first = out.find("dns.apex.unresolvable").expect("blocker listed");
    assert!(first < out.find("tls.cert.expiring").expect("listed"));
    // -v lists every subject.
    let verbose = table::render_with(&r, false, 200, true);
    assert!(verbose.contains("mail.example.com"), "{verbose}");
}

#[test]
fn markdown_says_incomplete_and_is_inert() {
    let out = markdown::render(&incomplete());
    assert!(out.contains("**Verdict: INCOMPLETE**"), "{out}");
    assert!(out.contains("## Not checked"));
    assert!(
        out.contains("| `email.spf.missing` | example\\.com TXT |")
            || out.contains("| `email.spf.missing` | example.com TXT |"),
        "{out}"
    );
    assert!(!out.contains("<img"), "{out}");
    assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert_no_raw_controls(&out, "markdown");
    // Our own code spans survive.
    assert!(out.contains("`v=DMARC1; p=quarantine`"));
    // An accepted risk is never ticked as done.
    let ng = markdown::render(&no_go());
    assert!(ng.contains("**Verdict: NO-GO**"));
    assert!(!ng.contains("[x]"));
    assert!(ng.contains("## Accepted risks"));
}

#[test]
fn html_says_incomplete_and_escapes_everything() {
    let out = html::render(&incomplete());
    assert!(out.contains("Verdict: INCOMPLETE"));
    assert!(out.contains("<h2>Not checked</h2>"));
    assert!(!out.contains("<img"), "{out}");
    assert_no_raw_controls(&out, "html");
}

fn sarif_doc(r: &Report) -> Value {
    serde_json::from_str(&sarif::render(r)).expect("SARIF is JSON")
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("../../fixtures/sarif-schema-2.1.0.json"))
            .expect("the vendored schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn sarif_incomplete_run_is_not_successful() {
    let doc = sarif_doc(&incomplete());
    let run = &doc["runs"][0];
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["startTimeUtc"], "2026-11-29T22:00:00Z");
    assert_eq!(inv["endTimeUtc"], "2026-11-29T22:00:02Z");
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "email.dmarc.missing");
    assert_eq!(run["properties"]["verdict"], "incomplete");
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    // A complete run is successful.
    let ok = sarif_doc(&no_go());
    assert_eq!(ok["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_eq!(ok["runs"][0]["properties"]["verdict"], "no-go");
}

#[test]
fn sarif_fits_code_scanning() {
    let doc = sarif_doc(&no_go());
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    let run = &doc["runs"][0];
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut unique = tags.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(tags.len(), unique.len(), "duplicate tags in {rule}");
        assert_ne!(rule["name"], rule["id"]);
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(rule[key]["text"].is_string(), "{key} in {rule}");
        }
        assert!(rule["help"]["markdown"].is_string());
        assert!(rule["properties"]["security-severity"].is_string());
        assert!(rule["properties"]["precision"].is_string());
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert!(suppressed[0]["suppressions"][0]["justification"]
        .as_str()
        .is_some_and(|j| j.contains("decommissioned")));
    // Same id and subject, same fingerprint, run after run; different subject, different one.
    let again = sarif_doc(&no_go());
    let fp = |d: &Value, i: usize| d["runs"][0]["results"][i]["partialFingerprints"].clone();
    assert_eq!(fp(&doc, 0), fp(&again, 0));
    assert_ne!(fp(&doc, 0), fp(&doc, 1));
    // The DNS subject is a dns: URI.
    let dmarc = results
        .iter()
        .find(|r| r["ruleId"] == "email.dmarc.policy-none")
        .expect("dmarc");
    assert_eq!(
        dmarc["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dns:_dmarc.example.com?type=TXT"
    );
}

#[test]
fn sarif_schema_test_can_fail() {
    let mut doc = sarif_doc(&no_go());
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("example.com NS");
    doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"] = json!(["email", "email"]);
    assert!(schema_errors(&doc).len() >= 2, "{:?}", schema_errors(&doc));
}

/// Parses the JUnit XML back and checks each suite's counts against its elements.
fn junit_counts(xml: &str) -> (usize, usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit is well-formed XML 1.0");
    let root = doc.root_element();
    let count =
        |n: roxmltree::Node, tag: &str| n.descendants().filter(|d| d.has_tag_name(tag)).count();
    let attr = |n: roxmltree::Node, a: &str| -> usize {
        n.attribute(a)
            .and_then(|v| v.parse().ok())
            .expect("a count attribute")
    };
    for node in std::iter::once(root).chain(root.children().filter(|c| c.has_tag_name("testsuite")))
    {
        assert_eq!(attr(node, "tests"), count(node, "testcase"), "tests");
        assert_eq!(attr(node, "failures"), count(node, "failure"), "failures");
        assert_eq!(attr(node, "errors"), count(node, "error"), "errors");
        assert_eq!(attr(node, "skipped"), count(node, "skipped"), "skipped");
    }
    (
        count(root, "testcase"),
        count(root, "failure"),
        count(root, "error"),
        count(root, "skipped"),
    )
}

#[test]
fn junit_not_checked_is_an_error_never_a_pass() {
    let r = incomplete();
    let xml = junit::render(&r);
    let (tests, failures, errors, skipped) = junit_counts(&xml);
    assert_eq!(tests, crate::check::registry().len());
    assert_eq!(failures, 0, "a low finding is below --fail-on high");
    assert_eq!(errors, 2, "{xml}");
    let selected = crate::check::registry()
        .iter()
        .filter(|d| matches!(d.stage, Stage::Dns | Stage::Email | Stage::Tls))
        .count();
    assert_eq!(skipped, tests - selected);
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("email.spf.missing"))
        .expect("the SPF case");
    assert!(
        case.children().any(|c| c.has_tag_name("error")),
        "SPF unseen is not a pass"
    );
    assert!(!xml.contains('\u{ffff}') && !xml.contains('\x1b'));
}

#[test]
fn junit_failures_are_findings_at_or_above_fail_on() {
    let xml = junit::render(&no_go());
    let (_, failures, errors, _) = junit_counts(&xml);
    // The blocker and the high finding fail; the suppressed blocker does not.
    assert_eq!(failures, 2, "{xml}");
    assert_eq!(errors, 0);
    assert!(xml.contains("accepted risk"));
    assert!(!xml.contains("below --fail-on high) https://old"));
}

#[test]
fn json_says_incomplete() {
    let v: Value = serde_json::from_str(&json(&incomplete())).expect("json");
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(v["complete"], false);
    assert_eq!(v["not_checked"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["stages"][3]["status"], "partial");
}

#[test]
fn fixes_name_the_audited_domain_and_certificates_are_a_table() {
    let mut r = no_go();
    r.target.domain = "shop.io".into();
    r.target.url = "https://shop.io/".into();
    r.findings[0].fix = "Keep the URI (`return 301 https://example.com$request_uri;`).".into();
    r.inventory.certificates = vec![crate::checks::tls::Certificate {
        cipher: None,
        days_left: 19,
        expires: "2026-12-19".into(),
        hosts: vec!["shop.io:443".into(), "www.shop.io:443".into()],
        issuer: "CN=R11 <script>".into(),
        key: "EC 256".into(),
        not_after: "2026-12-19T00:00:00Z".into(),
        not_before: "2026-09-20T00:00:00Z".into(),
        protocol: Some("TLSv1.3"),
        role: "leaf",
        sans: vec!["shop.io".into()],
        sha256: "00".into(),
        signature: "ecdsa-with-SHA256".into(),
        subject: "CN=shop.io".into(),
        trust: Some("trusted".into()),
    }];
    let table = table::render(&r, false, 100);
    assert!(table.contains("https://shop.io$request_uri"), "{table}");
    assert!(!table.contains("example.com$request_uri"));
    let md = markdown::render(&r);
    assert!(
        md.contains("`return 301 https://shop.io$request_uri;`"),
        "{md}"
    );
    assert!(
        md.contains("## Certificates") && md.contains("| 19 |"),
        "{md}"
    );
    let html = html::render(&r);
    assert!(html.contains("<th>Days left</th>") && !html.contains("<pre>"));
    assert!(
        html.contains("CN=R11 &lt;script&gt;")
            && html.contains("<code>return 301 https://shop.io$request_uri;</code>"),
        "{html}"
    );
}

#[test]
fn markdown_handover_has_latency_baseline_and_owner_blanks() {
    let mut r = no_go();
    r.latency = vec![crate::checks::latency::Level {
        endpoint: "/login".into(),
        url: "https://example.com/login".into(),
        concurrency: 10,
        requests: 50,
        errors: 0,
        p50_ms: 12.5,
        p95_ms: 40.0,
        p99_ms: 55.1,
        max_ms: 60.2,
        errors_by_kind: Default::default(),
        budget_ms: 500,
        rate: None,
        stopped: None,
        backed_off_to: None,
    }];
    r.baseline = Some(json!({
        "file": "last.json", "new": 2, "unchanged": 1,
        "fixed": [{"id": "dns.ns.single", "subject": "example.com NS"}],
    }));
    let md = markdown::render(&r);
    assert!(
        md.contains("| /login | c=10 | 50 | 0 | 12 | 40 | 55 | 60 | 500 |"),
        "{md}"
    );
    assert!(
        md.contains("## Since last.json") && md.contains("- `dns.ns.single` on example.com NS"),
        "{md}"
    );
    // The new findings are listed by name too, not only counted.
    let new = md.split("New:").nth(1).expect("a New list");
    assert!(
        new.contains("- `dns.apex.unresolvable` on example.com"),
        "{md}"
    );
    let html = html::render(&r);
    assert!(
        html.contains("<h3>Fixed</h3>")
            && html.contains("<code>dns.ns.single</code> on example.com NS")
    );
    assert!(html.contains("<svg class=\"chart\""), "{html}");
    assert!(md.contains("Owner: ______"));
}

/// The ranked list groups by check with every subject and tailors `<domain>`; an accepted
/// risk has its reason and expiry apart and is never a checkbox; certificates are one row per
/// certificate with its hosts; redirect chains are listed.
#[test]
fn the_handover_groups_by_check_and_keeps_accepted_risks_apart() {
    let mut r = no_go();
    r.target.domain = "shop.io".into();
    r.target.url = "https://shop.io/".into();
    for host in ["www", "app", "api"] {
        let mut f = finding(
            "email.dmarc.no-reports",
            Stage::Email,
            Severity::Low,
            &format!("_dmarc.{host}.shop.io TXT"),
            "no rua",
        );
        f.fix = "Add `rua=mailto:dmarc@<domain>` to the record.".into();
        r.findings.push(f);
    }
    crate::finding::rank(&mut r.findings);
    r.inventory.certificates = vec![crate::checks::tls::Certificate {
        cipher: None,
        days_left: 19,
        expires: "2026-12-19".into(),
        hosts: vec![
            "shop.io:443".into(),
            "www.shop.io:443".into(),
            "app.shop.io:443".into(),
        ],
        issuer: "CN=R11".into(),
        key: "EC 256".into(),
        not_after: "2026-12-19T00:00:00Z".into(),
        not_before: "2026-09-20T00:00:00Z".into(),
        protocol: Some("TLSv1.3"),
        role: "leaf",
        sans: vec!["shop.io".into()],
        sha256: "00".into(),
        signature: "ecdsa-with-SHA256".into(),
        subject: "CN=shop.io".into(),
        trust: Some("trusted".into()),
    }];
    r.inventory.redirects = Some(vec![crate::checks::redirects::inventory::Chain {
        chain: "http://shop.io/ 301 → https://shop.io/ 200".into(),
        error: None,
        hops: vec![],
        node: None,
        off_site: None,
        start: "http://shop.io/".into(),
    }]);
    let md = markdown::render(&r);
    assert_eq!(
        md.matches("`email.dmarc.no-reports` on 3 subjects").count(),
        1,
        "{md}"
    );
    assert_eq!(
        md.matches("dmarc@shop.io").count(),
        1,
        "the fix once, tailored: {md}"
    );
    for host in ["www", "app", "api"] {
        assert!(md.contains(&format!("\\_dmarc.{host}.shop.io TXT")), "{md}");
    }
    assert!(!md.contains("<domain>"));
    assert!(md.contains("Date | 2026-11-29 22:00:00 UTC"), "{md}");
    assert!(md.contains("Tool | launchready 0.1.0"));
    // Accepted risk: its own table, reason and date apart, no checkbox.
    let accepted = md.split("## Accepted risks").nth(1).expect("section");
    assert!(
        accepted.contains("| blocker | `tls.cert.expired` | https://old.example.com:443 | decommissioned next week | 2026-12-31 |"),
        "{md}"
    );
    let ranked = md.split("## Accepted risks").next().expect("ranked part");
    assert!(
        !ranked.contains("tls.cert.expired"),
        "a suppressed finding is not a to-do"
    );
    assert_eq!(
        md.matches("- [ ]").count(),
        3,
        "one box per open check: {md}"
    );
    assert!(!md.contains("[x]"));
    // One certificate, three hosts: one row.
    assert_eq!(md.matches("| CN=shop.io |").count(), 1, "{md}");
    assert!(md.contains("shop.io:443, www.shop.io:443, app.shop.io:443"));
    assert!(
        md.contains("### Redirect chains")
            && md.contains("http://shop.io/ 301 → https://shop.io/ 200")
    );
    let html = html::render(&r);
    assert!(
        html.contains("<code>rua=mailto:dmarc@shop.io</code>"),
        "{html}"
    );
    assert!(!html.contains('`'), "backticks shown literally: {html}");
    assert!(html.contains("<td>decommissioned next week</td><td>2026-12-31</td>"));
}
