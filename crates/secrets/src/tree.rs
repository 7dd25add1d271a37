//! The working tree: every file walked in parallel (the `ignore` crate, which honours
//! `.gitignore` like git does), plus the files git tracks even though they are ignored. Each
//! file is read once; binaries are skipped and counted. A file over [`WINDOW`] is streamed in
//! overlapping windows ([`Engine::scan_reader`]), so no file is too big to scan.

use super::git::{self, GitError};
use super::scan::{Engine, Match};
use ignore::{WalkBuilder, WalkState};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// History blobs up to this size are read and scanned whole. A binary over it is skipped like
/// any binary; a text blob over it is reported as not checked (never passed silently).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Working-tree files up to this size are read whole; bigger ones are streamed in windows of
/// this size (a 9 MB minified bundle, a 2 GB log alike), which bounds the memory per thread.
/// 2 MiB: the windows' overlap re-reads 3 % of a streamed file, and two threads' buffers stay
/// well inside the 64 MB budget.
pub const WINDOW: usize = 2 * 1024 * 1024;
/// A NUL byte in this many first bytes marks a binary file.
const BINARY_SNIFF: usize = 8000;

/// What a scan of the working tree saw.
#[derive(Debug)]
pub struct TreeScan {
    /// Secrets in files that are tracked or would be committed (not ignored).
    pub matches: Vec<Match>,
    /// Secrets in git-ignored `.env*` files of a JavaScript project: not in the repo, but a
    /// client-prefixed variable there still ships to browsers.
    pub ignored_env: Vec<Match>,
    pub files: usize,
    pub bytes: u64,
    pub skipped_binary: usize,
    /// Relative paths of text files that could not be scanned whole (none since files are
    /// streamed; kept for the report's shape).
    pub skipped_large: Vec<String>,
    pub unreadable: usize,
    /// Symbolic links that point out of the scanned tree (relative paths): never followed,
    /// never read (`creds -> ../outside/creds`, `env -> /proc/self/environ`).
    pub skipped_links: Vec<String>,
    /// The files git tracks (relative paths), or why they are unknown.
    pub tracked: Result<Vec<String>, String>,
    pub git_missing: bool,
    /// Not inside a git work tree: nothing is tracked.
    pub not_a_repo: bool,
}

/// Whether a buffer looks binary.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Whether `path` (a link, or under a linked directory) leads out of `root` (canonical).
/// A link that cannot be resolved leads nowhere and is not read either.
fn leads_out(root: &Path, path: &Path) -> bool {
    match std::fs::canonicalize(path) {
        Ok(real) => !real.starts_with(root),
        Err(_) => false,
    }
}

/// The regular file at `root/label`, when it really is one inside `root`: no symbolic link
/// (to anywhere), no directory link on the way out, no FIFO or device.
pub enum Inside {
    File(PathBuf),
    /// A link (or a path through one) that leads out of the tree: not read.
    LinkOut,
    /// A link inside the tree (its target is scanned on its own), missing, or not a file.
    Other,
}

pub fn inside(root: &Path, label: &str) -> Inside {
    let path = root.join(label);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Inside::Other;
    };
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if meta.file_type().is_symlink() {
        return if leads_out(&canonical_root, &path) {
            Inside::LinkOut
        } else {
            Inside::Other
        };
    }
    if !meta.is_file() {
        return Inside::Other;
    }
    if leads_out(&canonical_root, &path) {
        return Inside::LinkOut;
    }
    Inside::File(path)
}

#[derive(Default)]
struct Shared {
    matches: Mutex<Vec<Match>>,
    seen: Mutex<HashSet<String>>,
    js_dirs: Mutex<Vec<PathBuf>>,
    large: Mutex<Vec<String>>,
    links_out: Mutex<BTreeSet<String>>,
    files: AtomicUsize,
    bytes: AtomicU64,
    binary: AtomicUsize,
    unreadable: AtomicUsize,
}

enum Outcome {
    Scanned(Vec<Match>),
    Binary,
    Unreadable,
}

/// Whether the first bytes of the file at `path` look binary.
fn starts_binary(path: &Path) -> Option<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(BINARY_SNIFF);
    std::fs::File::open(path)
        .ok()?
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut head)
        .ok()?;
    Some(is_binary(&head))
}

fn scan_file(engine: &Engine, path: &Path, label: &str, size: Option<u64>) -> (Outcome, u64) {
    if size.is_none_or(|s| s > WINDOW as u64) {
        if starts_binary(path) == Some(true) {
            return (Outcome::Binary, 0);
        }
        let Ok(file) = std::fs::File::open(path) else {
            return (Outcome::Unreadable, 0);
        };
        return match engine.scan_reader(label, file, WINDOW) {
            Ok((Some(found), n)) => (Outcome::Scanned(found), n),
            Ok((None, n)) => (Outcome::Binary, n),
            Err(_) => (Outcome::Unreadable, 0),
        };
    }
    let Ok(bytes) = std::fs::read(path) else {
        return (Outcome::Unreadable, 0);
    };
    let n = bytes.len() as u64;
    if is_binary(&bytes) {
        return (Outcome::Binary, n);
    }
    (Outcome::Scanned(engine.scan_bytes(label, &bytes)), n)
}

impl Shared {
    fn record(&self, outcome: Outcome, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
        match outcome {
            Outcome::Scanned(found) => {
                self.files.fetch_add(1, Ordering::Relaxed);
                if !found.is_empty() {
                    if let Ok(mut m) = self.matches.lock() {
                        m.extend(found);
                    }
                }
            }
            Outcome::Binary => {
                self.binary.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Unreadable => {
                self.unreadable.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Scans the tree under `root`.
pub fn scan_tree(engine: &Engine, root: &Path) -> TreeScan {
    let tracked = git::tracked_files(root);
    let shared = Shared::default();
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // Only git's own ignore rules, and only inside a git work tree (`require_git`): a
    // `.ignore` file, hidden files and the user's global excludes hide nothing.
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .git_global(false)
        .require_git(true)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    // Which files the walk saw matters for tracked files it hides (a git work tree) and for
    // ignored `.env` files: only those are remembered.
    let remember_all = tracked.is_ok();
    walker.run(|| {
        let shared = &shared;
        let canonical_root = &canonical_root;
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                shared.unreadable.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            };
            let path = entry.path();
            if entry.path_is_symlink() {
                if leads_out(canonical_root, path) {
                    if let Ok(mut links) = shared.links_out.lock() {
                        links.insert(relative(root, path));
                    }
                }
                return WalkState::Continue;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let label = relative(root, path);
            if entry.file_name() == "package.json" {
                if let (Some(dir), Ok(mut dirs)) = (path.parent(), shared.js_dirs.lock()) {
                    dirs.push(dir.to_path_buf());
                }
            }
            let size = entry.metadata().ok().map(|m| m.len());
            let (outcome, n) = scan_file(engine, path, &label, size);
            if remember_all || entry.file_name().as_encoded_bytes().starts_with(b".env") {
                if let Ok(mut seen) = shared.seen.lock() {
                    seen.insert(label);
                }
            }
            shared.record(outcome, n);
            WalkState::Continue
        })
    });

    // Tracked files that .gitignore hides from the walk are still in the repository.
    let seen = shared.seen.lock().map(|s| s.clone()).unwrap_or_default();
    if let Ok(files) = &tracked {
        for label in files.iter().filter(|f| !seen.contains(*f)) {
            let path = match inside(root, label) {
                Inside::File(path) => path,
                Inside::LinkOut => {
                    if let Ok(mut links) = shared.links_out.lock() {
                        links.insert(label.clone());
                    }
                    continue;
                }
                // Deleted in the work tree, a submodule, or a link within the tree.
                Inside::Other => continue,
            };
            let size = std::fs::metadata(&path).ok().map(|m| m.len());
            let (outcome, n) = scan_file(engine, &path, label, size);
            shared.record(outcome, n);
        }
    }

    // Ignored `.env*` files next to a package.json (and at the root): the frameworks that
    // inline NEXT_PUBLIC_/VITE_… variables read them at build time.
    let mut ignored_env = Vec::new();
    let mut dirs = shared.js_dirs.lock().map(|d| d.clone()).unwrap_or_default();
    dirs.push(root.to_path_buf());
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // `DirEntry::file_type` does not follow links: a linked `.env` is not read.
            if !name.starts_with(".env") || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let label = relative(root, &e.path());
            if seen.contains(&label) {
                continue;
            }
            let size = e.metadata().ok().map(|m| m.len());
            if let (Outcome::Scanned(found), _) = scan_file(engine, &e.path(), &label, size) {
                ignored_env.extend(found.into_iter().filter(|m| m.client_var.is_some()));
            }
        }
    }

    let mut matches = shared.matches.into_inner().unwrap_or_default();
    matches.sort_by(|a, b| (&a.label, a.line).cmp(&(&b.label, b.line)));
    let mut skipped_large = shared.large.into_inner().unwrap_or_default();
    skipped_large.sort();
    let git_missing = matches!(tracked, Err(GitError::Missing));
    let not_a_repo = matches!(tracked, Err(GitError::NotARepo));
    TreeScan {
        matches,
        ignored_env,
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        skipped_binary: shared.binary.into_inner(),
        skipped_large,
        unreadable: shared.unreadable.into_inner(),
        skipped_links: shared
            .links_out
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        tracked: tracked.map_err(|e| e.to_string()),
        git_missing,
        not_a_repo,
    }
}

/// Scans one file named on the command line, labelled with the path as given. Whether git
/// tracks it is asked of the repository that holds it (if any).
pub fn scan_single(engine: &Engine, path: &Path) -> TreeScan {
    let label = path.to_string_lossy().into_owned();
    let shared = Shared::default();
    let size = std::fs::metadata(path).ok().map(|m| m.len());
    let (outcome, n) = scan_file(engine, path, &label, size);
    shared.record(outcome, n);
    let tracked = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            git::is_tracked(dir, &name.to_string_lossy()).map(|yes| {
                if yes {
                    vec![label.clone()]
                } else {
                    Vec::new()
                }
            })
        }
        _ => Ok(Vec::new()),
    };
    let git_missing = matches!(tracked, Err(GitError::Missing));
    let not_a_repo = matches!(tracked, Err(GitError::NotARepo));
    TreeScan {
        matches: shared.matches.into_inner().unwrap_or_default(),
        ignored_env: Vec::new(),
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        skipped_binary: shared.binary.into_inner(),
        skipped_large: shared.large.into_inner().unwrap_or_default(),
        unreadable: shared.unreadable.into_inner(),
        skipped_links: Vec::new(),
        tracked: tracked.map_err(|e| e.to_string()),
        git_missing,
        not_a_repo,
    }
}
