//! `latency.collapse`.

use super::*;

crate::check! {
    Collapse for LatencyObservation = CheckDoc {
        id: "latency.collapse",
        stage: Stage::Latency,
        severity: Severity::High,
        impact: Impact::Performance,
        title: "Latency collapses under concurrency",
        catches: "An endpoint's p95 at the highest concurrency level is more than 5× its p95 at the lowest (and over 250 ms, half the page budget, so that loopback and CI jitter on sub-millisecond answers never counts).",
        why: "The app serializes requests somewhere — one worker, one database connection, a global lock — so every extra visitor waits for all the others. It works in the demo and falls over when the launch post lands.",
        fix: "Find the serialization point: worker/thread count, database pool size, a lock or a single-threaded dependency. Raise the limit or scale out, then re-run the ladder.",
        refs: &["https://en.wikipedia.org/wiki/Little%27s_law", "https://sre.google/sre-book/handling-overload/"],
    };
    fn evaluate(o, out, doc) {
        let mut endpoints: Vec<&str> = o.levels.iter().map(|l| l.endpoint.as_str()).collect();
        endpoints.dedup();
        let mut found: Vec<String> = Vec::new();
        for e in endpoints {
            let levels: Vec<&LevelResult> = o
                .levels
                .iter()
                .filter(|l| l.endpoint == e && l.rate.is_none() && l.requests > 0)
                .collect();
            let (Some(first), Some(top)) = (levels.first(), levels.last()) else {
                continue;
            };
            if levels.len() < 2 || first.p95_ms <= 0.0 {
                continue;
            }
            if top.p95_ms > COLLAPSE_FACTOR * first.p95_ms && top.p95_ms > COLLAPSE_FLOOR_MS {
                found.push(e.to_string());
                out.push(doc.finding(
                    e,
                    format!(
                        "p95 {:.0} ms at c={} vs {:.1} ms at c={} ({:.0}×)",
                        top.p95_ms,
                        top.concurrency,
                        first.p95_ms,
                        first.concurrency,
                        top.p95_ms / first.p95_ms
                    ),
                ));
            }
        }
        // A ladder with a level missing or cut compares the wrong levels: not checked.
        // The subject is the endpoint's highest incomplete level (the one collapse looks at).
        if o.ladder >= 2 {
            let mut last: Vec<(&str, String, &str)> = Vec::new();
            for (e, label, why) in o.incomplete() {
                if found.iter().any(|f| f == e) || label.ends_with("req/s") {
                    continue;
                }
                match last.iter_mut().find(|(x, _, _)| *x == e) {
                    Some(entry) => *entry = (e, label, why),
                    None => last.push((e, label, why)),
                }
            }
            for (_, label, why) in last {
                out.unseen(doc, label, why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_the_top_level_is_five_times_the_first_and_over_the_floor() {
        let mut o = healthy();
        o.levels[0].p95_ms = 20.0;
        o.levels[2].p95_ms = 200.0;
        assert!(judge(&Collapse, &o).0.is_empty(), "under the 250 ms floor");
        o.levels[2].p95_ms = 300.0;
        let (found, _) = judge(&Collapse, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, APP);
    }

    #[test]
    fn a_ladder_with_a_level_missing_is_not_checked_at_its_top() {
        let mut o = healthy();
        o.levels.pop();
        o.unmeasured.push((
            APP.to_string(),
            format!("{APP} @c=50"),
            "not run: stopped at the --max-requests cap (100)".into(),
        ));
        let (found, unseen) = judge(&Collapse, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, format!("{APP} @c=50"));
    }
}
