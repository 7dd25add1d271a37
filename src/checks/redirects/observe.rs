//! The redirect probes: four chains followed by hand, hop by hop, on the audited hosts.

use super::*;
use futures_util::future::join_all;

/// A www chain that fails only because www does not exist is the dns stage's finding.
fn www_exists(c: &Chain) -> bool {
    !matches!(&c.error, Some(HttpError::Resolve(_)))
}

pub async fn observe(ctx: &Context) -> RedirectObservation {
    let domain = ctx.target.domain.clone();
    let www = format!("www.{domain}");
    let starts = [
        format!("http://{domain}{PROBE_PATH}"),
        format!("http://{www}{PROBE_PATH}"),
        format!("https://{domain}{PROBE_PATH}"),
        format!("https://{www}{PROBE_PATH}"),
    ];
    let audited = |u: &str| ctx.target.audits(u);
    let mut chains = join_all(
        starts
            .iter()
            .map(|u| ctx.http.follow_within(u, MAX_HOPS, &[], &audited, &domain)),
    )
    .await;
    let https_www = chains.pop().filter(www_exists);
    let https_apex = chains.pop().unwrap_or_else(|| empty_chain(&starts[2]));
    let http_www = chains.pop().filter(www_exists);
    let http_apex = chains.pop().unwrap_or_else(|| empty_chain(&starts[0]));
    let from_here = match &https_apex.error {
        Some(e) if https_apex.hops.is_empty() => ctx.http.blind_from_here(e).await,
        _ => None,
    };
    RedirectObservation {
        domain,
        http_apex,
        http_www,
        https_apex,
        https_www,
        from_here,
    }
}

fn empty_chain(url: &str) -> Chain {
    Chain {
        start: url.to_string(),
        hops: vec![],
        last: None,
        error: None,
        failed_at: None,
        looped: false,
        too_long: false,
        off_site: None,
    }
}
