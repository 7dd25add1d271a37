//! The `secrets` stage: the source repository's working tree, its tracked `.env` files and
//! (with `--history`, and always under `audit --repo`) every blob of its git history, scanned
//! by the secrets engine (`crate::secrets`). Findings show the rule, `PATH:LINE` and a
//! redacted form — never a value.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::secrets::env::Assignment;
use crate::secrets::history::Introduced;
use crate::secrets::{Kind, Match};
use crate::stage::{StageDef, StageError};
use std::collections::{BTreeMap, HashSet};

/// A secret that is in the history but no longer in the working tree.
#[derive(Debug, Clone)]
pub struct PastSecret {
    pub found: Match,
    pub introduced: Option<Introduced>,
}

/// A `.env` file that git tracks.
#[derive(Debug, Clone)]
pub struct TrackedEnv {
    pub path: String,
    pub assignments: Vec<Assignment>,
}

/// What the scans covered, for the inventory.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Secrets an inline `launchready:allow` comment allowed (tree and history).
    pub allowed: usize,
    pub files: usize,
    pub bytes: u64,
    pub skipped_binary: usize,
    pub skipped_large: Vec<String>,
    pub skipped_links: Vec<String>,
    pub unreadable: usize,
    /// The history scan's counts, when it ran (null otherwise).
    pub history: Option<HistoryCounts>,
}

/// What the history scan read (`inventory.secrets.history`); fields in alphabetical order,
/// the order the report has always had.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryCounts {
    pub blobs: usize,
    pub bytes: u64,
    /// Objects the history names that git cannot produce (a damaged or partial clone).
    pub missing_objects: usize,
    /// Commits of a shallow clone; null when the history is whole.
    pub shallow_commits: Option<u64>,
    pub skipped_binary: usize,
    pub skipped_large: usize,
}

/// Everything the scans saw.
#[derive(Debug, Default)]
pub struct SecretsObservation {
    /// Secrets in files of the working tree (tracked, or not ignored).
    pub tree: Vec<Match>,
    /// Client-prefixed secrets in git-ignored `.env*` files of a JavaScript project.
    pub ignored_env: Vec<Match>,
    pub history: Vec<PastSecret>,
    pub tracked_env: Vec<TrackedEnv>,
    /// The history was asked for and could not be seen whole: (subject, reason). Not a
    /// repository, a shallow clone, missing objects, git failing or absent.
    pub history_unseen: Option<(String, String)>,
    /// What git tracks is unknown (git absent or failing): (subject, reason).
    pub tracked_unseen: Option<(String, String)>,
    /// Files of the tree that could not be scanned (too large, unreadable): (subject, reason).
    pub tree_unseen: Vec<(String, String)>,
    pub scanned: Scanned,
}

/// `RULE (description): REDACTED; fingerprint:RULE:HASH` — the fingerprint is what a
/// `[[suppress]]` subject may name so that the suppression survives the line moving.
fn evidence(m: &Match) -> String {
    let mut e = format!("{} ({}): {}", m.rule.id, m.rule.description, m.redacted);
    if let Some(fp) = m.fingerprint() {
        e.push_str("; ");
        e.push_str(&fp);
    }
    e
}

/// Directories whose keys are, on real histories, mostly test keys: a test suite, its data and
/// fixtures, or a vendored third-party tree.
const TEST_TREES: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "third-party",
    "third_party",
    "thirdparty",
    "vendor",
];

/// The test or vendored directory that holds `label` (a path), if any.
fn test_tree(label: &str) -> Option<&'static str> {
    let mut dirs = label.split('/').collect::<Vec<_>>();
    dirs.pop(); // the file name
    dirs.iter().find_map(|d| {
        TEST_TREES
            .iter()
            .find(|t| d.eq_ignore_ascii_case(t))
            .copied()
    })
}

/// One step less severe.
fn lower(s: Severity) -> Severity {
    match s {
        Severity::Blocker => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// A key in a test or vendored tree ranks one step below a live one, and the evidence says why.
fn rank_test_tree(f: &mut crate::finding::Finding, label: &str) {
    if let Some(dir) = test_tree(label) {
        f.severity = lower(f.severity);
        f.evidence.push_str(&format!(
            "; ranked one step lower: it is under a {dir}/ directory, where most keys are test \
             or vendored fixtures (rotate it anyway if it is a real key)"
        ));
    }
}

/// The less severe of a rule's severity and a check's ceiling.
fn capped(rule: Severity, ceiling: Severity) -> Severity {
    rule.max(ceiling)
}

mod client_prefix;
mod env_committed;
mod history_secret;
mod inventory;
mod observe;
mod publishable_key;
mod tree_secret;

pub use client_prefix::ClientPrefix;
pub use env_committed::EnvCommitted;
pub use history_secret::HistorySecret;
pub use inventory::Inventory;
pub use observe::observe;
pub use publishable_key::PublishableKey;
pub use tree_secret::TreeSecret;

impl Observed for SecretsObservation {}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<SecretsObservation>] = &[
    &TreeSecret,
    &HistorySecret,
    &EnvCommitted,
    &ClientPrefix,
    &PublishableKey,
];

/// Scans `root` — a directory, or one file — (and its history when asked) and judges what
/// was found.
pub fn scan(root: &std::path::Path, with_history: bool) -> Result<StageOutput, StageError> {
    let (obs, notes) = observe(root, with_history)?;
    let mut inventory = crate::report::Inventory::default();
    Secrets::file(inventory::inventory(&obs), &mut inventory);
    Ok(StageOutput::new(
        evaluate_all(CHECKS, &obs),
        inventory,
        notes,
    ))
}

/// The stage under `audit --repo PATH`: the tree and its whole history.
pub struct Secrets;

impl StageDef for Secrets {
    crate::stage_header!(Secrets, SecretsObservation, Inventory => secrets);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<SecretsObservation, StageError> {
        let repo = ctx.repo.clone().ok_or(StageError::NoRepo)?;
        let (obs, more) = tokio::task::spawn_blocking(move || observe(&repo, true)).await??;
        notes.extend(more);
        Ok(obs)
    }
}

/// Hand-built observations for the checks' unit tests: a clean repository to break one way
/// at a time, matches made by the real engine, and the stage's own evaluation over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    /// A clean repository: nothing found, everything seen.
    pub fn healthy() -> SecretsObservation {
        SecretsObservation::default()
    }

    /// The matches the real engine finds in `text`, as if it were the file `label`.
    pub fn found(label: &str, text: &str) -> Vec<Match> {
        let matches = crate::secrets::scan_bytes(label, text.as_bytes());
        assert!(!matches.is_empty(), "no match in {text:?}");
        matches
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }
}
