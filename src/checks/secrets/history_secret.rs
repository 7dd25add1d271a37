//! `secrets.history`.

use super::*;
use crate::config::Date;

crate::check! {
    HistorySecret for SecretsObservation = CheckDoc {
        id: "secrets.history",
        stage: Stage::Secrets,
        severity: Severity::High,
        impact: Impact::Security,
        title: "A secret is in the git history (deleted, but still valid until rotated)",
        catches: "A credential in a blob reachable from any branch or tag that is no longer in the working tree; the finding names the commit that introduced it.",
        why: "Every clone and fork carries the whole history, and a key deleted in a later commit is still one `git log -p` away. Only rotation makes it harmless.",
        fix: "Rotate the key at its provider. Rewriting history (git filter-repo) only helps after rotation, and only for clones made afterwards.",
        refs: &["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository", "https://github.com/newren/git-filter-repo"],
    };
    fn evaluate(o, out, doc) {
        if let Some((subject, reason)) = &o.history_unseen {
            out.unseen(doc, subject.clone(), reason.clone());
        }
        for p in o
            .history
            .iter()
            .filter(|p| p.found.rule.kind == Kind::Secret)
        {
            let m = &p.found;
            let when = match &p.introduced {
                Some(i) => format!(
                    "introduced in commit {} ({})",
                    i.commit,
                    Date::from_days(i.time.div_euclid(86_400))
                ),
                None => "introducing commit not found".to_string(),
            };
            let mut f = doc.finding(
                m.subject(),
                format!("{}; {when}; not in the working tree any more", evidence(m)),
            );
            f.severity = capped(m.rule.severity, doc.severity);
            rank_test_tree(&mut f, &m.label);
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::secrets::samples::sample;

    #[test]
    fn names_the_introducing_commit_or_says_it_is_unknown() {
        let (text, _) = sample("github-pat", 2).expect("sample");
        let mut o = healthy();
        for m in found("old/settings.py", &text) {
            o.history.push(PastSecret {
                found: m,
                introduced: None,
            });
        }
        let (found, unseen) = judge(&HistorySecret, &o);
        assert!(unseen.is_empty());
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("introducing commit not found"));
        assert!(found[0]
            .evidence
            .contains("not in the working tree any more"));
    }

    #[test]
    fn an_unseen_history_is_not_checked() {
        let mut o = healthy();
        o.history_unseen = Some(("repo".into(), "history is shallow".into()));
        let (found, unseen) = judge(&HistorySecret, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert!(unseen[0].reason.contains("shallow"));
    }
}
