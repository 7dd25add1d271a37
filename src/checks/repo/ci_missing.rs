//! `repo.ci.missing`.

use super::*;

crate::check! {
    CiMissing for RepoObservation = CheckDoc {
        id: "repo.ci.missing",
        stage: Stage::Repo,
        severity: Severity::Medium,
        impact: Impact::Downtime,
        title: "No CI configuration",
        catches: "The repository has no CI configuration: no .github/workflows/*.yml, .gitlab-ci.yml, .circleci/config.yml, bitbucket-pipelines.yml, azure-pipelines.yml, Jenkinsfile, .travis.yml or .buildkite/.",
        why: "Without CI nothing builds and tests each change before it ships: the launch build is whatever was on someone's laptop, and a fix under pressure goes out untested. OpenSSF Scorecard's CI-Tests check scores this.",
        fix: "Add a CI workflow that builds and tests every push and pull request. On GitHub, a .github/workflows/ci.yml running your test command is enough to start.",
        refs: &["https://github.com/ossf/scorecard/blob/main/docs/checks.md#ci-tests", "https://docs.github.com/en/actions/writing-workflows/quickstart"],
    };
    fn evaluate(o, out, doc) {
        if o.ci.is_empty() {
            out.push(doc.finding(&o.root, "no CI configuration file found"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_any_ci_file() {
        let mut o = healthy();
        o.ci.clear();
        o.workflows.clear();
        let (found, _) = judge(&CiMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "/src/app");
        o.ci.push("Jenkinsfile".into());
        assert!(judge(&CiMissing, &o).0.is_empty());
    }
}
