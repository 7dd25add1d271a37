//! The repo stage end to end with the real binary: fixture repositories written to a temp
//! directory at test time, audited offline with `--only repo --repo DIR`.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("lr-repo-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Tree { dir }
    }

    fn write(&self, rel: &str, text: &str) -> &Tree {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    fn remove(&self, rel: &str) -> &Tree {
        std::fs::remove_file(self.dir.join(rel)).expect("remove");
        self
    }

    fn audit(&self) -> (i32, BTreeSet<String>, serde_json::Value) {
        let dir = self.dir.to_string_lossy().into_owned();
        let run = launchready([
            "audit",
            "example.test",
            "--only",
            "repo",
            "--repo",
            &dir,
            "--format",
            "json",
            "--fail-on",
            "medium",
        ]);
        let report = run.json();
        let ids = ids(&report)
            .into_iter()
            .filter(|id| id.starts_with("repo."))
            .collect();
        (run.code, ids, report)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const HEALTHY_CI: &str = r#"name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: gitleaks/gitleaks-action@v2
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
      - run: npm ci && npm test
      - name: Greet
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: echo "$TITLE"
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - run: flyctl deploy --remote-only
        env:
          FLY_API_TOKEN: ${{ secrets.FLY_API_TOKEN }}
"#;

fn healthy(name: &str) -> Tree {
    let t = Tree::new(name);
    t.write(".github/workflows/ci.yml", HEALTHY_CI)
        .write("package.json", "{\"name\": \"app\"}\n")
        .write("package-lock.json", "{}\n")
        .write("packages/web/package.json", "{\"name\": \"web\"}\n")
        .write("node_modules/left-pad/package.json", "{}\n")
        .write("go.mod", "module example.test/app\n")
        .write("go.sum", "")
        .write(
            "README.md",
            "# app\n\nTo roll back, run `fly releases` and redeploy the previous image.\n",
        )
        .write(".gitignore", "node_modules\n.env\n")
        .write(
            ".env.example",
            "DATABASE_URL=postgres://user:pass@localhost/app\n",
        );
    t
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn healthy_repository_has_no_repo_finding_and_is_go() {
    let t = healthy("healthy");
    let (code, ids, report) = t.audit();
    assert_eq!(ids, set(&[]), "{report}");
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["verdict"], "go");
    let repo = report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "repo")
        .expect("repo stage");
    assert_eq!(repo["status"], "ran", "{repo}");
    let inv = &report["inventory"]["repo"];
    assert_eq!(inv["ci"][0], ".github/workflows/ci.yml");
    // node_modules is skipped; the workspace package uses the root lockfile.
    assert_eq!(inv["manifests"].as_array().map(Vec::len), Some(3), "{inv}");
}

#[test]
fn no_ci_is_repo_ci_missing() {
    let t = healthy("noci");
    t.remove(".github/workflows/ci.yml");
    let (code, ids, _) = t.audit();
    assert_eq!(ids, set(&["repo.ci.missing"]));
    assert_eq!(code, 1);
}

#[test]
fn pull_request_target_checkout_of_the_head_is_a_blocker() {
    let t = healthy("prt");
    t.write(
        ".github/workflows/pr.yml",
        r#"on: pull_request_target
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm install && npm run build
"#,
    );
    let (code, ids, report) = t.audit();
    assert_eq!(ids, set(&["repo.workflow.injection"]), "{report}");
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "no-go");
}

#[test]
fn issue_title_in_a_script_is_injection() {
    let t = healthy("title");
    t.write(
        ".github/workflows/triage.yml",
        "on:\n  issues:\n    types: [opened]\npermissions: {}\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo \"${{ github.event.issue.title }}\" | grep -q bug && gh issue edit --add-label bug\n",
    );
    let (code, ids, _) = t.audit();
    assert_eq!(ids, set(&["repo.workflow.injection"]));
    assert_eq!(code, 1);
}

#[test]
fn write_all_is_repo_workflow_permissions() {
    let t = healthy("perms");
    t.write(
        ".github/workflows/ci.yml",
        &HEALTHY_CI.replace(
            "permissions:\n  contents: read\n",
            "permissions: write-all\n",
        ),
    );
    let (code, ids, _) = t.audit();
    assert_eq!(ids, set(&["repo.workflow.permissions"]));
    // Low severity: below --fail-on medium.
    assert_eq!(code, 0);
}

#[test]
fn no_scanner_is_repo_secret_scan_missing() {
    let t = healthy("noscan");
    t.write(
        ".github/workflows/ci.yml",
        &HEALTHY_CI.replace("gitleaks/gitleaks-action@v2", "actions/setup-node@v4"),
    );
    let (code, ids, _) = t.audit();
    assert_eq!(ids, set(&["repo.secret-scan.missing"]));
    assert_eq!(code, 1);
}

#[test]
fn manifest_without_lockfile_is_repo_lockfile_missing() {
    let t = healthy("nolock");
    t.remove("go.sum");
    let (code, ids, report) = t.audit();
    assert_eq!(ids, set(&["repo.lockfile.missing"]));
    assert_eq!(code, 1);
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == "repo.lockfile.missing")
        .expect("finding");
    assert_eq!(f["subject"], "go.mod");
}

#[test]
fn ci_without_a_deploy_job_is_repo_deploy_manual() {
    let t = healthy("nodeploy");
    let ci = HEALTHY_CI
        .split("  deploy:")
        .next()
        .expect("test job")
        .to_string();
    t.write(".github/workflows/ci.yml", &ci);
    let (code, ids, report) = t.audit();
    assert_eq!(ids, set(&["repo.deploy.manual"]), "{report}");
    assert_eq!(code, 0);
}

#[test]
fn env_without_example_and_no_rollback_doc() {
    let t = healthy("envroll");
    t.remove(".env.example")
        .write("README.md", "# app\n")
        .write("docs/setup.md", "Run npm start.\n");
    let (code, ids, _) = t.audit();
    assert_eq!(
        ids,
        set(&["repo.env-example.missing", "repo.rollback.undocumented"])
    );
    assert_eq!(code, 0);
}

#[test]
fn unparseable_workflow_is_not_checked_and_incomplete() {
    let t = healthy("broken");
    t.write(".github/workflows/bad.yml", "on: [push\njobs: {\n");
    let (code, ids, report) = t.audit();
    assert_eq!(ids, set(&[]), "{report}");
    assert_eq!(code, 3, "{report}");
    let unseen: BTreeSet<String> = report["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .map(|u| u["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        unseen,
        set(&["repo.workflow.injection", "repo.workflow.permissions"])
    );
}

#[test]
fn only_repo_without_repo_is_a_usage_error() {
    let run = launchready(["audit", "example.test", "--only", "repo"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--only repo needs --repo"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_repo_the_stage_is_skipped() {
    let run = launchready([
        "audit",
        "example.test",
        "--skip",
        "redirects,tls,email,headers,exposure,secrets,latency,edge",
        "--zone",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/scenarios/ns-single.zone"
        ),
        "--format",
        "json",
    ]);
    let report = run.json();
    let repo = report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "repo")
        .cloned()
        .expect("repo stage");
    assert_eq!(repo["status"], "skipped", "{repo}");
    assert!(
        repo["note"]
            .as_str()
            .is_some_and(|n| n.contains("no --repo given")),
        "{repo}"
    );
}
