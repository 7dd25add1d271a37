//! `repo.secret-scan.missing`.

use super::*;

/// The secret scanners a CI step may run.
pub const SCANNERS: &[&str] = &[
    "gitleaks",
    "trufflehog",
    "detect-secrets",
    "ggshield",
    "launchready secrets",
    "launchready audit",
];

fn mentions_scanner(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    SCANNERS.iter().copied().find(|s| lower.contains(s))
}

crate::check! {
    SecretScanMissing for RepoObservation = CheckDoc {
        id: "repo.secret-scan.missing",
        stage: Stage::Repo,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "CI does not scan for committed secrets",
        catches: "CI is configured but no step runs a secret scanner (gitleaks, trufflehog, detect-secrets, ggshield or launchready secrets), directly or through pre-commit hooks that CI runs.",
        why: "A key committed the week before launch is public the moment the repository is, and stays in history after it is deleted. A scanner in CI stops it at the pull request. OpenSSF Scorecard's guidance and GitHub's push protection both put this before release.",
        fix: "Add a secret-scanning step to CI, e.g. gitleaks/gitleaks-action or `launchready secrets .` on every pull request. Turn on GitHub secret scanning and push protection too.",
        refs: &[
            "https://github.com/gitleaks/gitleaks-action",
            "https://github.com/trufflesecurity/trufflehog",
            "https://docs.github.com/en/code-security/secret-scanning/introduction/about-push-protection",
            "https://github.com/ossf/scorecard/blob/main/docs/checks.md",
        ],
    };
    fn evaluate(o, out, doc) {
        if o.ci.is_empty() {
            return; // repo.ci.missing says it.
        }
        let scripts = o.ci_scripts();
        if scripts.iter().any(|(_, t)| mentions_scanner(t).is_some()) {
            return;
        }
        let runs_pre_commit = scripts.iter().any(|(_, t)| t.contains("pre-commit"));
        if runs_pre_commit && o.pre_commit.as_deref().and_then(mentions_scanner).is_some() {
            return;
        }
        if let Some((path, why)) = o.unparsed.first() {
            out.unseen(doc, &o.root, format!("{path} could not be read ({why}) and may run a scanner"));
            return;
        }
        out.push(doc.finding(&o.root, format!("no step of {} runs a secret scanner", o.ci.join(", "))));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_a_scanner_step() {
        let mut o = healthy();
        o.workflows[0].jobs[0].steps.remove(1);
        let (found, _) = judge(&SecretScanMissing, &o);
        assert_eq!(found.len(), 1);
        // A scanner in another CI file counts.
        o.ci_texts.push((
            ".gitlab-ci.yml".into(),
            "scan:\n  script: trufflehog git file://.\n".into(),
        ));
        assert!(judge(&SecretScanMissing, &o).0.is_empty());
        // So do pre-commit hooks run by CI.
        o.ci_texts.clear();
        o.workflows[0].jobs[0]
            .steps
            .push(step_run("pre-commit run --all-files"));
        o.pre_commit = Some("repos:\n- repo: https://github.com/gitleaks/gitleaks\n".into());
        assert!(judge(&SecretScanMissing, &o).0.is_empty());
        // No CI at all: repo.ci.missing covers it.
        o.ci.clear();
        o.workflows.clear();
        assert!(judge(&SecretScanMissing, &o).0.is_empty());
    }

    #[test]
    fn an_unreadable_workflow_leaves_it_not_checked() {
        let mut o = healthy();
        o.workflows[0].jobs[0].steps.remove(1);
        o.unparsed
            .push((".github/workflows/x.yml".into(), "not valid YAML".into()));
        let (found, unseen) = judge(&SecretScanMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
