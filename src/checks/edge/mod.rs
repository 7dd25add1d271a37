//! The `edge` stage: is a CDN or WAF in front of the app (recognised by its response headers),
//! and — only with `--probe-rate-limit` — does a burst of failed logins ever meet a 429.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Lookup, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::net::load::ErrorKind;
use crate::stage::{StageDef, StageError};
use std::time::Duration;

/// The burst: this many failed logins over this long.
pub const BURST: usize = 30;
pub const BURST_OVER: Duration = Duration::from_secs(3);

#[derive(Debug, Default)]
pub struct EdgeObservation {
    pub app: String,
    /// `Absent`: the app answered and no CDN was recognised.
    pub cdn: Lookup<&'static str>,
    /// The login burst: (endpoint, statuses seen), when probed.
    pub burst: Option<(String, Vec<Result<u16, ErrorKind>>)>,
    /// Why the app could not be looked at (no answer at all), when it could not.
    pub unreachable: Option<String>,
    /// Whether `--probe-rate-limit` asked for the login burst.
    pub probe_requested: bool,
    /// The bursts at the config's `rate_limit_paths` (signup, password reset), when probed.
    pub bursts: Vec<(String, Vec<Result<u16, ErrorKind>>)>,
    /// The OAuth callbacks that exist, with their caching.
    pub callbacks: Vec<CallbackAnswer>,
    /// Callback URLs that could not be asked: (url, why).
    pub callback_errors: Vec<(String, String)>,
    /// A fingerprinted static asset asked twice; `Absent`: the page names none.
    pub static_repeat: Lookup<StaticRepeat>,
    pub static_error: Option<String>,
    /// Whether `--probe-webhooks` asked for the webhook POSTs.
    pub probe_webhooks: bool,
    pub webhooks: Vec<WebhookAnswer>,
    pub webhook_errors: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAnswer {
    pub url: String,
    pub status: u16,
    pub cache_control: Option<String>,
    /// The header that says the edge cache answered, if one does.
    pub edge_hit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticRepeat {
    pub url: String,
    /// The second answer's edge-cache header, when it was a HIT.
    pub hit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAnswer {
    pub url: String,
    pub status: u16,
    /// What marks the answer as a bot challenge, if it is one.
    pub challenge: Option<String>,
}

mod cache_miss;
mod callback_cached;
mod cdn_absent;
mod inventory;
mod observe;
pub mod probes;
mod ratelimit_absent;
mod webhook_challenged;

pub use cache_miss::CacheMiss;
pub use callback_cached::CallbackCached;
pub use cdn_absent::CdnAbsent;
pub use inventory::Inventory;
pub use observe::{observe, recognise};
pub use ratelimit_absent::RateLimitAbsent;
pub use webhook_challenged::WebhookChallenged;

impl Observed for EdgeObservation {}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<EdgeObservation>] = &[
    &CdnAbsent,
    &RateLimitAbsent,
    &CallbackCached,
    &CacheMiss,
    &WebhookChallenged,
];

/// The stage: the app's headers (and the login burst when asked), then every check.
pub struct Edge;

impl StageDef for Edge {
    crate::stage_header!(Edge, EdgeObservation, Inventory => edge);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<EdgeObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }
}

/// Hand-built observations for the checks' unit tests: an app behind a CDN whose login
/// burst met a 429, to break one way at a time, and the stage's evaluation over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub const APP: &str = "https://example.com/";
    pub const LOGIN: &str = "https://example.com/login";

    pub fn healthy() -> EdgeObservation {
        let mut statuses = vec![Ok(401); 10];
        statuses.extend(vec![Ok(429); BURST - 10]);
        EdgeObservation {
            app: APP.into(),
            cdn: Lookup::Found("Cloudflare"),
            burst: Some((LOGIN.into(), statuses)),
            unreachable: None,
            probe_requested: true,
            bursts: vec![(
                "https://example.com/signup".into(),
                vec![Ok(200), Ok(429), Ok(429)],
            )],
            callbacks: vec![CallbackAnswer {
                url: "https://example.com/auth/callback".into(),
                status: 302,
                cache_control: Some("no-store".into()),
                edge_hit: None,
            }],
            callback_errors: vec![],
            static_repeat: Lookup::Found(StaticRepeat {
                url: "https://example.com/static/app.3f9a1c7e.js".into(),
                hit: Some("cf-cache-status: HIT".into()),
            }),
            static_error: None,
            probe_webhooks: true,
            webhooks: vec![WebhookAnswer {
                url: "https://example.com/api/webhooks/stripe".into(),
                status: 400,
                challenge: None,
            }],
            webhook_errors: vec![],
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn recognises_cdns_by_their_headers() {
        let mut h = hyper::HeaderMap::new();
        assert_eq!(recognise(&h), None);
        h.insert("cf-ray", "8a1b2c3d4e5f-CDG".parse().expect("header"));
        assert_eq!(recognise(&h), Some("Cloudflare"));
        let mut h = hyper::HeaderMap::new();
        h.insert(
            "via",
            "1.1 abc.cloudfront.net (CloudFront)"
                .parse()
                .expect("header"),
        );
        assert_eq!(recognise(&h), Some("Amazon CloudFront"));
    }
}
