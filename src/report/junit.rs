//! JUnit XML, for CI systems that show test reports: one test suite per stage, one test case
//! per check of the stage.
//!
//! - `<failure>`: a finding at or above `--fail-on` (not suppressed);
//! - `<error>`: the check could not see its input for some subject (never a pass);
//! - `<skipped>`: the stage was not selected;
//! - otherwise the case passes; findings below the threshold and accepted risks are listed in
//!   its `<system-out>` so they show without failing the build.
//!
//! The counts on each suite and on the root are those of the elements actually written. Every
//! text goes through [`sanitize::xml`]: only XML 1.0 characters.

use super::{sanitize, Report, StageStatus};
use std::fmt::Write;

fn esc(s: &str) -> String {
    sanitize::xml(s)
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tests += o.tests;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
    }

    fn attrs(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

pub fn render(report: &Report) -> String {
    let threshold = report.fail_on;
    let mut total = Counts::default();
    let mut suites = String::new();
    for st in &report.stages {
        let docs: Vec<_> = crate::check::registry()
            .into_iter()
            .filter(|d| d.stage == st.stage)
            .collect();
        let mut counts = Counts::default();
        let mut cases = String::new();
        for d in docs {
            counts.tests += 1;
            let _ = write!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\">",
                esc(st.stage.as_str()),
                esc(d.id)
            );
            let found: Vec<_> = report.findings.iter().filter(|f| f.id == d.id).collect();
            let unseen: Vec<_> = report.not_checked_of(d.id).collect();
            let blocking: Vec<_> = found
                .iter()
                .filter(|f| !f.suppressed && threshold.blocks(f.severity))
                .collect();
            if st.status == StageStatus::Skipped {
                counts.skipped += 1;
                let why = if st.note.is_empty() {
                    "stage not selected"
                } else {
                    &st.note
                };
                let _ = write!(cases, "<skipped message=\"{}\"/>", esc(why));
            } else if let Some(first) = blocking.first() {
                counts.failures += 1;
                let body: Vec<String> = blocking
                    .iter()
                    .map(|f| format!("{} {}: {}", f.severity, f.subject, f.evidence))
                    .collect();
                let _ = write!(
                    cases,
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    first.severity,
                    esc(&format!(
                        "{} on {} subject{} — {}",
                        first.title,
                        blocking.len(),
                        if blocking.len() == 1 { "" } else { "s" },
                        first.fix
                    )),
                    esc(&body.join("\n"))
                );
            } else if !unseen.is_empty() {
                counts.errors += 1;
                let body: Vec<String> = unseen
                    .iter()
                    .map(|u| format!("{}: {}", u.subject, u.reason))
                    .collect();
                let _ = write!(
                    cases,
                    "<error type=\"not-checked\" message=\"{}\">{}</error>",
                    esc(&format!(
                        "not checked: {} subject{} could not be seen ({})",
                        unseen.len(),
                        if unseen.len() == 1 { "" } else { "s" },
                        unseen[0].reason
                    )),
                    esc(&body.join("\n"))
                );
            } else if st.status == StageStatus::Failed {
                counts.errors += 1;
                let _ = write!(
                    cases,
                    "<error type=\"stage-failed\" message=\"{}\"/>",
                    esc(&format!("the {} stage failed: {}", st.stage, st.note))
                );
            }
            // Whatever did not fail the case is still worth reading.
            let shown: Vec<String> = found
                .iter()
                .filter(|f| f.suppressed || !threshold.blocks(f.severity))
                .map(|f| {
                    if f.suppressed {
                        format!(
                            "accepted risk ({} {}): {} — {}",
                            f.severity,
                            f.subject,
                            f.evidence,
                            f.suppression.as_deref().unwrap_or("suppressed")
                        )
                    } else {
                        format!(
                            "{} (below --fail-on {threshold}) {}: {}",
                            f.severity, f.subject, f.evidence
                        )
                    }
                })
                .collect();
            if !shown.is_empty() && st.status != StageStatus::Skipped {
                let _ = write!(cases, "<system-out>{}</system-out>", esc(&shown.join("\n")));
            }
            cases.push_str("</testcase>\n");
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" {} time=\"{:.3}\">",
            esc(st.stage.as_str()),
            counts.attrs(),
            st.duration_ms as f64 / 1000.0
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
        total.add(counts);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"launchready {}\" {} time=\"{:.3}\">",
        esc(&report.target.domain),
        total.attrs(),
        report.duration_ms as f64 / 1000.0
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}
