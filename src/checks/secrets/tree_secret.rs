//! `secrets.tree`.

use super::*;

crate::check! {
    TreeSecret for SecretsObservation = CheckDoc {
        id: "secrets.tree",
        stage: Stage::Secrets,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "A secret is committed in the source tree",
        catches: "A credential (cloud, payment, code-hosting, messaging, AI, database or private key; 50+ kinds) in a file of the working tree that git tracks or would commit. Placeholders, documentation examples and test-mode keys are told apart; test keys are reported at a lower severity.",
        why: "Anyone who can read the repository — every contractor, CI provider and future open-sourcing — can spend your money, read your users' data or push as you. Bots scrape public repositories for keys within minutes of a push.",
        fix: "Rotate the key at its provider now, then move it to the deployment's secret store or an untracked `.env` and read it from the environment. Deleting the line is not enough: the old value stays in git history, so rotate first.",
        refs: &["https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/", "https://docs.github.com/en/code-security/secret-scanning/about-secret-scanning"],
    };
    fn evaluate(o, out, doc) {
        for (subject, reason) in &o.tree_unseen {
            out.unseen(doc, subject.clone(), reason.clone());
        }
        // One finding per secret and file; repeats in the same file are counted.
        let mut seen: BTreeMap<(&str, &str, [u8; 32]), (usize, &Match)> = BTreeMap::new();
        for m in o.tree.iter().filter(|m| m.rule.kind == Kind::Secret) {
            seen.entry((m.label.as_str(), m.rule.id, m.digest))
                .and_modify(|e| e.0 += 1)
                .or_insert((0, m));
        }
        // Files that hold an AWS secret access key: an access key id without one is half a
        // credential (it identifies an account, it does not authenticate).
        let aws_secrets: HashSet<&str> = o
            .tree
            .iter()
            .filter(|m| m.rule.id == "aws-secret-access-key")
            .map(|m| m.label.as_str())
            .collect();
        for (more, m) in seen.into_values() {
            let mut f = doc.finding(m.subject(), evidence(m));
            if more > 0 {
                f.evidence
                    .push_str(&format!("; {more} more time(s) in this file"));
            }
            f.severity = capped(m.rule.severity, doc.severity);
            if m.rule.id == "aws-access-key-id" && !aws_secrets.contains(m.label.as_str()) {
                f.severity = lower(f.severity);
                f.evidence.push_str(
                    "; ranked one step lower: a key id without its secret access key in this \
                     file (look for the secret elsewhere before dismissing it)",
                );
            }
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

    fn key(rule: &str, label: &str) -> Vec<Match> {
        let (text, _) = sample(rule, 1).expect("a sample for the rule");
        found(label, &text)
    }

    #[test]
    fn one_finding_per_secret_and_file_ranked_lower_under_tests() {
        let mut o = healthy();
        let m = key("github-pat", "src/config.rs");
        o.tree.extend(m.clone());
        o.tree.extend(m);
        let (found, unseen) = judge(&TreeSecret, &o);
        assert!(unseen.is_empty());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].subject.starts_with("src/config.rs:"));
        assert!(
            found[0].evidence.contains("1 more time(s)"),
            "{}",
            found[0].evidence
        );
        let live = found[0].severity;

        let mut o = healthy();
        o.tree.extend(key("github-pat", "tests/fixtures/config.rs"));
        let (found, _) = judge(&TreeSecret, &o);
        assert_eq!(found[0].severity, lower(live));
        assert!(found[0].evidence.contains("ranked one step lower"));
    }

    #[test]
    fn a_lone_aws_key_id_ranks_lower_and_unscanned_files_are_not_checked() {
        let mut o = healthy();
        o.tree.extend(key("aws-access-key-id", "deploy.sh"));
        let (found, _) = judge(&TreeSecret, &o);
        assert!(found[0].evidence.contains("without its secret access key"));

        let mut o = healthy();
        o.tree_unseen
            .push(("big.sql".into(), "a text file over the cap".into()));
        let (found, unseen) = judge(&TreeSecret, &o);
        assert!(found.is_empty());
        assert_eq!(unseen[0].subject, "big.sql");
    }
}
