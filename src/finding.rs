//! Findings, their severity and business impact, the ranking and the verdict (SPEC §3).

use crate::check::Stage;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A check that could not see its input for one subject: the third outcome, next to a finding
/// and a pass. It is never a pass: a run with one is `incomplete` (exit 3), never GO.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotChecked {
    pub id: String,
    pub stage: Stage,
    /// What the check would have judged, in the findings' canonical subject form.
    pub subject: String,
    /// Why the observation could not be made (SERVFAIL, timeout, refused, deadline, …).
    pub reason: String,
}

/// A not-checked entry a `[[suppress]]` of the config accepts (same id, and subject when it
/// names one, not expired): it no longer holds the verdict back, and it is listed with the
/// suppression's reason, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedNotChecked {
    #[serde(flatten)]
    pub entry: NotChecked,
    /// The suppression's reason and date (`REASON (until DATE)`).
    pub suppression: String,
}

/// How bad a finding is for the launch: defined by the secrets engine (its rules carry one),
/// the one home of the type; serialised as its lowercase name.
pub use launchready_secrets::Severity;

/// The business damage a finding does. The order of the variants is the ranking order:
/// broken login first, broken email second, slow pages third.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Signup,
    Security,
    Email,
    Downtime,
    Performance,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Signup => "signup",
            Impact::Security => "security",
            Impact::Email => "email",
            Impact::Downtime => "downtime",
            Impact::Performance => "performance",
        }
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found on the target, in the shape of SPEC §4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub stage: Stage,
    pub severity: Severity,
    pub impact: Impact,
    pub title: String,
    pub subject: String,
    pub evidence: String,
    pub fix: String,
    pub refs: Vec<String>,
    pub suppressed: bool,
    /// Why the finding is suppressed (from the config), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<String>,
}

/// Sorts findings: severity, then impact (signup, security, email, downtime, performance),
/// then id, then subject so that the order is stable run to run.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.severity, a.impact, &a.id, &a.subject).cmp(&(b.severity, b.impact, &b.id, &b.subject))
    });
}

/// The `--fail-on` threshold: the lowest severity that makes the verdict NO-GO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "never" => Some(FailOn::Never),
            "info" => None,
            other => Severity::parse(other).map(FailOn::At),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::At(s) => s.as_str(),
            FailOn::Never => "never",
        }
    }

    pub fn blocks(self, severity: Severity) -> bool {
        match self {
            FailOn::At(threshold) => severity <= threshold,
            FailOn::Never => false,
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FailOn::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown fail_on {s:?}")))
    }
}

/// The verdict of a run (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Every selected check passed or stayed below `--fail-on`.
    #[serde(rename = "go")]
    Go,
    /// A finding reached `--fail-on`, whatever else happened.
    #[serde(rename = "no-go")]
    NoGo,
    /// Nothing reached `--fail-on`, but a selected check could not see its input.
    #[serde(rename = "incomplete")]
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "go",
            Verdict::NoGo => "no-go",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// The process exit code (SPEC §2).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Go => 0,
            Verdict::NoGo => 1,
            Verdict::Incomplete => 3,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// NO-GO when any finding that is not suppressed is at or above the threshold; otherwise
/// INCOMPLETE when anything selected was not checked; GO only when everything was seen.
pub fn verdict(findings: &[Finding], not_checked: &[NotChecked], fail_on: FailOn) -> Verdict {
    if findings
        .iter()
        .any(|f| !f.suppressed && fail_on.blocks(f.severity))
    {
        Verdict::NoGo
    } else if !not_checked.is_empty() {
        Verdict::Incomplete
    } else {
        Verdict::Go
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, severity: Severity, impact: Impact) -> Finding {
        Finding {
            id: id.into(),
            stage: Stage::Dns,
            severity,
            impact,
            title: String::new(),
            subject: "x".into(),
            evidence: String::new(),
            fix: String::new(),
            refs: vec![],
            suppressed: false,
            suppression: None,
        }
    }

    #[test]
    fn ranks_by_severity_then_impact_then_id() {
        let mut v = vec![
            f("b.perf", Severity::High, Impact::Performance),
            f("z.signup", Severity::High, Impact::Signup),
            f("a.low", Severity::Low, Impact::Signup),
            f("c.email", Severity::High, Impact::Email),
            f("a.security", Severity::High, Impact::Security),
            f("x.blocker", Severity::Blocker, Impact::Downtime),
        ];
        rank(&mut v);
        let ids: Vec<_> = v.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "x.blocker",
                "z.signup",
                "a.security",
                "c.email",
                "b.perf",
                "a.low"
            ]
        );
    }

    #[test]
    fn verdict_follows_fail_on_and_ignores_suppressed() {
        let mut v = vec![f("a", Severity::Medium, Impact::Signup)];
        assert_eq!(verdict(&v, &[], FailOn::At(Severity::Blocker)), Verdict::Go);
        assert_eq!(
            verdict(&v, &[], FailOn::At(Severity::Medium)),
            Verdict::NoGo
        );
        assert_eq!(verdict(&v, &[], FailOn::At(Severity::Low)), Verdict::NoGo);
        assert_eq!(verdict(&v, &[], FailOn::Never), Verdict::Go);
        v[0].suppressed = true;
        assert_eq!(verdict(&v, &[], FailOn::At(Severity::Low)), Verdict::Go);
        assert_eq!(FailOn::parse("info"), None);
        assert_eq!(FailOn::parse("high"), Some(FailOn::At(Severity::High)));
    }

    #[test]
    fn not_checked_is_never_a_go_but_a_blocker_still_wins() {
        let unseen = [NotChecked {
            id: "email.dmarc.missing".into(),
            stage: Stage::Email,
            subject: "_dmarc.example.com TXT".into(),
            reason: "SERVFAIL".into(),
        }];
        let fail_on = FailOn::At(Severity::High);
        assert_eq!(verdict(&[], &unseen, fail_on), Verdict::Incomplete);
        assert_eq!(Verdict::Incomplete.exit_code(), 3);
        let blocker = [f("tls.cert.expired", Severity::Blocker, Impact::Signup)];
        assert_eq!(verdict(&blocker, &unseen, fail_on), Verdict::NoGo);
        let low = [f("dns.caa.missing", Severity::Low, Impact::Security)];
        assert_eq!(verdict(&low, &unseen, fail_on), Verdict::Incomplete);
        assert_eq!(verdict(&low, &[], fail_on), Verdict::Go);
    }
}
