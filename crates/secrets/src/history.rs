//! Git history: every blob reachable from every ref, scanned once (deduplicated by blob id),
//! and the commit that introduced each blob that holds a secret.

use super::git::{self, GitError};
use super::scan::{Engine, Match};
use super::tree::{is_binary, MAX_FILE_BYTES};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::{mpsc, Arc, Mutex};

/// A secret in one blob of the history.
#[derive(Debug, Clone)]
pub struct HistoryMatch {
    /// Labelled with the blob's path, relative to the top of the repository.
    pub found: Match,
    pub blob: String,
}

/// The commit that first added a blob.
#[derive(Debug, Clone)]
pub struct Introduced {
    pub commit: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub path: String,
}

#[derive(Debug, Default)]
pub struct HistoryScan {
    pub matches: Vec<HistoryMatch>,
    pub blobs: usize,
    pub bytes: u64,
    pub skipped_binary: usize,
    pub skipped_large: usize,
    /// Objects the history names that the object database cannot produce (a damaged or
    /// partial clone): what they held was not scanned.
    pub missing: usize,
    /// Commits in a shallow clone (None when the history is whole): older commits were not
    /// scanned.
    pub shallow: Option<u64>,
    /// The top of the repository (history paths are relative to it).
    pub toplevel: String,
}

fn failed(e: impl std::fmt::Display) -> GitError {
    GitError::Failed(e.to_string())
}

/// Scans every blob reachable from every ref of the repository holding `dir`.
pub fn scan_history(engine: &Engine, dir: &Path) -> Result<HistoryScan, GitError> {
    let toplevel = git::toplevel(dir)?;
    let top = Path::new(&toplevel);
    git::refuse_alternates(top)?;
    let shallow = git::shallow_commits(top)?;
    // Every object reachable from every ref; blobs and trees come with the path first seen.
    // Objects the database lacks are listed as `?<sha>` (not a failure: the rest is scanned,
    // and the run says what it could not see).
    // The listing is read as it streams (never held whole): only the map of objects with a
    // path remains.
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut listed_missing = 0;
    git::stream_lines(
        top,
        &["rev-list", "--all", "--objects", "--missing=print"],
        None,
        |line| {
            if line.first() == Some(&b'?') {
                listed_missing += 1;
                return;
            }
            let line = String::from_utf8_lossy(line);
            if let Some((sha, path)) = line.split_once(' ') {
                if !path.is_empty() {
                    paths
                        .entry(sha.to_string())
                        .or_insert_with(|| path.to_string());
                }
            }
        },
    )?;
    if paths.is_empty() {
        return Ok(HistoryScan {
            toplevel,
            shallow,
            missing: listed_missing,
            ..HistoryScan::default()
        });
    }
    // Keep the blobs under the size cap.
    let mut stdin_text = String::with_capacity(paths.len() * 41);
    for sha in paths.keys() {
        stdin_text.push_str(sha);
        stdin_text.push('\n');
    }
    let mut scan = HistoryScan {
        toplevel: toplevel.clone(),
        shallow,
        missing: listed_missing,
        ..HistoryScan::default()
    };
    let mut wanted = String::new();
    let mut large = Vec::new();
    git::stream_lines(
        top,
        &[
            "cat-file",
            "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        ],
        Some(stdin_text.into_bytes()),
        |line| {
            let line = String::from_utf8_lossy(line);
            if line.ends_with(" missing") {
                scan.missing += 1;
                return;
            }
            let mut parts = line.split(' ');
            let (Some(sha), Some("blob"), Some(size)) = (parts.next(), parts.next(), parts.next())
            else {
                return;
            };
            if size.parse::<u64>().is_ok_and(|s| s > MAX_FILE_BYTES) {
                large.push(sha.to_string());
                return;
            }
            wanted.push_str(sha);
            wanted.push('\n');
        },
    )?;

    // Blobs over the cap: a binary is skipped like any binary; a text blob is not scanned.
    for sha in &large {
        if blob_starts_binary(top, sha)? {
            scan.skipped_binary += 1;
        } else {
            scan.skipped_large += 1;
        }
    }

    // One `cat-file --batch` streams the blobs to the scanning threads.
    let mut child = git::command(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let mut stdin = child.stdin.take().ok_or_else(|| failed("no stdin"))?;
    let stdout = child.stdout.take().ok_or_else(|| failed("no stdout"))?;
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(wanted.as_bytes());
    });
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, rx) = mpsc::sync_channel::<(String, Vec<u8>)>(workers * 4);
    let rx = Arc::new(Mutex::new(rx));
    let found: Mutex<Vec<HistoryMatch>> = Mutex::new(Vec::new());
    let read_result = std::thread::scope(|s| {
        for _ in 0..workers {
            let rx = rx.clone();
            let found = &found;
            let paths = &paths;
            s.spawn(move || loop {
                let next = rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((sha, bytes)) = next else { break };
                let label = paths.get(&sha).map_or("?", String::as_str);
                let hits = engine.scan_bytes(label, &bytes);
                if !hits.is_empty() {
                    if let Ok(mut f) = found.lock() {
                        f.extend(hits.into_iter().map(|m| HistoryMatch {
                            found: m,
                            blob: sha.clone(),
                        }));
                    }
                }
            });
        }
        let mut missing = 0;
        let result = read_batch(stdout, &mut missing, |sha, bytes| {
            scan.blobs += 1;
            scan.bytes += bytes.len() as u64;
            if is_binary(&bytes) {
                scan.skipped_binary += 1;
                return true;
            }
            tx.send((sha, bytes)).is_ok()
        });
        drop(tx);
        scan.missing += missing;
        result
    });
    if read_result.is_err() {
        let _ = child.kill();
    }
    let _ = child.wait();
    let _ = writer.join();
    read_result?;
    scan.matches = found.into_inner().unwrap_or_default();
    scan.matches
        .sort_by(|a, b| (&a.found.label, a.found.line).cmp(&(&b.found.label, b.found.line)));
    Ok(scan)
}

/// Whether a blob's first bytes look binary (read without loading the whole blob).
fn blob_starts_binary(top: &Path, sha: &str) -> Result<bool, GitError> {
    let mut child = git::command(top)
        .args(["cat-file", "blob", sha])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let stdout = child.stdout.take().ok_or_else(|| failed("no stdout"))?;
    let mut head = Vec::with_capacity(8000);
    let read = stdout.take(8000).read_to_end(&mut head);
    let _ = child.kill();
    let _ = child.wait();
    read.map_err(failed)?;
    Ok(is_binary(&head))
}

/// Parses `cat-file --batch` output: `<sha> <type> <size>\n<content>\n`, repeated.
fn read_batch(
    out: impl Read,
    missing: &mut usize,
    mut each: impl FnMut(String, Vec<u8>) -> bool,
) -> Result<(), GitError> {
    let mut reader = BufReader::with_capacity(1 << 20, out);
    let mut header = String::new();
    loop {
        header.clear();
        if reader.read_line(&mut header).map_err(failed)? == 0 {
            return Ok(());
        }
        let mut parts = header.split_whitespace();
        let sha = parts.next().unwrap_or_default().to_string();
        let (Some(_kind), Some(size)) = (parts.next(), parts.next()) else {
            *missing += 1; // "<sha> missing"
            continue;
        };
        let size: usize = size.parse().map_err(failed)?;
        let mut bytes = vec![0u8; size];
        reader.read_exact(&mut bytes).map_err(failed)?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(failed)?;
        if !each(sha, bytes) {
            return Ok(());
        }
    }
}

/// The commit that first added each of `blobs` (oldest first, every ref), in one pass over
/// the history's raw diffs.
pub fn introductions(
    toplevel: &str,
    blobs: &HashSet<String>,
) -> Result<HashMap<String, Introduced>, GitError> {
    let mut found = HashMap::new();
    if blobs.is_empty() {
        return Ok(found);
    }
    let mut args = vec!["log", "--no-show-signature"];
    args.extend_from_slice(git::NO_DIFF_PROGRAMS);
    args.extend_from_slice(&[
        "--all",
        "--reverse",
        "--date-order",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=commit %H %ct",
    ]);
    // Streamed line by line: the raw log of a long history is never held whole.
    let mut current: Option<(String, i64)> = None;
    git::stream_lines(Path::new(toplevel), &args, None, |line| {
        let line = String::from_utf8_lossy(line);
        if let Some(rest) = line.strip_prefix("commit ") {
            let mut p = rest.split(' ');
            let commit = p.next().unwrap_or_default().to_string();
            let time = p.next().and_then(|t| t.parse().ok()).unwrap_or(0);
            current = Some((commit, time));
        } else if let Some(raw) = line.strip_prefix(':') {
            // :100644 100644 <old> <new> <status>\t<path>
            let Some((meta, path)) = raw.split_once('\t') else {
                return;
            };
            let Some(new) = meta.split(' ').nth(3) else {
                return;
            };
            if blobs.contains(new) && !found.contains_key(new) {
                if let Some((commit, time)) = &current {
                    found.insert(
                        new.to_string(),
                        Introduced {
                            commit: commit.clone(),
                            time: *time,
                            path: path.to_string(),
                        },
                    );
                }
            }
        }
    })?;
    Ok(found)
}
