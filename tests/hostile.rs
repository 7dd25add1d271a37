//! Hostile servers cost at most a probe's timeout, and the audit still reports in full.

mod common;

use common::*;

#[test]
fn hostile_web_servers_cost_one_probe_timeout_and_the_report_is_whole() {
    let cases: [(&'static str, bool); 4] = [
        ("web-hang", true),
        ("web-trickle", true),
        ("web-huge-headers", true),
        ("web-huge-body", false),
    ];
    let runs: Vec<_> = cases
        .iter()
        .map(|&(name, _)| {
            std::thread::spawn(move || {
                let sb = sandbox(name);
                audit(&sb, &[])
            })
        })
        .collect();
    for ((name, unreachable), run) in cases.iter().zip(runs) {
        let run = run.join().expect("audit thread");
        // The HTTP probe timeout is 5 s; everything else runs alongside it.
        assert!(
            run.elapsed.as_secs_f64() < 8.0,
            "{name} took {:?}",
            run.elapsed
        );
        let r = run.json();
        assert_report_shape(&r);
        for st in r["stages"].as_array().expect("stages") {
            assert_ne!(st["status"], "failed", "{name}: {st}");
            assert!(
                !st["note"].as_str().unwrap_or_default().contains("deadline"),
                "{name}: no stage hit the deadline: {st}"
            );
        }
        // A server that never gives a page leaves the page checks not checked: never GO.
        let unseen: Vec<&str> = r["not_checked"]
            .as_array()
            .expect("not_checked")
            .iter()
            .filter_map(|u| u["id"].as_str())
            .collect();
        assert_eq!(
            unseen.contains(&"headers.csp.missing"),
            *unreachable,
            "{name}: {unseen:?}"
        );
        if *unreachable {
            assert_ne!(r["verdict"], "go", "{name}");
        }
        assert_eq!(
            ids(&r).contains("redirect.unreachable"),
            *unreachable,
            "{name}"
        );
        // The DNS stage reported as usual next to the hostile web server.
        assert!(r["inventory"]["dns"]["records"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
    }
}
