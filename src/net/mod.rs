//! Probes: they observe the target and know nothing about findings.

pub mod dns;
pub mod h1;
pub mod http;
pub mod load;
pub mod nodes;
pub mod origin_limit;
pub mod smtp;
pub mod tls;
pub mod warm;
pub mod zone;
pub use launchready_zonefile as zonefile;
