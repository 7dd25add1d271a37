//! The Markdown handover: what a consultant hands over at the end of a launch sprint — date,
//! version, target and verdict; the ranked risks grouped by check with every subject, the fix
//! once and an owner/due blank; accepted risks apart (never ticked); what could not be checked;
//! the inventory (DNS map, certificates, email authentication, redirects, latency); with
//! `--baseline`, what is new and what was fixed.
//!
//! Everything taken from the target (subjects, evidence, notes, reasons) goes through
//! [`sanitize::markdown`], so a TXT record cannot inject HTML, links or table cells.

use super::handover::{self, Cell, Table};
use super::{sanitize, Report};
use crate::finding::Verdict;

fn md(s: &str) -> String {
    sanitize::markdown(s)
}

/// Text we wrote (titles, fixes) whose `code spans` stay code.
fn ours(s: &str) -> String {
    sanitize::markdown_with_code(s)
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => md(s),
        // Untrusted data stays escaped text: inside a code span `<` would be raw.
        Cell::Code(s) => md(s),
        Cell::Ours(s) => ours(s),
    }
}

fn table(t: &Table) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        t.headers.join(" | "),
        "---|".repeat(t.headers.len())
    );
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(cell).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Go => "GO",
        Verdict::NoGo => "NO-GO",
        Verdict::Incomplete => "INCOMPLETE",
    }
}

pub fn render(report: &Report) -> String {
    let headline = report.headline();
    let why = headline
        .split_once(" — ")
        .map_or(headline.as_str(), |(_, why)| why);
    let s = &report.summary;
    let mut out = format!(
        "# Launch readiness: {}\n\n> **Verdict: {}** — {}\n\n| | |\n|---|---|\n| Target | {} ({}) |\n| Date | {} |\n| Tool | launchready {} · fail-on `{}` |\n| Findings | {} blocker · {} high · {} medium · {} low · {} info · {} not checked |\n\n",
        md(&report.target.domain),
        verdict_word(report.verdict),
        md(why),
        md(&report.target.domain),
        md(&report.target.url),
        md(&handover::when(&report.started_at)),
        md(&report.tool.version),
        report.fail_on,
        s.blocker,
        s.high,
        s.medium,
        s.low,
        s.info,
        report.not_checked.len()
    );
    out.push_str("## Ranked risks\n\nOne item per check, most severe first, with every subject it was found on. Tick an item when its fix is live.\n\n");
    let risks = handover::risks(report);
    if risks.is_empty() {
        out.push_str("Nothing to fix.\n");
    }
    for (i, r) in risks.iter().enumerate() {
        let f = r.first();
        out.push_str(&format!(
            "### {}. {} — {}\n\n- [ ] `{}` on {} subject{}\n  - Fix: {}\n  - Owner: ______ · Due: ______\n  - Found on:\n",
            i + 1,
            f.severity.as_str().to_uppercase(),
            ours(&f.title),
            f.id.replace(['`', '\n'], ""),
            r.findings.len(),
            if r.findings.len() == 1 { "" } else { "s" },
            ours(&r.fix),
        ));
        for f in &r.findings {
            out.push_str(&format!("    - {} — {}\n", md(&f.subject), md(&f.evidence)));
        }
        out.push('\n');
    }
    let accepted = handover::accepted(report);
    if !accepted.is_empty() {
        out.push_str("## Accepted risks (suppressed)\n\nKnown and accepted in launchready.toml until the date shown; not fixed, so never ticked.\n\n| severity | check | subject | reason | until |\n|---|---|---|---|---|\n");
        for a in accepted {
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |\n",
                a.finding.severity,
                a.finding.id.replace(['`', '|', '\n'], ""),
                md(&a.finding.subject),
                md(&a.reason),
                md(&a.expires)
            ));
        }
        out.push('\n');
    }
    if let Some(c) = handover::changes(report) {
        out.push_str(&format!(
            "## Since {}\n\n{} new, {} unchanged (not listed), {} fixed.\n\n",
            md(&c.file),
            c.new.len(),
            c.unchanged,
            c.fixed.len()
        ));
        if !c.new.is_empty() {
            out.push_str("New:\n\n");
            for f in &c.new {
                out.push_str(&format!(
                    "- `{}` on {}\n",
                    f.id.replace(['`', '\n'], ""),
                    md(&f.subject)
                ));
            }
            out.push('\n');
        }
        if !c.fixed.is_empty() {
            out.push_str("Fixed:\n\n");
            for (id, subject) in &c.fixed {
                out.push_str(&format!(
                    "- `{}` on {}\n",
                    id.replace(['`', '\n'], ""),
                    md(subject)
                ));
            }
            out.push('\n');
        }
    }
    if !report.not_checked.is_empty() {
        let n = report.not_checked.len();
        out.push_str(&format!(
            "## Not checked\n\n{n} check{} could not see {} input; the verdict cannot vouch for {}.\n\n| check | subject | reason |\n|---|---|---|\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" },
            if n == 1 { "it" } else { "them" },
        ));
        for u in &report.not_checked {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                u.id.replace(['`', '|', '\n'], ""),
                md(&u.subject),
                md(&u.reason)
            ));
        }
        out.push('\n');
    }
    let sections = handover::inventory(report);
    if !sections.is_empty() {
        out.push_str("## Inventory\n\n");
    }
    for sec in sections {
        out.push_str(&format!("### {}\n\n{}\n\n", sec.title, md(&sec.intro)));
        for (caption, t) in &sec.tables {
            if !caption.is_empty() {
                out.push_str(&format!("{caption}:\n\n"));
            }
            out.push_str(&table(t));
            out.push('\n');
        }
    }
    out.push_str("## Stages\n\n| stage | status | time | note |\n|---|---|---|---|\n");
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
