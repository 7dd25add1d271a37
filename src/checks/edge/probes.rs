//! The edge probes in front of auth: OAuth callbacks (are they served from a shared cache?),
//! a fingerprinted static asset asked twice (is the second an edge HIT?), and — only with
//! `--probe-webhooks` — one unsigned POST to each configured webhook (does it reach the app or
//! a bot challenge?).

use super::*;
use crate::net::http::{resolve_location, Client};
use hyper::HeaderMap;
use regex::Regex;
use std::sync::OnceLock;

/// What says an answer came from the edge cache: `cf-cache-status: HIT`, `x-cache: Hit…`,
/// `x-vercel-cache: HIT`, or `Age` above 0.
pub fn edge_hit(h: &HeaderMap) -> Option<String> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    for name in [
        "cf-cache-status",
        "x-cache",
        "x-vercel-cache",
        "x-nf-cache-status",
        "cdn-cache",
    ] {
        if let Some(v) = get(name) {
            if v.to_ascii_lowercase().starts_with("hit") || v.eq_ignore_ascii_case("stale") {
                return Some(format!("{name}: {v}"));
            }
        }
    }
    get("age")
        .and_then(|a| a.parse::<u64>().ok())
        .filter(|a| *a > 0)
        .map(|a| format!("age: {a}"))
}

/// Whether `Cache-Control` lets a shared cache (a CDN) store the answer.
pub fn shared_cacheable(cache_control: Option<&str>) -> bool {
    let Some(cc) = cache_control else {
        return false;
    };
    let cc = cc.to_ascii_lowercase();
    let ds: Vec<&str> = cc.split(',').map(str::trim).collect();
    if ds
        .iter()
        .any(|d| ["no-store", "private", "no-cache"].contains(d))
    {
        return false;
    }
    let positive = |p: &str| {
        ds.iter()
            .filter_map(|d| d.strip_prefix(p))
            .any(|v| v.trim_matches('"').parse::<u64>().is_ok_and(|n| n > 0))
    };
    ds.contains(&"public") || positive("s-maxage=") || positive("max-age=")
}

/// What says an answer is a bot challenge, not the app: `cf-mitigated: challenge`, or a
/// 403/429/503 whose page is a known challenge (Cloudflare, Akamai, Imperva, Sucuri, AWS WAF).
pub fn challenge(status: u16, h: &HeaderMap, body: &str) -> Option<String> {
    if let Some(v) = h.get("cf-mitigated").and_then(|v| v.to_str().ok()) {
        return Some(format!("cf-mitigated: {v}"));
    }
    if !matches!(status, 403 | 429 | 503) {
        return None;
    }
    const MARKERS: &[&str] = &[
        "challenge-platform",
        "cf-chl",
        "Just a moment...",
        "Attention Required! | Cloudflare",
        "_Incapsula_Resource",
        "sucuri_cloudproxy",
        "awswaf",
        "captcha",
    ];
    MARKERS
        .iter()
        .find(|m| body.contains(*m))
        .map(|m| format!("{status} with a challenge page ({m})"))
}

/// A fingerprinted first-party script or stylesheet of a page (`app.3f9a1c7e.js`).
pub fn fingerprinted(html: &str, base: &str, audited: &dyn Fn(&str) -> bool) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let r = RE
        .get_or_init(|| {
            Regex::new(r#"(?i)(?:src|href)\s*=\s*["']?([^"'\s>]*[.\-_][0-9a-f]{8,}[^"'\s>/]*\.(?:js|css|woff2))"#).ok()
        })
        .as_ref()?;
    r.captures_iter(html)
        .filter_map(|c| c.get(1))
        .filter_map(|m| resolve_location(base, m.as_str()))
        .find(|u| audited(u))
}

/// Each callback path that exists (any answer but 404/410), with its caching.
pub async fn callbacks(ctx: &Context, http: &Client, base: &str, obs: &mut EdgeObservation) {
    // All asked at once (at internet latency, one round trip for them all); kept in order.
    let urls: Vec<String> = ctx
        .target
        .auth_callbacks()
        .into_iter()
        .filter_map(|path| resolve_location(base, path))
        .collect();
    let answers = futures_util::future::join_all(urls.iter().map(|u| http.get(u))).await;
    for (url, answer) in urls.into_iter().zip(answers) {
        match answer {
            Ok(r) if matches!(r.status.as_u16(), 404 | 410) => {}
            Ok(r) => obs.callbacks.push(CallbackAnswer {
                url,
                status: r.status.as_u16(),
                cache_control: r
                    .headers
                    .get("cache-control")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                edge_hit: edge_hit(&r.headers),
            }),
            Err(e) => obs.callback_errors.push((url, http.reason(&e))),
        }
    }
}

/// A fingerprinted asset of the app page, asked twice: the second ask leaves as soon as the
/// first is answered. What it found, and why it could not tell when it could not.
pub async fn static_twice(
    ctx: &Context,
    http: &Client,
    page_url: &str,
    html: &str,
) -> (Lookup<StaticRepeat>, Option<String>) {
    let audited = |u: &str| ctx.target.audits(u);
    let Some(url) = fingerprinted(html, page_url, &audited) else {
        return (Lookup::Absent, None);
    };
    let first = http.get(&url).await;
    let second = match &first {
        Ok(_) => http.get(&url).await,
        Err(e) => Err(e.clone()),
    };
    match (first, second) {
        (Ok(_), Ok(r)) if r.status.is_success() => (
            Lookup::Found(StaticRepeat {
                hit: edge_hit(&r.headers),
                url,
            }),
            None,
        ),
        (Ok(_), Ok(r)) => (
            Lookup::Unknown,
            Some(format!("{url} answered {}", r.status.as_u16())),
        ),
        (Err(e), _) | (_, Err(e)) => (Lookup::Unknown, Some(format!("{url}: {}", http.reason(&e)))),
    }
}

/// One POST to each webhook: `Content-Type: application/json`, `Content-Length: 0` (an empty
/// body), no signature header, launchready's User-Agent. Nothing else is sent.
pub async fn webhooks(ctx: &Context, http: &Client, base: &str, obs: &mut EdgeObservation) {
    for path in ctx.target.webhooks() {
        let Some(url) = resolve_location(base, path) else {
            continue;
        };
        let headers = [
            ("content-type", "application/json"),
            ("content-length", "0"),
        ];
        match http.request(hyper::Method::POST, &url, &headers).await {
            Ok(r) => {
                let body = String::from_utf8_lossy(&r.body);
                obs.webhooks.push(WebhookAnswer {
                    status: r.status.as_u16(),
                    challenge: challenge(r.status.as_u16(), &r.headers, &body),
                    url,
                })
            }
            Err(e) => obs.webhook_errors.push((url, http.reason(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn reads_edge_hits_caching_and_challenges() {
        assert_eq!(
            edge_hit(&headers(&[("cf-cache-status", "HIT")])).as_deref(),
            Some("cf-cache-status: HIT")
        );
        assert!(edge_hit(&headers(&[("x-cache", "Hit from cloudfront")])).is_some());
        assert!(edge_hit(&headers(&[("x-cache", "MISS"), ("age", "0")])).is_none());
        assert_eq!(
            edge_hit(&headers(&[("age", "120")])).as_deref(),
            Some("age: 120")
        );
        assert!(shared_cacheable(Some("public, max-age=60")));
        assert!(shared_cacheable(Some("s-maxage=300")));
        assert!(!shared_cacheable(Some("private, max-age=60")));
        assert!(!shared_cacheable(Some("no-store")) && !shared_cacheable(None));
        assert!(challenge(403, &headers(&[("cf-mitigated", "challenge")]), "").is_some());
        assert!(challenge(503, &HeaderMap::new(), "<title>Just a moment...</title>").is_some());
        assert!(
            challenge(401, &HeaderMap::new(), "captcha").is_none(),
            "the app's own 401"
        );
        assert!(challenge(400, &HeaderMap::new(), "bad signature").is_none());
    }

    #[test]
    fn finds_a_fingerprinted_first_party_asset() {
        let html = r#"<script src="https://cdn.other.net/x.1234abcd9.js"></script><link href="/static/app.3f9a1c7e.css" rel=stylesheet>"#;
        let ours = |u: &str| u.starts_with("https://example.com/");
        assert_eq!(
            fingerprinted(html, "https://example.com/", &ours).as_deref(),
            Some("https://example.com/static/app.3f9a1c7e.css")
        );
        assert!(fingerprinted("<script src=/app.js>", "https://example.com/", &ours).is_none());
    }
}
