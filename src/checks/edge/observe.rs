//! The edge stage's probes: the app's final answer (its headers name the CDN or WAF) and,
//! only with `--probe-rate-limit`, a burst of failed logins at the first auth page.

use super::*;
use crate::net::load::Endpoint;
use hyper::HeaderMap;

/// Recognises a CDN or WAF by the headers it adds.
pub fn recognise(h: &HeaderMap) -> Option<&'static str> {
    let get = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    };
    let has = |n: &str| h.contains_key(n);
    let server = get("server");
    let via = get("via");
    let x_cache = get("x-cache");
    if has("cf-ray") || server.contains("cloudflare") {
        Some("Cloudflare")
    } else if has("x-amz-cf-id") || via.contains("cloudfront") || x_cache.contains("cloudfront") {
        Some("Amazon CloudFront")
    } else if has("x-fastly-request-id") || (has("x-served-by") && via.contains("varnish")) {
        Some("Fastly")
    } else if has("x-akamai-transformed") || has("akamai-grn") || server.contains("akamaighost") {
        Some("Akamai")
    } else if has("x-vercel-id") || server.contains("vercel") {
        Some("Vercel")
    } else if has("x-nf-request-id") || server.contains("netlify") {
        Some("Netlify")
    } else if has("x-azure-ref") || has("x-fd-healthprobe") {
        Some("Azure Front Door")
    } else if has("x-sucuri-id") {
        Some("Sucuri")
    } else if has("x-iinfo") || get("x-cdn").contains("imperva") {
        Some("Imperva")
    } else if server.contains("bunnycdn") {
        Some("Bunny CDN")
    } else if via.contains("google") {
        Some("Google Cloud CDN")
    } else {
        None
    }
}

/// What the edge probes saw; `notes` gets what the reader should know about how they ran.
pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> EdgeObservation {
    let mut obs = EdgeObservation {
        app: ctx.target.url.clone(),
        probe_requested: ctx.load.probe_rate_limit,
        probe_webhooks: ctx.load.probe_webhooks,
        ..Default::default()
    };
    let app = ctx.http.follow(&ctx.target.url, 10, &[]).await;
    match &app.last {
        Some(r) => {
            obs.cdn = Lookup::from_answer(recognise(&r.headers));
            let base = app.final_url().to_string();
            // The static asset leaves with the callbacks (it needs nothing from them), on the
            // run's lane for its chains: its second ask follows the first at once.
            let cdn = obs.cdn.found().is_some();
            let urgent = ctx.http.urgent();
            let statics = async {
                if cdn {
                    let html = String::from_utf8_lossy(&r.body).into_owned();
                    Some(super::probes::static_twice(ctx, &urgent, &base, &html).await)
                } else {
                    None
                }
            };
            let (_, statics) = tokio::join!(
                super::probes::callbacks(ctx, &ctx.http, &base, &mut obs),
                statics
            );
            if let Some((repeat, error)) = statics {
                obs.static_repeat = repeat;
                obs.static_error = error;
            }
            if ctx.load.probe_webhooks {
                super::probes::webhooks(ctx, &ctx.http, &base, &mut obs).await;
            }
        }
        None => {
            let at = app.failed_at.as_deref().unwrap_or(&app.start);
            let why = match &app.error {
                Some(e) => format!("no answer from {at}: {e}"),
                None if app.looped => "no final answer: the redirect chain loops".to_string(),
                None if app.too_long => "no final answer: too many redirects".to_string(),
                None => format!("no answer from {at}"),
            };
            notes.push(format!("{at}: no answer, CDN not checked"));
            obs.unreachable = Some(why);
        }
    }
    if ctx.load.probe_rate_limit && obs.unreachable.is_none() {
        let auth = crate::web::first_ok(ctx, &ctx.target.url, &ctx.target.auth_paths()).await;
        match auth.as_deref().and_then(Endpoint::parse) {
            Some(ep) => {
                let body = "email=launchready-probe%40example.invalid&password=not-the-password";
                let statuses = ctx
                    .dialer
                    .burst(
                        &ep,
                        hyper::Method::POST,
                        body,
                        BURST,
                        BURST_OVER,
                        &ctx.budget,
                    )
                    .await;
                obs.burst = Some((ep.url.clone(), statuses));
            }
            None => notes
                .push("no auth page (/login, /signin, /account) to probe for a rate limit".into()),
        }
        let body = "email=launchready-probe%40example.invalid&password=not-the-password";
        for path in &ctx.target.rate_limit_paths {
            let url = crate::net::http::resolve_location(&ctx.target.url, path);
            let Some(ep) = url.as_deref().and_then(Endpoint::parse) else {
                continue;
            };
            let statuses = ctx
                .dialer
                .burst(
                    &ep,
                    hyper::Method::POST,
                    body,
                    BURST,
                    BURST_OVER,
                    &ctx.budget,
                )
                .await;
            obs.bursts.push((ep.url.clone(), statuses));
        }
    }
    obs
}
