//! Several targets in one run, the output plumbing (-o, Ctrl-C), and the shell helpers, as a
//! consultant and a CI job meet them.

mod common;

use common::{launchready, Run};
use launchready::sandbox::Background;
use std::collections::BTreeSet;

fn sandbox_with(name: &str, aliases: usize) -> Background {
    Background::start_with_aliases(name, aliases).unwrap_or_else(|e| panic!("sandbox {name}: {e}"))
}

/// `audit` against the sandbox: its flags (domain first), more targets, extra flags.
fn audit_many(sb: &Background, more: &[String], extra: &[&str]) -> Run {
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(more.iter().cloned());
    args.extend(extra.iter().map(|s| s.to_string()));
    launchready(args)
}

fn domains_of(report: &serde_json::Value) -> Vec<String> {
    report["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| r["target"]["domain"].as_str().expect("domain").to_string())
        .collect()
}

#[test]
fn several_targets_make_one_combined_report_with_the_worst_exit_code() {
    let sb = sandbox_with("healthy", 2);
    let run = audit_many(
        &sb,
        &sb.info.aliases,
        &["--skip", "latency,edge", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_eq!(
        domains_of(&r),
        ["example.test", "example-1.test", "example-2.test"]
    );
    assert_eq!(r["verdict"], "go");
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["summary"]["targets"], 3);
    assert_eq!(r["summary"]["go"], 3);
    for rep in r["reports"].as_array().expect("reports") {
        common::assert_report_shape(rep);
        assert_eq!(rep["verdict"], "go", "{}", rep["target"]);
        assert!(rep["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["severity"] == "info"));
    }
    // One resolver for the run: the copies' shared names (the root's sanity query, the CA,
    // nameserver addresses) are asked once, so three targets cost less than three runs.
    let one = common::audit(&sb, &["--skip", "latency,edge"]);
    let single = one.json()["dns_queries"].as_u64().expect("dns_queries");
    let all = r["dns_queries"].as_u64().expect("dns_queries");
    assert!(all > single && all < 3 * single, "{all} vs 3 × {single}");

    // A target the sandbox does not serve: that one is not GO, and the run's exit code is
    // the worst of them; the summary table has a row per target.
    let run = audit_many(
        &sb,
        &["nowhere.test".to_string()],
        &["--only", "dns,email", "--format", "table"],
    );
    assert!(
        run.code == 1 || run.code == 3,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.contains("══ example.test ══"), "{}", run.stdout);
    assert!(run.stdout.contains("══ nowhere.test ══"), "{}", run.stdout);
    assert!(run.stdout.contains("2 targets: 1 GO"), "{}", run.stdout);
}

#[test]
fn a_targets_file_and_shards_split_the_list_stably() {
    let sb = sandbox_with("healthy", 11);
    let dir = std::env::temp_dir().join(format!("lr-multi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let list = dir.join("targets.txt");
    let mut text = String::from("# clients\n\n");
    for a in &sb.info.aliases {
        text.push_str(&format!("https://{a}/   # client\n"));
    }
    text.push_str("example-1.test\n"); // a duplicate: audited once
    std::fs::write(&list, text).expect("write");
    let list = list.display().to_string();
    let mut all = BTreeSet::new();
    let mut shares = 0;
    for shard in ["1/3", "2/3", "3/3"] {
        let run = audit_many(
            &sb,
            &[],
            &[
                "--targets",
                &list,
                "--shard",
                shard,
                "--only",
                "dns",
                "--format",
                "json",
            ],
        );
        assert_eq!(run.code, 0, "{shard}: {}", run.stderr);
        let r = run.json();
        assert_eq!(r["shard"], shard);
        let got = domains_of(&r);
        for d in &got {
            let expected = launchready::commands::multi::in_shard(
                d,
                launchready::cli::Shard {
                    index: shard[..1].parse().expect("index"),
                    count: 3,
                },
            );
            assert!(expected, "{d} is not in shard {shard}");
        }
        shares += got.len();
        all.extend(got);
    }
    // The sandbox's own domain (first on the command line) plus the eleven of the file.
    assert_eq!(all.len(), 12, "{all:?}");
    assert_eq!(shares, 12, "every target in exactly one shard");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_file_picks_the_format_and_an_unwritable_one_stops_before_any_probe() {
    let sb = common::sandbox("healthy");
    let dir = std::env::temp_dir().join(format!("lr-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (file, check) in [
        ("r.sarif", "\"version\": \"2.1.0\""),
        ("r.xml", "<testsuites"),
        ("r.md", "# "),
        ("r.json", "\"verdict\""),
    ] {
        let path = dir.join(file);
        let mut args = vec!["audit".to_string()];
        args.extend(sb.info.audit_args());
        args.extend(["--only", "dns", "-q", "-o"].map(String::from));
        args.push(path.display().to_string());
        let run = launchready(args);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let text = std::fs::read_to_string(&path).expect("report written");
        assert!(text.contains(check), "{file}: {text}");
    }
    let before = sb.info.requests.lock().map(|r| r.len()).unwrap_or(0);
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(["-o", "/nonexistent-dir/report.json"].map(String::from));
    let run = launchready(args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("/nonexistent-dir/report.json"),
        "{}",
        run.stderr
    );
    let after = sb.info.requests.lock().map(|r| r.len()).unwrap_or(0);
    assert_eq!(before, after, "no request may reach the site");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_writes_what_was_gathered_as_incomplete_and_exits_130() {
    // A site that never answers /.env: the exposure stage waits for its 5 s probe timeout
    // while Ctrl-C comes.
    let sb = common::sandbox("env-probe-hangs");
    let started = std::time::Instant::now();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_launchready"));
    cmd.arg("audit")
        .args(sb.info.audit_args())
        .args(["--format", "json", "--skip", "latency,edge"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sending a signal to our own child process.
    let sent = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(sent, 0);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed().as_millis() < 4500, "it stopped at once");
    let r: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(r["verdict"], "incomplete", "{}", r["stages"]);
    assert_eq!(r["complete"], false);
    let stages = r["stages"].as_array().expect("stages");
    assert!(
        stages.iter().any(|s| s["stage"] == "exposure"
            && s["note"]
                .as_str()
                .is_some_and(|n| n.contains("interrupted"))),
        "{}",
        r["stages"]
    );
    // What finished before the signal is kept.
    assert!(
        stages
            .iter()
            .any(|s| s["stage"] == "dns" && s["status"] == "ran"),
        "{}",
        r["stages"]
    );
}

#[test]
fn completions_man_and_did_you_mean() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = launchready(["completions", shell]);
        assert_eq!(run.code, 0, "{shell}");
        assert!(
            run.stdout.contains("fail-on") && run.stdout.contains("shard"),
            "{shell}"
        );
    }
    let man = launchready(["man"]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("audit") && man.stdout.contains("shard"));

    let run = launchready(["explain", "DNS.NS.LAME"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("dns.ns.lame"));
    let run = launchready(["explain", "dns.ns.lam"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean dns.ns.lame"),
        "{}",
        run.stderr
    );
    let run = launchready(["demo", "--scenario", "helthy"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean \"healthy\""),
        "{}",
        run.stderr
    );

    // `checks --format` offers what it prints, nothing more.
    let run = launchready(["checks", "--format", "sarif"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // Help names the stages and the exit codes.
    let help = launchready(["audit", "--help"]);
    assert!(
        help.stdout.contains("redirects") && help.stdout.contains("130"),
        "{}",
        help.stdout
    );
}

#[test]
fn the_ci_examples_are_valid_yaml_with_the_steps_they_promise() {
    let gh: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string("examples/ci/github-actions.yml").expect("read"),
    )
    .expect("github-actions.yml parses");
    assert!(gh["on"]["schedule"].is_array() && gh["on"]["push"].is_object());
    let steps = gh["jobs"]["audit"]["steps"].to_string();
    assert!(steps.contains("upload-sarif") && steps.contains("--baseline"));
    assert_eq!(
        gh["jobs"]["fleet"]["strategy"]["matrix"]["shard"],
        serde_json::json!([1, 2, 3, 4])
    );
    assert!(gh["jobs"]["fleet"]["steps"].to_string().contains("--shard"));
    let gl: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string("examples/ci/gitlab-ci.yml").expect("read"),
    )
    .expect("gitlab-ci.yml parses");
    assert_eq!(
        gl["launchready"]["artifacts"]["reports"]["junit"],
        "report.xml"
    );
    assert!(gl["launchready"]["script"]
        .to_string()
        .contains("--baseline"));
}
