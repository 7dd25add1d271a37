//! Why the rule catalog could not be compiled (a bad pattern is a bug of ours, caught by the
//! tests; the error says which rule).

/// A part of the engine that did not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RulesError {
    #[error("secrets prefilter: {0}")]
    Prefilter(aho_corasick::BuildError),
    #[error("secrets rule set: {0}")]
    RuleSet(regex::Error),
    #[error("secrets rule {id}: {error}")]
    Rule {
        id: &'static str,
        error: regex::Error,
    },
    #[error("secrets client prefix: {0}")]
    ClientPrefix(regex::Error),
}
