//! The page stage's staging probe: staging hosts that answer publicly, and whether they tell
//! search engines not to index them. Asked beside the pages, each host at once.

use super::observe::robots;
use super::*;
use futures_util::future::join_all;

/// Staging hosts that resolve and answer 2xx without authentication, with what keeps them out
/// of search engines. A wildcard record (a name that cannot exist resolves too) answers for
/// every name: nothing is said then (the exposure stage does the same).
pub(super) async fn staging(ctx: &Context) -> Vec<StagingAnswer> {
    let domain = &ctx.target.domain;
    let live = crate::web::live_staging_hosts(ctx).await;
    let audited = |u: &str| ctx.target.audits(u);
    let answers = join_all(live.iter().map(|h| async move {
        let url = format!("https://{h}/");
        let (chain, http, _) = ctx
            .http
            .follow_app(&ctx.roots, &url, &audited, domain)
            .await;
        let r = chain.last.as_ref()?;
        let auth =
            matches!(r.status.as_u16(), 401 | 403) || r.headers.contains_key("www-authenticate");
        if !r.status.is_success() || auth {
            return None;
        }
        let tagged = r
            .headers
            .get_all("x-robots-tag")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(html::noindex);
        let noindex = if tagged {
            Some("X-Robots-Tag")
        } else if html::meta_noindex(&String::from_utf8_lossy(&r.body)) {
            Some("meta robots")
        } else {
            let origin =
                html::origin_of(chain.final_url()).unwrap_or_else(|| format!("https://{h}"));
            match robots(&http, &origin).await {
                Ok(Some(rb)) if rb.blocks_all => Some("robots.txt"),
                _ => None,
            }
        };
        Some(StagingAnswer {
            url,
            status: r.status.as_u16(),
            noindex,
        })
    }))
    .await;
    answers.into_iter().flatten().collect()
}
