//! A Markdown checklist: what a consultant hands over at the end of a launch sprint.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = format!(
        "# Launch readiness: {}\n\n**{}**\n\nApp URL: {} · fail-on: `{}` · launchready {}\n\n",
        report.target.domain,
        report.headline(),
        report.target.url,
        report.fail_on,
        report.tool.version
    );
    let s = &report.summary;
    out.push_str(&format!(
        "| blocker | high | medium | low | info |\n|---|---|---|---|---|\n| {} | {} | {} | {} | {} |\n\n",
        s.blocker, s.high, s.medium, s.low, s.info
    ));
    out.push_str("## Checklist\n\n");
    if report.findings.is_empty() {
        out.push_str("Nothing to fix.\n");
    }
    for f in &report.findings {
        let mark = if f.suppressed { "x" } else { " " };
        out.push_str(&format!(
            "- [{mark}] **{}** `{}` — {} ({})\n  - Evidence: {}\n  - Fix: {}\n",
            f.severity.as_str().to_uppercase(),
            f.id,
            f.title,
            md_escape(&f.subject),
            md_escape(&f.evidence),
            f.fix
        ));
        if let Some(s) = &f.suppression {
            out.push_str(&format!("  - Suppression: {}\n", md_escape(s)));
        }
    }
    out.push_str("\n## Stages\n\n| stage | status | time | note |\n|---|---|---|---|\n");
    for st in &report.stages {
        out.push_str(&format!(
            "| {} | {:?} | {} ms | {} |\n",
            st.stage,
            st.status,
            st.duration_ms,
            md_escape(&st.note)
        ));
    }
    for note in &report.notes {
        out.push_str(&format!("\n> {}\n", md_escape(note)));
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
