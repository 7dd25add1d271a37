//! The orchestrator: builds the run's context (one resolver, one HTTP client), runs the selected
//! stages concurrently on tokio under one deadline, and turns a stage's failure, panic or
//! overrun into a stage note while the rest still reports.

use crate::check::Stage;
use crate::checks::{self, StageOutput};
use crate::config::Suppression;
use crate::finding::FailOn;
use crate::net::dns::{DnsError, Resolver, Source};
use crate::net::http::{self, Client, ConnectTo};
use crate::report::{Report, StageReport, StageStatus};
use crate::target::Target;
use rustls_pki_types::CertificateDer;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every probe's own timeout; the run's `--timeout` bounds them all.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// One DNS attempt (two per server, then TCP on truncation).
pub const DNS_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// The most of any response body a probe reads.
pub const BODY_CAP: usize = 2 * 1024 * 1024;

/// What the user asked for, validated.
pub struct Options {
    pub target: Target,
    pub dns: Source,
    pub connect_to: Vec<ConnectTo>,
    pub ca_certs: Vec<CertificateDer<'static>>,
    pub timeout: Duration,
    pub stages: Vec<(Stage, Selection)>,
    pub fail_on: FailOn,
    pub suppressions: Vec<Suppression>,
    /// `--repo`: the source tree the secrets stage scans (with its git history).
    pub repo: Option<std::path::PathBuf>,
    /// The latency and edge stages' plan.
    pub load: crate::net::load::LoadPlan,
}

/// Whether a stage runs, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Run,
    Skipped,
    NotSelected,
}

/// Shared by every stage of one run.
pub struct Context {
    pub target: Target,
    pub resolver: Arc<Resolver>,
    pub http: Client,
    pub deadline: tokio::time::Instant,
    /// `--connect-to`, for probes that open their own connections (TLS).
    pub connect_to: Vec<ConnectTo>,
    /// The web PKI roots plus `--ca-file`, for the TLS stage's own verification.
    pub roots: Arc<rustls::RootCertStore>,
    /// `--repo`, for the secrets stage.
    pub repo: Option<std::path::PathBuf>,
    /// The latency and edge stages' plan.
    pub load: crate::net::load::LoadPlan,
    /// Raw keep-alive connections for the load probes.
    pub dialer: crate::net::load::Dialer,
    /// The run's request budget (`--max-requests`).
    pub budget: Arc<crate::net::load::Budget>,
}

/// Why an audit could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    CaFile(#[from] http::CaFileError),
    #[error("TLS client set-up failed: {0}")]
    Tls(#[from] rustls::Error),
    #[error("internal error in a target's audit ({0}); please report it")]
    Internal(#[from] tokio::task::JoinError),
    #[error("internal error: the targets' queue closed ({0}); please report it")]
    Queue(#[from] tokio::sync::AcquireError),
}

/// What the runs of several targets share (`audit a.com b.com …`): one resolver and so one DNS
/// cache, one HTTP client and so one connection pool, one set of trust anchors. Built from the
/// first target's options; every target of one command line has the same network flags.
#[derive(Clone)]
pub struct Shared {
    resolver: Arc<Resolver>,
    http: Client,
    roots: Arc<rustls::RootCertStore>,
    dialer: crate::net::load::Dialer,
    /// Turns true on Ctrl-C: stages still running stop and the report keeps what was gathered.
    interrupted: tokio::sync::watch::Receiver<bool>,
    interrupt: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Shared {
    pub fn new(opts: &Options) -> Result<Shared, AuditError> {
        let resolver = Arc::new(Resolver::new(opts.dns.clone(), DNS_ATTEMPT_TIMEOUT));
        let roots = Arc::new(http::root_store(&opts.ca_certs)?);
        let tls = http::tls_config(roots.as_ref().clone())?;
        let dialer = crate::net::load::Dialer {
            resolver: resolver.clone(),
            connect_to: Arc::new(opts.connect_to.clone()),
            tls: Arc::new(tls.clone()),
            timeout: PROBE_TIMEOUT,
        };
        let http = Client::new(
            resolver.clone(),
            opts.connect_to.clone(),
            tls,
            PROBE_TIMEOUT,
            BODY_CAP,
        );
        let (interrupt, interrupted) = tokio::sync::watch::channel(false);
        Ok(Shared {
            resolver,
            http,
            roots,
            dialer,
            interrupted,
            interrupt: Arc::new(interrupt),
        })
    }

    /// At most `per_origin` requests in flight to one origin, for runs over many targets
    /// (see [`crate::net::origin_limit`]).
    pub fn with_origin_limit(mut self, per_origin: usize) -> Shared {
        self.http = self.http.with_origin_limit(per_origin);
        self
    }

    /// Stops every run on these resources: stages still running end as failed ("interrupted"),
    /// their checks not checked, so the report is `incomplete`.
    pub fn interrupt(&self) {
        self.interrupt.send_replace(true);
    }

    pub fn is_interrupted(&self) -> bool {
        *self.interrupted.borrow()
    }

    /// Resolves once [`Shared::interrupt`] was called.
    async fn wait_interrupted(&self) {
        let mut rx = self.interrupted.clone();
        let _ = rx.wait_for(|v| *v).await;
    }

    /// DNS queries sent so far by the shared resolver (all targets together).
    pub fn dns_queries(&self) -> u64 {
        self.resolver
            .stats
            .queries
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Runs the audit and builds its report.
pub async fn run(opts: Options) -> Result<Report, AuditError> {
    let shared = Shared::new(&opts)?;
    run_shared(opts, &shared).await
}

/// Runs one target's audit on resources shared with other targets' runs.
pub async fn run_shared(opts: Options, shared: &Shared) -> Result<Report, AuditError> {
    let started = Instant::now();
    let queries_before = shared.dns_queries();
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let resolver = shared.resolver.clone();
    let ctx = Arc::new(Context {
        target: opts.target.clone(),
        resolver: resolver.clone(),
        // Its own pool: the target's connections close when its audit ends; the pages several
        // stages read are asked once per target (issue 15).
        http: shared.http.for_target().with_shared_answers(),
        deadline,
        connect_to: opts.connect_to.clone(),
        roots: shared.roots.clone(),
        repo: opts.repo.clone(),
        budget: Arc::new(crate::net::load::Budget::new(opts.load.max_requests)),
        load: opts.load.clone(),
        dialer: shared.dialer.clone(),
    });

    // The stages' first DNS and TCP/TLS work, and the stages themselves, leave now beside the
    // sanity query (issue 15): its answer only decides, at the end, whether their outputs
    // count. A blind auditor's stages are stopped and every one is "not run".
    let selected: Vec<Stage> = opts
        .stages
        .iter()
        .filter(|(_, sel)| *sel == Selection::Run)
        .map(|(st, _)| *st)
        .collect();
    crate::net::warm::start(&ctx, &selected);

    let mut running = Vec::new();
    let mut stage_reports = Vec::new();
    for (stage, selection) in &opts.stages {
        let note = match selection {
            Selection::Skipped => Some("skipped (--skip)"),
            Selection::NotSelected => Some("not selected (--only)"),
            Selection::Run if stage.reads_repo() && opts.repo.is_none() => Some("no --repo given"),
            Selection::Run => None,
        };
        if let Some(note) = note {
            stage_reports.push((
                *stage,
                StageReport::new(*stage, StageStatus::Skipped, Duration::ZERO, note.into()),
                StageOutput::default(),
            ));
            continue;
        }
        let ctx = ctx.clone();
        let stage = *stage;
        let handle = tokio::spawn(async move {
            let t = Instant::now();
            let outcome = tokio::time::timeout_at(deadline, (checks::stage(stage).run)(&ctx)).await;
            (outcome, t.elapsed())
        });
        running.push((stage, handle));
    }

    // Before any name is blamed on the target, the resolver must see public names at all.
    let needs_dns = !shared.is_interrupted()
        && opts
            .stages
            .iter()
            .any(|(st, sel)| *sel == Selection::Run && !st.reads_repo());
    let blind = if needs_dns {
        let sanity = tokio::select! {
            sanity = tokio::time::timeout_at(deadline, resolver.sanity()) => Some(sanity),
            _ = shared.wait_interrupted() => None,
        };
        // Interrupted: the stages below stop at once and say so.
        sanity.and_then(blind_reason)
    } else {
        None
    };
    if let Some(why) = &blind {
        crate::warn!("{why}");
        // Every check of a stage that needs the network is not checked (Report::build lists
        // them), whatever it saw meanwhile: nothing is blamed on the target.
        running.retain(|(stage, handle)| {
            if stage.reads_repo() {
                return true;
            }
            handle.abort();
            stage_reports.push((
                *stage,
                StageReport::new(
                    *stage,
                    StageStatus::Failed,
                    Duration::ZERO,
                    "not run: no working DNS on this machine".into(),
                ),
                StageOutput::default(),
            ));
            false
        });
    }

    for (stage, mut handle) in running {
        // Ctrl-C: a stage that has finished keeps its output; one still running stops.
        let joined = tokio::select! {
            biased;
            joined = &mut handle => Some(joined),
            _ = shared.wait_interrupted() => None,
        };
        let Some(joined) = joined else {
            handle.abort();
            stage_reports.push((
                stage,
                StageReport::new(
                    stage,
                    StageStatus::Failed,
                    started.elapsed(),
                    "interrupted (Ctrl-C) before it finished".into(),
                ),
                StageOutput::default(),
            ));
            continue;
        };
        let (status, elapsed, note, output) = match joined {
            Ok((Ok(Ok(out)), t)) => {
                let note = out.note.clone().unwrap_or_default();
                (StageStatus::Ran, t, note, out)
            }
            Ok((Ok(Err(why)), t)) => (
                StageStatus::Failed,
                t,
                why.to_string(),
                StageOutput::default(),
            ),
            Ok((Err(_), t)) => (
                StageStatus::Failed,
                t,
                format!(
                    "stopped at the --timeout deadline ({}s) before it finished",
                    opts.timeout.as_secs_f64()
                ),
                StageOutput::default(),
            ),
            Err(e) => (
                StageStatus::Failed,
                started.elapsed(),
                format!("internal error in the stage ({e}); please report it"),
                StageOutput::default(),
            ),
        };
        crate::info!(
            "stage {stage}: {} in {}",
            status.as_str(),
            crate::log::duration(elapsed)
        );
        stage_reports.push((
            stage,
            StageReport::new(stage, status, elapsed, note),
            output,
        ));
    }
    stage_reports.sort_by_key(|(stage, _, _)| *stage);
    let mut report = Report::build(
        &opts.target,
        stage_reports,
        opts.fail_on,
        &opts.suppressions,
        crate::config::Date::today(),
    );
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.auditor_blind = blind;
    // With several targets on one resolver this is the run's queries during this target's
    // audit (others' included); the combined report has the exact total.
    report.dns_queries = shared.dns_queries().saturating_sub(queries_before);
    Ok(report)
}

/// Why the auditor is blind, from the sanity query's outcome (`None`: it can see).
fn blind_reason(
    sanity: Result<Result<(), DnsError>, tokio::time::error::Elapsed>,
) -> Option<String> {
    match sanity {
        Ok(Ok(())) => None,
        Ok(Err(DnsError::Failure(server, rcode))) => Some(format!(
            "this machine cannot resolve public names: no working DNS ({server} answers {} even for the root zone) — try `--dns-server 1.1.1.1`, or check the network",
            rcode_name(rcode)
        )),
        Ok(Err(e)) => Some(format!(
            "this machine cannot resolve public names: no working DNS ({e}) — try `--dns-server 1.1.1.1`, or check the network"
        )),
        Err(_) => Some(
            "this machine cannot resolve public names: the resolver did not answer before the deadline — try `--dns-server 1.1.1.1`, or check the network"
                .to_string(),
        ),
    }
}

/// The name a DNS operator knows a response code by.
fn rcode_name(rcode: hickory_proto::op::ResponseCode) -> String {
    use hickory_proto::op::ResponseCode as R;
    match rcode {
        R::NXDomain => "NXDOMAIN".into(),
        R::ServFail => "SERVFAIL".into(),
        R::Refused => "REFUSED".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}
