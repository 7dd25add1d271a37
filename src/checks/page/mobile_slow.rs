//! `page.mobile.slow`.

use super::*;

crate::check! {
    MobileSlow for PageObservation = CheckDoc {
        id: "page.mobile.slow",
        stage: Stage::Page,
        severity: Severity::Medium,
        impact: Impact::Performance,
        title: "Estimated mobile load over 3 seconds",
        catches: "The page's estimated load time on slow 4G is over 3 s (medium) or over 6 s (high). An estimate, not a measurement: RTT × (3 × origins + request waves + extra HTTP/1.1 rounds) + bytes ÷ bandwidth, with Lighthouse's slow-4G profile (150 ms RTT, 1.6 Mbps down). Origins are new connections (DNS, TCP, TLS: 3 round trips each); waves are the document, its render-blocking assets, the other assets and fonts found in stylesheets; without HTTP/2 the busiest origin's requests beyond 6 wait a round trip per 6. CPU time is not counted, so the real load is slower.",
        why: "\"First page load takes more than 3 seconds on mobile\" is the roadmaps' line: past 3 s, over half of mobile visits leave. Lighthouse's mobile run simulates the same network; its LCP and Speed Index also count rendering, which needs a browser — use it to confirm.",
        fix: "Cut bytes first (compression, image formats and sizes, unused JavaScript), then round trips: fewer origins, no render-blocking resources, HTTP/2 or HTTP/3 at the CDN. Re-run to see the estimate fall, and confirm with Lighthouse in mobile mode.",
        refs: &["https://developer.chrome.com/docs/lighthouse/performance/performance-scoring", "https://github.com/GoogleChrome/lighthouse/blob/main/docs/throttling.md"],
    };
    fn evaluate(o, out, doc) {
        for page in &o.pages {
            let e = estimate::estimate(page);
            if e.ms <= SLOW_MS {
                continue;
            }
            let mut f = doc.finding(
                &page.url,
                format!(
                    "estimated {:.1} s on slow 4G: {} over {} request(s), {} origin(s), {} round trip(s) ({})",
                    e.ms as f64 / 1000.0,
                    kb(e.bytes),
                    e.requests,
                    e.origins,
                    e.round_trips,
                    estimate::FORMULA
                ),
            );
            if e.ms > VERY_SLOW_MS {
                f.severity = Severity::High;
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn medium_over_three_seconds_high_over_six() {
        let mut o = healthy();
        // 7 RTT (1.05 s) + 200 KB (1 s) passes; add 500,000 bytes: +2.5 s = 4.55 s.
        o.pages[0].assets[3].bytes = Some(560_000);
        let (found, _) = judge(&MobileSlow, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(
            found[0].evidence.starts_with("estimated 4.5 s")
                || found[0].evidence.starts_with("estimated 4.6 s"),
            "{}",
            found[0].evidence
        );
        o.pages[0].assets[3].bytes = Some(1_500_000);
        let (found, _) = judge(&MobileSlow, &o);
        assert_eq!(found[0].severity, Severity::High);
    }
}
