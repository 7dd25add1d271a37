//! `latency.health.missing`.

use super::*;

crate::check! {
    HealthMissing for LatencyObservation = CheckDoc {
        id: "latency.health.missing",
        stage: Stage::Latency,
        severity: Severity::Low,
        impact: Impact::Downtime,
        title: "No health endpoint",
        catches: "None of /health, /healthz, /api/health, /status answers 200.",
        why: "Uptime monitors and load balancers need a cheap URL that says whether the app (and its database) works; without one you learn about the outage from your users.",
        fix: "Add GET /health returning 200 when the app can reach its database (and 503 when not), exclude it from auth and rate limits, and point your uptime monitor and load balancer at it.",
        refs: &["https://microservices.io/patterns/observability/health-check-api.html", "RFC 9110 §15.6.4 (503)"],
    };
    fn evaluate(o, out, doc) {
        if o.health == Lookup::Absent {
            out.push(doc.finding(
                &o.app,
                format!("none of {} answered 200", HEALTH_PATHS.join(", ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_only_when_the_paths_were_asked_and_none_answered() {
        let mut o = healthy();
        o.health = Lookup::Absent;
        let (found, _) = judge(&HealthMissing, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("/healthz"));
        o.health = Lookup::Unknown;
        assert!(
            judge(&HealthMissing, &o).0.is_empty(),
            "explicit endpoints: unknown"
        );
    }
}
