//! `secrets.env-committed`.

use super::*;

crate::check! {
    EnvCommitted for SecretsObservation = CheckDoc {
        id: "secrets.env-committed",
        stage: Stage::Secrets,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "A .env file with values is tracked by git",
        catches: "A `.env`, `.env.local`, `.env.production`… that git tracks and that assigns at least one non-empty server-side value (templates such as `.env.example` and files holding only browser-public variables are fine).",
        why: ".env files exist to keep configuration out of the repository; a tracked one puts every database password and API key in it into every clone, and usually more keys get added to it later.",
        fix: "Rotate the values, then `git rm --cached` the file, add `.env*` (with `!.env.example`) to .gitignore, and commit an `.env.example` with empty values instead.",
        refs: &["https://12factor.net/config", "https://github.com/motdotla/dotenv#should-i-commit-my-env-file"],
    };
    fn evaluate(o, out, doc) {
        if let Some((subject, reason)) = &o.tracked_unseen {
            out.unseen(doc, subject.clone(), reason.clone());
        }
        for e in &o.tracked_env {
            let server: Vec<&Assignment> = e
                .assignments
                .iter()
                .filter(|a| a.has_value && !a.client)
                .collect();
            let Some(first) = server.first() else {
                continue;
            };
            let names: Vec<&str> = server.iter().take(6).map(|a| a.name.as_str()).collect();
            out.push(doc.finding(
                format!("{}:{}", e.path, first.line),
                format!(
                    "git tracks {} with {} value(s): {}{}",
                    e.path,
                    server.len(),
                    names.join(", "),
                    if server.len() > names.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::secrets::env::assignments;

    fn tracked(path: &str, text: &str) -> TrackedEnv {
        TrackedEnv {
            path: path.into(),
            assignments: assignments(text),
        }
    }

    #[test]
    fn fires_on_server_values_only() {
        let mut o = healthy();
        o.tracked_env.push(tracked(
            ".env.example",
            "DATABASE_URL=\nVITE_API_URL=https://api.example.com\n",
        ));
        assert!(judge(&EnvCommitted, &o).0.is_empty());
        o.tracked_env.push(tracked(
            ".env",
            "# db\nDATABASE_URL=postgres://u:p@db/app\n",
        ));
        let (found, _) = judge(&EnvCommitted, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, ".env:2");
        assert!(
            found[0].evidence.contains("DATABASE_URL"),
            "{}",
            found[0].evidence
        );
    }

    #[test]
    fn unknown_tracking_is_not_checked() {
        let mut o = healthy();
        o.tracked_unseen = Some(("repo".into(), "git failed".into()));
        let (found, unseen) = judge(&EnvCommitted, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
