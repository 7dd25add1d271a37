//! Reads the `--repo` tree: CI files, GitHub Actions workflows (parsed with `serde_norway`,
//! never pattern-matched), and package manifests with their lockfiles. Offline, bounded
//! (file sizes, entries, depth), never follows symlinks, never panics on hostile files.

use super::workflow::parse_workflow;
use super::*;
use std::fs;
use std::io::Read;
use std::path::Path;

/// The most of one CI file read.
pub const MAX_CI_BYTES: u64 = 1024 * 1024;
/// The most directory entries the manifest walk visits.
pub const MAX_ENTRIES: usize = 50_000;
/// The deepest directory the manifest walk enters.
const MAX_DEPTH: usize = 12;

/// Single-file CI configurations, by provider.
const CI_FILES: &[&str] = &[
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    ".circleci/config.yaml",
    "bitbucket-pipelines.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    ".travis.yml",
    ".drone.yml",
    ".woodpecker.yml",
];

/// Directories skipped by the manifest walk (dependencies, build output, VCS).
const SKIP_DIRS: &[&str] = &["node_modules", "vendor", "target", ".git"];

/// Reads a regular file (no symlink) up to `cap` bytes.
fn read_capped(path: &Path, cap: u64) -> Result<String, String> {
    let meta = fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > cap {
        return Err(format!("larger than {cap} bytes"));
    }
    let mut buf = Vec::new();
    fs::File::open(path)
        .map_err(|e| e.to_string())?
        .take(cap)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn is_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

fn is_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_dir())
}

pub fn observe(root: &Path) -> Result<RepoObservation, StageError> {
    if !is_dir(root) {
        return Err(StageError::NotFound(root.to_path_buf()));
    }
    fs::read_dir(root).map_err(|source| StageError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;
    let mut obs = RepoObservation {
        root: root.display().to_string(),
        ..Default::default()
    };

    // GitHub Actions.
    let wf_dir = root.join(".github/workflows");
    if is_dir(&wf_dir) {
        let mut names: Vec<String> = fs::read_dir(&wf_dir)
            .map_err(|source| StageError::Unreadable {
                path: wf_dir.clone(),
                source,
            })?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
            .collect();
        names.sort();
        for name in names {
            let rel = format!(".github/workflows/{name}");
            obs.ci.push(rel.clone());
            match read_capped(&wf_dir.join(&name), MAX_CI_BYTES).and_then(|text| {
                parse_workflow(&rel, &text)
                    .map(|w| (w, text))
                    .map_err(|e| e.to_string())
            }) {
                Ok((wf, _)) => obs.workflows.push(wf),
                Err(why) => {
                    if let Ok(text) = read_capped(&wf_dir.join(&name), MAX_CI_BYTES) {
                        obs.ci_texts.push((rel.clone(), text));
                    }
                    obs.unparsed.push((rel, why));
                }
            }
        }
    }
    // Other providers: their text is searched, not parsed.
    for rel in CI_FILES {
        let p = root.join(rel);
        if is_file(&p) {
            obs.ci.push(rel.to_string());
            if let Ok(text) = read_capped(&p, MAX_CI_BYTES) {
                obs.ci_texts.push((rel.to_string(), text));
            }
        }
    }
    let buildkite = root.join(".buildkite");
    if is_dir(&buildkite) {
        obs.ci.push(".buildkite/".into());
        if let Ok(rd) = fs::read_dir(&buildkite) {
            for e in rd.filter_map(|e| e.ok()).take(100) {
                let rel = format!(".buildkite/{}", e.file_name().to_string_lossy());
                if let Ok(text) = read_capped(&e.path(), MAX_CI_BYTES) {
                    obs.ci_texts.push((rel, text));
                }
            }
        }
    }
    obs.pre_commit = read_capped(&root.join(".pre-commit-config.yaml"), MAX_CI_BYTES).ok();

    env_and_docs(root, &mut obs);

    // Manifests and lockfiles.
    let mut entries = 0usize;
    walk(root, root, 0, &mut entries, &mut obs);
    obs.manifests.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(obs)
}

/// The lockfiles that satisfy a manifest, if the manifest needs one.
fn lockfiles_for(dir: &Path, name: &str) -> Option<Vec<&'static str>> {
    match name {
        "package.json" => Some(vec![
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lockb",
            "bun.lock",
            "npm-shrinkwrap.json",
        ]),
        "Cargo.toml" => {
            // Libraries do not commit Cargo.lock; binaries do.
            let text = read_capped(&dir.join(name), MAX_CI_BYTES).ok()?;
            let toml: toml::Value = toml::from_str(&text).ok()?;
            let has_bin = toml.get("bin").is_some() || is_file(&dir.join("src/main.rs"));
            has_bin.then(|| vec!["Cargo.lock"])
        }
        "pyproject.toml" | "Pipfile" => {
            Some(vec!["poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock"])
        }
        "Gemfile" => Some(vec!["Gemfile.lock"]),
        "go.mod" => Some(vec!["go.sum"]),
        "composer.json" => Some(vec!["composer.lock"]),
        _ => None,
    }
}

fn walk(root: &Path, dir: &Path, depth: usize, entries: &mut usize, obs: &mut RepoObservation) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    let mut subdirs = Vec::new();
    let mut names = Vec::new();
    for e in rd.filter_map(|e| e.ok()) {
        *entries += 1;
        if *entries > MAX_ENTRIES {
            obs.truncated = true;
            return;
        }
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if ft.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                subdirs.push(e.path());
            }
        } else if ft.is_file() {
            names.push(name);
        }
    }
    names.sort();
    for name in &names {
        if let Some(wants) = lockfiles_for(dir, name) {
            let rel_dir = dir.strip_prefix(root).unwrap_or(dir);
            let lockfile = find_lockfile(root, dir, &wants);
            obs.manifests.push(Manifest {
                path: rel_dir.join(name).to_string_lossy().into_owned(),
                wants,
                lockfile,
            });
        }
    }
    subdirs.sort();
    for d in subdirs {
        walk(root, &d, depth + 1, entries, obs);
        if obs.truncated {
            return;
        }
    }
}

/// A lockfile in the manifest's directory or an ancestor up to the root (workspaces lock at
/// their root).
fn find_lockfile(root: &Path, dir: &Path, wants: &[&str]) -> Option<String> {
    let mut at = Some(dir);
    while let Some(d) = at {
        for w in wants {
            if is_file(&d.join(w)) {
                let rel = d.strip_prefix(root).unwrap_or(d).join(w);
                return Some(rel.to_string_lossy().into_owned());
            }
        }
        if d == root {
            break;
        }
        at = d.parent();
    }
    None
}

/// A rollback described in prose.
static ROLLBACK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)\broll(ing)?[\s-]?back|\brevert(ing)?\s+(a|the)\s+(deploy|release)|\bprevious\s+(release|version|deploy)")
        .expect("static regex")
});

/// Documentation files at the root and under docs/ (one level), capped.
fn doc_files(root: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    for (prefix, dir) in [("", root.to_path_buf()), ("docs/", root.join("docs"))] {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                let l = n.to_ascii_lowercase();
                l.ends_with(".md") || l.ends_with(".rst") || l.ends_with(".txt") || l == "readme"
            })
            .collect();
        names.sort();
        for n in names.into_iter().take(200) {
            out.push((format!("{prefix}{n}"), dir.join(&n)));
        }
    }
    out
}

/// The `.env` usage, its committed example, and a documented rollback.
fn env_and_docs(root: &Path, obs: &mut RepoObservation) {
    if let Ok(rd) = fs::read_dir(root) {
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for n in &names {
            let l = n.to_ascii_lowercase();
            let example = ["example", "sample", "template", "dist"]
                .iter()
                .any(|w| l.contains(w));
            if (l.starts_with(".env") || l.ends_with(".env")) && example {
                obs.env_example.get_or_insert_with(|| n.clone());
            } else if l == ".env" || l.starts_with(".env.") {
                obs.env_used.get_or_insert_with(|| format!("{n} exists"));
            }
        }
    }
    if obs.env_used.is_none() {
        if let Ok(gi) = read_capped(&root.join(".gitignore"), MAX_CI_BYTES) {
            if gi.lines().map(str::trim).any(|l| {
                matches!(
                    l,
                    ".env" | "/.env" | ".env*" | ".env.*" | "*.env" | ".env.local"
                )
            }) {
                obs.env_used = Some(".env in .gitignore".into());
            }
        }
    }
    if obs.env_used.is_none() {
        if let Ok(pkg) = read_capped(&root.join("package.json"), MAX_CI_BYTES) {
            if pkg.contains("\"dotenv\"") {
                obs.env_used = Some("package.json depends on dotenv".into());
            }
        }
    }
    for (rel, path) in doc_files(root) {
        let Ok(text) = read_capped(&path, MAX_CI_BYTES) else {
            continue;
        };
        obs.docs_read += 1;
        if obs.rollback_doc.is_none() && ROLLBACK.is_match(&text) {
            obs.rollback_doc = Some(rel);
        }
    }
}
