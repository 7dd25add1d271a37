//! JUnit XML, for CI systems that show test reports: one test suite per stage, one test case
//! per check id that ran; a finding at or above `--fail-on` is a failure, below it a skipped
//! case with the finding as its message (so it shows without failing the build).

use super::{Report, StageStatus};

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub fn render(report: &Report) -> String {
    let threshold = report.fail_on;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report
        .findings
        .iter()
        .filter(|f| !f.suppressed && threshold.blocks(f.severity))
        .count();
    out.push_str(&format!(
        "<testsuites name=\"launchready {}\" tests=\"{}\" failures=\"{failures}\">\n",
        esc(&report.target.domain),
        crate::check::registry().len()
    ));
    for st in &report.stages {
        let docs: Vec<_> = crate::check::registry()
            .into_iter()
            .filter(|d| d.stage == st.stage)
            .collect();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" time=\"{:.3}\">\n",
            esc(st.stage.as_str()),
            docs.len(),
            st.duration_ms as f64 / 1000.0
        ));
        for d in docs {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\">",
                esc(st.stage.as_str()),
                esc(d.id)
            ));
            let found: Vec<_> = report.findings.iter().filter(|f| f.id == d.id).collect();
            if st.status != StageStatus::Ran {
                out.push_str(&format!("<skipped message=\"{}\"/>", esc(&st.note)));
            } else if let Some(f) = found
                .iter()
                .find(|f| !f.suppressed && threshold.blocks(f.severity))
            {
                let body: Vec<String> = found
                    .iter()
                    .map(|f| format!("{} {}: {}", f.severity, f.subject, f.evidence))
                    .collect();
                out.push_str(&format!(
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    f.severity,
                    esc(&format!("{} — {}", f.title, f.fix)),
                    esc(&body.join("\n"))
                ));
            } else if let Some(f) = found.first() {
                out.push_str(&format!(
                    "<skipped message=\"{}\"/>",
                    esc(&format!(
                        "{} (below --fail-on): {} {}",
                        f.severity, f.subject, f.evidence
                    ))
                ));
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
