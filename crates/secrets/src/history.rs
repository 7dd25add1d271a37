//! Git history: every blob reachable from every ref, scanned once (deduplicated by blob id),
//! and the commit that introduced each blob that holds a secret.

use super::blobs::{self, Blob, Budget};
use super::git::{self, GitError};
use super::scan::{Engine, Match};
use super::tree::{is_binary, WINDOW};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::{mpsc, Mutex};

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
    /// Always 0: a blob of any size is streamed in windows (kept for the report's shape).
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

/// Blob content queued for the scanning threads, at most (bounds the memory whatever the
/// history). Blobs over [`WINDOW`] are not queued: the reader streams them in windows itself.
const IN_FLIGHT: usize = 16 << 20;

/// Scans every blob reachable from every ref of the repository holding `dir`, as one stream
/// (see [`blobs`]): the memory used does not grow with the history.
pub fn scan_history(engine: &Engine, dir: &Path) -> Result<HistoryScan, GitError> {
    let toplevel = git::toplevel(dir)?;
    let top = Path::new(&toplevel);
    git::refuse_alternates(top)?;
    let shallow = git::shallow_commits(top)?;
    let mut scan = HistoryScan {
        toplevel: toplevel.clone(),
        shallow,
        ..HistoryScan::default()
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let budget = Budget::new(IN_FLIGHT);
    // (blob id, path, content)
    let (tx, rx) = mpsc::sync_channel::<(String, String, Vec<u8>)>(workers * 64);
    let rx = Mutex::new(rx);
    let found: Mutex<Vec<HistoryMatch>> = Mutex::new(Vec::new());
    let keep = |sha: &str, hits: Vec<Match>| {
        if hits.is_empty() {
            return;
        }
        if let Ok(mut f) = found.lock() {
            f.extend(hits.into_iter().map(|m| HistoryMatch {
                found: m,
                blob: sha.to_string(),
            }));
        }
    };
    let listed = std::thread::scope(|s| {
        for _ in 0..workers {
            let (rx, budget, keep) = (&rx, &budget, &keep);
            s.spawn(move || loop {
                let next = rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((sha, path, bytes)) = next else {
                    break;
                };
                keep(&sha, engine.scan_bytes(&path, &bytes));
                budget.give(bytes.len());
            });
        }
        let listed = blobs::each_blob(top, |blob: Blob<'_>, body: &mut dyn Read| {
            scan.blobs += 1;
            scan.bytes += blob.size;
            let label = if blob.path.is_empty() { "?" } else { blob.path };
            if blob.size > WINDOW as u64 {
                // Streamed here in overlapping windows, like a big file of the tree.
                let (hits, _) = engine.scan_reader(label, body, WINDOW)?;
                match hits {
                    Some(hits) => keep(blob.sha, hits),
                    None => scan.skipped_binary += 1,
                }
                return Ok(true);
            }
            let size = blob.size as usize;
            budget.take(size);
            let mut bytes = Vec::with_capacity(size);
            if let Err(e) = body.read_to_end(&mut bytes) {
                budget.give(size);
                return Err(e);
            }
            if is_binary(&bytes) {
                budget.give(size);
                scan.skipped_binary += 1;
                return Ok(true);
            }
            Ok(tx
                .send((blob.sha.to_string(), label.to_string(), bytes))
                .is_ok())
        });
        drop(tx);
        listed
    })?;
    scan.missing = listed.missing;
    scan.matches = found.into_inner().unwrap_or_default();
    scan.matches
        .sort_by(|a, b| (&a.found.label, a.found.line).cmp(&(&b.found.label, b.found.line)));
    Ok(scan)
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
