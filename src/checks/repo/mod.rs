//! The `repo` stage: the `--repo` source tree read for release readiness, offline. CI
//! configuration, GitHub Actions workflows (parsed as YAML: dangerous triggers with a PR
//! checkout, attacker-controlled expressions in scripts, token permissions), a secret scan
//! in CI, lockfiles next to manifests, and a deploy job. The inventory lists what was read.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::stage::{StageDef, StageError};

/// One step of a GitHub Actions job.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub name: Option<String>,
    pub uses: Option<String>,
    /// `with.ref` of the step (an `actions/checkout` ref).
    pub with_ref: Option<String>,
    /// `run:`, or `with.script` of `actions/github-script`: code the runner executes.
    pub script: Option<String>,
}

/// One job of a workflow.
#[derive(Debug, Clone, Default)]
pub struct Job {
    pub id: String,
    pub name: Option<String>,
    /// The job's `permissions:` as written (`write-all`, `read-all`, `{…}`), if any.
    pub permissions: Option<String>,
    /// The job deploys to a GitHub environment (`environment:`).
    pub environment: bool,
    /// A reusable workflow the job calls (`uses:` at job level).
    pub uses: Option<String>,
    pub steps: Vec<Step>,
}

/// One `.github/workflows/*.yml` file, parsed.
#[derive(Debug, Clone, Default)]
pub struct Workflow {
    /// The path relative to the repository root.
    pub path: String,
    pub name: Option<String>,
    /// The events under `on:`.
    pub triggers: Vec<String>,
    /// The top-level `permissions:` as written, if any.
    pub permissions: Option<String>,
    pub jobs: Vec<Job>,
    /// Some expression reads `secrets.*`.
    pub uses_secrets: bool,
}

/// A package manifest and the lockfile found for it (in its directory or an ancestor).
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub path: String,
    /// The lockfile names that would do.
    pub wants: Vec<&'static str>,
    /// The lockfile found, relative to the root.
    pub lockfile: Option<String>,
}

/// Everything the repo stage read.
#[derive(Debug, Default)]
pub struct RepoObservation {
    /// The `--repo` path as given.
    pub root: String,
    /// CI configuration files or directories found (relative paths).
    pub ci: Vec<String>,
    pub workflows: Vec<Workflow>,
    /// Workflows that could not be read or parsed: (path, why).
    pub unparsed: Vec<(String, String)>,
    /// The text of every CI file that is not a parsed workflow (GitLab, Circle, Jenkinsfile,
    /// unparsed workflows…), searched for tool names: (path, text).
    pub ci_texts: Vec<(String, String)>,
    /// `.pre-commit-config.yaml`, when present (a CI step may run its hooks).
    pub pre_commit: Option<String>,
    pub manifests: Vec<Manifest>,
    /// The walk stopped at its cap: manifests beyond it were not seen.
    pub truncated: bool,
    /// Why the project reads a `.env` file (a `.env*` file, `.env` in `.gitignore`, dotenv),
    /// if it does.
    pub env_used: Option<String>,
    /// The committed example of the environment (`.env.example`, `.env.sample`, …).
    pub env_example: Option<String>,
    /// The documentation file that describes a rollback, if any.
    pub rollback_doc: Option<String>,
    /// The documentation files read for it.
    pub docs_read: usize,
}

impl RepoObservation {
    /// Every script a CI step runs, with where it is (for tool detection).
    pub fn ci_scripts(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        for wf in &self.workflows {
            for job in &wf.jobs {
                for (i, step) in job.steps.iter().enumerate() {
                    let at = format!("{} job {} step {}", wf.path, job.id, i + 1);
                    if let Some(u) = &step.uses {
                        all.push((at.clone(), u.clone()));
                    }
                    if let Some(s) = &step.script {
                        all.push((at, s.clone()));
                    }
                }
            }
        }
        all.extend(self.ci_texts.iter().cloned());
        all
    }
}

mod ci_missing;
mod deploy_manual;
mod env_example_missing;
mod inventory;
mod lockfile_missing;
mod observe;
mod rollback_undocumented;
mod secret_scan_missing;
mod workflow;
mod workflow_injection;
mod workflow_permissions;

pub use ci_missing::CiMissing;
pub use deploy_manual::DeployManual;
pub use env_example_missing::EnvExampleMissing;
pub use inventory::Inventory;
pub use lockfile_missing::LockfileMissing;
pub use observe::observe;
pub use rollback_undocumented::RollbackUndocumented;
pub use secret_scan_missing::SecretScanMissing;
pub use workflow_injection::WorkflowInjection;
pub use workflow_permissions::WorkflowPermissions;

/// A workflow that could not be parsed leaves the workflow checks not checked for it.
impl Observed for RepoObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        match check.id {
            "repo.workflow.injection" | "repo.workflow.permissions" => self
                .unparsed
                .iter()
                .map(|(p, why)| (p.clone(), format!("the workflow could not be read: {why}")))
                .collect(),
            _ => vec![],
        }
    }
}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<RepoObservation>] = &[
    &WorkflowInjection,
    &CiMissing,
    &SecretScanMissing,
    &LockfileMissing,
    &WorkflowPermissions,
    &DeployManual,
    &RollbackUndocumented,
    &EnvExampleMissing,
];

/// The stage: read the tree, then every check.
pub struct Repo;

impl StageDef for Repo {
    crate::stage_header!(Repo, RepoObservation, Inventory => repo);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<RepoObservation, StageError> {
        let root = ctx.repo.clone().ok_or(StageError::NoRepo)?;
        let obs = tokio::task::spawn_blocking(move || observe(&root)).await??;
        if obs.truncated {
            notes.push(format!(
                "the tree walk stopped after {} entries: manifests beyond were not read",
                observe::MAX_ENTRIES
            ));
        }
        Ok(obs)
    }
}

/// Hand-built observations for the checks' unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub fn step_uses(uses: &str) -> Step {
        Step {
            uses: Some(uses.into()),
            ..Default::default()
        }
    }

    pub fn step_run(script: &str) -> Step {
        Step {
            script: Some(script.into()),
            ..Default::default()
        }
    }

    /// A healthy repository: CI on push with explicit permissions, a gitleaks step, a deploy
    /// job, a lockfile for its manifest.
    pub fn healthy() -> RepoObservation {
        RepoObservation {
            root: "/src/app".into(),
            ci: vec![".github/workflows/ci.yml".into()],
            workflows: vec![Workflow {
                path: ".github/workflows/ci.yml".into(),
                name: Some("ci".into()),
                triggers: vec!["push".into(), "pull_request".into()],
                permissions: Some("{contents: read}".into()),
                uses_secrets: true,
                jobs: vec![
                    Job {
                        id: "test".into(),
                        steps: vec![
                            step_uses("actions/checkout@v4"),
                            step_uses("gitleaks/gitleaks-action@v2"),
                            step_run(
                                "npm ci && npm test -- \"${{ github.event.pull_request.number }}\"",
                            ),
                        ],
                        ..Default::default()
                    },
                    Job {
                        id: "deploy".into(),
                        environment: true,
                        steps: vec![step_run("fly deploy --remote-only")],
                        ..Default::default()
                    },
                ],
            }],
            manifests: vec![Manifest {
                path: "package.json".into(),
                wants: vec!["package-lock.json"],
                lockfile: Some("package-lock.json".into()),
            }],
            env_used: Some(".env in .gitignore".into()),
            env_example: Some(".env.example".into()),
            rollback_doc: Some("RUNBOOK.md".into()),
            docs_read: 2,
            ..Default::default()
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }
}
