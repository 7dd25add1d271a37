//! The `Check` trait and the registry: the catalog of every check, in one table.
//!
//! A check is one small unit with a stable id and a doc (what it catches, why it matters for a
//! launch, how to fix it, references). `launchready explain ID` prints that doc and a finding's
//! `fix` quotes its first line. Adding a check means adding one unit to its stage's module and
//! one line to that stage's `CHECKS` list.

use crate::finding::{Finding, Impact, NotChecked, Severity};
use std::fmt;

/// The stages of an audit, in the order the report lists them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum Stage {
    Dns,
    Redirects,
    Tls,
    Email,
    Headers,
    Exposure,
    Secrets,
    Latency,
    Edge,
    Page,
    Repo,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::Dns,
        Stage::Redirects,
        Stage::Tls,
        Stage::Email,
        Stage::Headers,
        Stage::Exposure,
        Stage::Secrets,
        Stage::Latency,
        Stage::Edge,
        Stage::Page,
        Stage::Repo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::Redirects => "redirects",
            Stage::Tls => "tls",
            Stage::Email => "email",
            Stage::Headers => "headers",
            Stage::Exposure => "exposure",
            Stage::Secrets => "secrets",
            Stage::Latency => "latency",
            Stage::Edge => "edge",
            Stage::Page => "page",
            Stage::Repo => "repo",
        }
    }

    /// The stages that read the `--repo` source tree instead of the network (no DNS needed;
    /// skipped without `--repo`).
    pub fn reads_repo(self) -> bool {
        matches!(self, Stage::Secrets | Stage::Repo)
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The documentation of one check: the text `launchready explain` prints.
#[derive(Debug)]
pub struct CheckDoc {
    pub id: &'static str,
    pub stage: Stage,
    pub severity: Severity,
    pub impact: Impact,
    /// One line: the problem, as a finding's title.
    pub title: &'static str,
    /// What it catches.
    pub catches: &'static str,
    /// Why it matters for a launch.
    pub why: &'static str,
    /// How to fix it; the first sentence is the one-line fix in reports.
    pub fix: &'static str,
    pub refs: &'static [&'static str],
}

impl CheckDoc {
    /// A finding of this check at its default severity.
    pub fn finding(&self, subject: impl Into<String>, evidence: impl Into<String>) -> Finding {
        Finding {
            id: self.id.to_string(),
            stage: self.stage,
            severity: self.severity,
            impact: self.impact,
            title: self.title.to_string(),
            subject: subject.into(),
            evidence: evidence.into(),
            fix: self.one_line_fix().to_string(),
            refs: self.refs.iter().map(|r| r.to_string()).collect(),
            suppressed: false,
            suppression: None,
        }
    }

    /// The first sentence of the fix.
    pub fn one_line_fix(&self) -> &'static str {
        // A sentence ends at ". " before a capital letter, outside `code`.
        let bytes = self.fix.as_bytes();
        let mut in_code = false;
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'`' => in_code = !in_code,
                b'.' if !in_code
                    && bytes.get(i + 1) == Some(&b' ')
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase) =>
                {
                    return &self.fix[..=i];
                }
                _ => {}
            }
        }
        self.fix
    }

    /// This check could not see its input for `subject`.
    pub fn not_checked(&self, subject: impl Into<String>, reason: impl Into<String>) -> NotChecked {
        NotChecked {
            id: self.id.to_string(),
            stage: self.stage,
            subject: subject.into(),
            reason: reason.into(),
        }
    }
}

/// Declares one check: its unit struct, its doc (the catalog entry `explain` prints) and its
/// judgement. The one way to write a check; a check file holds one of these and the unit
/// tests of its `evaluate` on hand-built observations.
///
/// ```ignore
/// check! {
///     /// The apex does not resolve.
///     ApexUnresolvable for DnsObservation = CheckDoc { id: "dns.apex.unresolvable", … };
///     fn evaluate(o, out, doc) {
///         if !o.apex.resolves() { out.push(doc.finding(&o.domain, "…")) }
///     }
/// }
/// ```
#[macro_export]
macro_rules! check {
    (
        $(#[$meta:meta])*
        $name:ident for $obs:ty = $catalog:expr;
        fn evaluate($o:ident, $out:ident, $doc:ident) $body:block
    ) => {
        $(#[$meta])*
        pub struct $name;

        impl $name {
            pub const DOC: $crate::check::CheckDoc = $catalog;
        }

        impl $crate::check::Check<$obs> for $name {
            fn doc(&self) -> &'static $crate::check::CheckDoc {
                static DOC: $crate::check::CheckDoc = $name::DOC;
                &DOC
            }
            #[allow(unused_variables)]
            fn evaluate(&self, $o: &$obs, $out: &mut $crate::check::Outcomes) {
                let $doc: &'static $crate::check::CheckDoc = $crate::check::Check::<$obs>::doc(self);
                $body
            }
        }
    };
}

/// What the checks of a stage concluded: findings, and what they could not check. Every check,
/// for every subject it covers, ends as a finding, a pass (nothing recorded), or not checked.
#[derive(Debug, Default)]
pub struct Outcomes {
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
}

impl Outcomes {
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Records that `doc`'s check could not see its input for `subject`.
    pub fn unseen(
        &mut self,
        doc: &CheckDoc,
        subject: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.not_checked.push(doc.not_checked(subject, reason));
    }

    /// The findings recorded so far (for checks that look at what an earlier one found).
    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.findings.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }
}

/// One check over the observations `O` that its stage's probes gathered. Checks never touch
/// the network: probes observe, checks judge. A check whose input could not be observed
/// records it with [`Outcomes::unseen`]: it cannot pass by saying nothing.
pub trait Check<O>: Sync {
    fn doc(&self) -> &'static CheckDoc;
    fn evaluate(&self, observation: &O, out: &mut Outcomes);
}

/// What a stage's observation says about its own blind spots: the backstop that keeps a
/// stage from passing checks it could not see. When the whole observation is blind (no page
/// fetched, no answer at all), every check without a finding is not checked, whether or not
/// the check itself remembered to say so.
pub trait Observed {
    /// Why nothing the checks need could be observed, when that is the case: (subject, reason).
    fn blind(&self) -> Option<(String, String)> {
        None
    }

    /// The blind spots of one check: each (subject, reason) whose input could not be observed.
    /// The check is not checked for each of these subjects on which it recorded nothing
    /// itself. Defaults to the stage-wide [`Observed::blind`].
    fn blind_for(&self, _check: &CheckDoc) -> Vec<(String, String)> {
        self.blind().into_iter().collect()
    }
}

/// Runs every check of a stage over its observation.
pub fn evaluate_all<O: Observed>(checks: &[&dyn Check<O>], observation: &O) -> Outcomes {
    let mut out = Outcomes::default();
    for check in checks {
        let before = (out.findings.len(), out.not_checked.len());
        check.evaluate(observation, &mut out);
        let silent = out.findings.len() == before.0 && out.not_checked.len() == before.1;
        for (subject, reason) in observation.blind_for(check.doc()) {
            let judged = !silent
                && (out.findings[before.0..]
                    .iter()
                    .any(|f| f.subject == subject)
                    || out.not_checked[before.1..]
                        .iter()
                        .any(|u| u.subject == subject));
            if !judged {
                out.unseen(check.doc(), subject, reason);
            }
        }
    }
    out.not_checked.sort();
    out.not_checked.dedup();
    out
}

/// For the checks' unit tests: what one check concludes over a hand-built observation, as its
/// stage evaluates it (blind spots included), and the healthy control over a whole stage.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub fn judge<O: Observed>(check: &dyn Check<O>, o: &O) -> (Vec<Finding>, Vec<NotChecked>) {
        let out = evaluate_all(&[check], o);
        (out.findings, out.not_checked)
    }

    /// Every check of a stage passes on its healthy observation: no finding, nothing unseen.
    pub fn assert_all_pass<O: Observed>(checks: &[&dyn Check<O>], healthy: &O) {
        for check in checks {
            let (found, unseen) = judge(*check, healthy);
            assert!(
                found.is_empty() && unseen.is_empty(),
                "{}: {found:?} {unseen:?}",
                check.doc().id
            );
        }
    }
}

/// Every check launchready knows, in catalog order.
/// What a probe learned of something that may or may not exist: it could not tell, it is not
/// there, or it is there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lookup<T> {
    #[default]
    Unknown,
    Absent,
    Found(T),
}

impl<T> Lookup<T> {
    /// From an answer: `None` is absent.
    pub fn from_answer(found: Option<T>) -> Self {
        match found {
            Some(t) => Lookup::Found(t),
            None => Lookup::Absent,
        }
    }

    /// The thing found, if it was.
    pub fn found(&self) -> Option<&T> {
        match self {
            Lookup::Found(t) => Some(t),
            _ => None,
        }
    }
}

/// Every check of every stage, in catalog order.
pub fn registry() -> Vec<&'static CheckDoc> {
    crate::checks::STAGES
        .iter()
        .flat_map(|e| (e.docs)())
        .collect()
}

/// The doc of one check id.
pub fn lookup(id: &str) -> Option<&'static CheckDoc> {
    registry().into_iter().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_dotted_and_documented() {
        let mut seen = HashSet::new();
        for doc in registry() {
            assert!(seen.insert(doc.id), "duplicate id {}", doc.id);
            assert!(doc.id.contains('.'), "{} is not dotted", doc.id);
            assert!(!doc.catches.is_empty() && !doc.why.is_empty() && !doc.fix.is_empty());
            assert!(!doc.refs.is_empty(), "{} has no references", doc.id);
            assert!(doc.one_line_fix().len() <= doc.fix.len());
        }
    }
}
