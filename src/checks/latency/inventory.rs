//! The latency part of the report's inventory: every level's distribution, the first
//! request's phases and the requests the run used.

use super::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// One measured level, as the report's `latency` list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// The path, as SPEC §4 says (`/`, `/login`).
    pub endpoint: String,
    /// The whole URL measured.
    pub url: String,
    pub concurrency: u32,
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors_by_kind: BTreeMap<&'static str, u64>,
    pub budget_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backed_off_to: Option<u32>,
}

impl Level {
    /// The load as a reader says it: `c=50` or `20 req/s`.
    pub fn load(&self) -> String {
        match self.rate {
            Some(r) => format!("{r} req/s"),
            None => format!("c={}", self.concurrency),
        }
    }
}

/// The first request's phases, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct FirstRequest {
    pub url: String,
    pub dns_ms: f64,
    pub connect_ms: f64,
    pub tls_ms: Option<f64>,
    pub ttfb_ms: f64,
    pub total_ms: f64,
    pub status: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Moved to the report's own `latency` list when the report is built.
    #[serde(skip)]
    pub levels: Vec<Level>,
    pub first_request: Option<FirstRequest>,
    pub requests_used: u64,
}

/// The path of an endpoint URL (`https://example.com/login?x` → `/login`); anything that does
/// not parse as a URL is kept as it is.
pub fn path_of(url: &str) -> String {
    match url.parse::<hyper::Uri>() {
        Ok(u) if u.scheme().is_some() => u.path().to_string(),
        _ => url.to_string(),
    }
}

pub fn inventory(obs: &LatencyObservation, requests_used: u64) -> Inventory {
    let levels = obs
        .levels
        .iter()
        .map(|l| Level {
            endpoint: path_of(&l.endpoint),
            url: l.endpoint.clone(),
            concurrency: l.concurrency,
            requests: l.requests,
            errors: l.errors,
            p50_ms: round(l.p50_ms),
            p95_ms: round(l.p95_ms),
            p99_ms: round(l.p99_ms),
            max_ms: round(l.max_ms),
            errors_by_kind: l.errors_by_kind.clone(),
            budget_ms: obs.budget(&l.endpoint),
            rate: l.rate,
            stopped: l.stopped.clone(),
            backed_off_to: l.backed_off.as_ref().map(|(ran, _)| *ran),
        })
        .collect();
    let ms = |d: std::time::Duration| round(d.as_secs_f64() * 1000.0);
    let first_request = obs.phases.as_ref().map(|(url, p)| FirstRequest {
        url: url.clone(),
        dns_ms: ms(p.dns),
        connect_ms: ms(p.connect),
        tls_ms: p.tls.map(ms),
        ttfb_ms: ms(p.ttfb),
        total_ms: ms(p.total),
        status: p.status,
    });
    Inventory {
        levels,
        first_request,
        requests_used,
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
