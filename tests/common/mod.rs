//! Shared by the end-to-end tests: run the real binary, start the sandbox, read the report.
#![allow(dead_code)]

use launchready::sandbox::Background;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn launchready<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    launchready_in(args, None)
}

pub fn launchready_in<I, S>(args: I, dir: Option<&std::path::Path>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_launchready"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("COLUMNS");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let started = Instant::now();
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

pub fn sandbox(name: &str) -> Background {
    Background::start(name).unwrap_or_else(|e| panic!("sandbox {name}: {e}"))
}

/// Runs `audit` against the sandbox with extra arguments and `--format json`.
pub fn audit(sb: &Background, extra: &[&str]) -> Run {
    let mut args = vec!["audit".to_string()];
    args.extend(sb.info.audit_args());
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["--format".into(), "json".into()]);
    launchready(args)
}

/// The note of one stage in a report.
pub fn stage_note(report: &Value, stage: &str) -> String {
    report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == stage)
        .and_then(|s| s["note"].as_str())
        .unwrap_or_else(|| panic!("no {stage} stage in {}", report["stages"]))
        .to_string()
}

/// The report's not-checked entries: (id, subject, reason).
pub fn not_checked(report: &Value) -> Vec<(String, String, String)> {
    report["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .map(|u| {
            let field = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (field("id"), field("subject"), field("reason"))
        })
        .collect()
}

pub fn ids(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

/// Checks the report against SPEC §4's shape: every key, every type, every enum value.
pub fn assert_report_shape(r: &Value) {
    assert_eq!(r["tool"]["name"], "launchready");
    assert!(r["tool"]["version"].is_string());
    assert!(r["target"]["domain"].is_string() && r["target"]["url"].is_string());
    assert!(
        matches!(r["verdict"].as_str(), Some("go" | "no-go" | "incomplete")),
        "verdict {}",
        r["verdict"]
    );
    assert!(matches!(
        r["fail_on"].as_str(),
        Some("blocker" | "high" | "medium" | "low" | "never")
    ));
    for k in ["blocker", "high", "medium", "low", "info"] {
        assert!(r["summary"][k].is_u64(), "summary.{k}");
    }
    let stages = r["stages"].as_array().expect("stages");
    assert!(!stages.is_empty());
    for s in stages {
        assert!(s["stage"].is_string());
        assert!(matches!(
            s["status"].as_str(),
            Some("ran" | "partial" | "skipped" | "failed")
        ));
        assert!(s["duration_ms"].is_u64());
        assert!(s["note"].is_string());
    }
    assert!(r["started_at"].is_string());
    let unseen = r["not_checked"].as_array().expect("not_checked");
    for u in unseen {
        for k in ["id", "stage", "subject", "reason"] {
            assert!(u[k].is_string(), "not_checked.{k} in {u}");
        }
    }
    // The verdict and completeness agree with what was and was not checked.
    if r["verdict"] != "no-go" {
        assert_eq!(
            r["verdict"] == "incomplete",
            !unseen.is_empty(),
            "{}",
            r["not_checked"]
        );
    }
    assert_eq!(r["complete"], unseen.is_empty(), "complete vs not_checked");
    for f in r["findings"].as_array().expect("findings") {
        for k in ["id", "stage", "title", "subject", "evidence", "fix"] {
            assert!(f[k].is_string(), "finding.{k} in {f}");
        }
        assert!(matches!(
            f["severity"].as_str(),
            Some("blocker" | "high" | "medium" | "low" | "info")
        ));
        assert!(matches!(
            f["impact"].as_str(),
            Some("signup" | "email" | "downtime" | "security" | "performance")
        ));
        assert!(f["refs"]
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)));
        assert!(f["suppressed"].is_boolean());
    }
    assert!(r["latency"].is_array());
    assert!(r["inventory"].is_object());
    assert!(r["inventory"]["certificates"].is_array());
}
