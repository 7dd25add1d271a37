//! The one shape of a stage. A stage gathers a typed observation (its probes), lists its checks,
//! and says what of the observation goes into the report's inventory. [`run`] does the rest for
//! every stage alike: every check judges the observation into findings, passes or not checked
//! (the stage's blind spots included), and the inventory lands in its typed slot of the report.
//!
//! Adding a stage: a folder under `src/checks/`, an `impl StageDef`, and one line in
//! [`crate::checks::STAGES`].

use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Stage};
use crate::checks::StageOutput;
use crate::net::dns::DnsError;
use crate::report::Inventory;
use serde::Serialize;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Why a stage as a whole could not run: all of its checks become not checked with this reason.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("DNS did not answer: {0}")]
    Dns(#[from] DnsError),
    #[error("no --repo given")]
    NoRepo,
    #[error("{} is not a file or a directory", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a readable directory: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the certificate verifier could not be built: {0}")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
    #[error("the secret rules could not be built: {0}")]
    Rules(#[from] launchready_secrets::RulesError),
    #[error("internal error in the stage ({0}); please report it")]
    Internal(#[from] tokio::task::JoinError),
}

/// A stage: its observation, its checks, its inventory.
pub trait StageDef: 'static {
    const STAGE: Stage;
    /// Everything the stage's probes saw; the checks judge only this.
    type Observation: Observed + Send + Sync + 'static;
    /// The stage's part of the report's inventory, as it is serialised.
    type Inventory: Serialize;

    /// The stage's checks, in catalog order.
    fn checks() -> &'static [&'static dyn Check<Self::Observation>];

    /// Runs the probes. Notes are what the reader should know about how they ran (partial
    /// results, offline mode…); they are not findings.
    fn observe<'a>(
        ctx: &'a Context,
        notes: &'a mut Vec<String>,
    ) -> impl Future<Output = Result<Self::Observation, StageError>> + Send + 'a;

    /// What of the observation the report's inventory keeps.
    fn inventory(obs: &Self::Observation, ctx: &Context) -> Self::Inventory;

    /// Puts the inventory into its slot of the report's inventory.
    fn file(inventory: Self::Inventory, into: &mut Inventory);
}

/// Judges an observation with every check of the stage, and files its inventory.
pub fn judge<S: StageDef>(obs: &S::Observation, ctx: &Context, notes: Vec<String>) -> StageOutput {
    let outcomes = evaluate_all(S::checks(), obs);
    let mut inventory = Inventory::default();
    S::file(S::inventory(obs, ctx), &mut inventory);
    StageOutput::new(outcomes, inventory, notes)
}

/// Runs one stage: its probes, then every check.
pub async fn run<S: StageDef>(ctx: &Context) -> Result<StageOutput, StageError> {
    let mut notes = Vec::new();
    let obs = S::observe(ctx, &mut notes).await?;
    Ok(judge::<S>(&obs, ctx, notes))
}

/// A running stage, type-erased for the orchestrator.
pub type Running<'a> = Pin<Box<dyn Future<Output = Result<StageOutput, StageError>> + Send + 'a>>;

/// One row of the stage table: what the orchestrator and the catalog need of a stage.
pub struct Entry {
    pub stage: Stage,
    pub run: for<'a> fn(&'a Context) -> Running<'a>,
    pub docs: fn() -> Vec<&'static CheckDoc>,
}

fn boxed<S: StageDef>(ctx: &Context) -> Running<'_> {
    Box::pin(run::<S>(ctx))
}

fn docs<S: StageDef>() -> Vec<&'static CheckDoc> {
    S::checks().iter().map(|c| c.doc()).collect()
}

/// The table row of a stage.
pub const fn entry<S: StageDef>() -> Entry {
    Entry {
        stage: S::STAGE,
        run: boxed::<S>,
        docs: docs::<S>,
    }
}

/// What every `impl StageDef` says the same way: the stage, its observation and inventory
/// types, its `CHECKS`, how the inventory is made (by default `inventory::inventory(obs)`)
/// and the slot of the report's inventory it goes in. The stage writes `observe` itself.
///
/// ```ignore
/// impl StageDef for Page {
///     crate::stage_header!(Page, PageObservation, Inventory => page);
///     async fn observe(ctx: &Context, notes: &mut Vec<String>) -> Result<PageObservation, StageError> { … }
/// }
/// ```
#[macro_export]
macro_rules! stage_header {
    ($stage:ident, $obs:ty, $inv:ty => $slot:ident) => {
        $crate::stage_header!($stage, $obs, $inv => $slot, |obs, _ctx| inventory::inventory(obs));
    };
    ($stage:ident, $obs:ty, $inv:ty => $slot:ident, |$o:ident, $c:pat_param| $make:expr) => {
        $crate::stage_header!($stage, $obs, $inv, |$o, $c| $make);

        fn file(inventory: $inv, into: &mut $crate::report::Inventory) {
            into.$slot = Some(inventory);
        }
    };
    ($stage:ident, $obs:ty, $inv:ty, |$o:ident, $c:pat_param| $make:expr) => {
        const STAGE: $crate::check::Stage = $crate::check::Stage::$stage;
        type Observation = $obs;
        type Inventory = $inv;

        fn checks() -> &'static [&'static dyn $crate::check::Check<$obs>] {
            CHECKS
        }

        fn inventory($o: &$obs, $c: &$crate::audit::Context) -> $inv {
            $make
        }
    };
}
