//! SARIF 2.1.0, for GitHub code scanning and other CI dashboards: one rule per check id, one
//! result per finding (suppressed ones carry a suppression), and one invocation that says
//! whether the run saw everything: a check that could not see its input is a tool execution
//! notification, and makes `executionSuccessful` false.
//!
//! Locations are real URIs only: `https://…` for what was fetched (a `:LINE` suffix on a
//! script becomes `region.startLine`), `dns:NAME?type=TYPE` (RFC 4501) for DNS records,
//! `dns:HOST` for host names, and a relative file URI under `%SRCROOT%` plus
//! `region.startLine` for repository findings. Anything else is a logical location.

mod location;

use super::Report;
use crate::finding::{Finding, Severity};
use location::{location, url_uri};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` (a CVSS-like score as a string).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `email.dmarc.policy-none` → `EmailDmarcPolicyNone`: a rule name distinct from its id.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A fingerprint that stays the same run to run for the same check on the same subject.
fn fingerprint(f: &Finding) -> String {
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{}\0{}", f.id, f.subject).as_bytes(),
    );
    d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` plus `ms`, in the same form; None when `start` is not in that form.
fn add_ms(start: &str, ms: u64) -> Option<String> {
    let b = start.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| start.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    let secs = days * 86_400 + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let end = secs + (ms as i64 + 999) / 1000;
    let d = crate::config::Date::from_days(end.div_euclid(86_400));
    let t = end.rem_euclid(86_400);
    Some(format!(
        "{d}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    ))
}

/// The https URL a reference starts with (`https://crt.sh (certificate transparency…)` gives
/// `https://crt.sh`); None for a reference that is no URL (`RFC 7489 §6.3`).
fn ref_url(r: &str) -> Option<&str> {
    let url = r.split_whitespace().next()?;
    let host = url.strip_prefix("https://")?.split('/').next()?;
    let ok = host.contains('.')
        && url
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c));
    ok.then_some(url)
}

fn rule(id: &str) -> Value {
    let Some(d) = crate::check::lookup(id) else {
        return json!({"id": id, "name": pascal_case(id), "shortDescription": {"text": id}});
    };
    let mut tags: Vec<&str> = vec!["security", d.stage.as_str(), d.impact.as_str()];
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|t| seen.insert(*t));
    let refs: Vec<String> = d
        .refs
        .iter()
        .map(|r| match ref_url(r) {
            // A URL and what follows it: the URL as an autolink, the rest as text.
            Some(url) => format!(
                "- <{url}>{}",
                crate::report::sanitize::markdown(&r[url.len()..])
            ),
            None => format!("- {}", crate::report::sanitize::markdown(r)),
        })
        .collect();
    let markdown = format!(
        "**{}**\n\n{}\n\n**Why it matters for a launch.** {}\n\n**How to fix it.** {}{}",
        d.title,
        d.catches,
        d.why,
        d.fix,
        if refs.is_empty() {
            String::new()
        } else {
            format!("\n\n**References**\n\n{}", refs.join("\n"))
        }
    );
    let mut r = json!({
        "id": d.id,
        "name": pascal_case(d.id),
        "shortDescription": {"text": d.title},
        "fullDescription": {"text": d.catches},
        "help": {
            "text": format!("{}\n\nWhy it matters: {}\n\nFix: {}", d.catches, d.why, d.fix),
            "markdown": markdown,
        },
        "defaultConfiguration": {"level": level(d.severity)},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": match d.severity {
                Severity::Blocker | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "recommendation",
            },
            "security-severity": security_severity(d.severity),
        },
    });
    if let Some(uri) = d.refs.iter().find_map(|r| ref_url(r)) {
        r["helpUri"] = json!(uri);
    }
    r
}

pub fn render(report: &Report) -> String {
    let mut ids: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.id.as_str())
        .chain(report.not_checked.iter().map(|u| u.id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rules: Vec<Value> = ids.iter().map(|id| rule(id)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.id,
                "ruleIndex": ids.iter().position(|i| *i == f.id).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": format!("{}: {} — {}", f.title, f.evidence, f.fix)},
                "locations": [location(f.stage, &f.subject)],
                "partialFingerprints": {"launchreadyFinding/v1": fingerprint(f)},
                "properties": {
                    "severity": f.severity,
                    "impact": f.impact,
                    "stage": f.stage,
                    "subject": f.subject,
                },
            });
            if f.suppressed {
                r["suppressions"] = json!([{
                    "kind": "external",
                    "justification": f.suppression.as_deref().unwrap_or("suppressed in launchready.toml"),
                }]);
            }
            r
        })
        .collect();
    let notifications: Vec<Value> = report
        .not_checked
        .iter()
        .map(|u| {
            json!({
                "level": "error",
                "message": {"text": format!("not checked: {} on {}: {}", u.id, u.subject, u.reason)},
                "descriptor": {"id": u.id},
                "associatedRule": {
                    "id": u.id,
                    "index": ids.iter().position(|i| *i == u.id).unwrap_or(0),
                },
                "properties": {"stage": u.stage, "subject": u.subject, "reason": u.reason},
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": report.complete,
        "startTimeUtc": report.started_at,
        "toolExecutionNotifications": notifications,
    });
    if let Some(end) = add_ms(&report.started_at, report.duration_ms) {
        invocation["endTimeUtc"] = json!(end);
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "launchready",
            "version": report.tool.version,
            "semanticVersion": report.tool.version,
            "rules": rules,
        }},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "verdict": report.verdict,
            "complete": report.complete,
            "failOn": report.fail_on,
            "target": report.target.domain,
        },
    });
    // A repository scan's root (or the audit's --repo), so `%SRCROOT%` resolves.
    let root = match &report.inventory.repo {
        Some(repo) if repo.root.starts_with('/') => Some(format!("file://{}", repo.root)),
        _ => report
            .target
            .url
            .starts_with("file://")
            .then(|| report.target.url.clone()),
    };
    if let Some(root) = root {
        let root = format!("{}/", root.trim_end_matches('/'));
        run["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": url_uri(&root)}});
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Stage;

    #[test]
    fn locations_are_uris() {
        let uri =
            |stage, s| location(stage, s)["physicalLocation"]["artifactLocation"]["uri"].clone();
        assert_eq!(
            uri(Stage::Email, "_dmarc.example.com TXT"),
            "dns:_dmarc.example.com?type=TXT"
        );
        assert_eq!(uri(Stage::Dns, "example.com"), "dns:example.com");
        assert_eq!(
            uri(Stage::Tls, "https://example.com:443"),
            "https://example.com:443"
        );
        let js = location(Stage::Exposure, "https://example.com/app.js:12");
        assert_eq!(
            js["physicalLocation"]["artifactLocation"]["uri"],
            "https://example.com/app.js"
        );
        assert_eq!(js["physicalLocation"]["region"]["startLine"], 12);
        let file = location(Stage::Secrets, "src/my config.js:7");
        assert_eq!(
            file["physicalLocation"]["artifactLocation"]["uri"],
            "src/my%20config.js"
        );
        assert_eq!(
            file["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert_eq!(file["physicalLocation"]["region"]["startLine"], 7);
        let step = location(Stage::Repo, ".github/workflows/ci.yml job build step 2");
        assert_eq!(
            step["physicalLocation"]["artifactLocation"]["uri"],
            ".github/workflows/ci.yml"
        );
        assert_eq!(uri(Stage::Repo, "package.json"), "package.json");
        assert_eq!(uri(Stage::Repo, "/srv/app"), ".");
        assert!(location(Stage::Dns, "two words here")
            .get("logicalLocations")
            .is_some());
        assert_eq!(
            uri(Stage::Redirects, "http://example.com/a b?next=<x>"),
            "http://example.com/a%20b?next=%3Cx%3E"
        );
    }

    #[test]
    fn help_uri_is_a_url_only() {
        assert_eq!(
            ref_url("https://crt.sh (certificate transparency)"),
            Some("https://crt.sh")
        );
        assert_eq!(ref_url("RFC 7489 §6.3"), None);
        assert_eq!(ref_url("OWASP WSTG-INFO-04"), None);
        assert_eq!(ref_url("http://insecure.example"), None);
    }

    #[test]
    fn names_and_times() {
        assert_eq!(
            pascal_case("email.dmarc.policy-none"),
            "EmailDmarcPolicyNone"
        );
        assert_eq!(
            add_ms("2026-11-29T23:59:59Z", 1500).as_deref(),
            Some("2026-11-30T00:00:01Z")
        );
        assert_eq!(
            add_ms("2024-02-28T23:59:59Z", 1000).as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        assert_eq!(add_ms("garbage", 0), None);
    }
}
