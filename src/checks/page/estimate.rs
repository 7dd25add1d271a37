//! The estimated mobile load time: a model, not a measurement. Under the slow-4G profile
//! Lighthouse uses (1.6 Mbps down, 150 ms RTT):
//!
//! `estimate = RTT × (3 × origins + waves + extra HTTP/1.1 rounds) + bytes × 8 / 1.6 Mbps`
//!
//! - origins: every distinct origin the page loads from opens a new connection: DNS, TCP and
//!   TLS, 3 round trips each;
//! - waves: the request chain a browser cannot shorten: the document (1), the render-blocking
//!   scripts and styles it names (1 if any), the other assets (1 if any), fonts found only in
//!   stylesheets (1 if any);
//! - extra HTTP/1.1 rounds: without HTTP/2 a browser opens at most 6 connections per origin,
//!   so the busiest origin's requests beyond 6 wait a round trip per 6;
//! - bytes: every byte as served (compressed or not) at 1.6 Mbps.
//!
//! It ignores CPU (parsing, script execution), TCP slow start and server think time, so it is
//! a floor: the real load on a phone is slower.

use super::{PageLoad, DOWN_BYTES_PER_S, H1_CONNECTIONS, RTT_MS};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub ms: u64,
    pub bytes: u64,
    pub requests: usize,
    pub origins: usize,
    pub round_trips: u64,
}

/// How `estimate` is computed, in words (for the evidence and `explain`).
pub const FORMULA: &str = "RTT × (3 × origins + request waves + extra HTTP/1.1 rounds) + bytes ÷ bandwidth, under slow 4G (150 ms RTT, 1.6 Mbps)";

pub fn estimate(page: &PageLoad) -> Estimate {
    let mut per_origin: BTreeMap<&str, u64> = BTreeMap::new();
    let mut bytes = 0u64;
    for a in &page.assets {
        *per_origin.entry(a.origin.as_str()).or_default() += 1;
        bytes += a.bytes.unwrap_or(0);
    }
    let origins = per_origin.len() as u64;
    let blocking = page.assets.iter().any(|a| a.render_blocking);
    let late_fonts = page
        .assets
        .iter()
        .any(|a| a.kind == super::Kind::Font && !a.render_blocking);
    let others = page
        .assets
        .iter()
        .skip(1)
        .any(|a| !a.render_blocking && a.kind != super::Kind::Font);
    let waves = 1 + u64::from(blocking) + u64::from(others) + u64::from(late_fonts);
    let h2 = page.alpn.as_deref() == Some("h2");
    let extra = if h2 {
        0
    } else {
        per_origin
            .values()
            .map(|n| n.div_ceil(H1_CONNECTIONS).saturating_sub(1))
            .max()
            .unwrap_or(0)
    };
    let round_trips = 3 * origins + waves + extra;
    let ms = round_trips as f64 * RTT_MS + bytes as f64 / DOWN_BYTES_PER_S * 1000.0;
    Estimate {
        ms: ms.round() as u64,
        bytes,
        requests: page.assets.len(),
        origins: per_origin.len(),
        round_trips,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::super::Kind;
    use super::*;

    #[test]
    fn counts_round_trips_and_bytes_under_slow_4g() {
        let o = healthy();
        let e = estimate(&o.pages[0]);
        // 1 origin (3 RTT) + document, blocking CSS, other assets, late font (4) = 7 RTT;
        // 200,000 bytes at 200,000 B/s = 1 s.
        assert_eq!((e.origins, e.round_trips, e.bytes), (1, 7, 200_000));
        assert_eq!(e.ms, 7 * 150 + 1000);
        let mut page = o.pages[0].clone();
        page.alpn = Some("http/1.1".into());
        for i in 0..8 {
            page.assets.push(asset(
                &format!("https://example.com/{i}.webp"),
                Kind::Image,
                0,
            ));
        }
        // 13 requests on one HTTP/1.1 origin: 2 more rounds of 6.
        assert_eq!(estimate(&page).round_trips, 9);
    }
}
