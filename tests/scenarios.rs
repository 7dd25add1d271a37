//! Every sandbox scenario, audited end to end with every stage, triggers exactly the checks it
//! declares in its `expect` list: no fewer (the check works) and no more (no false positive).
//! `healthy` declares none. Together the scenarios trigger every id in the registry.

mod common;

use common::*;
use launchready::sandbox::scenario;
use std::collections::BTreeSet;

/// Scenarios whose point is that the audit cannot finish; they have tests of their own.
const INCOMPLETE: &[&str] = &["dns-unresponsive", "dns-deny-all"];

#[test]
fn every_scenario_fires_exactly_its_checks() {
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for files in scenario::ALL
        .iter()
        .filter(|f| !INCOMPLETE.contains(&f.name))
    {
        let sb = sandbox(files.name);
        // The load ladder measures this machine as much as the site: on a busy CI runner a
        // debug build can trip `latency.collapse` anywhere. Scenarios about something else
        // skip it; `healthy` and every scenario that names a latency id keep it.
        let about_latency = files.name == "healthy"
            || sb
                .info
                .expect
                .iter()
                .chain(&sb.info.expect_not_checked)
                .any(|id| id.starts_with("latency."));
        let run = if about_latency {
            audit(&sb, &[])
        } else {
            audit(&sb, &["--skip", "latency"])
        };
        let report = run.json();
        assert_report_shape(&report);
        let got = ids(&report);
        let want: BTreeSet<String> = sb.info.expect.iter().cloned().collect();
        if got != want {
            failures.push(format!(
                "{}: unexpected {:?}, missing {:?}",
                files.name,
                got.difference(&want).collect::<Vec<_>>(),
                want.difference(&got).collect::<Vec<_>>()
            ));
        }
        // What the audit could not see is held to the scenario's list too: a site the
        // auditor can see leaves nothing unchecked, and a blind spot is never a silent pass.
        let unseen: BTreeSet<String> = report["not_checked"]
            .as_array()
            .expect("not_checked")
            .iter()
            .filter_map(|u| u["id"].as_str().map(str::to_string))
            .collect();
        let want_unseen: BTreeSet<String> = sb.info.expect_not_checked.iter().cloned().collect();
        if unseen != want_unseen {
            failures.push(format!(
                "{}: not checked unexpectedly {:?}, expected not checked {:?} ({})",
                files.name,
                unseen.difference(&want_unseen).collect::<Vec<_>>(),
                want_unseen.difference(&unseen).collect::<Vec<_>>(),
                report["not_checked"]
            ));
        }
        let verdict = report["verdict"].as_str().unwrap_or_default();
        let want_verdict = sb.info.expect_verdict.clone().unwrap_or_else(|| {
            if !want_unseen.is_empty() && run.code != 1 {
                "incomplete".into()
            } else {
                verdict.to_string()
            }
        });
        if verdict != want_verdict {
            failures.push(format!(
                "{}: verdict {verdict}, expected {want_verdict}",
                files.name
            ));
        }
        let want_code = match verdict {
            "go" => 0,
            "no-go" => 1,
            _ => 3,
        };
        if run.code != want_code {
            failures.push(format!(
                "{}: exit {} for verdict {verdict}",
                files.name, run.code
            ));
        }
        if want_unseen.is_empty() {
            for st in report["stages"].as_array().expect("stages") {
                if st["status"] == "failed" || st["status"] == "partial" {
                    failures.push(format!("{}: {st}", files.name));
                }
            }
        }
        covered.extend(got);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The secrets and repo stages audit a repository, not the site: tests/secrets.rs and
    // tests/repo.rs trigger each of their ids on repositories built at test time (no
    // secret-looking literal is committed).
    let missing: Vec<&str> = launchready::check::registry()
        .into_iter()
        .filter(|d| !d.stage.reads_repo())
        .map(|d| d.id)
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no scenario triggers {missing:?}");
}
