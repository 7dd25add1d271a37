//! The edge part of the report's inventory: the CDN recognised and the login burst's counts.

use super::*;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub cdn: Option<&'static str>,
    pub rate_limit_probe: Option<RateLimitProbe>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimitProbe {
    pub url: String,
    pub attempts: usize,
    pub status_429: usize,
}

pub fn inventory(obs: &EdgeObservation) -> Inventory {
    Inventory {
        cdn: obs.cdn.found().copied(),
        rate_limit_probe: obs.burst.as_ref().map(|(url, s)| RateLimitProbe {
            url: url.clone(),
            attempts: s.len(),
            status_429: s.iter().filter(|x| matches!(x, Ok(429))).count(),
        }),
    }
}
