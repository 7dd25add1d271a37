//! SARIF 2.1.0, for GitHub code scanning and other CI dashboards: one rule per check id, one
//! result per finding (suppressed ones carry a suppression).

use super::Report;
use crate::finding::Severity;
use serde_json::json;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn render(report: &Report) -> String {
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rules: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| match crate::check::lookup(id) {
            Some(d) => json!({
                "id": d.id,
                "name": d.id,
                "shortDescription": {"text": d.title},
                "fullDescription": {"text": d.catches},
                "help": {"text": format!("{}\n\nWhy it matters: {}\n\nFix: {}", d.catches, d.why, d.fix)},
                "properties": {"tags": [d.stage.as_str(), d.impact.as_str()]},
            }),
            None => json!({"id": id}),
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.id,
                "level": level(f.severity),
                "message": {"text": format!("{}: {} — {}", f.title, f.evidence, f.fix)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.subject}}}],
                "properties": {"severity": f.severity, "impact": f.impact, "stage": f.stage},
            });
            if f.suppressed {
                r["suppressions"] = json!([{"kind": "external", "justification": f.suppression}]);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "launchready",
                "version": report.tool.version,
                "informationUri": "https://github.com/launchready/launchready",
                "rules": rules,
            }},
            "results": results,
            "properties": {"verdict": report.verdict, "target": report.target.domain},
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
