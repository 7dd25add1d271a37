//! Where a SARIF result points: `https://…` for what was fetched (a `:LINE` suffix on a
//! script becomes `region.startLine`), `dns:NAME?type=TYPE` (RFC 4501) for DNS records,
//! `dns:HOST` for host names, and a relative file URI under `%SRCROOT%` plus
//! `region.startLine` for repository findings. Anything else is a logical location.

use crate::check::Stage;
use serde_json::{json, Value};

/// Percent-encodes everything but unreserved characters and those in `keep`.
fn pct(s: &str, keep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || (b < 0x80 && keep.contains(c)) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A host name as found in a DNS subject: letters, digits, `-`, `_`, `.`, `*`.
fn is_dns_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*'))
}

/// Splits `TEXT:LINE` into the text and a line number ≥ 1.
fn split_line(s: &str) -> Option<(&str, u64)> {
    let (head, line) = s.rsplit_once(':')?;
    let n: u64 = line.parse().ok()?;
    (n >= 1 && !head.is_empty()).then_some((head, n))
}

/// An http(s) URL made safe as a URI: characters a URI cannot hold are percent-encoded, the
/// rest (including existing `%XX`) kept.
pub(super) fn url_uri(url: &str) -> String {
    pct(url, ":/?#[]@!$&'()*+,;=%")
}

/// The location of a finding's subject: physical when it is a URI, else logical.
pub(super) fn location(stage: Stage, subject: &str) -> Value {
    let logical = || json!({"logicalLocations": [{"name": subject, "kind": "resource"}]});
    let lower = subject.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        // A script's `URL:LINE`: the port sits before the path, so only a path's tail counts.
        let start = subject.find("://").map_or(0, |i| i + 3);
        let line = subject[start..].find('/').and_then(|p| {
            let (head, n) = split_line(&subject[start + p..])?;
            Some((&subject[..start + p + head.len()], n))
        });
        return match line {
            Some((url, n)) => json!({"physicalLocation": {
                "artifactLocation": {"uri": url_uri(url)},
                "region": {"startLine": n},
            }}),
            None => json!({"physicalLocation": {"artifactLocation": {"uri": url_uri(subject)}}}),
        };
    }
    if matches!(stage, Stage::Secrets | Stage::Repo) {
        // A workflow step (`PATH job NAME step N`) is in its file; the repository itself (an
        // absolute path: CI missing, no rollback docs) is the source root.
        let subject = subject.split(" job ").next().unwrap_or(subject);
        if subject.starts_with('/') {
            return json!({"physicalLocation": {
                "artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"},
            }});
        }
        let (path, line) = match split_line(subject) {
            Some((p, n)) => (p, Some(n)),
            None => (subject, None),
        };
        let path = path.trim_start_matches("./");
        if path.is_empty() || path.starts_with('/') || path.contains("..") {
            return logical();
        }
        let mut loc = json!({"physicalLocation": {
            "artifactLocation": {"uri": pct(path, "/"), "uriBaseId": "%SRCROOT%"},
        }});
        if let Some(n) = line {
            loc["physicalLocation"]["region"] = json!({"startLine": n});
        }
        return loc;
    }
    let mut words = subject.split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some(name), Some(rtype), None)
            if is_dns_name(name)
                && !rtype.is_empty()
                && rtype.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            json!({"physicalLocation": {"artifactLocation": {
                "uri": format!("dns:{}?type={}", pct(name, "*"), rtype.to_ascii_uppercase())
            }}})
        }
        (Some(name), None, None) if is_dns_name(name) => {
            json!({"physicalLocation": {"artifactLocation": {"uri": format!("dns:{}", pct(name, "*"))}}})
        }
        _ => logical(),
    }
}
