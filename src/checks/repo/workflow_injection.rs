//! `repo.workflow.injection`.

use super::*;
use regex::Regex;
use std::sync::LazyLock;

/// Triggers that run with the base repository's secrets and a write token on events an
/// outsider can cause.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// A checkout `ref:` that names the outsider's code.
static PR_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"github\.event\.pull_request\.head\.|github\.head_ref|github\.event\.workflow_run\.head_|refs/pull/")
        .expect("static regex")
});

/// One `${{ … }}` expression inside a script.
static EXPR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\{([^}]*)\}\}").expect("static regex"));

/// Contexts an outsider writes (zizmor's template-injection list, after GitHub's "untrusted
/// input" guidance): titles, bodies, branch names, commit messages, author names and emails.
static TAINTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"github\.head_ref\b|",
        r"github\.event\.(",
        r"issue\.(title|body)|",
        r"pull_request\.(title|body|head\.(ref|label|repo\.default_branch))|",
        r"(comment|review|review_comment)\.body|",
        r"discussion\.(title|body)|",
        r"pages(\.\*|\[[^\]]*\])?\.page_name|",
        r"(commits(\.\*|\[[^\]]*\])?|head_commit)\.(message|author\.(email|name)|committer\.(email|name))|",
        r"workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(email|name)|committer\.(email|name))|pull_requests(\.\*|\[[^\]]*\])?\.head\.ref)",
        r")\b"
    ))
    .expect("static regex")
});

/// The attacker-controlled expressions in one script.
pub fn tainted_expressions(script: &str) -> Vec<String> {
    EXPR.captures_iter(script)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim())
        .filter(|e| TAINTED.is_match(e))
        .map(|e| format!("${{{{ {e} }}}}"))
        .collect()
}

crate::check! {
    WorkflowInjection for RepoObservation = CheckDoc {
        id: "repo.workflow.injection",
        stage: Stage::Repo,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "A GitHub Actions workflow runs attacker-controlled code or text",
        catches: "A workflow triggered by pull_request_target or workflow_run that checks out the pull request's code (actions/checkout with ref: github.event.pull_request.head.*, github.head_ref, github.event.workflow_run.head_*) and then runs anything; or an attacker-controlled expression (an issue or PR title or body, a branch name, a comment or review body, a commit message, an author name or email, a wiki page title) interpolated with ${{ … }} into a run: script or a github-script.",
        why: "Anyone who can open a pull request or an issue then runs code in your CI with its secrets and a write token: they can push to main, publish a release or steal deploy keys on launch day. This is zizmor's dangerous-triggers and template-injection audits and OpenSSF Scorecard's Dangerous-Workflow check.",
        fix: "Pass untrusted values through env: and quote them in the script (env: TITLE: ${{ github.event.issue.title }} then \"$TITLE\"). Run untrusted pull-request code only under pull_request (no secrets), and never check out the PR head in a pull_request_target or workflow_run job.",
        refs: &[
            "https://docs.zizmor.sh/audits/#template-injection",
            "https://docs.zizmor.sh/audits/#dangerous-triggers",
            "https://github.com/ossf/scorecard/blob/main/docs/checks.md#dangerous-workflow",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections",
        ],
    };
    fn evaluate(o, out, doc) {
        for wf in &o.workflows {
            let privileged: Vec<&str> = wf
                .triggers
                .iter()
                .map(String::as_str)
                .filter(|t| PRIVILEGED_TRIGGERS.contains(t))
                .collect();
            for job in &wf.jobs {
                if let Some(trigger) = privileged.first() {
                    let checkout = job.steps.iter().position(|s| {
                        s.uses.as_deref().is_some_and(|u| u.starts_with("actions/checkout"))
                            && s.with_ref.as_deref().is_some_and(|r| PR_REF.is_match(r))
                    });
                    if let Some(i) = checkout {
                        if job.steps.len() > i + 1 {
                            let r = job.steps[i].with_ref.clone().unwrap_or_default();
                            out.push(doc.finding(
                                format!("{} job {}", wf.path, job.id),
                                format!("on {trigger}: step {} checks out ref: {r}, then {} more step(s) run it", i + 1, job.steps.len() - i - 1),
                            ));
                        }
                    }
                }
                for (i, step) in job.steps.iter().enumerate() {
                    let Some(script) = &step.script else { continue };
                    let bad = tainted_expressions(script);
                    if !bad.is_empty() {
                        out.push(doc.finding(
                            format!("{} job {} step {}", wf.path, job.id, i + 1),
                            format!("script interpolates {}", bad.join(", ")),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn checkout(r: &str) -> Step {
        Step {
            uses: Some("actions/checkout@v4".into()),
            with_ref: Some(r.into()),
            ..Default::default()
        }
    }

    #[test]
    fn pr_head_checkout_under_pull_request_target_fires() {
        let mut o = healthy();
        o.workflows[0].triggers = vec!["pull_request_target".into()];
        o.workflows[0].jobs[0].steps = vec![
            checkout("${{ github.event.pull_request.head.sha }}"),
            step_run("npm install && npm test"),
        ];
        let (found, _) = judge(&WorkflowInjection, &o);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].subject, ".github/workflows/ci.yml job test");
        // The same checkout under plain pull_request has no secrets: not flagged.
        o.workflows[0].triggers = vec!["pull_request".into()];
        assert!(judge(&WorkflowInjection, &o).0.is_empty());
        // Checking out the base (no ref) under pull_request_target is the safe pattern.
        o.workflows[0].triggers = vec!["workflow_run".into()];
        o.workflows[0].jobs[0].steps[0] = step_uses("actions/checkout@v4");
        assert!(judge(&WorkflowInjection, &o).0.is_empty());
        o.workflows[0].jobs[0].steps[0] = checkout("${{ github.event.workflow_run.head_sha }}");
        assert_eq!(judge(&WorkflowInjection, &o).0.len(), 1);
    }

    #[test]
    fn tainted_expression_in_a_script_fires_and_env_indirection_does_not() {
        let mut o = healthy();
        o.workflows[0].jobs[0].steps =
            vec![step_run("echo \"${{ github.event.issue.title }}\" > t")];
        let (found, _) = judge(&WorkflowInjection, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("github.event.issue.title"));
        o.workflows[0].jobs[0].steps = vec![step_run("echo \"$TITLE\"")];
        assert!(judge(&WorkflowInjection, &o).0.is_empty());
    }

    #[test]
    fn the_tainted_list() {
        for bad in [
            "${{ github.head_ref }}",
            "${{github.event.pull_request.body}}",
            "${{ github.event.comment.body }}",
            "${{ github.event.review.body }}",
            "${{ github.event.head_commit.message }}",
            "${{ github.event.commits[0].author.email }}",
            "${{ github.event.pages[0].page_name }}",
            "${{ github.event.pull_request.head.ref }}",
            "${{ github.event.workflow_run.head_branch }}",
            "${{ toJSON(github.event.issue.body) }}",
        ] {
            assert_eq!(tainted_expressions(bad).len(), 1, "{bad}");
        }
        for ok in [
            "${{ github.event.pull_request.number }}",
            "${{ github.sha }}",
            "${{ secrets.TOKEN }}",
            "${{ github.event.issue.title_length }}",
            "github.event.issue.title without braces",
        ] {
            assert!(tainted_expressions(ok).is_empty(), "{ok}");
        }
    }
}
