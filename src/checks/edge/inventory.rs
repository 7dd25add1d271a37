//! The edge part of the report's inventory: the CDN recognised and the login burst's counts.

use super::*;
use serde_json::json;

pub fn inventory(obs: &EdgeObservation) -> serde_json::Value {
    json!({
        "cdn": obs.cdn.flatten(),
        "rate_limit_probe": obs.burst.as_ref().map(|(url, s)| json!({
            "url": url,
            "attempts": s.len(),
            "status_429": s.iter().filter(|x| matches!(x, Ok(429))).count(),
        })),
    })
}
