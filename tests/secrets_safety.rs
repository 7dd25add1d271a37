//! The secrets scan on hostile ground, end to end with the real binary: repositories whose
//! own configuration names programs, symbolic links out of the tree, and histories the scan
//! cannot see whole (not a repository, shallow, missing objects). Every repository is built
//! by the test; every key is assembled at run time.

mod common;

use common::*;
use launchready::secrets::samples::{github_body, Gen, ALNUM};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("lr-safety-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Scratch(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the test's own git (never the scanned repo's configured programs: the hostile
/// configuration is written only after the last commit).
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "log.showSignature=false",
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

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("dirs");
    }
    std::fs::write(path, text).expect("write");
}

fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn init(dir: &Path) {
    std::fs::create_dir_all(dir).expect("repo dir");
    git(dir, &["init", "-q", "-b", "main"]);
}

fn not_checked<'a>(r: &'a Value, id: &str) -> Vec<&'a Value> {
    r["not_checked"]
        .as_array()
        .map(|a| a.iter().filter(|n| n["id"] == id).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// 1. A scanned repository never makes us run a program.

#[test]
fn a_hostile_git_config_runs_nothing() {
    let s = Scratch::new("hostile-config");
    let marker = s.join("MARKER");
    let hook = s.join("hook.sh");
    write(
        &hook,
        &format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\n", marker.display()),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let repo = s.join("repo");
    init(&repo);
    let g = &mut Gen::new(41);
    write(
        &repo.join("config.js"),
        &format!("const token = \"{}{}\";\n", "ghp_", github_body(g)),
    );
    write(&repo.join(".gitattributes"), "* diff=evil\n");
    // A key deleted later: `--history` then looks for the commit that introduced it (git log).
    write(
        &repo.join("old.js"),
        &format!("const old = \"{}{}\";\n", "ghp_", github_body(g)),
    );
    commit_all(&repo, "first");
    write(&repo.join("old.js"), "const old = process.env.TOKEN;\n");
    commit_all(&repo, "second");
    // A commit with a (fake) signature, written by hand: `log.showSignature` would hand it
    // to `gpg.program`.
    let tree = git(&repo, &["rev-parse", "HEAD^{tree}"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let object = s.join("signed-commit");
    write(
        &object,
        &format!(
            "tree {tree}\nparent {head}\nauthor Test <test@example.test> 1700000000 +0000\n\
             committer Test <test@example.test> 1700000000 +0000\n\
             gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEfakefakefake\n \
             -----END PGP SIGNATURE-----\n\nsigned\n"
        ),
    );
    let signed = git(
        &repo,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            &object.to_string_lossy(),
        ],
    );
    git(&repo, &["update-ref", "refs/heads/main", &signed]);
    // The hostile configuration, last (the test's own git must not run it either).
    let h = hook.display();
    let mut config = std::fs::read_to_string(repo.join(".git/config")).expect("config");
    config.push_str(&format!(
        "[core]\n\tfsmonitor = {h}\n\tpager = {h}\n\thooksPath = {hooks}\n\
         [log]\n\tshowSignature = true\n[gpg]\n\tprogram = {h}\n\
         [gpg \"ssh\"]\n\tprogram = {h}\n[diff]\n\texternal = {h}\n\
         [diff \"evil\"]\n\ttextconv = {h}\n",
        hooks = s.path().display()
    ));
    std::fs::write(repo.join(".git/config"), config).expect("config");
    for name in [
        "post-checkout",
        "post-index-change",
        "reference-transaction",
    ] {
        std::fs::copy(&hook, s.join(name)).expect("hook");
    }

    // The test's premise: plain git runs the configured program.
    let plain = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["ls-files"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    assert!(plain.status.success());
    assert!(marker.exists(), "premise: fsmonitor runs under plain git");
    std::fs::remove_file(&marker).expect("reset marker");

    let dir = repo.to_string_lossy().to_string();
    let runs: [&[&str]; 3] = [
        &["secrets", &dir, "--format", "json"],
        &["secrets", &dir, "--history", "--format", "json"],
        &[
            "audit",
            "example.test",
            "--only",
            "secrets",
            "--repo",
            &dir,
            "--format",
            "json",
        ],
    ];
    for args in runs {
        let run = launchready(args.iter().copied());
        assert_eq!(run.code, 1, "{args:?}: {}\n{}", run.stdout, run.stderr);
        let r = run.json();
        assert!(ids(&r).contains("secrets.tree"), "{args:?}: {r}");
        if args.contains(&"--history") || args.contains(&"audit") {
            assert!(ids(&r).contains("secrets.history"), "{args:?}: {r}");
        }
        assert!(
            !marker.exists(),
            "{args:?} ran a program named by the scanned repository: {}",
            std::fs::read_to_string(&marker).unwrap_or_default()
        );
    }
}

// ---------------------------------------------------------------------------------------
// 2. Symbolic links never lead the scan out of the tree; a file is scanned as a file.

#[cfg(unix)]
#[test]
fn links_out_of_the_tree_are_not_followed() {
    let s = Scratch::new("links");
    let g = &mut Gen::new(43);
    let planted = format!("{}{}", "ghp_", github_body(g));
    let creds = s.join("outside/creds");
    write(&creds, &format!("GITHUB_TOKEN={planted}\n"));
    let repo = s.join("repo");
    init(&repo);
    write(&repo.join("README.md"), "# app\n");
    std::os::unix::fs::symlink("../outside/creds", repo.join("link.txt")).expect("link");
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("environ")).expect("link");
    std::os::unix::fs::symlink("../outside", repo.join("outdir")).expect("link");
    // A tracked .env that is a link out: its names are not read either.
    std::os::unix::fs::symlink("../outside/creds", repo.join(".env")).expect("link");
    commit_all(&repo, "links");
    // And an untracked one in a plain directory.
    let plain = s.join("plain");
    std::fs::create_dir_all(&plain).expect("plain");
    std::os::unix::fs::symlink(&creds, plain.join(".env")).expect("link");
    write(&plain.join("notes.txt"), "nothing here\n");

    // The premise: the planted key is found when the file itself is scanned (as a file).
    let c = creds.to_string_lossy().to_string();
    let run = launchready(["secrets", c.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let r = run.json();
    let subjects: Vec<String> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == "secrets.tree")
        .filter_map(|f| f["subject"].as_str().map(str::to_string))
        .collect();
    assert_eq!(subjects, [format!("{c}:1")]);

    for (dir, links) in [
        (&repo, &[".env", "environ", "link.txt", "outdir"][..]),
        (&plain, &[".env"][..]),
    ] {
        let d = dir.to_string_lossy().to_string();
        for args in [
            vec!["secrets", d.as_str(), "--format", "json"],
            vec![
                "audit",
                "example.test",
                "--only",
                "secrets",
                "--repo",
                d.as_str(),
                "--format",
                "json",
            ],
        ] {
            let run = launchready(args.iter().copied());
            assert!(
                !run.stdout.contains(&planted[4..]) && !run.stderr.contains(&planted[4..]),
                "{args:?} leaks the linked file"
            );
            assert!(
                !run.stdout.contains("GITHUB_TOKEN"),
                "{args:?} read the linked .env"
            );
            let r = run.json();
            assert!(ids(&r).is_empty(), "{args:?}: {}", r["findings"]);
            let skipped: Vec<&str> = r["inventory"]["secrets"]["skipped_links"]
                .as_array()
                .expect("skipped_links")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(skipped, links, "{args:?}");
            assert!(
                stage_note(&r, "secrets").contains("symbolic link"),
                "{args:?}: {}",
                stage_note(&r, "secrets")
            );
        }
    }
}

#[test]
fn a_file_is_scanned_as_a_file() {
    let s = Scratch::new("file");
    let repo = s.join("repo");
    init(&repo);
    let g = &mut Gen::new(47);
    write(
        &repo.join("config/prod.env"),
        &format!("API_TOKEN={}{}\n", "glpat-", g.s(ALNUM, 20)),
    );
    commit_all(&repo, "env");
    let file = repo.join("config/prod.env").to_string_lossy().to_string();
    let run = launchready(["secrets", file.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let r = run.json();
    let found = ids(&r);
    assert!(found.contains("secrets.tree"), "{found:?}");
    assert!(found.contains("secrets.env-committed"), "{found:?}");
    // With --history: a file has no history of its own, which is said, not passed.
    let run = launchready(["secrets", file.as_str(), "--history", "--format", "json"]);
    let r = run.json();
    assert_eq!(not_checked(&r, "secrets.history").len(), 1, "{r}");
}

// ---------------------------------------------------------------------------------------
// 3. History the scan cannot see whole is not a pass.

/// Runs `secrets DIR --history` and `audit --repo DIR --only secrets`; both must be
/// incomplete (exit 3) with one `secrets.history` not-checked entry whose reason holds `why`.
fn assert_history_unseen(dir: &Path, why: &str) {
    let d = dir.to_string_lossy().to_string();
    for args in [
        vec!["secrets", d.as_str(), "--history", "--format", "json"],
        vec![
            "audit",
            "example.test",
            "--only",
            "secrets",
            "--repo",
            d.as_str(),
            "--format",
            "json",
        ],
    ] {
        let run = launchready(args.iter().copied());
        assert_eq!(run.code, 3, "{args:?}: {}\n{}", run.stdout, run.stderr);
        let r = run.json();
        assert_eq!(r["verdict"], "incomplete", "{args:?}");
        assert_eq!(r["complete"], false, "{args:?}");
        assert!(ids(&r).is_empty(), "{args:?}: {}", r["findings"]);
        let entries = not_checked(&r, "secrets.history");
        assert_eq!(entries.len(), 1, "{args:?}: {}", r["not_checked"]);
        assert_eq!(entries[0]["subject"], d.as_str(), "{args:?}");
        assert_eq!(entries[0]["stage"], "secrets", "{args:?}");
        let reason = entries[0]["reason"].as_str().unwrap_or("");
        assert!(reason.contains(why), "{args:?}: {reason}");
        // For the table too.
        let table = launchready(
            args.iter()
                .copied()
                .filter(|a| *a != "json" && *a != "--format"),
        );
        assert_eq!(table.code, 3, "{args:?} table");
    }
}

#[test]
fn history_of_a_plain_directory_is_not_checked() {
    let s = Scratch::new("nogit");
    write(&s.join("src/main.rs"), "fn main() {}\n");
    assert_history_unseen(s.path(), "not a git repository");
    // Without --history the tree alone is scanned and the run is complete.
    let d = s.path().to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_shallow_clone_is_not_checked() {
    let s = Scratch::new("shallow");
    let origin = s.join("origin");
    init(&origin);
    for i in 0..3 {
        write(&origin.join("n.txt"), &format!("{i}\n"));
        commit_all(&origin, &format!("c{i}"));
    }
    let url = format!("file://{}", origin.display());
    let clone = s.join("clone");
    git(
        s.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            &clone.to_string_lossy(),
        ],
    );
    assert_history_unseen(
        &clone,
        "history is shallow: 1 commits; fetch the full history with `git fetch --unshallow` to scan it",
    );
}

/// A repository whose object database borrows from elsewhere on this machine
/// (`objects/info/alternates`, as `git clone --shared` makes) is not read through: git would
/// read the other directory's objects as its own.
#[test]
fn borrowed_objects_are_not_read() {
    let s = Scratch::new("alternates");
    let origin = s.join("origin");
    init(&origin);
    write(&origin.join("n.txt"), "0\n");
    commit_all(&origin, "c0");
    let clone = s.join("clone");
    git(
        s.path(),
        &[
            "clone",
            "-q",
            "--shared",
            &origin.to_string_lossy(),
            &clone.to_string_lossy(),
        ],
    );
    assert!(clone.join(".git/objects/info/alternates").is_file());
    assert_history_unseen(&clone, "borrows objects from outside itself");
}

#[test]
fn a_missing_object_is_not_checked() {
    let s = Scratch::new("missing");
    let repo = s.join("repo");
    init(&repo);
    write(&repo.join("a.txt"), "old content\n");
    commit_all(&repo, "old");
    let blob = git(&repo, &["rev-parse", "HEAD:a.txt"]);
    write(&repo.join("a.txt"), "new content\n");
    commit_all(&repo, "new");
    std::fs::remove_file(repo.join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..])))
        .expect("delete a loose object");
    assert_history_unseen(&repo, "1 object(s) of the history are missing");
}

#[test]
fn an_ignore_file_hides_nothing_outside_git() {
    let s = Scratch::new("dotignore");
    let g = &mut Gen::new(53);
    write(&s.join(".ignore"), "creds.txt\n");
    write(&s.join(".gitignore"), "creds.txt\n");
    write(
        &s.join("creds.txt"),
        &format!("token = \"{}{}\"\n", "ghp_", github_body(g)),
    );
    let d = s.path().to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let r = run.json();
    let subjects: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["creds.txt:1"]);
}

// ---------------------------------------------------------------------------------------
// 4. Redaction: short values show nothing but their length; names are names.

#[test]
fn short_and_long_values_never_leak_in_any_format() {
    let s = Scratch::new("redact");
    let repo = s.join("repo");
    init(&repo);
    let g = &mut Gen::new(59);
    let short = g.s(ALNUM, 10);
    let long = format!("{}{}", "ghp_", github_body(g));
    let url_password = g.s(ALNUM, 11);
    // The scheme is assembled at run time so that no scanner flags this file.
    let scheme = ["post", "gres"].concat();
    write(
        &repo.join(".env"),
        &format!(
            "DATABASE_URL={scheme}://app:{short}@db.internal:5432/app?sslmode=require\n\
             {scheme}://user:{url_password}@host/db?sslmode=require\n\
             GITHUB_TOKEN={long}\n"
        ),
    );
    commit_all(&repo, "env");
    let d = repo.to_string_lossy().to_string();
    let mut pieces: Vec<String> = vec![short.clone(), url_password.clone()];
    let chars: Vec<char> = long.chars().collect();
    for w in chars.windows(12) {
        pieces.push(w.iter().collect());
    }
    for format in ["json", "sarif", "junit", "markdown", "html", "table"] {
        let file = s.join(&format!("report.{format}"));
        let f = file.to_string_lossy().to_string();
        let run = launchready([
            "secrets",
            d.as_str(),
            "--format",
            format,
            "-o",
            f.as_str(),
            "-vv",
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let written = std::fs::read_to_string(&file).expect("-o file");
        for piece in &pieces {
            for (what, text) in [
                ("stdout", &run.stdout),
                ("stderr", &run.stderr),
                ("-o", &written),
            ] {
                assert!(
                    !text.contains(piece.as_str()),
                    "{format} {what} leaks a value"
                );
            }
        }
    }
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    let r = run.json();
    let evidence: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["evidence"].as_str())
        .collect();
    assert!(
        evidence.iter().any(|e| e.ends_with("): …(10 chars)")),
        "{evidence:?}"
    );
    let env = evidence
        .iter()
        .find(|e| e.starts_with("git tracks .env"))
        .expect("env-committed");
    assert!(env.contains("DATABASE_URL, GITHUB_TOKEN"), "{env}");
    assert!(!env.contains("postgres"), "{env}");
}

// ---------------------------------------------------------------------------------------
// 5. As a team uses it: inline allow, suppressions by fingerprint, test trees ranked lower.

fn finding<'a>(r: &'a Value, id: &str, subject_prefix: &str) -> Option<&'a Value> {
    r["findings"].as_array().and_then(|a| {
        a.iter().find(|f| {
            f["id"] == id
                && f["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(subject_prefix))
        })
    })
}

#[test]
fn allow_comments_fingerprints_and_test_trees() {
    let s = Scratch::new("team");
    let repo = s.join("repo");
    init(&repo);
    let g = &mut Gen::new(61);
    let mut key = || format!("{}{}", "ghp_", github_body(g));
    let (allowed, moved, fixture, live) = (key(), key(), key(), key());
    write(
        &repo.join("src/a.js"),
        &format!("const a = \"{allowed}\"; // launchready:allow (a revoked demo key)\n"),
    );
    write(&repo.join("src/b.js"), &format!("const b = \"{moved}\";\n"));
    write(
        &repo.join("tests/fixtures/key.js"),
        &format!("module.exports = \"{fixture}\";\n"),
    );
    write(&repo.join("deploy.js"), &format!("const t = \"{live}\";\n"));
    commit_all(&repo, "keys");
    let d = repo.to_string_lossy().to_string();

    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    assert!(
        finding(&r, "secrets.tree", "src/a.js").is_none(),
        "allowed inline"
    );
    assert!(stage_note(&r, "secrets").contains("1 secret(s) allowed"));
    let live_f = finding(&r, "secrets.tree", "deploy.js").expect("live key");
    assert_eq!(live_f["severity"], "blocker");
    let fixture_f = finding(&r, "secrets.tree", "tests/fixtures/key.js").expect("fixture");
    assert_eq!(fixture_f["severity"], "high");
    assert!(fixture_f["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("ranked one step lower: it is under a tests/ directory"));
    // The live key ranks before the test key.
    let order: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["subject"].as_str())
        .collect();
    let pos = |p: &str| order.iter().position(|s| s.starts_with(p));
    assert!(pos("deploy.js") < pos("tests/"), "{order:?}");

    // Suppress src/b.js's key by its fingerprint, in the repository's own launchready.toml.
    let b = finding(&r, "secrets.tree", "src/b.js").expect("b.js");
    let fp = b["evidence"]
        .as_str()
        .and_then(|e| e.split("; ").find(|p| p.starts_with("fingerprint:")))
        .expect("a fingerprint in the evidence")
        .to_string();
    assert!(fp.starts_with("fingerprint:github-pat:"), "{fp}");
    write(
        &repo.join("launchready.toml"),
        &format!(
            "[[suppress]]\nid = \"secrets.tree\"\nsubject = \"{fp}\"\nreason = \"rotated\"\nexpires = 2099-12-31\n"
        ),
    );
    // The line moves: the suppression follows the key.
    write(
        &repo.join("src/b.js"),
        &format!("// moved\n\nconst b = \"{moved}\";\n"),
    );
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    let r = run.json();
    let b = finding(&r, "secrets.tree", "src/b.js:3").expect("b.js moved");
    assert_eq!(b["suppressed"], true, "{b}");
    // -c FILE names another config: suppress the live key by subject, and the fixture.
    let other = s.join("other.toml");
    write(
        &other,
        "[[suppress]]\nid = \"secrets.tree\"\nsubject = \"deploy.js:1\"\nreason = \"r\"\nexpires = 2099-12-31\n\
         [[suppress]]\nid = \"secrets.tree\"\nsubject = \"tests/fixtures/key.js:1\"\nreason = \"r\"\nexpires = 2099-12-31\n",
    );
    let o = other.to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "-c", o.as_str(), "--format", "json"]);
    let r = run.json();
    // b.js is no longer suppressed (another config), the others are: still NO-GO for b.js.
    assert_eq!(run.code, 1);
    assert_eq!(
        finding(&r, "secrets.tree", "deploy.js").expect("live")["suppressed"],
        true
    );
    assert_eq!(
        finding(&r, "secrets.tree", "src/b.js").expect("b")["suppressed"],
        false
    );
    // A bad config is a usage error.
    write(&other, "[[suppress]]\nid = \"secrets.nope\"\n");
    let run = launchready(["secrets", d.as_str(), "-c", o.as_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A text file of any size is scanned in the tree, and a blob of any size in the history
/// (both streamed in windows): a secret at the end of each is found on its line. A big binary
/// is skipped like any binary.
#[test]
fn big_files_and_big_blobs_are_scanned() {
    let s = Scratch::new("large");
    let repo = s.join("repo");
    init(&repo);
    let line = "log line without anything secret in it\n";
    let g = &mut Gen::new(5);
    let lines = (65 << 20) / line.len() + 1;
    let mut big = line.repeat(lines);
    big.push_str(&format!("token = \"{}{}\"\n", "glpat-", g.s(ALNUM, 20)));
    write(&repo.join("big.log"), &big);
    drop(big);
    // A 20 MB blob that only the history holds: streamed past two window edges.
    let old_lines = (20 << 20) / line.len() + 1;
    let mut old = line.repeat(old_lines);
    old.push_str(&format!("token = \"{}{}\"\n", "glpat-", g.s(ALNUM, 20)));
    write(&repo.join("old.log"), &old);
    drop(old);
    let bin = std::fs::File::create(repo.join("big.bin")).expect("bin");
    bin.set_len(65 << 20).expect("sparse binary");
    drop(bin);
    write(&repo.join("small.txt"), "hello\n");
    commit_all(&repo, "big files");
    git(&repo, &["rm", "-q", "old.log"]);
    commit_all(&repo, "drop the old log");
    let d = repo.to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let r = run.json();
    assert_eq!(r["verdict"], "no-go");
    assert!(
        not_checked(&r, "secrets.tree").is_empty(),
        "{}",
        r["not_checked"]
    );
    assert!(
        not_checked(&r, "secrets.history").is_empty(),
        "{}",
        r["not_checked"]
    );
    let found = finding(&r, "secrets.tree", "big.log").expect("the secret at the end");
    assert_eq!(found["subject"], format!("big.log:{}", lines + 1));
    let past = finding(&r, "secrets.history", "old.log").expect("the old blob's secret");
    assert_eq!(past["subject"], format!("old.log:{}", old_lines + 1));
}

/// A PEM key's subject is its BEGIN line.
#[test]
fn a_pem_key_is_reported_at_its_begin_line() {
    use launchready::secrets::samples::sample;
    let s = Scratch::new("pem");
    let (key, _) = sample("private-key", 4).expect("pem");
    write(&s.join("deploy/key.pem"), &format!("# deploy key\n\n{key}"));
    let d = s.path().to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let r = run.json();
    let f = finding(&r, "secrets.tree", "deploy/key.pem").expect("key");
    assert_eq!(f["subject"], "deploy/key.pem:3", "{f}");
}

/// An AWS key id alone ranks below an id with its secret access key.
#[test]
fn an_aws_key_id_alone_ranks_below_a_pair() {
    use launchready::secrets::samples::sample;
    let s = Scratch::new("aws");
    let (id_a, _) = sample("aws-access-key-id", 1).expect("id");
    let (id_b, _) = sample("aws-access-key-id", 2).expect("id");
    let (secret, _) = sample("aws-secret-access-key", 3).expect("secret");
    write(&s.join("ci/travis.yml"), &format!("{id_a}\n"));
    write(&s.join("deploy/creds.ini"), &format!("{id_b}\n{secret}\n"));
    let d = s.path().to_string_lossy().to_string();
    let run = launchready(["secrets", d.as_str(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let r = run.json();
    let alone = finding(&r, "secrets.tree", "ci/travis.yml").expect("id alone");
    let paired = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["subject"] == "deploy/creds.ini:1"
                && f["evidence"]
                    .as_str()
                    .is_some_and(|e| e.starts_with("aws-access-key-id"))
        })
        .expect("paired id");
    assert_eq!(paired["severity"], "high", "{paired}");
    assert_eq!(alone["severity"], "medium", "{alone}");
    assert!(alone["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("without its secret access key"));
}

/// The redaction invariant over every rule: a sample of each, in a source file and in a
/// tracked `.env`, scanned with history, in every format: no 12-character run of the samples'
/// random parts appears in stdout, stderr (at -vv) or the -o file.
#[test]
fn no_rule_leaks_a_value_in_any_format() {
    use launchready::secrets::samples::sample;
    use launchready::secrets::RULES;
    let s = Scratch::new("every-rule");
    let repo = s.join("repo");
    init(&repo);
    let mut env = String::new();
    let mut windows: Vec<String> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        let Some((text, _)) = sample(rule.id, 100 + i as u64) else {
            continue;
        };
        write(
            &repo.join(format!("src/{}.txt", rule.id)),
            &format!("{text}\n"),
        );
        if !text.contains('\n') {
            env.push_str(&format!("V{i}={text}\n"));
        }
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(12) {
            let digits = w.iter().filter(|c| c.is_ascii_digit()).count();
            let letters = w.iter().filter(|c| c.is_ascii_alphabetic()).count();
            if w.iter().all(char::is_ascii_alphanumeric) && digits >= 2 && letters >= 2 {
                windows.push(w.iter().collect());
            }
        }
    }
    assert!(windows.len() > 500, "{}", windows.len());
    write(&repo.join(".env"), &env);
    commit_all(&repo, "every rule");
    let d = repo.to_string_lossy().to_string();
    for format in ["json", "sarif", "junit", "markdown", "html", "table"] {
        let file = s.join(&format!("out.{format}"));
        let f = file.to_string_lossy().to_string();
        let run = launchready([
            "secrets",
            d.as_str(),
            "--history",
            "-vv",
            "--format",
            format,
            "-o",
            f.as_str(),
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let written = std::fs::read_to_string(&file).expect("-o file");
        // One pass over each output's 12-character windows against the set of the values'.
        let windows: std::collections::HashSet<&str> = windows.iter().map(String::as_str).collect();
        for (what, text) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("-o", &written),
        ] {
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect();
            if let Some(w) = bounds
                .windows(13)
                .map(|b| &text[b[0]..b[12]])
                .find(|w| windows.contains(w))
            {
                panic!("{format} {what} leaks {}…", &w[..3]);
            }
        }
    }
}
