//! Why the rule catalog could not be compiled (a bad pattern is a bug of ours, caught by the
//! tests; the error says which rule).

/// A part of the engine that did not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RulesError {
    #[error("secrets rules: {0} rules, the prefilter holds at most 128")]
    TooMany(usize),
    #[error("secrets rule {id}: {error}")]
    Rule {
        id: &'static str,
        error: regex::Error,
    },
    #[error("secrets client prefix: {0}")]
    ClientPrefix(regex::Error),
}
