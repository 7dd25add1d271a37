//! The latency and edge stages against the sandbox: known distributions, the safety cap,
//! the open-loop mode, rate limits, and the report's latency array.

mod common;

use common::*;

fn level<'a>(r: &'a serde_json::Value, endpoint_suffix: &str, c: u64) -> &'a serde_json::Value {
    r["latency"]
        .as_array()
        .expect("latency array")
        .iter()
        .find(|l| {
            l["endpoint"]
                .as_str()
                .is_some_and(|e| e.ends_with(endpoint_suffix))
                && l["concurrency"] == c
        })
        .unwrap_or_else(|| panic!("no level {endpoint_suffix} c={c} in {}", r["latency"]))
}

/// 90 % of answers take 20 ms and 10 % take 200 ms (a seeded draw), so the true p95 is 200 ms;
/// the measured p95 at concurrency 10 must lie within ±5 % of it.
#[test]
fn p95_of_a_known_mixture_is_measured_within_5_percent() {
    let sb = sandbox("latency-mixture");
    let run = audit(&sb, &["--only", "latency"]);
    let r = run.json();
    assert_report_shape(&r);
    let l = level(&r, "example.test/", 10);
    assert_eq!(l["requests"], 300);
    assert_eq!(l["errors"], 0);
    let p95 = l["p95_ms"].as_f64().expect("p95");
    assert!(
        (190.0..=210.0).contains(&p95),
        "p95 {p95} ms, true value 200 ms"
    );
    let p50 = l["p50_ms"].as_f64().expect("p50");
    assert!(
        (19.0..=30.0).contains(&p50),
        "p50 {p50} ms, true value 20 ms"
    );
    for k in ["p50_ms", "p95_ms", "p99_ms", "max_ms"] {
        assert!(l[k].is_f64() || l[k].is_u64(), "{k}");
    }
    let phases = &r["inventory"]["latency"]["first_request"];
    for k in ["dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "total_ms"] {
        assert!(
            phases[k].as_f64().is_some(),
            "first_request.{k} in {phases}"
        );
    }
}

#[test]
fn the_request_cap_holds_and_is_reported() {
    let sb = sandbox("healthy");
    let run = audit(&sb, &["--only", "latency", "--max-requests", "30"]);
    let r = run.json();
    let used = r["inventory"]["latency"]["requests_used"]
        .as_u64()
        .expect("requests_used");
    assert!(used <= 30, "{used} requests with a cap of 30");
    let note = stage_note(&r, "latency");
    assert!(note.contains("--max-requests cap (30)"), "{note}");
}

#[test]
fn open_loop_mode_runs_at_the_given_rate() {
    let sb = sandbox("healthy");
    let run = audit(
        &sb,
        &[
            "--only",
            "latency",
            "--rate",
            "400",
            "--requests",
            "100",
            "--endpoint",
            "/",
        ],
    );
    let r = run.json();
    let levels = r["latency"].as_array().expect("latency");
    assert_eq!(levels.len(), 1);
    assert_eq!(levels[0]["rate"], 400.0);
    assert_eq!(levels[0]["requests"], 100);
    // 100 requests due over 250 ms: the run cannot be much faster than the schedule.
    assert!(run.elapsed.as_millis() >= 240, "{:?}", run.elapsed);
}

#[test]
fn a_429_stops_the_level_and_is_reported_not_counted_as_errors() {
    let sb = sandbox("rate-limited");
    let run = audit(&sb, &[]);
    let r = run.json();
    let l = level(&r, "example.test/", 5);
    assert!(
        l["requests"].as_u64().expect("n") < 100,
        "the level stopped early: {l}"
    );
    assert_eq!(l["errors"], 0);
    assert!(l["errors_by_kind"]["rate_limited"].as_u64().expect("429s") >= 1);
    assert!(l["stopped"]
        .as_str()
        .expect("stopped")
        .contains("slow down"));
    assert!(!ids(&r).contains("latency.errors"));
    assert!(
        !ids(&r).contains("edge.ratelimit.absent"),
        "the login burst met 429s"
    );
}

#[test]
fn only_the_target_is_probed() {
    let sb = sandbox("healthy");
    let run = audit(
        &sb,
        &[
            "--only",
            "latency",
            "--endpoint",
            "https://elsewhere.test/",
            "--endpoint",
            "/health",
        ],
    );
    let r = run.json();
    let endpoints: Vec<&str> = r["latency"]
        .as_array()
        .expect("latency")
        .iter()
        .filter_map(|l| l["endpoint"].as_str())
        .collect();
    assert!(
        endpoints
            .iter()
            .all(|e| e.starts_with("https://example.test/")),
        "{endpoints:?}"
    );
    let note = stage_note(&r, "latency");
    assert!(
        note.contains("elsewhere.test") && note.contains("not probed"),
        "{note}"
    );
}

#[test]
fn the_table_shows_a_distribution_line_per_endpoint() {
    let sb = sandbox("healthy");
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(
        [
            "--only",
            "latency",
            "--requests",
            "10",
            "--concurrency",
            "1,5",
        ]
        .map(String::from),
    );
    let run = launchready(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "p95 ms",
        "c=1",
        "c=5",
        "first request https://example.test/",
        "ttfb",
    ] {
        assert!(run.stdout.contains(needle), "{needle} in\n{}", run.stdout);
    }
    assert!(
        run.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        run.stderr
    );
}
