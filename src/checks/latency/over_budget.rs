//! `latency.p95.over-budget`.

use super::*;

crate::check! {
    OverBudget for LatencyObservation = CheckDoc {
        id: "latency.p95.over-budget",
        stage: Stage::Latency,
        severity: Severity::High,
        impact: Impact::Performance,
        title: "p95 latency over budget",
        catches: "At some concurrency level, an endpoint's 95th-percentile latency exceeds its budget: 500 ms for pages and cached reads, 800 ms for API routes, 1000 ms for authenticated database actions (set per endpoint in the config).",
        why: "One visitor in twenty waits longer than the budget — and on launch day that is hundreds of people, the ones most likely to leave before signing up. Averages hide it; the p95 doesn't.",
        fix: "Profile the slow endpoint under the same concurrency (database queries without indexes, N+1 queries, cold caches, synchronous third-party calls). Cache what can be cached and move slow work off the request path.",
        refs: &["https://web.dev/articles/ttfb", "https://sre.google/sre-book/monitoring-distributed-systems/ (latency percentiles)"],
    };
    fn evaluate(o, out, doc) {
        let mut found = Vec::new();
        for l in o.levels.iter().filter(|l| l.requests > 0) {
            let budget = o.budget(&l.endpoint);
            if l.p95_ms > budget as f64 {
                found.push(level_label(l));
                out.push(doc.finding(
                    level_label(l),
                    format!(
                        "p95 {:.0} ms > budget {budget} ms (p50 {:.0}, p99 {:.0}, max {:.0} ms over {} requests)",
                        l.p95_ms, l.p50_ms, l.p99_ms, l.max_ms, l.requests
                    ),
                ));
            }
        }
        o.unseen_levels(doc, &found, out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_level_over_budget_and_not_checked_on_cut_levels() {
        let mut o = healthy();
        o.levels[2].p95_ms = 501.0;
        let (found, _) = judge(&OverBudget, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, format!("{APP} @c=50"));
        assert!(found[0].evidence.starts_with("p95 501 ms > budget 500 ms"));

        let mut o = healthy();
        o.levels[1].cut = Some("stopped at the run's deadline".into());
        let (found, unseen) = judge(&OverBudget, &o);
        assert!(found.is_empty());
        assert_eq!(unseen[0].subject, format!("{APP} @c=10"));
    }
}
