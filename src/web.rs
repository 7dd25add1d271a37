//! Page look-ups that more than one stage needs (the latency stage's endpoints, the edge
//! stage's login burst): which of a few well-known paths the site answers with 200.

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
