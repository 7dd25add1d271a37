//! A Markdown checklist: what a consultant hands over at the end of a launch sprint.
//!
//! Everything taken from the target (subjects, evidence, notes, reasons) goes through
//! [`sanitize::markdown`], so a TXT record cannot inject HTML, links or table cells.

use super::{sanitize, Report};
use crate::finding::Verdict;

fn md(s: &str) -> String {
    sanitize::markdown(s)
}

pub fn render(report: &Report) -> String {
    let verdict = match report.verdict {
        Verdict::Go => "GO",
        Verdict::NoGo => "NO-GO",
        Verdict::Incomplete => "INCOMPLETE",
    };
    let headline = report.headline();
    let why = headline
        .split_once(" — ")
        .map_or(headline.as_str(), |(_, why)| why);
    let mut out = format!(
        "# Launch readiness: {}\n\n> **Verdict: {verdict}** — {}\n\nApp URL: {} · started {} · fail-on: `{}` · launchready {}\n\n",
        md(&report.target.domain),
        md(why),
        md(&report.target.url),
        md(&report.started_at),
        report.fail_on,
        md(&report.tool.version)
    );
    let s = &report.summary;
    out.push_str(&format!(
        "| blocker | high | medium | low | info | not checked |\n|---|---|---|---|---|---|\n| {} | {} | {} | {} | {} | {} |\n\n",
        s.blocker,
        s.high,
        s.medium,
        s.low,
        s.info,
        report.not_checked.len()
    ));
    out.push_str("## Checklist\n\n");
    let open: Vec<_> = report.findings.iter().filter(|f| !f.suppressed).collect();
    if open.is_empty() {
        out.push_str("Nothing to fix.\n");
    }
    for f in open {
        out.push_str(&format!(
            "- [ ] **{}** `{}` — {} ({})\n  - Evidence: {}\n  - Fix: {}\n",
            f.severity.as_str().to_uppercase(),
            f.id,
            md(&f.title),
            md(&f.subject),
            md(&f.evidence),
            sanitize::markdown_with_code(&report.fix_for(f))
        ));
        if let Some(s) = &f.suppression {
            out.push_str(&format!("  - Suppression: {}\n", md(s)));
        }
        out.push_str("  - Owner: ______ · Due: ______\n");
    }
    if let Some(b) = &report.baseline {
        let fixed: Vec<String> = b["fixed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        format!(
                            "- `{}` on {}\n",
                            f["id"].as_str().unwrap_or("").replace(['`', '\n'], ""),
                            md(f["subject"].as_str().unwrap_or(""))
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "\n## Since {}\n\n{} new (the checklist above), {} unchanged (not listed), {} fixed{}\n",
            md(b["file"].as_str().unwrap_or("the baseline")),
            b["new"],
            b["unchanged"],
            fixed.len(),
            if fixed.is_empty() { "." } else { ":" }
        ));
        if !fixed.is_empty() {
            out.push('\n');
            out.push_str(&fixed.concat());
        }
    }
    let accepted: Vec<_> = report.findings.iter().filter(|f| f.suppressed).collect();
    if !accepted.is_empty() {
        out.push_str("\n## Accepted risks (suppressed)\n\n");
        for f in accepted {
            out.push_str(&format!(
                "- **{}** `{}` — {} ({}): {}\n",
                f.severity.as_str().to_uppercase(),
                f.id,
                md(&f.title),
                md(&f.subject),
                md(f.suppression.as_deref().unwrap_or("suppressed"))
            ));
        }
    }
    if !report.not_checked.is_empty() {
        out.push_str(&format!(
            "\n## Not checked\n\n{} check{} could not see {} input; the verdict cannot vouch for {}.\n\n| check | subject | reason |\n|---|---|---|\n",
            report.not_checked.len(),
            if report.not_checked.len() == 1 { "" } else { "s" },
            if report.not_checked.len() == 1 { "its" } else { "their" },
            if report.not_checked.len() == 1 { "it" } else { "them" },
        ));
        for u in &report.not_checked {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                u.id.replace(['`', '|', '\n'], ""),
                md(&u.subject),
                md(&u.reason)
            ));
        }
    }
    if !report.latency.is_empty() {
        out.push_str("\n## Latency\n\n| endpoint | load | requests | errors | p50 ms | p95 ms | p99 ms | max ms | budget ms |\n|---|---|---|---|---|---|---|---|---|\n");
        for l in &report.latency {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                md(&l.endpoint),
                l.load(),
                l.requests,
                l.errors,
                l.p50_ms,
                l.p95_ms,
                l.p99_ms,
                l.max_ms,
                l.budget_ms,
            ));
        }
    }
    if !report.inventory.certificates.is_empty() {
        out.push_str("\n## Certificates\n\n| hosts | subject | issuer | expires | days left | key |\n|---|---|---|---|---|---|\n");
        for c in &report.inventory.certificates {
            let [hosts, subject, issuer, expires, days, key] = cert_row(c);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md(&hosts),
                md(&subject),
                md(&issuer),
                md(&expires),
                md(&days),
                md(&key)
            ));
        }
    }
    out.push_str("\n## Stages\n\n| stage | status | time | note |\n|---|---|---|---|\n");
    for st in &report.stages {
        out.push_str(&format!(
            "| {} | {} | {} ms | {} |\n",
            st.stage,
            st.status.as_str(),
            st.duration_ms,
            md(&st.note)
        ));
    }
    for note in &report.notes {
        out.push_str(&format!("\n> {}\n", md(note)));
    }
    out
}

/// One certificate of the inventory as table cells: hosts, subject, issuer, expiry, days left
/// and key (raw, unescaped: each renderer escapes for its format).
pub fn cert_row(c: &crate::checks::tls::Certificate) -> [String; 6] {
    [
        c.hosts.join(", "),
        c.subject.clone(),
        c.issuer.clone(),
        c.expires.clone(),
        c.days_left.to_string(),
        c.key.clone(),
    ]
}
