//! The latency stage's probes: the endpoints to measure (the app, its auth page and health
//! endpoint, or those given), one timed request each, then the concurrency ladder or the
//! open-loop rate, within the request cap and the run's deadline.

use super::*;
use crate::net::http::resolve_location;
use crate::net::load::{run_level, Endpoint, DEADLINE_REASON};
use crate::web::{find_page, first_ok};
use futures_util::future::join_all;
use std::io::IsTerminal;

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> LatencyObservation {
    let plan = &ctx.load;
    let mut obs = LatencyObservation {
        app: ctx.target.url.clone(),
        ..Default::default()
    };
    let mut urls = Vec::new();
    if plan.endpoints.is_empty() {
        urls.push(ctx.target.url.clone());
        let auth_paths = ctx.target.auth_paths();
        let (auth, health) = tokio::join!(
            first_ok(ctx, &ctx.target.url, &auth_paths),
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
                obs.health = Lookup::from_answer(health);
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
