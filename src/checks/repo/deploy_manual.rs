//! `repo.deploy.manual`.

use super::*;
use regex::Regex;
use std::sync::LazyLock;

/// Words that make a job, workflow or other CI file a deploy.
static DEPLOY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(deploy|deployment|release|publish|rollout)").expect("static regex")
});

/// Commands that deploy.
static DEPLOY_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?m)\bvercel\b|\bfly(ctl)?\s+deploy\b|\bnetlify\s+deploy\b|\bkubectl\s+(apply|rollout|set\s+image)\b|",
        r"\bhelm\s+(upgrade|install)\b|\bterraform\s+apply\b|\btofu\s+apply\b|\baws\s+.*\bdeploy\b|\baws\s+s3\s+sync\b|",
        r"\bgcloud\s+.*\bdeploy\b|\bfirebase\s+deploy\b|\bwrangler\s+(deploy|publish|pages\s+deploy)\b|",
        r"\bgit\s+push\s+heroku\b|\bheroku\s+container:release\b|\b(serverless|sls|sam|cdk|eb)\s+deploy\b|",
        r"\brailway\s+up\b|\b(npm|cargo|twine|poetry|gem)\s+publish\b|\bdocker\s+push\b|\bpulumi\s+up\b|\bcap\s+\w+\s+deploy\b"
    ))
    .expect("static regex")
});

/// The deploy signal of a workflow, if any.
fn workflow_deploys(wf: &Workflow) -> Option<String> {
    for job in &wf.jobs {
        let names = [Some(&job.id), job.name.as_ref()];
        if let Some(n) = names
            .into_iter()
            .flatten()
            .find(|n| DEPLOY_WORD.is_match(n))
        {
            return Some(format!("{} job {n}", wf.path));
        }
        if job.environment {
            return Some(format!("{} job {} (environment)", wf.path, job.id));
        }
        if let Some(u) = job.uses.as_ref().filter(|u| DEPLOY_WORD.is_match(u)) {
            return Some(format!("{} job {} uses {u}", wf.path, job.id));
        }
        for step in &job.steps {
            if let Some(u) = step.uses.as_ref().filter(|u| {
                DEPLOY_WORD.is_match(u)
                    || DEPLOY_COMMAND.is_match(u)
                    || u.contains("gh-pages")
                    || u.contains("vercel")
                    || u.contains("flyctl")
            }) {
                return Some(format!("{} job {} uses {u}", wf.path, job.id));
            }
            if let Some(n) = step.name.as_ref().filter(|n| DEPLOY_WORD.is_match(n)) {
                return Some(format!("{} job {} step {n}", wf.path, job.id));
            }
            if let Some(s) = step.script.as_ref().and_then(|s| DEPLOY_COMMAND.find(s)) {
                return Some(format!("{} job {} runs {}", wf.path, job.id, s.as_str()));
            }
        }
    }
    wf.name
        .as_ref()
        .filter(|n| DEPLOY_WORD.is_match(n))
        .map(|n| format!("{} ({n})", wf.path))
}

crate::check! {
    DeployManual for RepoObservation = CheckDoc {
        id: "repo.deploy.manual",
        stage: Stage::Repo,
        severity: Severity::Low,
        impact: Impact::Downtime,
        title: "CI builds but does not deploy",
        catches: "CI is configured but no job deploys or publishes: no job or step named deploy, release or publish, no GitHub environment, no known deploy action (gh-pages, Vercel, Fly, Netlify, cloud deploy actions), no deploy command (vercel, fly deploy, netlify deploy, kubectl apply, helm upgrade, terraform apply, aws … deploy, gcloud … deploy, wrangler deploy, npm publish…).",
        why: "A manual deploy on launch day is a deploy from someone's laptop, with whatever is on it, in steps nobody rehearsed; the hotfix after launch is another one. A deploy job makes every release the tested build, repeatable, and the rollback the same button.",
        fix: "Add a deploy job to CI that runs on the release branch or tag after the tests pass, with its credentials in a protected GitHub environment. Keep the manual path documented as the fallback.",
        refs: &[
            "https://docs.github.com/en/actions/use-cases-and-examples/deploying/deploying-with-github-actions",
            "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment",
            "https://github.com/ossf/scorecard/blob/main/docs/checks.md#packaging",
        ],
    };
    fn evaluate(o, out, doc) {
        if o.ci.is_empty() {
            return; // repo.ci.missing says it.
        }
        if o.workflows.iter().any(|w| workflow_deploys(w).is_some()) {
            return;
        }
        if o.ci_texts.iter().any(|(_, t)| DEPLOY_WORD.is_match(t) || DEPLOY_COMMAND.is_match(t)) {
            return;
        }
        if let Some((path, why)) = o.unparsed.first() {
            out.unseen(doc, &o.root, format!("{path} could not be read ({why}) and may deploy"));
            return;
        }
        out.push(doc.finding(&o.root, format!("no job of {} deploys, releases or publishes", o.ci.join(", "))));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_no_job_deploys() {
        let mut o = healthy();
        o.workflows[0].jobs.truncate(1);
        let (found, _) = judge(&DeployManual, &o);
        assert_eq!(found.len(), 1, "{found:?}");
        for step in [
            step_run("helm upgrade --install app ./chart"),
            step_run("npx vercel --prod"),
            step_uses("peaceiris/actions-gh-pages@v4"),
            step_uses("aws-actions/amazon-ecs-deploy-task-definition@v2"),
        ] {
            let with = o.clone_with_step(step);
            assert!(judge(&DeployManual, &with).0.is_empty());
        }
        o.workflows[0].jobs[0].id = "release".into();
        assert!(judge(&DeployManual, &o).0.is_empty());
    }

    impl RepoObservation {
        fn clone_with_step(&self, step: Step) -> RepoObservation {
            let mut wf = self.workflows[0].clone();
            wf.jobs[0].steps.push(step);
            RepoObservation {
                root: self.root.clone(),
                ci: self.ci.clone(),
                workflows: vec![wf],
                ..Default::default()
            }
        }
    }
}
