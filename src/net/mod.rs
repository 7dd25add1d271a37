//! Probes: they observe the target and know nothing about findings.

pub mod dns;
pub mod http;
pub mod zone;
pub mod zonefile;
