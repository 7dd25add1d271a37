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
    /// The repository reads objects from another place on this machine
    /// (`objects/info/alternates`): scanning it would read outside the scanned root.
    Borrows(String),
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing => f.write_str("git is not installed"),
            GitError::NotARepo => f.write_str("not a git repository"),
            GitError::Borrows(from) => write!(
                f,
                "the repository borrows objects from outside itself (objects/info/alternates → {from}); its history is not read"
            ),
            GitError::Failed(why) => write!(f, "git failed: {why}"),
        }
    }
}

/// The options that keep a scanned repository's own configuration from running a program
/// (issue 11): its `.git/config` is data from whoever handed us the tree. Every git
/// invocation goes through [`command`], which puts these before the subcommand.
const HARDENING: &[&str] = &[
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "log.showSignature=false",
    "-c",
    "diff.external=",
    "-c",
    "core.pager=cat",
    "-c",
    "protocol.allow=never",
    "-c",
    "core.quotePath=false",
    // A checkout owned by another user (a CI container running as root over the runner's
    // files) is read, not refused as "dubious ownership": safe.directory guards against the
    // repository's config running programs, and the options above already disable every one
    // of those for the read-only commands we run.
    "-c",
    "safe.directory=*",
];

/// Variables of our own environment that would point git somewhere else than `dir` or add
/// configuration: a scan run from inside a git hook must still read `dir`.
const CLEARED_ENV: &[&str] = &[
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_TRACE",
];

/// The one way to build a git command: hardened (no hooks, fsmonitor, signature programs,
/// pager, external diff, network, prompts, system or global configuration) and without stdin.
/// Callers that want stdin set it to a pipe themselves.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.args(HARDENING)
        .arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        // A partial clone must not fetch its missing blobs from a remote.
        .env("GIT_NO_LAZY_FETCH", "1")
        // Never translate: the output is parsed.
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// Flags for every subcommand that may show a diff (`diff`, `log`, `show`): never run a
/// textconv filter or an external diff program the repository names.
pub const NO_DIFF_PROGRAMS: &[&str] = &["--no-textconv", "--no-ext-diff"];

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

/// Runs git and hands each line of its stdout (without the newline) to `each` as it comes,
/// so that memory stays bounded whatever the size of the output (a kernel's `rev-list`).
/// `input`, when given, is written to git's stdin from its own thread.
pub fn stream_lines(
    dir: &Path,
    args: &[&str],
    input: Option<Vec<u8>>,
    mut each: impl FnMut(&[u8]),
) -> Result<(), GitError> {
    use std::io::{BufRead, Read, Write};
    let mut child = command(dir)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Failed(e.to_string()),
        })?;
    let writer = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => Some(std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })),
        _ => None,
    };
    // Stderr drains on its own thread, so a chatty git can never block its stdout.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = e.by_ref().take(64 * 1024).read_to_end(&mut text);
            let _ = std::io::copy(&mut e, &mut std::io::sink());
            text
        })
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| GitError::Failed("no stdout".into()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, stdout);
    let mut line = Vec::new();
    let read = loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break Ok(()),
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                each(&line);
            }
            Err(e) => break Err(GitError::Failed(e.to_string())),
        }
    };
    if read.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| GitError::Failed(e.to_string()))?;
    if let Some(w) = writer {
        let _ = w.join();
    }
    let err = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    read?;
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        if err.contains("not a git repository") {
            return Err(GitError::NotARepo);
        }
        return Err(GitError::Failed(
            err.lines().next().unwrap_or("unknown error").to_string(),
        ));
    }
    Ok(())
}

/// The files git tracks under `dir`, relative to `dir`.
pub fn tracked_files(dir: &Path) -> Result<Vec<String>, GitError> {
    // Fail fast outside a repository (ls-files would say the same, less clearly).
    output(dir, &["rev-parse", "--is-inside-work-tree"])?;
    let out = output(dir, &["ls-files", "-z"])?;
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

/// Whether the repository holding `dir` is a shallow clone, and then how many commits it has.
/// Refuses a repository whose object database borrows from another directory: git would read
/// those objects as its own, so a scan of it would read beyond the scanned root.
pub fn refuse_alternates(dir: &Path) -> Result<(), GitError> {
    let out = output(dir, &["rev-parse", "--git-path", "objects/info/alternates"])?;
    let rel = String::from_utf8_lossy(&out).trim().to_string();
    let path = dir.join(&rel);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => {
            let first: String = text
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect();
            Err(GitError::Borrows(first))
        }
        _ => Ok(()),
    }
}

pub fn shallow_commits(dir: &Path) -> Result<Option<u64>, GitError> {
    let out = output(dir, &["rev-parse", "--is-shallow-repository"])?;
    if String::from_utf8_lossy(&out).trim() != "true" {
        return Ok(None);
    }
    let count = output(dir, &["rev-list", "--count", "--all"])?;
    Ok(Some(
        String::from_utf8_lossy(&count).trim().parse().unwrap_or(0),
    ))
}

/// Whether git tracks the file `name` of `dir`.
pub fn is_tracked(dir: &Path, name: &str) -> Result<bool, GitError> {
    output(dir, &["rev-parse", "--is-inside-work-tree"])?;
    let spec = format!(":(literal){name}");
    let out = output(dir, &["ls-files", "-z", "--", &spec])?;
    Ok(!out.is_empty())
}
