//! # launchready-secrets
//!
//! launchready's secrets engine, shared by the `secrets` stage (a source tree and its git
//! history) and the live site's bundles: rules → keyword prefilter → windows around the hits →
//! the regexes of the rules whose keywords each window holds → value filters → redacted
//! matches. It stands alone: its only tie to the auditor is [`Severity`], which it defines and
//! the binary crate re-exports.
//!
//! - [`rules`]: the catalog of secret kinds;
//! - [`scan`]: the engine over one buffer ([`scan_bytes`]);
//! - [`redact`]: the only form in which a value leaves the engine;
//! - [`tree`]: the parallel walk of a working tree; [`history`]: every blob of every ref;
//! - [`env`]: what `.env` files are and hold; `git`: the git command line.
//!
//! ```
//! let found = launchready_secrets::scan_bytes("src/app.ts", b"const a = 1;");
//! assert!(found.is_empty());
//! ```
//!
//! A match never holds the secret's value: only its redacted form and a fingerprint.

mod blobs;
mod checks;
pub mod env;
mod error;
mod git;
pub mod history;
mod prefilter;
pub mod redact;
pub mod rules;
#[doc(hidden)]
pub mod samples;
pub mod scan;
mod severity;
pub mod tree;
mod trigrams;

#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;

pub use error::RulesError;
pub use git::GitError;
pub use rules::{Kind, Rule, RULES};
pub use scan::{engine, Engine, Match};
pub use severity::Severity;

/// Scans one buffer — a file, a blob, a JavaScript bundle — labelled with its path or URL.
/// An engine that failed to compile finds nothing (its error surfaces in [`engine`]).
pub fn scan_bytes(label: &str, bytes: &[u8]) -> Vec<Match> {
    match scan::light_engine() {
        Ok(e) => e.scan_bytes(label, bytes),
        Err(_) => Vec::new(),
    }
}
