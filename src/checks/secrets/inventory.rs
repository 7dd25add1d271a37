//! The secrets part of the report's inventory: what was scanned, skipped and allowed, the
//! tracked `.env` files and the history scan's counts.

use super::*;
use crate::secrets::RULES;
use serde_json::json;

pub fn inventory(o: &SecretsObservation) -> serde_json::Value {
    let s = &o.scanned;
    json!({
        "rules": RULES.len(),
        "allowed_inline": s.allowed,
        "files_scanned": s.files,
        "bytes_scanned": s.bytes,
        "skipped_binary": s.skipped_binary,
        "skipped_large": s.skipped_large,
        "skipped_links": s.skipped_links,
        "unreadable": s.unreadable,
        "tracked_env_files": o.tracked_env.iter().map(|e| e.path.clone()).collect::<Vec<_>>(),
        "history": s.history,
    })
}
