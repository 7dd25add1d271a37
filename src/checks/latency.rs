//! The `latency` stage: p95 under concurrency, measured right. Endpoints come from
//! `--endpoint`/the config, or default to the app URL, the auth page and the health endpoint.
//! Every level is a distribution (p50/p95/p99/max and errors by kind), never an average.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::http::resolve_location;
use crate::net::load::{run_level, Endpoint, LevelResult, Mode, Phases, DEADLINE_REASON};
use futures_util::future::join_all;
use serde_json::json;
use std::io::IsTerminal;

/// Health endpoints uptime monitors expect.
pub const HEALTH_PATHS: &[&str] = &["/health", "/healthz", "/api/health", "/status"];
/// Default budgets (SPEC §3): pages and cached reads, API routes.
pub const PAGE_BUDGET_MS: u64 = 500;
pub const API_BUDGET_MS: u64 = 800;
/// Errors above this share of a level's requests are a finding.
pub const ERROR_RATE: f64 = 0.01;
/// Collapse: p95 at the top level over this many times p95 at the first, and over the floor
/// (so that sub-millisecond loopback jitter never counts as a collapse).
pub const COLLAPSE_FACTOR: f64 = 5.0;
pub const COLLAPSE_FLOOR_MS: f64 = 250.0;

/// What the user asked the load probe to do.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Paths (or full URLs on the target) to measure; empty = the defaults.
    pub endpoints: Vec<String>,
    pub concurrency: Vec<u32>,
    pub requests: u64,
    pub rate: Option<f64>,
    pub max_requests: u64,
    pub probe_rate_limit: bool,
    /// (glob, p95 budget in ms), first match wins.
    pub budgets: Vec<(String, u64)>,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan {
            endpoints: Vec::new(),
            concurrency: vec![1, 10, 50],
            requests: 50,
            rate: None,
            max_requests: 1000,
            probe_rate_limit: false,
            budgets: Vec::new(),
        }
    }
}

/// `*` matches any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl LoadPlan {
    /// The p95 budget of a path: the config's globs, else API routes 800 ms, pages 500 ms.
    pub fn budget_ms(&self, path: &str) -> u64 {
        let path = path.split('?').next().unwrap_or(path);
        self.budgets
            .iter()
            .find(|(g, _)| glob_match(g, path))
            .map(|(_, b)| *b)
            .unwrap_or(if path.starts_with("/api/") || path == "/api" {
                API_BUDGET_MS
            } else {
                PAGE_BUDGET_MS
            })
    }
}

#[derive(Debug, Default)]
pub struct LatencyObservation {
    pub levels: Vec<LevelResult>,
    /// (endpoint path, budget) for each level's endpoint.
    pub budgets: Vec<(String, u64)>,
    /// The health endpoint found, if any (None when endpoints were given explicitly: unknown).
    pub health: Option<Option<String>>,
    pub app: String,
    pub phases: Option<(String, Phases)>,
    /// Levels planned and never run: (endpoint, level label, why) — the run's deadline, the
    /// `--max-requests` cap, or an endpoint that did not answer its first request.
    pub unmeasured: Vec<(String, String, String)>,
    /// Why nothing at all could be measured (the site did not answer a single request).
    pub blind: Option<(String, String)>,
    /// Closed-loop levels per endpoint in the plan (collapse compares the first and the last).
    pub ladder: usize,
}

impl LatencyObservation {
    fn budget(&self, endpoint: &str) -> u64 {
        self.budgets
            .iter()
            .find(|(e, _)| e == endpoint)
            .map(|(_, b)| *b)
            .unwrap_or(PAGE_BUDGET_MS)
    }
}

fn level_label(l: &LevelResult) -> String {
    match l.rate {
        Some(r) => format!("{} @{r} req/s", l.endpoint),
        None => format!("{} @c={}", l.endpoint, l.concurrency),
    }
}

fn mode_label(endpoint: &str, mode: &Mode) -> String {
    match mode {
        Mode::Open { rate, .. } => format!("{endpoint} @{rate} req/s"),
        Mode::Closed { concurrency } => format!("{endpoint} @c={concurrency}"),
    }
}

impl LatencyObservation {
    /// The levels whose numbers are not the measurement asked for, and the planned levels
    /// never run: (endpoint, label, why). A per-level check that found nothing there is not
    /// checked, never passed.
    fn incomplete(&self) -> Vec<(&str, String, &str)> {
        let cut = self.levels.iter().filter_map(|l| {
            let why = match (&l.cut, l.requests) {
                (Some(why), _) => why.as_str(),
                (None, 0) => l.stopped.as_deref().unwrap_or("no request completed"),
                (None, _) => return None,
            };
            Some((l.endpoint.as_str(), level_label(l), why))
        });
        let never = self
            .unmeasured
            .iter()
            .map(|(e, label, why)| (e.as_str(), label.clone(), why.as_str()));
        cut.chain(never).collect()
    }

    /// Records `doc` as not checked on every incomplete level it found nothing on.
    fn unseen_levels(&self, doc: &'static CheckDoc, found: &[String], out: &mut Outcomes) {
        for (_, label, why) in self.incomplete() {
            if !found.contains(&label) {
                out.unseen(doc, label, why);
            }
        }
    }
}

pub struct OverBudget;
static OVER_BUDGET: CheckDoc = CheckDoc {
    id: "latency.p95.over-budget",
    stage: Stage::Latency,
    severity: Severity::High,
    impact: Impact::Performance,
    title: "p95 latency over budget",
    catches: "At some concurrency level, an endpoint's 95th-percentile latency exceeds its budget: 500 ms for pages and cached reads, 800 ms for API routes, 1000 ms for authenticated database actions (set per endpoint in the config).",
    why: "One visitor in twenty waits longer than the budget — and on launch day that is hundreds of people, the ones most likely to leave before signing up. Averages hide it; the p95 doesn't.",
    fix: "Profile the slow endpoint under the same concurrency (database queries without indexes, N+1 queries, cold caches, synchronous third-party calls). Cache what can be cached and move slow work off the request path.",
    refs: &["https://web.dev/articles/ttfb", "https://sre.google/sre-book/monitoring-distributed-systems/ (latency percentiles)"],
};
impl Check<LatencyObservation> for OverBudget {
    fn doc(&self) -> &'static CheckDoc {
        &OVER_BUDGET
    }
    fn evaluate(&self, o: &LatencyObservation, out: &mut Outcomes) {
        let mut found = Vec::new();
        for l in o.levels.iter().filter(|l| l.requests > 0) {
            let budget = o.budget(&l.endpoint);
            if l.p95_ms > budget as f64 {
                found.push(level_label(l));
                out.push(self.doc().finding(
                    level_label(l),
                    format!(
                        "p95 {:.0} ms > budget {budget} ms (p50 {:.0}, p99 {:.0}, max {:.0} ms over {} requests)",
                        l.p95_ms, l.p50_ms, l.p99_ms, l.max_ms, l.requests
                    ),
                ));
            }
        }
        o.unseen_levels(self.doc(), &found, out);
    }
}

pub struct Errors;
static ERRORS: CheckDoc = CheckDoc {
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
impl Check<LatencyObservation> for Errors {
    fn doc(&self) -> &'static CheckDoc {
        &ERRORS
    }
    fn evaluate(&self, o: &LatencyObservation, out: &mut Outcomes) {
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
                out.push(self.doc().finding(
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
        o.unseen_levels(self.doc(), &found, out);
    }
}

pub struct Collapse;
static COLLAPSE: CheckDoc = CheckDoc {
    id: "latency.collapse",
    stage: Stage::Latency,
    severity: Severity::High,
    impact: Impact::Performance,
    title: "Latency collapses under concurrency",
    catches: "An endpoint's p95 at the highest concurrency level is more than 5× its p95 at the lowest (and over 250 ms, half the page budget, so that loopback and CI jitter on sub-millisecond answers never counts).",
    why: "The app serializes requests somewhere — one worker, one database connection, a global lock — so every extra visitor waits for all the others. It works in the demo and falls over when the launch post lands.",
    fix: "Find the serialization point: worker/thread count, database pool size, a lock or a single-threaded dependency. Raise the limit or scale out, then re-run the ladder.",
    refs: &["https://en.wikipedia.org/wiki/Little%27s_law", "https://sre.google/sre-book/handling-overload/"],
};
impl Check<LatencyObservation> for Collapse {
    fn doc(&self) -> &'static CheckDoc {
        &COLLAPSE
    }
    fn evaluate(&self, o: &LatencyObservation, out: &mut Outcomes) {
        let mut endpoints: Vec<&str> = o.levels.iter().map(|l| l.endpoint.as_str()).collect();
        endpoints.dedup();
        let mut found: Vec<String> = Vec::new();
        for e in endpoints {
            let levels: Vec<&LevelResult> = o
                .levels
                .iter()
                .filter(|l| l.endpoint == e && l.rate.is_none() && l.requests > 0)
                .collect();
            let (Some(first), Some(top)) = (levels.first(), levels.last()) else {
                continue;
            };
            if levels.len() < 2 || first.p95_ms <= 0.0 {
                continue;
            }
            if top.p95_ms > COLLAPSE_FACTOR * first.p95_ms && top.p95_ms > COLLAPSE_FLOOR_MS {
                found.push(e.to_string());
                out.push(self.doc().finding(
                    e,
                    format!(
                        "p95 {:.0} ms at c={} vs {:.1} ms at c={} ({:.0}×)",
                        top.p95_ms,
                        top.concurrency,
                        first.p95_ms,
                        first.concurrency,
                        top.p95_ms / first.p95_ms
                    ),
                ));
            }
        }
        // A ladder with a level missing or cut compares the wrong levels: not checked.
        // The subject is the endpoint's highest incomplete level (the one collapse looks at).
        if o.ladder >= 2 {
            let mut last: Vec<(&str, String, &str)> = Vec::new();
            for (e, label, why) in o.incomplete() {
                if found.iter().any(|f| f == e) || label.ends_with("req/s") {
                    continue;
                }
                match last.iter_mut().find(|(x, _, _)| *x == e) {
                    Some(entry) => *entry = (e, label, why),
                    None => last.push((e, label, why)),
                }
            }
            for (_, label, why) in last {
                out.unseen(self.doc(), label, why);
            }
        }
    }
}

pub struct HealthMissing;
static HEALTH_MISSING: CheckDoc = CheckDoc {
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
impl Check<LatencyObservation> for HealthMissing {
    fn doc(&self) -> &'static CheckDoc {
        &HEALTH_MISSING
    }
    fn evaluate(&self, o: &LatencyObservation, out: &mut Outcomes) {
        if let Some(None) = &o.health {
            out.push(self.doc().finding(
                &o.app,
                format!("none of {} answered 200", HEALTH_PATHS.join(", ")),
            ));
        }
    }
}

impl Observed for LatencyObservation {
    fn blind(&self) -> Option<(String, String)> {
        self.blind.clone()
    }
}

pub static CHECKS: &[&dyn Check<LatencyObservation>] =
    &[&OverBudget, &Errors, &Collapse, &HealthMissing];

/// The first of `paths` (relative to `base`) that answers 200: `Ok(None)` when they all
/// answered otherwise, `Err` when none answered at all (so nothing can be said).
pub async fn find_page(
    ctx: &Context,
    base: &str,
    paths: &[&str],
) -> Result<Option<String>, String> {
    let urls: Vec<String> = paths
        .iter()
        .filter_map(|p| resolve_location(base, p))
        .collect();
    let answers = join_all(urls.iter().map(|u| ctx.http.get(u))).await;
    if let Some(Err(e)) = answers
        .first()
        .filter(|_| answers.iter().all(|a| a.is_err()))
    {
        return Err(e.to_string());
    }
    Ok(urls
        .into_iter()
        .zip(answers)
        .find(|(_, r)| r.as_ref().is_ok_and(|r| r.status.as_u16() == 200))
        .map(|(u, _)| u))
}

/// The first of `paths` that answers 200, if any.
pub async fn first_ok(ctx: &Context, base: &str, paths: &[&str]) -> Option<String> {
    find_page(ctx, base, paths).await.ok().flatten()
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> LatencyObservation {
    let plan = &ctx.load;
    let mut obs = LatencyObservation {
        app: ctx.target.url.clone(),
        ..Default::default()
    };
    let mut urls = Vec::new();
    if plan.endpoints.is_empty() {
        urls.push(ctx.target.url.clone());
        let (auth, health) = tokio::join!(
            first_ok(ctx, &ctx.target.url, super::headers::AUTH_PATHS),
            find_page(ctx, &ctx.target.url, HEALTH_PATHS)
        );
        if let Some(auth) = auth {
            urls.push(auth);
        }
        match health {
            Ok(health) => {
                if let Some(h) = &health {
                    urls.push(h.clone());
                }
                obs.health = Some(health);
            }
            // Not one of the health paths got an HTTP answer: the site does not answer, and
            // probing it again would only cost another timeout.
            Err(e) => {
                notes.push(format!("{}: {e}; not load-tested", ctx.target.url));
                obs.blind = Some((ctx.target.url.clone(), format!("no answer: {e}")));
                return obs;
            }
        }
    } else {
        for e in &plan.endpoints {
            match resolve_location(&ctx.target.url, e) {
                Some(u) => urls.push(u),
                None => notes.push(format!("--endpoint {e}: not a path on the target")),
            }
        }
    }
    // The same endpoint named twice (flag and config, scenario and flag) is measured once.
    let mut unique = Vec::new();
    for u in urls {
        if !unique.contains(&u) {
            unique.push(u);
        }
    }
    let urls = unique;
    // Only the target is ever probed: endpoints on another host are refused.
    let target_host = Endpoint::parse(&ctx.target.url).map(|e| e.host);
    let endpoints: Vec<Endpoint> = urls
        .iter()
        .filter_map(|u| Endpoint::parse(u))
        .filter(|e| {
            let ok = Some(&e.host) == target_host.as_ref();
            if !ok {
                notes.push(format!("{}: not on the target's host, not probed", e.url));
            }
            ok
        })
        .collect();
    // One timed request per endpoint first: an endpoint that does not answer it is reported,
    // not load-tested (a hanging server would otherwise cost a timeout per request).
    let modes: Vec<Mode> = match plan.rate {
        Some(rate) => vec![Mode::Open {
            rate,
            workers: plan.concurrency.iter().copied().max().unwrap_or(10),
        }],
        None => plan
            .concurrency
            .iter()
            .map(|c| Mode::Closed { concurrency: *c })
            .collect(),
    };
    obs.ladder = if plan.rate.is_some() { 0 } else { modes.len() };
    let first = join_all(endpoints.iter().map(|e| ctx.dialer.phases(e, &ctx.budget))).await;
    let mut endpoints_ok = Vec::new();
    let mut failures = Vec::new();
    for (ep, phases) in endpoints.into_iter().zip(first) {
        match phases {
            Ok(p) => {
                if obs.phases.is_none() {
                    obs.phases = Some((ep.url.clone(), p));
                }
                endpoints_ok.push(ep);
            }
            Err(e) => {
                notes.push(format!("{}: {e}; not load-tested", ep.url));
                for mode in &modes {
                    obs.unmeasured.push((
                        ep.url.clone(),
                        mode_label(&ep.url, mode),
                        format!("no answer to the first request: {e}"),
                    ));
                }
                failures.push(e);
            }
        }
    }
    if endpoints_ok.is_empty() {
        let why = failures
            .first()
            .map(|e| format!("no answer to the first request: {e}"))
            .unwrap_or_else(|| "no endpoint on the target to measure".to_string());
        obs.blind = Some((ctx.target.url.clone(), why));
    }
    let endpoints = endpoints_ok;
    let planned = endpoints.len() as u64
        * plan.requests
        * if plan.rate.is_some() {
            1
        } else {
            plan.concurrency.len() as u64
        };
    let bar = (std::io::stderr().is_terminal() && crate::log::enabled(1)).then(|| {
        let pb = indicatif::ProgressBar::new(planned);
        pb.set_style(
            indicatif::ProgressStyle::with_template("latency {bar:30} {pos}/{len} requests {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    let deadline = ctx.deadline - std::time::Duration::from_millis(500);
    for ep in &endpoints {
        obs.budgets.push((ep.url.clone(), plan.budget_ms(&ep.path)));
        for mode in modes.iter().copied() {
            let never = if ctx.budget.exhausted() {
                Some(format!(
                    "not run: stopped at the --max-requests cap ({})",
                    ctx.budget.cap
                ))
            } else if tokio::time::Instant::now() >= deadline {
                Some(format!("not run: {DEADLINE_REASON}"))
            } else {
                None
            };
            if let Some(why) = never {
                obs.unmeasured
                    .push((ep.url.clone(), mode_label(&ep.url, &mode), why));
                continue;
            }
            if let Some(pb) = &bar {
                pb.set_message(ep.path.clone());
            }
            let r = run_level(
                &ctx.dialer,
                ep,
                mode,
                plan.requests,
                &ctx.budget,
                deadline,
                bar.as_ref(),
            )
            .await;
            if let Some(why) = &r.stopped {
                notes.push(format!("{}: {why}", level_label(&r)));
            }
            if let Some((ran, why)) = &r.backed_off {
                notes.push(format!(
                    "{}: this machine could open only {ran} of {} connections ({why}); concurrency backed off to {ran}",
                    level_label(&r),
                    r.concurrency
                ));
            }
            obs.levels.push(r);
        }
    }
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let never: Vec<String> = obs
        .unmeasured
        .iter()
        .filter(|(_, _, why)| why.starts_with("not run"))
        .map(|(_, label, _)| label.clone())
        .collect();
    if !never.is_empty() {
        notes.push(format!(
            "not measured: {} ({})",
            never.join(", "),
            obs.unmeasured
                .iter()
                .find(|(_, _, w)| w.starts_with("not run"))
                .map(|(_, _, w)| w.trim_start_matches("not run: "))
                .unwrap_or_default()
        ));
    }
    obs
}

pub async fn run(ctx: &Context) -> Result<StageOutput, String> {
    let mut notes = Vec::new();
    let obs = observe(ctx, &mut notes).await;
    let outcomes = evaluate_all(CHECKS, &obs);
    let levels: Vec<serde_json::Value> = obs
        .levels
        .iter()
        .map(|l| {
            let mut v = json!({
                "endpoint": l.endpoint,
                "concurrency": l.concurrency,
                "requests": l.requests,
                "errors": l.errors,
                "p50_ms": round(l.p50_ms),
                "p95_ms": round(l.p95_ms),
                "p99_ms": round(l.p99_ms),
                "max_ms": round(l.max_ms),
                "errors_by_kind": l.errors_by_kind,
                "budget_ms": obs.budget(&l.endpoint),
            });
            if let Some(r) = l.rate {
                v["rate"] = json!(r);
            }
            if let Some(s) = &l.stopped {
                v["stopped"] = json!(s);
            }
            if let Some((ran, _)) = &l.backed_off {
                v["backed_off_to"] = json!(ran);
            }
            v
        })
        .collect();
    let phases = obs.phases.as_ref().map(|(url, p)| {
        json!({
            "url": url,
            "dns_ms": round(p.dns.as_secs_f64() * 1000.0),
            "connect_ms": round(p.connect.as_secs_f64() * 1000.0),
            "tls_ms": p.tls.map(|t| round(t.as_secs_f64() * 1000.0)),
            "ttfb_ms": round(p.ttfb.as_secs_f64() * 1000.0),
            "total_ms": round(p.total.as_secs_f64() * 1000.0),
            "status": p.status,
        })
    });
    Ok(StageOutput::new(
        outcomes,
        json!({ "levels": levels, "first_request": phases, "requests_used": ctx.budget.used() }),
        notes,
    ))
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_follow_globs_then_defaults() {
        let plan = LoadPlan {
            budgets: vec![("/api/reports/*".into(), 1000), ("/search".into(), 300)],
            ..Default::default()
        };
        assert_eq!(plan.budget_ms("/api/reports/42?x=1"), 1000);
        assert_eq!(plan.budget_ms("/api/users"), API_BUDGET_MS);
        assert_eq!(plan.budget_ms("/search"), 300);
        assert_eq!(plan.budget_ms("/"), PAGE_BUDGET_MS);
        assert!(glob_match("/a/*/c", "/a/b/c") && !glob_match("/a/*/c", "/a/b/d"));
        assert!(glob_match("*", "/anything"));
    }
}
