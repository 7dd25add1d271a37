//! The `edge` stage: is a CDN or WAF in front of the app (recognised by its response headers),
//! and — only with `--probe-rate-limit` — does a burst of failed logins ever meet a 429.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::load::{Endpoint, ErrorKind};
use hyper::HeaderMap;
use serde_json::json;
use std::time::Duration;

/// The burst: this many failed logins over this long.
pub const BURST: usize = 30;
pub const BURST_OVER: Duration = Duration::from_secs(3);

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

#[derive(Debug, Default)]
pub struct EdgeObservation {
    pub app: String,
    /// `Some(None)`: the app answered and no CDN was recognised.
    pub cdn: Option<Option<&'static str>>,
    /// The login burst: (endpoint, statuses seen), when probed.
    pub burst: Option<(String, Vec<Result<u16, ErrorKind>>)>,
    /// Why the app could not be looked at (no answer at all), when it could not.
    pub unreachable: Option<String>,
    /// Whether `--probe-rate-limit` asked for the login burst.
    pub probe_requested: bool,
}

pub struct CdnAbsent;
static CDN_ABSENT: CheckDoc = CheckDoc {
    id: "edge.cdn.absent",
    stage: Stage::Edge,
    severity: Severity::Low,
    impact: Impact::Downtime,
    title: "No CDN or WAF in front of the app",
    catches: "The app's responses carry none of the headers of the common CDNs and WAFs (Cloudflare, CloudFront, Fastly, Akamai, Vercel, Netlify, Azure Front Door, Sucuri, Imperva, Bunny, Google Cloud CDN).",
    why: "The launch spike, a bot wave or a small DDoS all land directly on your origin; a CDN absorbs static traffic, terminates TLS close to users and gives you a place to block abuse in minutes.",
    fix: "Put the site behind a CDN (most have a free tier) with static assets cached at the edge, and lock the origin so it only accepts the CDN's traffic.",
    refs: &["https://developer.mozilla.org/en-US/docs/Glossary/CDN", "https://owasp.org/www-community/Web_Application_Firewall"],
};
impl Check<EdgeObservation> for CdnAbsent {
    fn doc(&self) -> &'static CheckDoc {
        &CDN_ABSENT
    }
    fn evaluate(&self, o: &EdgeObservation, out: &mut Outcomes) {
        match (&o.cdn, &o.unreachable) {
            (Some(None), _) => out.push(
                self.doc()
                    .finding(&o.app, "no CDN or WAF header in the response"),
            ),
            (Some(Some(_)), _) => {}
            (None, why) => out.unseen(
                self.doc(),
                &o.app,
                why.clone()
                    .unwrap_or_else(|| "no answer from the app".into()),
            ),
        }
    }
}

pub struct RateLimitAbsent;
static RATELIMIT_ABSENT: CheckDoc = CheckDoc {
    id: "edge.ratelimit.absent",
    stage: Stage::Edge,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "No rate limit on login",
    catches: "With --probe-rate-limit: 30 failed logins in 3 seconds against the auth endpoint never get a 429.",
    why: "Credential stuffing and password guessing run at thousands of attempts a minute; without a limit, every weak password among your first users is an account takeover, and the login endpoint is a cheap way to load your database.",
    fix: "Rate-limit login, signup and password-reset per IP and per account (e.g. 5 per minute with backoff) at the CDN/WAF or in the app, answering 429 with Retry-After.",
    refs: &["RFC 6585 §4 (429)", "OWASP Authentication Cheat Sheet (login throttling)"],
};
impl Check<EdgeObservation> for RateLimitAbsent {
    fn doc(&self) -> &'static CheckDoc {
        &RATELIMIT_ABSENT
    }
    fn evaluate(&self, o: &EdgeObservation, out: &mut Outcomes) {
        if !o.probe_requested {
            return;
        }
        let Some((url, statuses)) = &o.burst else {
            let why = match &o.unreachable {
                Some(why) => why.clone(),
                None => "no auth page (/login, /signin, /account) to send the burst to".into(),
            };
            out.unseen(self.doc(), &o.app, why);
            return;
        };
        {
            let answered = statuses.iter().filter(|s| s.is_ok()).count();
            let limited = statuses.iter().any(|s| matches!(s, Ok(429)));
            if answered == 0 && !limited {
                let why = if statuses.is_empty() {
                    "no login attempt could be sent (the --max-requests cap, or this machine could not open a connection)".to_string()
                } else {
                    format!(
                        "cannot connect: none of {} login attempts got an answer",
                        statuses.len()
                    )
                };
                out.unseen(self.doc(), url, why);
            } else if answered > 0 && !limited {
                out.push(self.doc().finding(
                    url,
                    format!(
                        "{} login attempts in {} s, {answered} answered, none with 429",
                        statuses.len(),
                        BURST_OVER.as_secs()
                    ),
                ));
            }
        }
    }
}

impl Observed for EdgeObservation {}

pub static CHECKS: &[&dyn Check<EdgeObservation>] = &[&CdnAbsent, &RateLimitAbsent];

pub async fn run(ctx: &Context) -> Result<StageOutput, String> {
    let mut notes = Vec::new();
    let mut obs = EdgeObservation {
        app: ctx.target.url.clone(),
        probe_requested: ctx.load.probe_rate_limit,
        ..Default::default()
    };
    let app = ctx.http.follow(&ctx.target.url, 10, &[]).await;
    match &app.last {
        Some(r) => obs.cdn = Some(recognise(&r.headers)),
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
        let auth = super::latency::first_ok(ctx, &ctx.target.url, super::headers::AUTH_PATHS).await;
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
    }
    let outcomes = evaluate_all(CHECKS, &obs);
    let inventory = json!({
        "cdn": obs.cdn.flatten(),
        "rate_limit_probe": obs.burst.as_ref().map(|(url, s)| json!({
            "url": url,
            "attempts": s.len(),
            "status_429": s.iter().filter(|x| matches!(x, Ok(429))).count(),
        })),
    });
    Ok(StageOutput::new(outcomes, inventory, notes))
}
