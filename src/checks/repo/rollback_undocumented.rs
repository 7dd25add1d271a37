//! `repo.rollback.undocumented`.

use super::*;

crate::check! {
    RollbackUndocumented for RepoObservation = CheckDoc {
        id: "repo.rollback.undocumented",
        stage: Stage::Repo,
        severity: Severity::Low,
        impact: Impact::Downtime,
        title: "No documented way to roll back a release",
        catches: "No README, RUNBOOK or other document at the root or under docs/ mentions a rollback (roll back, rollback, reverting a deploy, the previous release).",
        why: "The first bad deploy after launch is the wrong time to work out how to undo it: without a written rollback, an outage lasts as long as the improvisation does. Deploy tooling (Vercel, Fly, Kubernetes, Heroku) all have a one-command rollback; the team has to know which.",
        fix: "Write down how to roll back, in the README or a RUNBOOK.md: the command or button, who may run it, and how to check it worked. Rehearse it once before launch.",
        refs: &["https://sre.google/sre-book/release-engineering/", "https://sre.google/workbook/canarying-releases/"],
    };
    fn evaluate(o, out, doc) {
        if o.rollback_doc.is_none() {
            out.push(doc.finding(&o.root, format!("none of {} documentation file(s) at the root or under docs/ mentions a rollback", o.docs_read)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_no_doc_mentions_a_rollback() {
        let mut o = healthy();
        o.rollback_doc = None;
        let (found, _) = judge(&RollbackUndocumented, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("2 documentation"));
    }
}
