//! Look-ups that more than one stage needs: which of a few well-known paths the site answers
//! with 200 (the latency stage's endpoints, the edge stage's login burst), and which staging
//! hosts resolve (the exposure and page stages).

use crate::audit::Context;
use crate::net::http::{resolve_location, HttpError};
use futures_util::future::join_all;

/// The first of `paths` (relative to `base`) that answers 200: `Ok(None)` when they all
/// answered otherwise, `Err` when none answered at all (so nothing can be said).
pub async fn find_page(
    ctx: &Context,
    base: &str,
    paths: &[&str],
) -> Result<Option<String>, HttpError> {
    let urls: Vec<String> = paths
        .iter()
        .filter_map(|p| resolve_location(base, p))
        .collect();
    let answers = join_all(urls.iter().map(|u| ctx.http.get(u))).await;
    if let Some(Err(e)) = answers
        .first()
        .filter(|_| answers.iter().all(|a| a.is_err()))
    {
        return Err(e.clone());
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

/// The staging hosts of the target that resolve: `<label>.<domain>` for the usual labels, and
/// the configured subdomains whose first label looks like staging. Empty when a name that
/// cannot exist resolves too (a wildcard record answers for every name: nothing to say).
pub async fn live_staging_hosts(ctx: &Context) -> Vec<String> {
    use crate::target::{STAGING_LABELS, STAGING_PREFIXES};
    let domain = &ctx.target.domain;
    let mut hosts: Vec<String> = STAGING_LABELS
        .iter()
        .map(|l| format!("{l}.{domain}"))
        .collect();
    for s in &ctx.target.subdomains {
        let first = s.split('.').next().unwrap_or("");
        if STAGING_PREFIXES.iter().any(|l| first.starts_with(l)) && !hosts.contains(s) {
            hosts.push(s.clone());
        }
    }
    let canary = format!("launchready-nonexistent-{}.{domain}", std::process::id());
    let resolved = join_all(hosts.iter().chain([&canary]).map(|h| ctx.resolver.addrs(h))).await;
    let answers = |r: &Result<Vec<std::net::IpAddr>, _>| r.as_ref().is_ok_and(|a| !a.is_empty());
    if resolved.last().is_some_and(answers) {
        return Vec::new();
    }
    hosts
        .into_iter()
        .zip(&resolved)
        .filter(|(_, r)| answers(r))
        .map(|(h, _)| h)
        .collect()
}
