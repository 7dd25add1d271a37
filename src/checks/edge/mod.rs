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
}

mod cdn_absent;
mod inventory;
mod observe;
mod ratelimit_absent;

pub use cdn_absent::CdnAbsent;
pub use inventory::Inventory;
pub use observe::{observe, recognise};
pub use ratelimit_absent::RateLimitAbsent;

impl Observed for EdgeObservation {}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<EdgeObservation>] = &[&CdnAbsent, &RateLimitAbsent];

/// The stage: the app's headers (and the login burst when asked), then every check.
pub struct Edge;

impl StageDef for Edge {
    const STAGE: Stage = Stage::Edge;
    type Observation = EdgeObservation;
    type Inventory = Inventory;

    fn checks() -> &'static [&'static dyn Check<EdgeObservation>] {
        CHECKS
    }

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<EdgeObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }

    fn inventory(obs: &EdgeObservation, _: &Context) -> Inventory {
        inventory::inventory(obs)
    }

    fn file(inventory: Inventory, into: &mut crate::report::Inventory) {
        into.edge = Some(inventory);
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
