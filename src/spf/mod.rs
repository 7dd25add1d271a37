//! The SPF engine (RFC 7208), a library first: the record grammar ([`record`]), macro
//! expansion ([`macros`]), `check_host()` ([`eval`]) and the include/redirect tree walker the
//! email stage reports from ([`tree`]). It only talks to DNS through the run's [`Resolver`].
//!
//! [`Resolver`]: crate::net::dns::Resolver

pub mod eval;
pub mod macros;
pub mod record;
pub mod summary;
pub mod tree;

pub use eval::{check_host, Outcome};

/// §4.6.4: terms that cause DNS queries, per check_host() evaluation.
pub const MAX_DNS_TERMS: u32 = 10;
/// §4.6.4: lookups that return no answer or NXDOMAIN.
pub const MAX_VOID_LOOKUPS: u32 = 2;
/// §4.6.4: MX names looked up for one `mx` mechanism.
pub const MAX_MX_NAMES: usize = 10;
/// §4.6.4: PTR names checked for one `ptr` mechanism or `%{p}` macro.
pub const MAX_PTR_NAMES: usize = 10;
/// §7.3: the largest number of parts a macro transformer keeps (128 must be supported).
pub const MAX_MACRO_PARTS: usize = 128;

/// The results of §2.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfResult {
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

impl SpfResult {
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::None => "none",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

impl std::fmt::Display for SpfResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
