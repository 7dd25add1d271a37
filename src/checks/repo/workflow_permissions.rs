//! `repo.workflow.permissions`.

use super::*;

crate::check! {
    WorkflowPermissions for RepoObservation = CheckDoc {
        id: "repo.workflow.permissions",
        stage: Stage::Repo,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "A GitHub Actions workflow's token has more rights than it needs",
        catches: "A workflow or job with permissions: write-all, or a workflow that uses secrets.* with no permissions: block at the top or on every job (so its GITHUB_TOKEN gets the repository's default, often read-write on everything).",
        why: "A compromised step (a hijacked action, an injected script) acts with the token's rights: with write-all it can push code, cut releases and edit workflows. OpenSSF Scorecard's Token-Permissions check and zizmor's excessive-permissions audit flag the same.",
        fix: "Declare permissions: contents: read at the top of the workflow and grant each job only the scopes it needs (e.g. contents: write on the release job only). Set the repository's default workflow permissions to read.",
        refs: &[
            "https://github.com/ossf/scorecard/blob/main/docs/checks.md#token-permissions",
            "https://docs.zizmor.sh/audits/#excessive-permissions",
            "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token",
        ],
    };
    fn evaluate(o, out, doc) {
        for wf in &o.workflows {
            if wf.permissions.as_deref() == Some("write-all") {
                out.push(doc.finding(&wf.path, "top-level permissions: write-all"));
                continue;
            }
            let write_all: Vec<&str> = wf
                .jobs
                .iter()
                .filter(|j| j.permissions.as_deref() == Some("write-all"))
                .map(|j| j.id.as_str())
                .collect();
            if !write_all.is_empty() {
                out.push(doc.finding(&wf.path, format!("permissions: write-all on job(s) {}", write_all.join(", "))));
                continue;
            }
            let unscoped: Vec<&str> = wf
                .jobs
                .iter()
                .filter(|j| j.permissions.is_none())
                .map(|j| j.id.as_str())
                .collect();
            if wf.permissions.is_none() && wf.uses_secrets && !unscoped.is_empty() {
                out.push(doc.finding(
                    &wf.path,
                    format!("uses secrets.* with no permissions: block (job(s) {} get the default token)", unscoped.join(", ")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn write_all_or_unscoped_with_secrets_fires() {
        let mut o = healthy();
        o.workflows[0].permissions = Some("write-all".into());
        assert_eq!(judge(&WorkflowPermissions, &o).0.len(), 1);
        o.workflows[0].permissions = None;
        let (found, _) = judge(&WorkflowPermissions, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("test, deploy"),
            "{}",
            found[0].evidence
        );
        // Every job scoped: fine.
        for j in &mut o.workflows[0].jobs {
            j.permissions = Some("{contents: read}".into());
        }
        assert!(judge(&WorkflowPermissions, &o).0.is_empty());
        o.workflows[0].jobs[1].permissions = Some("write-all".into());
        assert_eq!(judge(&WorkflowPermissions, &o).0.len(), 1);
        // No secrets and no block: not flagged.
        let mut o = healthy();
        o.workflows[0].permissions = None;
        o.workflows[0].uses_secrets = false;
        assert!(judge(&WorkflowPermissions, &o).0.is_empty());
    }

    #[test]
    fn an_unparsed_workflow_is_not_checked() {
        let mut o = healthy();
        o.unparsed
            .push((".github/workflows/bad.yml".into(), "not valid YAML".into()));
        let (found, unseen) = judge(&WorkflowPermissions, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, ".github/workflows/bad.yml");
    }
}
