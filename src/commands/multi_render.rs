//! The combined report of several targets in each format: each target's own report (rendered
//! by `report::*`, unchanged) as a section, and one summary table. JSON is the `Combined`
//! object; SARIF is one log with a run per target; JUnit one `<testsuites>` with every
//! target's suites.

use super::multi::Combined;
use crate::cli::Format;
use crate::report::{self, sanitize};
use std::fmt::Write;

pub fn render(c: &Combined, format: Format, color: bool) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(c).unwrap_or_default() + "\n",
        Format::Table => table(c, color),
        Format::Markdown => markdown(c),
        Format::Sarif => sarif(c),
        Format::Junit => junit(c),
        Format::Html => html(c),
    }
}

fn headline(c: &Combined) -> String {
    let s = &c.summary;
    let mut line = format!(
        "{} targets: {} GO, {} NO-GO, {} INCOMPLETE → {} (exit {})",
        s.targets,
        s.go,
        s.no_go,
        s.incomplete,
        c.verdict.as_str().to_uppercase(),
        c.exit_code
    );
    if let Some(shard) = &c.shard {
        let _ = write!(line, " · shard {shard}");
    }
    if c.interrupted {
        line.push_str(" · interrupted: the reports hold what was gathered");
    }
    line
}

/// The summary table for the terminal.
pub fn summary_table(c: &Combined) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(super::terminal_width())
        .set_header(vec![
            "Target",
            "Verdict",
            "Blocker",
            "High",
            "Medium",
            "Low",
            "Not checked",
        ]);
    for r in &c.targets {
        t.add_row(vec![
            sanitize::terminal_line(&r.domain).into_owned(),
            r.verdict.as_str().to_uppercase(),
            r.summary.blocker.to_string(),
            r.summary.high.to_string(),
            r.summary.medium.to_string(),
            r.summary.low.to_string(),
            r.not_checked.to_string(),
        ]);
    }
    format!("{t}\n{}\n", headline(c))
}

fn table(c: &Combined, color: bool) -> String {
    let mut out = String::new();
    for r in &c.reports {
        let _ = writeln!(out, "══ {} ══", sanitize::terminal_line(&r.target.domain));
        out.push_str(&report::table::render_with(
            r,
            color,
            super::terminal_width(),
            crate::log::enabled(2),
        ));
        out.push('\n');
    }
    out.push_str(&summary_table(c));
    out
}

fn md_cell(s: &str) -> String {
    sanitize::terminal_line(s).replace('|', "\\|")
}

fn markdown(c: &Combined) -> String {
    let mut out = format!(
        "# launchready: {} targets\n\n{}\n\n| Target | Verdict | Blocker | High | Medium | Low | Not checked |\n|---|---|---:|---:|---:|---:|---:|\n",
        c.summary.targets,
        headline(c)
    );
    for r in &c.targets {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&r.domain),
            r.verdict.as_str().to_uppercase(),
            r.summary.blocker,
            r.summary.high,
            r.summary.medium,
            r.summary.low,
            r.not_checked
        );
    }
    for r in &c.reports {
        out.push_str("\n---\n\n");
        out.push_str(&report::markdown::render(r));
    }
    out
}

fn sarif(c: &Combined) -> String {
    let mut runs = Vec::new();
    for r in &c.reports {
        if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&report::sarif::render(r)) {
            if let Some(rs) = v.get_mut("runs").and_then(|x| x.as_array_mut()) {
                runs.append(rs);
            }
        }
    }
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// Each target's `<testsuites>` content, under one root whose counts are those of its elements.
fn junit(c: &Combined) -> String {
    let mut inner = String::new();
    for r in &c.reports {
        let xml = report::junit::render(r);
        let body = xml
            .find("<testsuites")
            .and_then(|start| xml[start..].find('>').map(|end| start + end + 1))
            .zip(xml.rfind("</testsuites>"))
            .filter(|(a, b)| a <= b)
            .map(|(a, b)| &xml[a..b]);
        if let Some(body) = body {
            inner.push_str(body.trim_matches('\n'));
            inner.push('\n');
        }
    }
    let count = |tag: &str| inner.matches(tag).count();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n{inner}</testsuites>\n",
        xml_attr(&format!("launchready: {} targets", c.summary.targets)),
        count("<testcase"),
        count("<failure"),
        count("<error"),
        count("<skipped"),
    )
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One page: the first report's head (its styles), the summary table, then every report's
/// body as a section.
fn html(c: &Combined) -> String {
    let pages: Vec<String> = c.reports.iter().map(report::html::render).collect();
    let head = pages
        .first()
        .and_then(|p| p.find("<body").and_then(|i| p[i..].find('>').map(|j| p[..i + j + 1].to_string())))
        .unwrap_or_else(|| {
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>launchready</title></head><body>"
                .into()
        });
    let mut out = head;
    let _ = write!(
        out,
        "\n<section><h1>launchready: {} targets</h1><p>{}</p><table><thead><tr><th>Target</th><th>Verdict</th><th>Blocker</th><th>High</th><th>Medium</th><th>Low</th><th>Not checked</th></tr></thead><tbody>",
        c.summary.targets,
        html_text(&headline(c))
    );
    for r in &c.targets {
        let _ = write!(
            out,
            "<tr><td><a href=\"#t-{id}\">{d}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.verdict.as_str().to_uppercase(),
            r.summary.blocker,
            r.summary.high,
            r.summary.medium,
            r.summary.low,
            r.not_checked,
            id = super::multi::fnv1a(&r.domain),
            d = html_text(&r.domain),
        );
    }
    out.push_str("</tbody></table></section>\n");
    for (r, page) in c.reports.iter().zip(&pages) {
        let body = page
            .find("<body")
            .and_then(|i| page[i..].find('>').map(|j| i + j + 1))
            .zip(page.rfind("</body>"))
            .filter(|(a, b)| a <= b)
            .map(|(a, b)| &page[a..b])
            .unwrap_or("");
        let _ = writeln!(
            out,
            "<section id=\"t-{}\">{body}</section>",
            super::multi::fnv1a(&r.target.domain)
        );
    }
    out.push_str("</body></html>\n");
    out
}
