//! A self-contained HTML page: the handover document a consultant sends after the sprint.

use super::{sanitize, Report};
use crate::finding::{Severity, Verdict};

/// Everything that is not our own markup goes through here.
fn esc(s: &str) -> String {
    sanitize::html(s)
}

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "#b00020",
        Severity::High => "#c2185b",
        Severity::Medium => "#e65100",
        Severity::Low => "#00695c",
        Severity::Info => "#555",
    }
}

pub fn render(report: &Report) -> String {
    let banner = match report.verdict {
        Verdict::NoGo => "#b00020",
        Verdict::Incomplete => "#e65100",
        Verdict::Go => "#2e7d32",
    };
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Launch readiness: {d}</title>\n\
<style>body{{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}\
table{{border-collapse:collapse;width:100%;margin:1em 0}}td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}\
.banner{{color:#fff;padding:.8em 1em;border-radius:6px;font-weight:600}}.sev{{color:#fff;border-radius:4px;padding:0 .4em;font-size:.85em}}\
code{{background:#f4f4f4;padding:0 .2em}}td{{overflow-wrap:anywhere}}</style></head><body>\n\
<h1>Launch readiness: {d}</h1>\n<p>App URL: {u} · started {st} · launchready {v} · fail-on <code>{fo}</code></p>\n\
<p class=\"banner\" style=\"background:{banner}\">Verdict: {vd} — {h}</p>\n",
        d = esc(&report.target.domain),
        u = esc(&report.target.url),
        v = esc(&report.tool.version),
        fo = esc(report.fail_on.as_str()),
        st = esc(&report.started_at),
        vd = match report.verdict {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
            Verdict::Incomplete => "INCOMPLETE",
        },
        h = esc(
            report
                .headline()
                .split_once(" — ")
                .map_or("", |(_, why)| why)
        ),
    );
    let s = &report.summary;
    out.push_str(&format!(
        "<p>{} blocker · {} high · {} medium · {} low · {} info</p>\n<h2>Findings</h2>\n",
        s.blocker, s.high, s.medium, s.low, s.info
    ));
    if report.findings.is_empty() {
        out.push_str("<p>Nothing to fix.</p>\n");
    } else {
        out.push_str("<table><tr><th>Severity</th><th>Check</th><th>Subject</th><th>Evidence</th><th>Fix</th></tr>\n");
        for f in &report.findings {
            out.push_str(&format!(
                "<tr><td><span class=\"sev\" style=\"background:{}\">{}</span>{}</td><td><code>{}</code><br>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                color(f.severity),
                esc(f.severity.as_str()),
                if f.suppressed { " (suppressed)" } else { "" },
                esc(&f.id),
                esc(&f.title),
                esc(&f.subject),
                esc(&f.evidence),
                sanitize::html_with_code(&report.fix_for(f))
            ));
        }
        out.push_str("</table>\n");
    }
    if !report.not_checked.is_empty() {
        out.push_str(&format!(
            "<h2>Not checked</h2>\n<p>{} check{} could not see {} input; the verdict cannot vouch for {}.</p>\n\
<table><tr><th>Check</th><th>Subject</th><th>Reason</th></tr>\n",
            report.not_checked.len(),
            if report.not_checked.len() == 1 { "" } else { "s" },
            if report.not_checked.len() == 1 { "its" } else { "their" },
            if report.not_checked.len() == 1 { "it" } else { "them" },
        ));
        for u in &report.not_checked {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                esc(&u.id),
                esc(&u.subject),
                esc(&u.reason)
            ));
        }
        out.push_str("</table>\n");
    }
    if !report.latency.is_empty() {
        out.push_str("<h2>Latency</h2>\n<table><tr><th>Endpoint</th><th>Load</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>\n");
        for l in &report.latency {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{} ms</td><td>{} ms</td><td>{} ms</td></tr>\n",
                esc(&l.endpoint),
                esc(&l.load()),
                l.requests,
                l.errors,
                l.p50_ms,
                l.p95_ms,
                l.p99_ms,
                l.max_ms,
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Stages</h2>\n<table><tr><th>Stage</th><th>Status</th><th>Time</th><th>Note</th></tr>\n");
    for st in &report.stages {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>\n",
            esc(st.stage.as_str()),
            st.status.as_str(),
            st.duration_ms,
            esc(&st.note)
        ));
    }
    out.push_str("</table>\n");
    if !report.inventory.certificates.is_empty() {
        out.push_str("<h2>Certificates</h2>\n<table><tr><th>Hosts</th><th>Subject</th><th>Issuer</th><th>Expires</th><th>Days left</th><th>Key</th></tr>\n");
        for c in &report.inventory.certificates {
            out.push_str("<tr>");
            for cell in super::markdown::cert_row(c) {
                out.push_str(&format!("<td>{}</td>", esc(&cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    for note in &report.notes {
        out.push_str(&format!("<p><em>{}</em></p>\n", esc(note)));
    }
    out.push_str("</body></html>\n");
    out
}
