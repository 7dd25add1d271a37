//! launchready: a launch-readiness auditor. The binary wires these layers together; data flows
//! one way: target → probes (`net`) → observations → checks → findings → ranking → report.

pub mod log;

pub mod audit;
pub mod check;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod email;
pub mod finding;
pub mod net;
pub mod report;
pub mod sandbox;
/// The secrets engine is the workspace crate `crates/secrets`; `crate::secrets::…` keeps naming it.
pub use launchready_secrets as secrets;
pub mod spf;
pub mod stage;
pub mod target;
pub mod web;
