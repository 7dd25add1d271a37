//! `launchready lint`: the same checks over one record that is not published yet.

use super::*;

/// Which record `lint` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintKind {
    Spf,
    Dmarc,
    Dkim,
}

/// Lints one record offline: syntax, and what the record alone shows (for SPF, the lookup
/// terms it already has and a permissive `all`).
pub fn lint(kind: LintKind, record: &str) -> Vec<Finding> {
    let mut obs = EmailObservation {
        domain: "(record)".into(),
        // Lint judges the record given, not whether a domain has one (no dkim.missing).
        sends_mail: false,
        ..Default::default()
    };
    match kind {
        LintKind::Spf => obs.spf = Some(tree::offline("(record)", record)),
        LintKind::Dmarc => {
            let parsed = dmarc::parse(record);
            obs.dmarc = Some(DmarcObservation {
                name: "_dmarc".into(),
                found_at: Some("_dmarc".into()),
                records: vec![record.to_string()],
                parsed: Some(parsed),
                unauthorized: Vec::new(),
                unknown: None,
            });
        }
        LintKind::Dkim => {
            obs.dkim = Some(DkimObservation {
                selectors: vec!["(selector)".into()],
                found: vec![DkimFound {
                    selector: "(selector)".into(),
                    name: "(selector)._domainkey".into(),
                    record: record.to_string(),
                    key: dkim::parse(record),
                }],
                unknown: false,
                failed: Vec::new(),
            });
        }
    }
    evaluate_all(CHECKS, &obs).findings
}
