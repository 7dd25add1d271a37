//! The secrets part of the report's inventory: what was scanned, skipped and allowed, the
//! tracked `.env` files and the history scan's counts.

use super::*;
use crate::secrets::RULES;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub rules: usize,
    pub allowed_inline: usize,
    pub files_scanned: usize,
    pub bytes_scanned: u64,
    pub skipped_binary: usize,
    pub skipped_large: Vec<String>,
    pub skipped_links: Vec<String>,
    pub unreadable: usize,
    pub tracked_env_files: Vec<String>,
    /// The history scan's counts, when it ran (null otherwise).
    pub history: Option<HistoryCounts>,
}

pub fn inventory(o: &SecretsObservation) -> Inventory {
    let s = &o.scanned;
    Inventory {
        rules: RULES.len(),
        allowed_inline: s.allowed,
        files_scanned: s.files,
        bytes_scanned: s.bytes,
        skipped_binary: s.skipped_binary,
        skipped_large: s.skipped_large.clone(),
        skipped_links: s.skipped_links.clone(),
        unreadable: s.unreadable,
        tracked_env_files: o.tracked_env.iter().map(|e| e.path.clone()).collect(),
        history: s.history.clone(),
    }
}
