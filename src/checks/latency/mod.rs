//! The `latency` stage: p95 under concurrency, measured right. Endpoints come from
//! `--endpoint`/the config, or default to the app URL, the auth page and the health endpoint.
//! Every level is a distribution (p50/p95/p99/max and errors by kind), never an average.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Lookup, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
pub use crate::net::load::{glob_match, LoadPlan, API_BUDGET_MS, PAGE_BUDGET_MS};
use crate::net::load::{LevelResult, Mode, Phases};
use crate::stage::{StageDef, StageError};

/// Health endpoints uptime monitors expect.
pub const HEALTH_PATHS: &[&str] = &["/health", "/healthz", "/api/health", "/status"];
/// Errors above this share of a level's requests are a finding.
pub const ERROR_RATE: f64 = 0.01;
/// Collapse: p95 at the top level over this many times p95 at the first, and over the floor
/// (so that sub-millisecond loopback jitter never counts as a collapse).
pub const COLLAPSE_FACTOR: f64 = 5.0;
pub const COLLAPSE_FLOOR_MS: f64 = 250.0;

#[derive(Debug, Default)]
pub struct LatencyObservation {
    pub levels: Vec<LevelResult>,
    /// (endpoint path, budget) for each level's endpoint.
    pub budgets: Vec<(String, u64)>,
    /// The health endpoint found, if any (None when endpoints were given explicitly: unknown).
    pub health: Lookup<String>,
    pub app: String,
    pub phases: Option<(String, Phases)>,
    /// Levels planned and never run: (endpoint, level label, why) — the run's deadline, the
    /// `--max-requests` cap, or an endpoint that did not answer its first request.
    pub unmeasured: Vec<(String, String, String)>,
    /// Why nothing at all could be measured (the site did not answer a single request).
    pub blind: Option<(String, String)>,
    /// Closed-loop levels per endpoint in the plan (collapse compares the first and the last).
    pub ladder: usize,
}

impl LatencyObservation {
    /// The budget of an endpoint, given by its URL or its path (budgets are set per path).
    fn budget(&self, endpoint: &str) -> u64 {
        let path = inventory::path_of(endpoint);
        self.budgets
            .iter()
            .find(|(e, _)| *e == path || e == endpoint)
            .map(|(_, b)| *b)
            .unwrap_or(PAGE_BUDGET_MS)
    }
}

fn level_label(l: &LevelResult) -> String {
    match l.rate {
        Some(r) => format!("{} @{r} req/s", l.endpoint),
        None => format!("{} @c={}", l.endpoint, l.concurrency),
    }
}

fn mode_label(endpoint: &str, mode: &Mode) -> String {
    match mode {
        Mode::Open { rate, .. } => format!("{endpoint} @{rate} req/s"),
        Mode::Closed { concurrency } => format!("{endpoint} @c={concurrency}"),
    }
}

impl LatencyObservation {
    /// The levels whose numbers are not the measurement asked for, and the planned levels
    /// never run: (endpoint, label, why). A per-level check that found nothing there is not
    /// checked, never passed.
    fn incomplete(&self) -> Vec<(&str, String, &str)> {
        let cut = self.levels.iter().filter_map(|l| {
            let why = match (&l.cut, l.requests) {
                (Some(why), _) => why.as_str(),
                (None, 0) => l.stopped.as_deref().unwrap_or("no request completed"),
                (None, _) => return None,
            };
            Some((l.endpoint.as_str(), level_label(l), why))
        });
        let never = self
            .unmeasured
            .iter()
            .map(|(e, label, why)| (e.as_str(), label.clone(), why.as_str()));
        cut.chain(never).collect()
    }

    /// Records `doc` as not checked on every incomplete level it found nothing on.
    fn unseen_levels(&self, doc: &'static CheckDoc, found: &[String], out: &mut Outcomes) {
        for (_, label, why) in self.incomplete() {
            if !found.contains(&label) {
                out.unseen(doc, label, why);
            }
        }
    }
}

mod collapse;
mod errors;
mod health_missing;
mod inventory;
mod observe;
mod over_budget;

pub use crate::web::{find_page, first_ok};
pub use collapse::Collapse;
pub use errors::Errors;
pub use health_missing::HealthMissing;
pub use inventory::{FirstRequest, Inventory, Level};
pub use observe::observe;
pub use over_budget::OverBudget;

impl Observed for LatencyObservation {
    fn blind(&self) -> Option<(String, String)> {
        self.blind.clone()
    }
}

pub static CHECKS: &[&dyn Check<LatencyObservation>] =
    &[&OverBudget, &Errors, &Collapse, &HealthMissing];

/// The stage: the load ladder, then every check.
pub struct Latency;

impl StageDef for Latency {
    crate::stage_header!(Latency, LatencyObservation, Inventory => latency, |obs, ctx| inventory::inventory(obs, ctx.budget.used()));

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<LatencyObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }
}

/// Hand-built observations for the checks' unit tests: a healthy ladder to break one way at a
/// time, and the stage's own evaluation (blind spots included) over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub const APP: &str = "https://example.com/";

    /// A whole closed-loop level: 50 requests, no error, p95 `p95_ms`.
    pub fn level(endpoint: &str, concurrency: u32, p95_ms: f64) -> LevelResult {
        LevelResult {
            endpoint: endpoint.to_string(),
            concurrency,
            rate: None,
            requests: 50,
            errors: 0,
            errors_by_kind: Default::default(),
            p50_ms: p95_ms / 2.0,
            p95_ms,
            p99_ms: p95_ms * 1.2,
            max_ms: p95_ms * 1.5,
            stopped: None,
            cut: None,
            backed_off: None,
        }
    }

    pub fn healthy() -> LatencyObservation {
        LatencyObservation {
            levels: vec![
                level(APP, 1, 20.0),
                level(APP, 10, 25.0),
                level(APP, 50, 40.0),
            ],
            budgets: vec![(APP.to_string(), PAGE_BUDGET_MS)],
            health: Lookup::Found("https://example.com/health".into()),
            app: APP.to_string(),
            phases: None,
            unmeasured: vec![],
            blind: None,
            ladder: 3,
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn nothing_measured_leaves_every_check_not_checked() {
        let o = LatencyObservation {
            app: APP.to_string(),
            blind: Some((APP.to_string(), "no answer: connection refused".into())),
            ..Default::default()
        };
        for check in CHECKS {
            let (found, unseen) = judge(*check, &o);
            assert!(found.is_empty(), "{}", check.doc().id);
            assert_eq!(unseen.len(), 1, "{}: {unseen:?}", check.doc().id);
        }
    }
}
