//! The secrets stage end to end with the real binary: temp git repositories built at test
//! time, fake keys assembled at run time (none is written in this repository).

mod common;

use common::*;
use launchready::secrets::samples::{github_body, Gen, ALNUM, HEX};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("lr-secrets-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.test")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.test")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("dirs");
        }
        std::fs::write(p, text).expect("write");
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Fake keys, assembled at run time.
struct Keys {
    old_github: String,
    tree_stripe: String,
    env_stripe: String,
    env_db_password: String,
    client_stripe: String,
    private_key_body: String,
}

impl Keys {
    fn new(seed: u64) -> Keys {
        let g = &mut Gen::new(seed);
        Keys {
            old_github: format!("{}{}", "ghp_", github_body(g)),
            tree_stripe: format!("{}{}", "sk_live_", g.s(ALNUM, 28)),
            env_stripe: format!("{}{}", "rk_live_", g.s(ALNUM, 28)),
            env_db_password: g.s(ALNUM, 20),
            client_stripe: format!("{}{}", "sk_live_", g.s(ALNUM, 30)),
            private_key_body: (0..6)
                .map(|_| g.s(ALNUM, 64))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn all(&self) -> Vec<&str> {
        let mut v = vec![
            self.old_github.as_str(),
            self.tree_stripe.as_str(),
            self.env_stripe.as_str(),
            self.env_db_password.as_str(),
            self.client_stripe.as_str(),
        ];
        v.extend(self.private_key_body.lines());
        v
    }
}

/// A repository with one secret of each finding kind. Returns the commit that introduced the
/// key that a later commit deleted.
fn leaky_repo(name: &str, keys: &Keys) -> (Repo, String) {
    let repo = Repo::new(name);
    repo.write(
        "README.md",
        "# app\n\nSet `STRIPE_SECRET_KEY=sk_live_your-key-here`.\n",
    );
    repo.write(
        "config/old.js",
        &format!(
            "module.exports = {{ githubToken: \"{}\" }};\n",
            keys.old_github
        ),
    );
    let introduced = repo.commit("first");
    repo.write(
        "config/old.js",
        "module.exports = { githubToken: process.env.GITHUB_TOKEN };\n",
    );
    repo.commit("read the token from the environment");
    repo.write(
        "src/pay.ts",
        &format!(
            "import Stripe from 'stripe';\n\nexport const stripe = new Stripe(\"{}\");\n",
            keys.tree_stripe
        ),
    );
    repo.write(
        ".env",
        &format!(
            "# local settings\nDATABASE_URL=postgres://app:{}@db.internal:5432/app\nSTRIPE_RESTRICTED={}\n",
            keys.env_db_password, keys.env_stripe
        ),
    );
    repo.write(
        "deploy/id_rsa",
        &format!(
            "-----BEGIN {}-----\n{}\n-----END {}-----\n",
            "RSA PRIVATE KEY", keys.private_key_body, "RSA PRIVATE KEY"
        ),
    );
    repo.write("web/package.json", "{\"name\": \"web\"}\n");
    repo.write("web/.gitignore", ".env.local\n");
    repo.write(
        "web/.env.local",
        &format!("VITE_STRIPE_KEY={}\n", keys.client_stripe),
    );
    repo.commit("app");
    (repo, introduced)
}

fn findings<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

#[test]
fn every_finding_kind_end_to_end() {
    let keys = Keys::new(11);
    let (repo, introduced) = leaky_repo("kinds", &keys);
    let dir = repo.path().to_string_lossy().to_string();
    let run = launchready(["secrets", dir.as_str(), "--history", "--format", "json"]);
    assert_eq!(
        run.code, 1,
        "stderr: {}\nstdout: {}",
        run.stderr, run.stdout
    );
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(r["verdict"], "no-go");
    let stages = r["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0]["stage"], "secrets");
    assert_eq!(stages[0]["status"], "ran");
    assert!(stages[0]["note"].as_str().unwrap_or("").contains("history"));

    let tree = findings(&r, "secrets.tree");
    let subjects: Vec<&str> = tree.iter().filter_map(|f| f["subject"].as_str()).collect();
    assert!(subjects.contains(&"src/pay.ts:3"), "{subjects:?}");
    assert!(subjects.contains(&".env:2"), "{subjects:?}");
    assert!(subjects.contains(&".env:3"), "{subjects:?}");
    // A PEM key is reported at its BEGIN line.
    assert!(subjects.contains(&"deploy/id_rsa:1"), "{subjects:?}");
    assert!(
        !subjects.iter().any(|s| s.starts_with("README.md")),
        "{subjects:?}"
    );
    assert!(
        !subjects.iter().any(|s| s.starts_with("web/")),
        "ignored file in tree: {subjects:?}"
    );
    let pay = tree
        .iter()
        .find(|f| f["subject"] == "src/pay.ts:3")
        .expect("pay");
    assert_eq!(pay["severity"], "blocker");
    assert!(pay["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("stripe-secret-key"));
    assert!(pay["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("sk_l…(36 chars, #"));

    let history = findings(&r, "secrets.history");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["subject"], "config/old.js:1");
    assert_eq!(history[0]["severity"], "high");
    let ev = history[0]["evidence"].as_str().unwrap_or("");
    assert!(ev.contains(&introduced), "{ev} lacks {introduced}");
    assert!(ev.contains("github-pat"), "{ev}");

    let env = findings(&r, "secrets.env-committed");
    assert_eq!(env.len(), 1, "{env:?}");
    assert_eq!(env[0]["subject"], ".env:2");
    assert_eq!(env[0]["severity"], "blocker");
    assert!(env[0]["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("DATABASE_URL"));

    let client = findings(&r, "secrets.client-prefix");
    assert_eq!(client.len(), 1, "{client:?}");
    assert_eq!(client[0]["subject"], "web/.env.local:1");
    assert!(client[0]["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("VITE_STRIPE_KEY"));

    assert!(
        r["inventory"]["secrets"]["files_scanned"]
            .as_u64()
            .unwrap_or(0)
            >= 5
    );

    // Without --history the deleted key is not reported, and the note says so.
    let run = launchready(["secrets", dir.as_str(), "--format", "json"]);
    let r = run.json();
    assert!(findings(&r, "secrets.history").is_empty());
    assert!(r["stages"][0]["note"]
        .as_str()
        .unwrap_or("")
        .contains("--history"));
}

#[test]
fn no_secret_value_appears_in_any_output() {
    let keys = Keys::new(23);
    let (repo, _) = leaky_repo("noleak", &keys);
    let dir = repo.path().to_string_lossy().to_string();
    let out_dir = std::env::temp_dir().join(format!("lr-secrets-out-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("out dir");
    for format in ["table", "json", "sarif", "junit", "markdown", "html"] {
        let file = out_dir.join(format!("report.{format}"));
        let file_s = file.to_string_lossy().to_string();
        let runs = [
            launchready([
                "secrets",
                dir.as_str(),
                "--history",
                "-vv",
                "--format",
                format,
            ]),
            launchready([
                "secrets",
                dir.as_str(),
                "--history",
                "-v",
                "--format",
                format,
                "-o",
                file_s.as_str(),
            ]),
        ];
        let written = std::fs::read_to_string(&file).expect("-o file written");
        assert!(written.contains("secrets.tree"), "{format}: {written}");
        assert!(
            written.contains("…("),
            "{format}: no redacted form in {written}"
        );
        for run in &runs {
            assert_eq!(run.code, 1, "{format}: {}", run.stderr);
            for secret in keys.all() {
                for (what, text) in [
                    ("stdout", &run.stdout),
                    ("stderr", &run.stderr),
                    ("-o file", &written),
                ] {
                    assert!(
                        !text.contains(secret),
                        "{format} {what} leaks {}…",
                        &secret[..4]
                    );
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_clean_repo_is_go() {
    let repo = Repo::new("clean");
    let g = &mut Gen::new(5);
    repo.write(
        "README.md",
        "# app\n\n```\nexport STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nDATABASE_URL=postgres://user:password@localhost/app\n```\n",
    );
    repo.write(
        ".env.example",
        "DATABASE_URL=\nSTRIPE_SECRET_KEY=\nVITE_API_URL=http://localhost:3000\n",
    );
    repo.write(".gitignore", ".env\n");
    repo.write(
        ".env",
        &format!("STRIPE_SECRET_KEY={}{}\n", "sk_live_", g.s(ALNUM, 28)),
    );
    repo.write(
        "src/main.rs",
        "fn main() {\n    let token = std::env::var(\"API_TOKEN\").unwrap_or_default();\n    let password = read_password();\n    println!(\"{}\", token.len());\n}\n",
    );
    repo.write("assets/logo.bin", "\u{0}\u{1}binary");
    repo.write(
        "src/ids.ts",
        &format!("export const commit = \"{}\";\n", g.s(HEX, 40)),
    );
    repo.commit("clean");
    let dir = repo.path().to_string_lossy().to_string();
    let run = launchready(["secrets", dir.as_str(), "--history", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = run.json();
    assert_report_shape(&r);
    assert_eq!(r["verdict"], "go");
    assert_eq!(
        r["findings"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r["findings"]
    );
    assert!(r["stages"][0]["note"]
        .as_str()
        .unwrap_or("")
        .contains("1 binary"));
}

#[test]
fn audit_runs_the_stage_only_with_repo() {
    let keys = Keys::new(31);
    let (repo, _) = leaky_repo("audit", &keys);
    let dir = repo.path().to_string_lossy().to_string();
    let run = launchready([
        "audit",
        "example.test",
        "--only",
        "secrets",
        "--repo",
        dir.as_str(),
        "--format",
        "json",
    ]);
    let r = run.json();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let ids = ids(&r);
    for id in [
        "secrets.tree",
        "secrets.history",
        "secrets.env-committed",
        "secrets.client-prefix",
    ] {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    // Without --repo there is nothing to scan: a usage error, never a GO.
    let run = launchready([
        "audit",
        "example.test",
        "--only",
        "secrets",
        "--format",
        "json",
    ]);
    // Asking for the secrets stage alone without a tree to scan is a usage error, not a GO.
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--repo"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let run = launchready(["secrets", "/nonexistent/launchready/tree"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no such file or directory"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    let run = launchready([
        "audit",
        "example.test",
        "--repo",
        "/nonexistent/launchready/tree",
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn a_plain_directory_without_git_is_scanned_and_says_so() {
    let dir = std::env::temp_dir().join(format!("lr-secrets-plain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let g = &mut Gen::new(77);
    std::fs::write(
        dir.join("deploy.sh"),
        format!("export GITLAB_TOKEN={}{}\n", "glpat-", g.s(ALNUM, 20)),
    )
    .expect("write");
    let d = dir.to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--history", "--format", "json"]);
    let r = run.json();
    assert_eq!(run.code, 1);
    assert_eq!(
        ids(&r).into_iter().collect::<Vec<_>>(),
        vec!["secrets.tree".to_string()]
    );
    assert!(r["stages"][0]["note"]
        .as_str()
        .unwrap_or("")
        .contains("not a git repository"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A publishable key (meant for browsers) is reported as info, once per file, and never
/// makes the verdict NO-GO.
#[test]
fn publishable_keys_are_info_not_blockers() {
    let repo = Repo::new("publishable");
    let (text, _) =
        launchready::secrets::samples::sample("stripe-publishable-key", 5).expect("sample");
    repo.write("web/checkout.js", &format!("{text}\n{text}\n"));
    repo.commit("checkout");
    let dir = repo.path().display().to_string();
    let run = launchready([
        "secrets",
        dir.as_str(),
        "--format",
        "json",
        "--fail-on",
        "low",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let r = run.json();
    let found = findings(&r, "secrets.publishable-key");
    assert_eq!(found.len(), 1, "once per file: {found:?}");
    assert_eq!(found[0]["severity"], "info");
    assert!(findings(&r, "secrets.tree").is_empty());
}
