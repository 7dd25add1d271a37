//! `latency.errors`.

use super::*;

crate::check! {
    Errors for LatencyObservation = CheckDoc {
        id: "latency.errors",
        stage: Stage::Latency,
        severity: Severity::High,
        impact: Impact::Downtime,
        title: "Errors under load",
        catches: "More than 1 % of an endpoint's requests at some concurrency level fail: status ≥ 400, timeouts, refused connections or TLS failures.",
        why: "Errors that appear only under load are the ones you meet for the first time on launch day: failed signups, half-finished checkouts, and a support inbox full of screenshots.",
        fix: "Read the errors by kind: timeouts and refused connections point at pool or worker limits (raise them, add instances); 5xx at the app (look at its logs at that concurrency); 429 at a rate limiter that is too tight for real users.",
        refs: &["RFC 9110 §15", "https://sre.google/sre-book/handling-overload/"],
    };
    fn evaluate(o, out, doc) {
        let mut found = Vec::new();
        for l in o.levels.iter().filter(|l| l.requests > 0) {
            let rate = l.errors as f64 / l.requests as f64;
            if rate > ERROR_RATE {
                found.push(level_label(l));
                let kinds: Vec<String> = l
                    .errors_by_kind
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect();
                out.push(doc.finding(
                    level_label(l),
                    format!(
                        "{} of {} requests failed ({:.1} %: {})",
                        l.errors,
                        l.requests,
                        rate * 100.0,
                        kinds.join(", ")
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
    fn fires_over_one_percent_with_the_kinds() {
        let mut o = healthy();
        o.levels[2].errors = 1;
        o.levels[2].requests = 100;
        assert!(
            judge(&Errors, &o).0.is_empty(),
            "1 % is the limit, not over it"
        );
        o.levels[2].errors = 5;
        o.levels[2].errors_by_kind.insert("timeout", 5);
        let (found, _) = judge(&Errors, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("5 of 100 requests failed"));
        assert!(
            found[0].evidence.contains("5 timeout"),
            "{}",
            found[0].evidence
        );
    }
}
