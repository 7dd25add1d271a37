//! The handover as one self-contained HTML page (no external assets, no script): the same
//! content as the Markdown handover, printable, and readable without sideways scrolling from a
//! phone (390 px) to a desktop (1280 px): every cell wraps, the chart is an inline SVG that
//! scales to its column.

use super::handover::{self, Cell, Table};
use super::{sanitize, Report};
use crate::finding::{Severity, Verdict};

/// Everything that is not our own markup goes through here.
fn esc(s: &str) -> String {
    sanitize::html(s)
}

/// Text we wrote (titles, fixes, notes, reasons — which may quote the target): its `code
/// spans` become `<code>`, everything is escaped.
fn ours(s: &str) -> String {
    sanitize::html_with_code(s)
}

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "#b00020",
        Severity::High => "#c2185b",
        Severity::Medium => "#a84300",
        Severity::Low => "#00695c",
        Severity::Info => "#555",
    }
}

const CSS: &str = "*{box-sizing:border-box}\
html{-webkit-text-size-adjust:100%}\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:0 auto;padding:1em;color:#222;overflow-wrap:anywhere}\
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:2px solid #eee}h3{font-size:1.1em;margin:.3em 0}\
table{border-collapse:collapse;width:100%;margin:.6em 0}\
td,th{border-bottom:1px solid #ddd;padding:.35em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}\
th{background:#f6f6f6}\
code{background:#f4f4f4;padding:0 .2em;white-space:pre-wrap;overflow-wrap:anywhere}\
.banner{color:#fff;padding:.8em 1em;border-radius:6px;font-weight:600}\
.sev{color:#fff;border-radius:4px;padding:0 .4em;font-size:.85em;white-space:nowrap}\
.risk{border:1px solid #ddd;border-left-width:6px;border-radius:6px;padding:.6em .9em;margin:.8em 0}\
.risk ul{padding-left:1.2em;margin:.3em 0}.blank{color:#555}\
.chart{width:100%;height:auto;max-width:760px;display:block}\
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.6em 0}dl.meta dt{font-weight:600}dl.meta dd{margin:0}\
@media (max-width:600px){body{font-size:14px;padding:.6em}td,th{padding:.25em}}\
@media print{body{max-width:none;padding:0;font-size:11pt}.risk,tr,svg{break-inside:avoid}h2{break-after:avoid}\
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => esc(s),
        Cell::Code(s) if s.is_empty() => String::new(),
        Cell::Code(s) => format!("<code>{}</code>", esc(s)),
        Cell::Ours(s) => ours(s),
    }
}

fn table(t: &Table) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in t.headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            out.push_str(&format!("<td>{}</td>", cell(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

pub fn render(report: &Report) -> String {
    let banner = match report.verdict {
        Verdict::NoGo => "#b00020",
        Verdict::Incomplete => "#a84300",
        Verdict::Go => "#2e7d32",
    };
    let s = &report.summary;
    let headline = report.headline();
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>Launch readiness: {d}</title>\n<style>{CSS}</style></head><body>\n\
<h1>Launch readiness: {d}</h1>\n\
<p class=\"banner\" style=\"background:{banner}\">Verdict: {vd} — {h}</p>\n\
<dl class=\"meta\"><dt>Target</dt><dd>{d} ({u})</dd><dt>Date</dt><dd>{st}</dd>\
<dt>Tool</dt><dd>launchready {v} · fail-on <code>{fo}</code></dd>\
<dt>Findings</dt><dd>{b} blocker · {hi} high · {me} medium · {lo} low · {inf} info · {nc} not checked</dd></dl>\n",
        d = esc(&report.target.domain),
        u = esc(&report.target.url),
        v = esc(&report.tool.version),
        fo = esc(report.fail_on.as_str()),
        st = esc(&handover::when(&report.started_at)),
        vd = super::markdown::verdict_word(report.verdict),
        h = esc(headline.split_once(" — ").map_or("", |(_, why)| why)),
        b = s.blocker,
        hi = s.high,
        me = s.medium,
        lo = s.low,
        inf = s.info,
        nc = report.not_checked.len(),
    );
    out.push_str("<h2>Ranked risks</h2>\n<p>One item per check, most severe first, with every subject it was found on. Tick an item when its fix is live.</p>\n");
    let risks = handover::risks(report);
    if risks.is_empty() {
        out.push_str("<p>Nothing to fix.</p>\n");
    }
    for (i, r) in risks.iter().enumerate() {
        let f = r.first();
        out.push_str(&format!(
            "<section class=\"risk\" style=\"border-left-color:{c}\"><h3>☐ {n}. <span class=\"sev\" style=\"background:{c}\">{sev}</span> {title}</h3>\n\
<p><code>{id}</code> on {count} subject{pl}</p>\n<p><strong>Fix:</strong> {fix}</p>\n<ul>",
            c = color(f.severity),
            n = i + 1,
            sev = f.severity.as_str().to_uppercase(),
            title = ours(&f.title),
            id = esc(&f.id),
            count = r.findings.len(),
            pl = if r.findings.len() == 1 { "" } else { "s" },
            fix = ours(&r.fix),
        ));
        for f in &r.findings {
            out.push_str(&format!(
                "<li>{} — {}</li>",
                esc(&f.subject),
                sanitize::html_with_code(&f.evidence)
            ));
        }
        out.push_str(
            "</ul>\n<p class=\"blank\">Owner: ____________ · Due: ____________</p></section>\n",
        );
    }
    let accepted = handover::accepted(report);
    if !accepted.is_empty() {
        out.push_str("<h2>Accepted risks (suppressed)</h2>\n<p>Known and accepted in launchready.toml until the date shown; not fixed, so never ticked.</p>\n\
<table><thead><tr><th>Severity</th><th>Check</th><th>Subject</th><th>Reason</th><th>Until</th></tr></thead><tbody>\n");
        for a in accepted {
            out.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                a.finding.severity,
                esc(&a.finding.id),
                esc(&a.finding.subject),
                esc(&a.reason),
                esc(&a.expires)
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    if let Some(c) = handover::changes(report) {
        out.push_str(&format!(
            "<h2>Since {}</h2>\n<p>{} new, {} unchanged (not listed), {} fixed.</p>\n",
            esc(&c.file),
            c.new.len(),
            c.unchanged,
            c.fixed.len()
        ));
        let list = |title: &str, items: Vec<(&str, &str)>| {
            if items.is_empty() {
                return String::new();
            }
            let lis: String = items
                .iter()
                .map(|(id, s)| format!("<li><code>{}</code> on {}</li>", esc(id), esc(s)))
                .collect();
            format!("<h3>{title}</h3>\n<ul>{lis}</ul>\n")
        };
        out.push_str(&list(
            "New",
            c.new
                .iter()
                .map(|f| (f.id.as_str(), f.subject.as_str()))
                .collect(),
        ));
        out.push_str(&list(
            "Fixed",
            c.fixed
                .iter()
                .map(|(i, s)| (i.as_str(), s.as_str()))
                .collect(),
        ));
    }
    if !report.not_checked.is_empty() {
        let n = report.not_checked.len();
        out.push_str(&format!(
            "<h2>Not checked</h2>\n<p>{n} check{} could not see {} input; the verdict cannot vouch for {}.</p>\n\
<table><thead><tr><th>Check</th><th>Subject</th><th>Reason</th></tr></thead><tbody>\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" },
            if n == 1 { "it" } else { "them" },
        ));
        for u in &report.not_checked {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                esc(&u.id),
                esc(&u.subject),
                ours(&u.reason)
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    let sections = handover::inventory(report);
    if !sections.is_empty() {
        out.push_str("<h2>Inventory</h2>\n");
    }
    for sec in sections {
        out.push_str(&format!(
            "<h3>{}</h3>\n<p>{}</p>\n",
            esc(sec.title),
            esc(&sec.intro)
        ));
        if sec.title == "Latency" {
            if let Some(svg) = handover::latency_svg(report, sanitize::xml) {
                out.push_str(&svg);
            }
        }
        for (caption, t) in &sec.tables {
            if !caption.is_empty() {
                out.push_str(&format!("<p><strong>{}</strong></p>\n", esc(caption)));
            }
            out.push_str(&table(t));
        }
    }
    out.push_str("<h2>Stages</h2>\n<table><thead><tr><th>Stage</th><th>Status</th><th>Time</th><th>Note</th></tr></thead><tbody>\n");
    for st in &report.stages {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>\n",
            esc(st.stage.as_str()),
            st.status.as_str(),
            st.duration_ms,
            ours(&st.note)
        ));
    }
    out.push_str("</tbody></table>\n");
    for note in &report.notes {
        out.push_str(&format!("<p><em>{}</em></p>\n", ours(note)));
    }
    out.push_str("</body></html>\n");
    out
}
