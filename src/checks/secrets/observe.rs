//! The secrets stage's scans: the working tree (or one file), the `.env` files git tracks,
//! and with `--history` every blob reachable from a ref, each match kept once at the commit
//! that introduced it.

use super::*;
use crate::secrets::env;
use crate::secrets::history::{self, HistoryMatch};
use crate::secrets::tree::{self, MAX_FILE_BYTES};
use crate::secrets::{engine, RULES};
use std::collections::HashMap;
use std::path::Path;

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Scans `root` — a directory, or one file — and its history when asked: the observation,
/// and the notes on how the scan went.
pub fn observe(
    root: &Path,
    with_history: bool,
) -> Result<(SecretsObservation, Vec<String>), StageError> {
    let single = root.is_file();
    if !single && !root.is_dir() {
        return Err(StageError::NotFound(root.to_path_buf()));
    }
    let engine = engine()?;
    let t = if single {
        tree::scan_single(engine, root)
    } else {
        tree::scan_tree(engine, root)
    };
    let subject = root.display().to_string();
    let mut notes = vec![format!(
        "scanned {} files ({}) with {} rules",
        t.files,
        megabytes(t.bytes),
        RULES.len()
    )];
    // Working-tree files of any size are streamed; only history blobs can be over the cap.
    if t.skipped_large.is_empty() && t.skipped_binary > 0 {
        notes.push(format!("skipped {} binary file(s)", t.skipped_binary));
    } else if !t.skipped_large.is_empty() {
        notes.push(format!(
            "skipped {} binary file(s) and {} text file(s) over {} MiB (not checked){}",
            t.skipped_binary,
            t.skipped_large.len(),
            MAX_FILE_BYTES >> 20,
            if t.skipped_large.is_empty() {
                String::new()
            } else {
                format!(" ({})", first_few(&t.skipped_large))
            }
        ));
    }
    if !t.skipped_links.is_empty() {
        notes.push(format!(
            "skipped {} symbolic link(s) that point out of the tree, not followed ({})",
            t.skipped_links.len(),
            first_few(&t.skipped_links)
        ));
    }
    let (allowed_tree, tree_matches): (Vec<Match>, Vec<Match>) =
        t.matches.into_iter().partition(|m| m.allowed);
    let mut allowed = allowed_tree.len();
    let mut tree_unseen: Vec<(String, String)> = t
        .skipped_large
        .iter()
        .map(|label| {
            (
                label.clone(),
                format!(
                    "a text file over the {} MiB scan cap: not scanned",
                    MAX_FILE_BYTES >> 20
                ),
            )
        })
        .collect();
    if t.unreadable > 0 {
        notes.push(format!("{} file(s) could not be read", t.unreadable));
        tree_unseen.push((
            subject.clone(),
            format!(
                "{} file(s) or directories could not be read (permissions?): not scanned",
                t.unreadable
            ),
        ));
    }
    let mut obs = SecretsObservation {
        tree: tree_matches,
        ignored_env: t.ignored_env.into_iter().filter(|m| !m.allowed).collect(),
        tree_unseen,
        ..SecretsObservation::default()
    };
    let mut history_inventory = None;
    match &t.tracked {
        Ok(files) => {
            for path in files.iter().filter(|p| env::is_env_file(p)) {
                let file = if single {
                    Some(root.to_path_buf())
                } else {
                    match tree::inside(root, path) {
                        tree::Inside::File(file) => Some(file),
                        _ => None,
                    }
                };
                if let Some(bytes) = file.and_then(|f| std::fs::read(f).ok()) {
                    obs.tracked_env.push(TrackedEnv {
                        path: path.clone(),
                        assignments: env::assignments(&String::from_utf8_lossy(&bytes)),
                    });
                }
            }
            if !with_history {
                notes.push("history not scanned (use --history)".into());
            } else if single {
                let why = "a single file has no history of its own: scan the repository's \
                           directory with --history to scan its history";
                notes.push(format!("history not scanned: {why}"));
                obs.history_unseen = Some((subject.clone(), why.to_string()));
            } else {
                match history::scan_history(engine, root) {
                    Ok(h) => {
                        notes.push(format!(
                            "history: {} blobs ({}) from every ref",
                            h.blobs,
                            megabytes(h.bytes)
                        ));
                        history_inventory = Some(HistoryCounts {
                            blobs: h.blobs,
                            bytes: h.bytes,
                            missing_objects: h.missing,
                            shallow_commits: h.shallow,
                            skipped_binary: h.skipped_binary,
                            skipped_large: h.skipped_large,
                        });
                        let mut blind = Vec::new();
                        if let Some(n) = h.shallow {
                            blind.push(format!(
                                "history is shallow: {n} commits; fetch the full history with \
                                 `git fetch --unshallow` to scan it"
                            ));
                        }
                        if h.skipped_large > 0 {
                            blind.push(format!(
                                "{} text blob(s) over the {} MiB scan cap were not scanned",
                                h.skipped_large,
                                MAX_FILE_BYTES >> 20
                            ));
                        }
                        if h.missing > 0 {
                            blind.push(format!(
                                "{} object(s) of the history are missing (git cat-file cannot \
                                 read them: a damaged or partial clone); what they hold was not \
                                 scanned",
                                h.missing
                            ));
                        }
                        if !blind.is_empty() {
                            notes.push(blind.join("; "));
                            obs.history_unseen = Some((subject.clone(), blind.join("; ")));
                        }
                        let before = h.matches.len();
                        let kept: Vec<HistoryMatch> =
                            h.matches.into_iter().filter(|m| !m.found.allowed).collect();
                        allowed += before - kept.len();
                        obs.history = past_secrets(&obs.tree, kept, &h.toplevel);
                    }
                    Err(e) => {
                        notes.push(format!("history not scanned: {e}"));
                        obs.history_unseen =
                            Some((subject.clone(), format!("history not scanned: {e}")));
                    }
                }
            }
        }
        Err(why) if t.not_a_repo => {
            // Nothing is tracked outside a work tree: no .env file can be committed there.
            if with_history {
                let reason = format!("{why}: there is no git history to scan");
                notes.push(reason.clone());
                obs.history_unseen = Some((subject.clone(), reason));
            } else {
                notes.push(format!("{why}: no tracked files or history"));
            }
        }
        Err(why) => {
            notes.push(format!(
                "{why}: tracked .env files{} not checked",
                if with_history { " and history" } else { "" }
            ));
            obs.tracked_unseen = Some((
                subject.clone(),
                format!("{why}: which files git tracks is unknown"),
            ));
            if with_history {
                obs.history_unseen = Some((subject.clone(), format!("{why}: history not scanned")));
            }
        }
    }
    if allowed > 0 {
        notes.push(format!(
            "{allowed} secret(s) allowed by an inline launchready:allow comment, not reported"
        ));
    }
    obs.scanned = Scanned {
        allowed,
        files: t.files,
        bytes: t.bytes,
        skipped_binary: t.skipped_binary,
        skipped_large: t.skipped_large,
        skipped_links: t.skipped_links,
        unreadable: t.unreadable,
        history: history_inventory,
    };
    Ok((obs, notes))
}

fn first_few(list: &[String]) -> String {
    let mut shown: Vec<String> = list.iter().take(5).cloned().collect();
    if list.len() > shown.len() {
        shown.push("…".into());
    }
    shown.join(", ")
}

/// The history's secrets that the working tree no longer holds, one per secret, at the
/// commit that introduced it first.
fn past_secrets(tree: &[Match], found: Vec<HistoryMatch>, toplevel: &str) -> Vec<PastSecret> {
    let in_tree: HashSet<(&str, [u8; 32])> = tree.iter().map(|m| (m.rule.id, m.digest)).collect();
    let past: Vec<HistoryMatch> = found
        .into_iter()
        .filter(|h| !in_tree.contains(&(h.found.rule.id, h.found.digest)))
        .collect();
    let blobs: HashSet<String> = past.iter().map(|h| h.blob.clone()).collect();
    let intro = match history::introductions(toplevel, &blobs) {
        Ok(i) => i,
        Err(e) => {
            crate::warn!("cannot find the commits that introduced secrets: {e}");
            HashMap::new()
        }
    };
    let mut best: BTreeMap<(&'static str, [u8; 32]), PastSecret> = BTreeMap::new();
    for h in past {
        let introduced = intro.get(&h.blob).cloned();
        let mut found = h.found;
        if let Some(i) = &introduced {
            found.label = i.path.clone();
        }
        let candidate = PastSecret { found, introduced };
        let key = (candidate.found.rule.id, candidate.found.digest);
        let older = |p: &PastSecret| p.introduced.as_ref().map_or(i64::MAX, |i| i.time);
        match best.get(&key) {
            Some(current) if older(current) <= older(&candidate) => {}
            _ => {
                best.insert(key, candidate);
            }
        }
    }
    best.into_values().collect()
}
