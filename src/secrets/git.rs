//! The `git` command line, for tracked files and history.
//!
//! Why the `git` binary and not gix or git2: it is on every machine that has a repository to
//! scan, it already knows every object format, pack and ref backend, and linking a Git
//! implementation would multiply the build time of this crate. `cat-file --batch` streams every
//! blob through one process, which is as fast as a library for a one-pass scan.

use std::path::Path;
use std::process::{Command, Stdio};

/// Why a git query could not answer.
#[derive(Debug)]
pub enum GitError {
    /// No `git` on PATH.
    Missing,
    /// Not inside a work tree.
    NotARepo,
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing => f.write_str("git is not installed"),
            GitError::NotARepo => f.write_str("not a git repository"),
            GitError::Failed(why) => write!(f, "git failed: {why}"),
        }
    }
}

pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        // Never page, prompt or translate: the output is parsed.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// Runs git in `dir` and returns its stdout.
pub fn output(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = command(dir)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Failed(e.to_string()),
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("not a git repository") {
            return Err(GitError::NotARepo);
        }
        return Err(GitError::Failed(
            err.lines().next().unwrap_or("unknown error").to_string(),
        ));
    }
    Ok(out.stdout)
}

/// The files git tracks under `dir`, relative to `dir`.
pub fn tracked_files(dir: &Path) -> Result<Vec<String>, GitError> {
    // Fail fast outside a repository (ls-files would say the same, less clearly).
    output(dir, &["rev-parse", "--is-inside-work-tree"])?;
    let out = output(dir, &["-c", "core.quotePath=false", "ls-files", "-z"])?;
    Ok(out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// The top of the work tree that holds `dir`.
pub fn toplevel(dir: &Path) -> Result<String, GitError> {
    let out = output(dir, &["rev-parse", "--show-toplevel"])?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}
