//! The report (SPEC §4) and its output formats, one module each. Reports know nothing about
//! the network: they render what the audit found.

pub mod handover;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod sanitize;
pub mod sarif;
pub mod table;
#[cfg(test)]
mod tests;

use crate::check::Stage;
use crate::checks::StageOutput;
use crate::config::{Date, Suppression};
use crate::finding::{
    rank, verdict, AcceptedNotChecked, FailOn, Finding, NotChecked, Severity, Verdict,
};
use crate::target::Target;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub domain: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub blocker: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

/// How a stage ended: `ran` (every check concluded), `partial` (some checks not checked —
/// listed in the report's `not_checked`), `failed` (none could conclude) or `skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    Ran,
    Partial,
    Skipped,
    Failed,
}

impl StageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Ran => "ran",
            StageStatus::Partial => "partial",
            StageStatus::Skipped => "skipped",
            StageStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    pub stage: Stage,
    pub status: StageStatus,
    pub duration_ms: u64,
    pub note: String,
}

impl StageReport {
    pub fn new(stage: Stage, status: StageStatus, duration: Duration, note: String) -> Self {
        StageReport {
            stage,
            status,
            duration_ms: duration.as_millis() as u64,
            note,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    pub dns: Option<crate::checks::dns::Inventory>,
    pub certificates: Vec<crate::checks::tls::Certificate>,
    pub email: Option<crate::checks::email::Inventory>,
    /// Every redirect chain followed, hop by hop.
    pub redirects: Option<Vec<crate::checks::redirects::inventory::Chain>>,
    /// The pages whose headers were checked, with the headers that matter (null when the
    /// headers stage did not run).
    pub pages: Option<crate::checks::headers::Inventory>,
    /// What the secrets stage scanned: files, bytes, skipped files, history blobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<crate::checks::secrets::Inventory>,
    /// The first request's phases (DNS, connect, TLS, TTFB) and the requests the probes used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<crate::checks::latency::Inventory>,
    /// The CDN or WAF recognised, and the rate-limit probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<crate::checks::edge::Inventory>,
    /// The landing and app pages: every asset as served, bytes by kind, the load estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<crate::checks::page::Inventory>,
    /// What the repo stage read: CI configuration, workflows, manifests and their lockfiles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<crate::checks::repo::Inventory>,
}

impl Inventory {
    /// Takes every slot `other` filled (each stage fills its own).
    pub fn absorb(&mut self, other: Inventory) {
        self.dns = other.dns.or(self.dns.take());
        self.certificates.extend(other.certificates);
        self.email = other.email.or(self.email.take());
        self.redirects = other.redirects.or(self.redirects.take());
        self.pages = other.pages.or(self.pages.take());
        self.secrets = other.secrets.or(self.secrets.take());
        self.latency = other.latency.or(self.latency.take());
        self.edge = other.edge.or(self.edge.take());
        self.page = other.page.or(self.page.take());
        self.repo = other.repo.or(self.repo.take());
    }
}

/// A reason, and each check id it kept from its input with the subjects concerned.
pub type ReasonGroup<'a> = (&'a str, Vec<(&'a str, Vec<&'a str>)>);

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub target: TargetInfo,
    pub verdict: Verdict,
    pub fail_on: FailOn,
    /// False when a selected check could not see its input: the verdict cannot vouch for it.
    pub complete: bool,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    pub summary: Summary,
    pub stages: Vec<StageReport>,
    /// Every selected check that could not see its input, with its subject and why.
    pub not_checked: Vec<NotChecked>,
    /// Not-checked entries the config's suppressions accept (they do not make the run
    /// incomplete; each is also named in `notes`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted_not_checked: Vec<AcceptedNotChecked>,
    /// When the auditor itself could not see (no working DNS, no network): the one sentence
    /// that explains the whole run. The target is not blamed for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auditor_blind: Option<String>,
    pub findings: Vec<Finding>,
    pub latency: Vec<crate::checks::latency::Level>,
    pub inventory: Inventory,
    /// Things the reader must know that are not findings (expired suppressions, …).
    pub notes: Vec<String>,
    pub duration_ms: u64,
    pub dns_queries: u64,
    /// With `--baseline`: what is unchanged and what was fixed since that report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Value>,
}

impl Summary {
    /// Counts the findings that are not suppressed.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for f in findings.iter().filter(|f| !f.suppressed) {
            match f.severity {
                Severity::Blocker => summary.blocker += 1,
                Severity::High => summary.high += 1,
                Severity::Medium => summary.medium += 1,
                Severity::Low => summary.low += 1,
                Severity::Info => summary.info += 1,
            }
        }
        summary
    }
}

impl Report {
    /// Keeps only what is new since an earlier report (same id and subject = the same
    /// finding), lists what was fixed, and judges the verdict on the new findings alone.
    pub fn apply_baseline(&mut self, file: &str, earlier: &[(String, String)]) {
        let key = |f: &Finding| (f.id.clone(), f.subject.clone());
        let now: std::collections::BTreeSet<(String, String)> =
            self.findings.iter().map(key).collect();
        let before: std::collections::BTreeSet<(String, String)> =
            earlier.iter().cloned().collect();
        let unchanged = self
            .findings
            .iter()
            .filter(|f| before.contains(&key(f)))
            .count();
        self.findings.retain(|f| !before.contains(&key(f)));
        let fixed: Vec<Value> = before
            .difference(&now)
            .map(|(id, subject)| serde_json::json!({"id": id, "subject": subject}))
            .collect();
        self.summary = Summary::of(&self.findings);
        self.verdict = verdict(&self.findings, &self.not_checked, self.fail_on);
        self.notes.push(format!(
            "compared with {file}: {} new, {unchanged} unchanged (not listed), {} fixed",
            self.findings.len(),
            fixed.len()
        ));
        self.baseline = Some(serde_json::json!({
            "file": file,
            "new": self.findings.len(),
            "unchanged": unchanged,
            "fixed": fixed,
        }));
    }

    pub fn build(
        target: &Target,
        stages: Vec<(Stage, StageReport, StageOutput)>,
        fail_on: FailOn,
        suppressions: &[Suppression],
        today: Date,
    ) -> Report {
        let mut findings = Vec::new();
        let mut not_checked = Vec::new();
        let mut inventory = Inventory::default();
        let mut stage_reports = Vec::new();
        for (stage, mut report, output) in stages {
            findings.extend(output.findings);
            if report.status == StageStatus::Ran && !output.not_checked.is_empty() {
                report.status = StageStatus::Partial;
            }
            if report.status == StageStatus::Failed && output.not_checked.is_empty() {
                // A stage that could not run leaves every one of its checks unseen.
                let reason = if report.note.is_empty() {
                    "the stage failed".to_string()
                } else {
                    report.note.clone()
                };
                not_checked.extend(
                    (crate::checks::stage(stage).docs)()
                        .into_iter()
                        .map(|d| d.not_checked(target.domain.clone(), reason.clone())),
                );
            }
            not_checked.extend(output.not_checked);
            inventory.absorb(output.inventory);
            stage_reports.push(report);
        }
        // The levels are the report's own `latency` list, not a part of the inventory.
        let latency = inventory
            .latency
            .as_mut()
            .map(|l| std::mem::take(&mut l.levels))
            .unwrap_or_default();
        let mut notes = Vec::new();
        for f in &mut findings {
            let matching = suppressions.iter().find(|s| {
                s.id == f.id
                    && s.subject.as_deref().is_none_or(|subj| {
                        subj == f.subject
                            // A secret's fingerprint (`fingerprint:RULE:HASH` in its evidence)
                            // survives the line moving.
                            || (subj.starts_with("fingerprint:")
                                && f.evidence.split("; ").any(|part| part == subj))
                    })
            });
            if let Some(s) = matching {
                if s.expires >= today {
                    f.suppressed = true;
                    f.suppression = Some(format!("{} (until {})", s.reason, s.expires));
                } else {
                    f.suppression = Some(format!(
                        "suppression expired on {}: {} — reported again",
                        s.expires, s.reason
                    ));
                    notes.push(format!(
                        "the suppression of {} on {} expired on {}; it is reported again",
                        f.id, f.subject, s.expires
                    ));
                }
            }
        }
        rank(&mut findings);
        not_checked.sort_by(|a: &NotChecked, b: &NotChecked| {
            (a.stage, &a.id, &a.subject).cmp(&(b.stage, &b.id, &b.subject))
        });
        not_checked.dedup();
        // A suppression accepts what could not be checked the same way it accepts a finding:
        // on purpose, with a reason, until a date; the entry stays in the report.
        let mut accepted_not_checked = Vec::new();
        not_checked.retain(|u| {
            let Some(s) = suppressions.iter().find(|s| {
                s.id == u.id && s.subject.as_deref().is_none_or(|subj| subj == u.subject)
            }) else {
                return true;
            };
            if s.expires < today {
                notes.push(format!(
                    "the suppression of {} on {} expired on {}; it counts as not checked again",
                    u.id, u.subject, s.expires
                ));
                return true;
            }
            notes.push(format!(
                "accepted by a suppression until {}: {} on {} was not checked ({}) — {}",
                s.expires, u.id, u.subject, u.reason, s.reason
            ));
            accepted_not_checked.push(AcceptedNotChecked {
                entry: u.clone(),
                suppression: format!("{} (until {})", s.reason, s.expires),
            });
            false
        });
        let summary = Summary::of(&findings);
        let verdict = verdict(&findings, &not_checked, fail_on);
        let complete = not_checked.is_empty()
            && !stage_reports
                .iter()
                .any(|s| s.status == StageStatus::Failed);
        Report {
            tool: Tool {
                name: "launchready".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            target: TargetInfo {
                domain: target.domain.clone(),
                url: target.url.clone(),
            },
            verdict,
            fail_on,
            complete,
            started_at: crate::config::now_rfc3339(),
            summary,
            stages: stage_reports,
            not_checked,
            accepted_not_checked,
            auditor_blind: None,
            findings,
            latency,
            inventory,
            notes,
            duration_ms: 0,
            dns_queries: 0,
            baseline: None,
        }
    }

    /// The process exit code (SPEC §2): 1 NO-GO, 3 incomplete, 0 GO.
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    /// The findings that make the verdict NO-GO: not suppressed, at or above `--fail-on`.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| !f.suppressed && self.fail_on.blocks(f.severity))
    }

    /// The not-checked entries for display: grouped by reason, then by check id with its
    /// subjects, in report order. One reason usually covers many checks (a resolver that did
    /// not answer), so each reason is said once.
    pub fn not_checked_by_reason(&self) -> Vec<ReasonGroup<'_>> {
        let mut groups: Vec<ReasonGroup<'_>> = Vec::new();
        for u in &self.not_checked {
            let gi = match groups.iter().position(|(r, _)| *r == u.reason) {
                Some(i) => i,
                None => {
                    groups.push((&u.reason, Vec::new()));
                    groups.len() - 1
                }
            };
            let checks = &mut groups[gi].1;
            match checks.iter_mut().find(|(id, _)| *id == u.id) {
                Some((_, subjects)) => subjects.push(&u.subject),
                None => checks.push((&u.id, vec![&u.subject])),
            }
        }
        groups
    }

    /// A finding's fix with the docs' placeholder domain (`example.com`, `<domain>`) replaced by the
    /// audited one, so the record to publish or the nginx line names the real host. A
    /// repository scan (no domain) keeps the placeholder.
    pub fn fix_for(&self, f: &Finding) -> String {
        if self.target.url.starts_with("http") && !self.target.domain.is_empty() {
            f.fix
                .replace("example.com", &self.target.domain)
                .replace("<domain>", &self.target.domain)
        } else {
            f.fix.clone()
        }
    }

    /// The not-checked entries of one check id.
    pub fn not_checked_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a NotChecked> {
        self.not_checked.iter().filter(move |u| u.id == id)
    }

    /// One line saying what the verdict is and why.
    pub fn headline(&self) -> String {
        let blocking: Vec<&Finding> = self.blocking().collect();
        match self.verdict {
            Verdict::NoGo => format!(
                "NO-GO — {} finding{} at or above {}: {}",
                blocking.len(),
                if blocking.len() == 1 { "" } else { "s" },
                self.fail_on,
                {
                    let mut ids: Vec<&str> = Vec::new();
                    for f in &blocking {
                        if !ids.contains(&f.id.as_str()) {
                            ids.push(&f.id);
                        }
                    }
                    let more = if ids.len() > 3 { ", …" } else { "" };
                    ids.truncate(3);
                    ids.join(", ") + more
                }
            ),
            Verdict::Incomplete if self.auditor_blind.is_some() => format!(
                "INCOMPLETE — {}",
                self.auditor_blind.as_deref().unwrap_or_default()
            ),
            Verdict::Incomplete => {
                let n = self.not_checked.len();
                let mut stages: Vec<&str> = Vec::new();
                for s in self.not_checked.iter().map(|u| u.stage.as_str()) {
                    if !stages.contains(&s) {
                        stages.push(s);
                    }
                }
                format!(
                    "INCOMPLETE — no finding at or above {}, but {n} check{} could not see {} input ({}): not a GO",
                    self.fail_on,
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "its" } else { "their" },
                    stages.join(", "),
                )
            }
            Verdict::Go => format!("GO — nothing at or above {}", self.fail_on),
        }
    }
}

pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
