//! The repo part of the report's inventory: CI files, workflows, manifests and lockfiles.

use super::*;
use serde_json::json;

pub fn inventory(o: &RepoObservation) -> serde_json::Value {
    json!({
        "root": o.root,
        "ci": o.ci,
        "workflows": o.workflows.iter().map(|w| json!({
            "path": w.path,
            "triggers": w.triggers,
            "permissions": w.permissions,
            "jobs": w.jobs.iter().map(|j| j.id.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "unparsed": o.unparsed.iter().map(|(p, why)| json!({"path": p, "error": why})).collect::<Vec<_>>(),
        "manifests": o.manifests.iter().map(|m| json!({"path": m.path, "lockfile": m.lockfile})).collect::<Vec<_>>(),
        "truncated": o.truncated,
    })
}
