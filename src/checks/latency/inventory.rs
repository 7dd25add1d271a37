//! The latency part of the report's inventory: every level's distribution, the first
//! request's phases and the requests the run used.

use super::*;
use serde_json::json;

pub fn inventory(obs: &LatencyObservation, requests_used: u64) -> serde_json::Value {
    let levels: Vec<serde_json::Value> = obs
        .levels
        .iter()
        .map(|l| {
            let mut v = json!({
                "endpoint": l.endpoint,
                "concurrency": l.concurrency,
                "requests": l.requests,
                "errors": l.errors,
                "p50_ms": round(l.p50_ms),
                "p95_ms": round(l.p95_ms),
                "p99_ms": round(l.p99_ms),
                "max_ms": round(l.max_ms),
                "errors_by_kind": l.errors_by_kind,
                "budget_ms": obs.budget(&l.endpoint),
            });
            if let Some(r) = l.rate {
                v["rate"] = json!(r);
            }
            if let Some(s) = &l.stopped {
                v["stopped"] = json!(s);
            }
            if let Some((ran, _)) = &l.backed_off {
                v["backed_off_to"] = json!(ran);
            }
            v
        })
        .collect();
    let phases = obs.phases.as_ref().map(|(url, p)| {
        json!({
            "url": url,
            "dns_ms": round(p.dns.as_secs_f64() * 1000.0),
            "connect_ms": round(p.connect.as_secs_f64() * 1000.0),
            "tls_ms": p.tls.map(|t| round(t.as_secs_f64() * 1000.0)),
            "ttfb_ms": round(p.ttfb.as_secs_f64() * 1000.0),
            "total_ms": round(p.total.as_secs_f64() * 1000.0),
            "status": p.status,
        })
    });
    json!({ "levels": levels, "first_request": phases, "requests_used": requests_used })
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
