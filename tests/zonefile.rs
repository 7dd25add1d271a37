//! `--zone` with hostile and with real-world zone files, through the binary:
//! `launchready audit example.test --zone FILE --only dns --format json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SECRET: &str = "lr_zone_canary_9f8e7d6c5b4a39281706";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "lr-zonefile-{}-{}-{}",
        std::process::id(),
        tag,
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the audit on a zone file, with a secret-looking variable in the child's environment;
/// kills the child after 20 s so a hang fails the test instead of stalling it.
fn audit_zone(zone: &Path, extra: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_launchready"));
    cmd.args(["audit", "example.test", "--zone"])
        .arg(zone)
        .args(["--only", "dns", "--format", "json"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("LAUNCHREADY_TEST_TOKEN", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the binary runs");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

const HEAD: &str = "$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n";

/// A refused zone: exit 2, one line on stderr naming the file and line, nothing on stdout,
/// no secret anywhere, done quickly.
fn assert_refused(run: &Run, file: &str, line: usize, words: &str) {
    assert_eq!(
        run.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.elapsed < Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let err = run.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("{file}:{line}:")), "{err}");
    assert!(err.contains(words), "{err}");
    assert!(!err.chars().any(|c| c.is_control()), "{err:?}");
}

#[test]
fn include_of_proc_self_environ_is_refused_without_leaking() {
    let dir = temp_dir("environ");
    let zone = dir.join("main.zone");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE /proc/self/environ\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_refused(&run, "main.zone", 6, "outside the zone file's directory");
    // Through a symlink inside the directory: still refused.
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("env.inc")).expect("symlink");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE env.inc\n")).expect("write");
    assert_refused(&audit_zone(&zone, &[]), "main.zone", 6, "outside");
    // Named as the zone itself: refused too.
    let run = audit_zone(Path::new("/proc/self/environ"), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    assert!(run.stderr.contains("special file"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn include_of_dev_zero_and_a_fifo_never_block() {
    let dir = temp_dir("special");
    let zone = dir.join("main.zone");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE /dev/zero\n")).expect("write");
    assert_refused(&audit_zone(&zone, &[]), "main.zone", 6, "outside");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.inc")).expect("symlink");
    std::fs::write(&zone, format!("{HEAD}\n$INCLUDE zero.inc\n")).expect("write");
    assert_refused(&audit_zone(&zone, &[]), "main.zone", 7, "outside");

    let fifo = dir.join("pipe.inc");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::fs::write(&zone, format!("{HEAD}$INCLUDE pipe.inc\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_refused(&run, "main.zone", 6, "not a regular file");
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    // The FIFO as the zone file itself.
    let run = audit_zone(&fifo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn includes_cannot_escape_the_zone_directory() {
    let dir = temp_dir("escape");
    let inner = dir.join("zones");
    std::fs::create_dir_all(&inner).expect("dir");
    std::fs::write(dir.join("outside.inc"), "leak TXT \"outside\"\n").expect("write");
    let zone = inner.join("main.zone");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE ../outside.inc\n")).expect("write");
    assert_refused(&audit_zone(&zone, &[]), "main.zone", 6, "outside");

    std::os::unix::fs::symlink(dir.join("outside.inc"), inner.join("link.inc")).expect("symlink");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE link.inc\n")).expect("write");
    assert_refused(&audit_zone(&zone, &[]), "main.zone", 6, "outside");

    // A file in a subdirectory is fine.
    std::fs::create_dir_all(inner.join("sub")).expect("dir");
    std::fs::write(inner.join("sub/www.inc"), "www IN A 127.0.0.1\n").expect("write");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE sub/www.inc\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn include_fan_out_hits_the_caps() {
    // Ten includes per level, five deep: 111,111 reads without a total cap.
    let dir = temp_dir("fanout");
    for level in 0..5 {
        let body: String = (0..10)
            .map(|_| format!("$INCLUDE l{}.inc\n", level + 1))
            .collect();
        std::fs::write(dir.join(format!("l{level}.inc")), body).expect("write");
    }
    std::fs::write(dir.join("l5.inc"), "x IN TXT \"leaf\"\n").expect("write");
    let zone = dir.join("main.zone");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE l0.inc\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("too many files"), "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(10));

    // Depth: a chain of 12 files.
    for i in 0..12 {
        std::fs::write(
            dir.join(format!("d{i}.inc")),
            format!("$INCLUDE d{}.inc\n", i + 1),
        )
        .expect("write");
    }
    std::fs::write(dir.join("d12.inc"), "").expect("write");
    std::fs::write(&zone, format!("{HEAD}$INCLUDE d0.inc\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("levels deep"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_quote_only_a_short_control_free_token() {
    let dir = temp_dir("quote");
    let zone = dir.join("main.zone");
    let long = format!("\x1b[2J{SECRET}{SECRET}");
    std::fs::write(&zone, format!("{HEAD}www IN A {long}\n")).expect("write");
    let run = audit_zone(&zone, &[]);
    assert_refused(&run, "main.zone", 6, "\\x1b[2J");
    assert!(!run.stderr.contains('\x1b'));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A zone with ~50 record types in BIND syntax loads whole; the types the reader doesn't
/// interpret are kept and named in the inventory, never exit 2.
#[test]
fn a_zone_of_many_types_loads() {
    let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zones/many-types.zone");
    let run = audit_zone(&zone, &[]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let resolver = report["inventory"]["dns"]["resolver"]
        .as_str()
        .expect("resolver");
    // dnspython reads 64 records from it (benches/zone-vs-dnspython.py).
    assert!(
        resolver.starts_with("the zone file (64 records; "),
        "{resolver}"
    );
    for t in [
        "CERT",
        "LOC",
        "APL",
        "HIP",
        "IPSECKEY",
        "EUI48",
        "AMTRELAY",
        "TYPE65280",
    ] {
        assert!(resolver.contains(t), "{t} not in {resolver}");
    }
    for t in ["SOA", " A,", "MX", "CAA", "HTTPS"] {
        assert!(!resolver.contains(t), "{t} in {resolver}");
    }
}

/// The DNS stage's note names the zone's uninterpreted types once, and a domain outside the
/// zone file is the user's mistake: one line, exit 2 (not every name "not checked", exit 3).
#[test]
fn the_note_says_it_once_and_a_foreign_domain_is_a_usage_error() {
    let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zones/many-types.zone");
    let run = audit_zone(&zone, &[]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let stage = report["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["stage"] == "dns"))
        .expect("dns stage");
    let notes = stage["note"].as_str().unwrap_or_default().to_string();
    assert_eq!(notes.matches("IPSECKEY").count(), 1, "{notes}");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_launchready"));
    let out = cmd
        .args(["audit", "example.com", "--zone"])
        .arg(&zone)
        .args(["--only", "dns"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("example.com is outside the zone file (its apex: example.test.)"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
