//! The repo part of the report's inventory: CI files, workflows, manifests and lockfiles.

use super::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub root: String,
    pub ci: Vec<String>,
    pub workflows: Vec<WorkflowSummary>,
    pub unparsed: Vec<Unparsed>,
    pub manifests: Vec<ManifestSummary>,
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkflowSummary {
    pub path: String,
    pub triggers: Vec<String>,
    pub permissions: Option<String>,
    pub jobs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unparsed {
    pub path: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestSummary {
    pub path: String,
    pub lockfile: Option<String>,
}

pub fn inventory(o: &RepoObservation) -> Inventory {
    Inventory {
        root: o.root.clone(),
        ci: o.ci.clone(),
        workflows: o
            .workflows
            .iter()
            .map(|w| WorkflowSummary {
                path: w.path.clone(),
                triggers: w.triggers.clone(),
                permissions: w.permissions.clone(),
                jobs: w.jobs.iter().map(|j| j.id.clone()).collect(),
            })
            .collect(),
        unparsed: o
            .unparsed
            .iter()
            .map(|(path, error)| Unparsed {
                path: path.clone(),
                error: error.clone(),
            })
            .collect(),
        manifests: o
            .manifests
            .iter()
            .map(|m| ManifestSummary {
                path: m.path.clone(),
                lockfile: m.lockfile.clone(),
            })
            .collect(),
        truncated: o.truncated,
    }
}
