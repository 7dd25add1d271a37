//! `repo.env-example.missing`.

use super::*;

crate::check! {
    EnvExampleMissing for RepoObservation = CheckDoc {
        id: "repo.env-example.missing",
        stage: Stage::Repo,
        severity: Severity::Info,
        impact: Impact::Downtime,
        title: "The app reads a .env file but no example of it is committed",
        catches: "The project reads its configuration from a .env file (a .env* file at the root, .env in .gitignore, a dotenv dependency) and no .env.example, .env.sample, .env.template or .env.dist is committed next to it.",
        why: "The production environment is then known only from someone's machine: the launch deploy, a new teammate or a rebuilt server misses a variable and fails at runtime, or falls back to a development default. An example file is the checklist of what production must set.",
        fix: "Commit a .env.example listing every variable the app reads, with placeholders instead of values. Keep .env itself ignored.",
        refs: &["https://12factor.net/config", "https://github.com/motdotla/dotenv#should-i-commit-my-env-file"],
    };
    fn evaluate(o, out, doc) {
        if let (Some(why), None) = (&o.env_used, &o.env_example) {
            out.push(doc.finding(&o.root, format!("{why}, and no .env.example or .env.sample")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_env_is_used_without_an_example() {
        let mut o = healthy();
        o.env_example = None;
        assert_eq!(judge(&EnvExampleMissing, &o).0.len(), 1);
        o.env_used = None;
        assert!(judge(&EnvExampleMissing, &o).0.is_empty());
    }
}
