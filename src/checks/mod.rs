//! One module per stage: its probes gather an observation, its checks judge it.

pub mod dns;
pub mod edge;
pub mod email;
pub mod exposure;
pub mod headers;
pub mod latency;
pub mod page;
pub mod redirects;
pub mod repo;
pub mod secrets;
pub mod tls;

use crate::check::{Outcomes, Stage};
use crate::finding::{Finding, NotChecked};
use crate::report::Inventory;
use crate::stage::{entry, Entry};

/// Every stage, in report order: the orchestrator and the catalog iterate over this table.
pub static STAGES: &[Entry] = &[
    entry::<dns::Dns>(),
    entry::<redirects::Redirects>(),
    entry::<tls::Tls>(),
    entry::<email::Email>(),
    entry::<headers::Headers>(),
    entry::<exposure::Exposure>(),
    entry::<latency::Latency>(),
    entry::<edge::Edge>(),
    entry::<page::Page>(),
    entry::<secrets::Secrets>(),
    entry::<repo::Repo>(),
];

/// The table row of one stage.
pub fn stage(stage: Stage) -> &'static Entry {
    STAGES
        .iter()
        .find(|e| e.stage == stage)
        .expect("every Stage has a row in STAGES")
}

/// What a stage hands back to the orchestrator.
#[derive(Debug, Default)]
pub struct StageOutput {
    pub findings: Vec<Finding>,
    /// The checks that could not see their input, each with its subject and why.
    pub not_checked: Vec<NotChecked>,
    /// The stage's part of the report's inventory (its own slot filled, the rest empty).
    pub inventory: Inventory,
    /// Something the reader should know about how the stage ran (partial results, offline…).
    pub note: Option<String>,
}

impl StageOutput {
    /// The output of a stage whose probes left notes (joined; none means no note).
    pub fn new(outcomes: Outcomes, inventory: Inventory, notes: Vec<String>) -> Self {
        StageOutput {
            findings: outcomes.findings,
            not_checked: outcomes.not_checked,
            inventory,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}
