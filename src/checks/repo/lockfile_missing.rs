//! `repo.lockfile.missing`.

use super::*;

crate::check! {
    LockfileMissing for RepoObservation = CheckDoc {
        id: "repo.lockfile.missing",
        stage: Stage::Repo,
        severity: Severity::Medium,
        impact: Impact::Downtime,
        title: "A package manifest has no lockfile",
        catches: "A package manifest without its lockfile in its directory or a parent (workspaces): package.json without package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lockb; a binary crate's Cargo.toml without Cargo.lock; pyproject.toml or Pipfile without poetry.lock, uv.lock, Pipfile.lock or pdm.lock; Gemfile without Gemfile.lock; go.mod without go.sum; composer.json without composer.lock. node_modules, vendor, target and dot-directories are skipped.",
        why: "Without a lockfile every build resolves dependencies afresh: the launch build can pull a version nobody tested, or a freshly compromised one, and a rollback rebuild is not the build you rolled back to. OpenSSF Scorecard's Pinned-Dependencies check asks for the same.",
        fix: "Generate the lockfile with the package manager (npm install, cargo generate-lockfile, poetry lock, bundle lock, go mod tidy, composer update --lock) and commit it. Install from it in CI (npm ci, cargo build --locked, uv sync --locked).",
        refs: &[
            "https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies",
            "https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json",
            "https://doc.rust-lang.org/cargo/faq.html#why-have-cargolock-in-version-control",
        ],
    };
    fn evaluate(o, out, doc) {
        for m in &o.manifests {
            if m.lockfile.is_none() {
                out.push(doc.finding(&m.path, format!("none of {} next to it or above it", m.wants.join(", "))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_for_each_manifest_without_a_lockfile() {
        let mut o = healthy();
        o.manifests.push(Manifest {
            path: "api/go.mod".into(),
            wants: vec!["go.sum"],
            lockfile: None,
        });
        let (found, _) = judge(&LockfileMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "api/go.mod");
        assert!(found[0].evidence.contains("go.sum"));
    }
}
