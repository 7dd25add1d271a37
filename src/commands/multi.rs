//! Several targets in one run (`audit a.com b.com`, `--targets FILE`, `--shard I/N`): audited
//! with bounded concurrency on one resolver (one DNS cache) and one HTTP client, into one
//! combined report whose exit code is the worst of them: 1 if any target is NO-GO, else 3 if
//! any is incomplete, else 0 (130 after Ctrl-C).

use super::{check_output, output_format, print_out, runtime, Failure, EXIT_INTERRUPTED};
use crate::audit::{self, Options, Shared};
use crate::cli::{AuditArgs, Format, Shard};
use crate::finding::Verdict;
use crate::report::{self, Report, Summary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

/// The most targets one run takes (a list longer than that is a mistake or an attack on memory).
pub const MAX_TARGETS: usize = 10_000;
/// Requests in flight to one origin when several targets run: with many targets at once the
/// cores, not the round trips, are the limit, and each extra connection is a TLS handshake on
/// both ends (100 sandbox targets: 60 → 27 TLS connections each).
const PER_ORIGIN: usize = 4;
/// The largest `--targets` file read.
const MAX_TARGETS_FILE: u64 = 4 * 1024 * 1024;

/// Whether the command line asks for the combined report: several domains, a `--targets`
/// file or a `--shard` (even when the share holds one target, so CI always gets one shape).
pub fn is_multi(args: &AuditArgs) -> bool {
    args.domains.len() > 1 || args.targets.is_some() || args.shard.is_some()
}

/// The entries of a targets file: one domain or URL per line; `#` at the start of a line or
/// after a space starts a comment; blank lines are skipped.
pub fn parse_targets(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = if line.trim_start().starts_with('#') {
                ""
            } else {
                match line.find(" #").or_else(|| line.find("\t#")) {
                    Some(i) => &line[..i],
                    None => line,
                }
            };
            line.trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn read_targets(path: &Path) -> Result<Vec<String>, Failure> {
    let bad = |why: String| Failure::Usage(format!("--targets {}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() {
        return Err(bad("not a regular file".into()));
    }
    if meta.len() > MAX_TARGETS_FILE {
        return Err(bad(format!("larger than {MAX_TARGETS_FILE} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    Ok(parse_targets(&text))
}

/// FNV-1a (64-bit): a fixed, tiny hash, the same on every machine, Rust version and run
/// (std's hasher is seeded at random, so it cannot split a list across CI runners).
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether `domain` (already lower-cased) falls in the share `shard`.
pub fn in_shard(domain: &str, shard: Shard) -> bool {
    fnv1a(domain) % u64::from(shard.count) == u64::from(shard.index - 1)
}

/// The validated targets of the command line, deduplicated by domain, in order, after the
/// shard's filter.
pub fn targets(args: &AuditArgs) -> Result<Vec<Options>, Failure> {
    let mut raw = args.domains.clone();
    if let Some(path) = &args.targets {
        raw.extend(read_targets(path)?);
    }
    if raw.is_empty() {
        return Err(Failure::Usage(
            "no targets: give domains, or a --targets file with one per line".into(),
        ));
    }
    if raw.len() > MAX_TARGETS {
        return Err(Failure::Usage(format!(
            "{} targets: at most {MAX_TARGETS} in one run (split the list with --shard)",
            raw.len()
        )));
    }
    if raw.len() > 1 {
        for (given, flag) in [
            (args.url.is_some(), "--url"),
            (args.net.zone.is_some(), "--zone"),
        ] {
            if given {
                return Err(Failure::Usage(format!(
                    "{flag} belongs to one target; with several, give each as a domain or URL"
                )));
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for entry in &raw {
        let opts = super::prepare_target(args, Some(entry))?;
        if !seen.insert(opts.target.domain.clone()) {
            continue;
        }
        if args.shard.is_none_or(|s| in_shard(&opts.target.domain, s)) {
            out.push(opts);
        }
    }
    Ok(out)
}

/// Runs `fut` and, on Ctrl-C, tells every run on `shared` to stop and keep what it gathered
/// (a second Ctrl-C quits at once). Returns the output and whether it was interrupted.
pub async fn interruptible<T, E>(
    shared: &Shared,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<(T, bool), E> {
    let s = shared.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            crate::warn!("interrupted: writing what was gathered (Ctrl-C again quits at once)");
            s.interrupt();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        }
    });
    // Let the watcher install its handler before any probe runs.
    tokio::task::yield_now().await;
    let out = fut.await;
    watcher.abort();
    Ok((out?, shared.is_interrupted()))
}

/// `audit` over several targets.
pub fn audit_many(args: &AuditArgs) -> Result<u8, Failure> {
    let started = std::time::Instant::now();
    let started_at = crate::config::now_rfc3339();
    let targets = targets(args)?;
    check_output(&args.output)?;
    let baseline = match &args.baseline {
        Some(path) => Some((path.display().to_string(), read_baselines(path)?)),
        None => None,
    };
    let rt = runtime()?;
    let jobs = usize::from(args.jobs);
    let (reports, interrupted, dns_queries) = match targets.first() {
        None => (Vec::new(), false, 0),
        Some(first) => {
            let mut shared = Shared::new(first).map_err(|e| Failure::Run(e.to_string()))?;
            if targets.len() > 1 {
                shared = shared.with_origin_limit(PER_ORIGIN);
            }
            let (reports, interrupted) = rt
                .block_on(interruptible(&shared, run_all(targets, &shared, jobs)))
                .map_err(|e| Failure::Run(e.to_string()))?;
            (reports, interrupted, shared.dns_queries())
        }
    };
    let mut reports = reports;
    if let Some((file, earlier)) = &baseline {
        for r in &mut reports {
            let none = Vec::new();
            let before = earlier.get(&r.target.domain).unwrap_or(&none);
            r.apply_baseline(file, before);
        }
    }
    let combined = Combined::new(
        reports,
        args.shard,
        interrupted,
        started_at,
        started.elapsed().as_millis() as u64,
        dns_queries,
    );
    emit_combined(&combined, args)?;
    rt.shutdown_background();
    Ok(combined.exit_code)
}

/// Every target's audit, at most `jobs` at once, in the order given.
async fn run_all(
    targets: Vec<Options>,
    shared: &Shared,
    jobs: usize,
) -> Result<Vec<Report>, audit::AuditError> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut handles = Vec::with_capacity(targets.len());
    for opts in targets {
        let shared = shared.clone();
        let permits = permits.clone();
        handles.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await?;
            audit::run_shared(opts, &shared).await
        }));
    }
    let mut reports = Vec::with_capacity(handles.len());
    for h in handles {
        let report = h.await??;
        reports.push(report);
    }
    Ok(reports)
}

/// `--baseline` for several targets: an earlier combined report (its `reports`, by domain) or
/// one target's report.
fn read_baselines(path: &Path) -> Result<BTreeMap<String, Vec<(String, String)>>, Failure> {
    let bad = |why: String| Failure::Usage(format!("--baseline {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a JSON report ({e})")))?;
    let singles: Vec<&serde_json::Value> = match v["reports"].as_array() {
        Some(all) => all.iter().collect(),
        None => vec![&v],
    };
    let mut out = BTreeMap::new();
    for r in singles {
        let (Some(domain), Some(findings)) =
            (r["target"]["domain"].as_str(), r["findings"].as_array())
        else {
            return Err(bad("not a launchready JSON report".into()));
        };
        let keys = findings
            .iter()
            .filter_map(|f| {
                Some((
                    f["id"].as_str()?.to_string(),
                    f["subject"].as_str()?.to_string(),
                ))
            })
            .collect();
        out.insert(domain.to_string(), keys);
    }
    Ok(out)
}

/// One line of the summary table.
#[derive(Debug, Serialize)]
pub struct TargetRow {
    pub domain: String,
    pub verdict: Verdict,
    pub exit_code: u8,
    #[serde(flatten)]
    pub summary: Summary,
    pub not_checked: usize,
    pub duration_ms: u64,
}

/// Counts over all targets.
#[derive(Debug, Default, Serialize)]
pub struct CombinedSummary {
    pub targets: usize,
    pub go: usize,
    pub no_go: usize,
    pub incomplete: usize,
    pub blocker: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

/// The combined report (JSON: this object; the other formats: a section per target and the
/// summary table).
#[derive(Debug, Serialize)]
pub struct Combined {
    pub tool: report::Tool,
    /// The worst verdict: no-go if any target is, else incomplete if any is, else go.
    pub verdict: Verdict,
    pub exit_code: u8,
    /// True when Ctrl-C stopped the run: the reports hold what was gathered.
    pub interrupted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub started_at: String,
    pub duration_ms: u64,
    /// DNS queries of the whole run (one shared resolver and cache).
    pub dns_queries: u64,
    pub summary: CombinedSummary,
    pub targets: Vec<TargetRow>,
    pub reports: Vec<Report>,
}

/// The worst of several verdicts: NO-GO anywhere is NO-GO; else any incomplete; else GO
/// (no targets at all: GO, an empty shard is not a failure).
pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut worst = Verdict::Go;
    for v in verdicts {
        match (worst, v) {
            (_, Verdict::NoGo) => return Verdict::NoGo,
            (Verdict::Go, Verdict::Incomplete) => worst = Verdict::Incomplete,
            _ => {}
        }
    }
    worst
}

impl Combined {
    pub fn new(
        reports: Vec<Report>,
        shard: Option<Shard>,
        interrupted: bool,
        started_at: String,
        duration_ms: u64,
        dns_queries: u64,
    ) -> Combined {
        let mut summary = CombinedSummary {
            targets: reports.len(),
            ..CombinedSummary::default()
        };
        let targets: Vec<TargetRow> = reports
            .iter()
            .map(|r| {
                match r.verdict {
                    Verdict::Go => summary.go += 1,
                    Verdict::NoGo => summary.no_go += 1,
                    Verdict::Incomplete => summary.incomplete += 1,
                }
                summary.blocker += r.summary.blocker;
                summary.high += r.summary.high;
                summary.medium += r.summary.medium;
                summary.low += r.summary.low;
                summary.info += r.summary.info;
                TargetRow {
                    domain: r.target.domain.clone(),
                    verdict: r.verdict,
                    exit_code: r.exit_code(),
                    summary: r.summary,
                    not_checked: r.not_checked.len(),
                    duration_ms: r.duration_ms,
                }
            })
            .collect();
        let verdict = worst(reports.iter().map(|r| r.verdict));
        Combined {
            tool: report::Tool {
                name: "launchready".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            verdict,
            exit_code: if interrupted {
                EXIT_INTERRUPTED
            } else {
                verdict.exit_code()
            },
            interrupted,
            shard: shard.map(|s| format!("{}/{}", s.index, s.count)),
            started_at,
            duration_ms,
            dns_queries,
            summary,
            targets,
            reports,
        }
    }
}

fn emit_combined(c: &Combined, args: &AuditArgs) -> Result<(), Failure> {
    let out = &args.output;
    let format = output_format(out);
    let color = super::color_enabled();
    match &out.output {
        Some(path) => {
            std::fs::write(path, super::multi_render::render(c, format, false))
                .map_err(|e| Failure::Usage(format!("-o {}: {e}", path.display())))?;
            if !out.quiet {
                print_out(&super::multi_render::summary_table(c));
                print_out(&format!(
                    "report written to {}\n",
                    report::sanitize::terminal_line(&path.display().to_string())
                ));
            }
        }
        None => print_out(&super::multi_render::render(
            c,
            format,
            format == Format::Table && color,
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_targets_file_skips_comments_and_blank_lines() {
        let text =
            "# clients\nexample.com\n\n  https://shop.example.org/  # the shop\n\t# off\nb.test\n";
        assert_eq!(
            parse_targets(text),
            ["example.com", "https://shop.example.org/", "b.test"]
        );
    }

    #[test]
    fn fnv1a_is_the_reference_hash() {
        // The FNV-1a 64 test vectors (offset basis for "", "a", "foobar").
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shards_partition_the_targets() {
        let domains: Vec<String> = (0..200).map(|i| format!("client-{i}.example")).collect();
        let n = 4;
        let mut total = 0;
        for index in 1..=n {
            let share = domains
                .iter()
                .filter(|d| in_shard(d, Shard { index, count: n }))
                .count();
            assert!(share > 20, "shard {index}/{n} has {share} of 200");
            total += share;
        }
        assert_eq!(total, 200, "every target in exactly one shard");
    }

    #[test]
    fn the_worst_verdict_wins() {
        use Verdict::*;
        assert_eq!(worst([Go, Incomplete, Go]), Incomplete);
        assert_eq!(worst([Incomplete, NoGo, Go]), NoGo);
        assert_eq!(worst([Go, Go]), Go);
        assert_eq!(worst([]), Go);
    }
}
