//! The `headers` stage: security headers, cookies, CORS, caching and mixed content on the app
//! URL and on the auth pages (whichever of /login, /signin, /account answer 200). Where
//! Mozilla's HTTP Observatory scores the same header, the check's doc says how our verdict
//! relates to its test.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::stage::{StageDef, StageError};
use hyper::HeaderMap;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Auth pages looked for when the config names none.
pub use crate::target::DEFAULT_AUTH_PATHS as AUTH_PATHS;
/// The foreign origin of the CORS probe (`.invalid` never resolves: RFC 2606).
pub const PROBE_ORIGIN: &str = "https://launchready-cors-probe.invalid";
/// Fingerprinted assets should be cached at least this long (30 days).
pub const LONG_MAX_AGE: u64 = 30 * 24 * 3600;
/// At most this many assets are fetched per page.
pub const MAX_ASSETS: usize = 10;

/// One page fetched: the app page or an auth page.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub auth: bool,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// The CORS probe's answer (None when the probe failed).
    pub cors: Option<Cors>,
}

/// What a page answered when asked from [`PROBE_ORIGIN`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// Access-Control-Allow-Origin.
    pub allow_origin: Option<String>,
    /// Access-Control-Allow-Credentials.
    pub allow_credentials: Option<String>,
}

impl Cors {
    /// The answer allows `origin` to read with the user's cookies.
    pub fn allows_with_credentials(&self, origin: &str) -> bool {
        self.allow_origin.as_deref() == Some(origin)
            && self
                .allow_credentials
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("true"))
    }
}

/// A fingerprinted same-host asset of the app page.
#[derive(Debug, Clone)]
pub struct Asset {
    pub page: String,
    pub url: String,
    pub cache_control: Option<String>,
}

/// Everything the headers probes saw.
#[derive(Debug, Default)]
pub struct HeadersObservation {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    /// The app page could not be fetched (or left the audited hosts): (subject, reason).
    pub blind: Option<(String, String)>,
    /// (check id, subject, reason) of what one probe could not see.
    pub unseen: Vec<(&'static str, String, String)>,
}

mod auth_cacheable;
mod cookie_insecure;
mod cors_reflected;
mod cors_wildcard;
mod csp_missing;
mod csp_unsafe;
mod frame_missing;
mod inventory;
mod mixed_content;
mod nosniff_missing;
mod observe;
mod parse;
mod referrer_missing;
mod server_version;
mod static_uncached;

pub use auth_cacheable::AuthCacheable;
pub use cookie_insecure::CookieInsecure;
pub use cors_reflected::CorsReflected;
pub use cors_wildcard::CorsWildcard;
pub use csp_missing::CspMissing;
pub use csp_unsafe::CspUnsafe;
pub use frame_missing::FrameMissing;
pub use inventory::{redact_cookie, HeaderValues, Inventory, PageHeaders};
pub use mixed_content::MixedContent;
pub use nosniff_missing::NosniffMissing;
pub use observe::observe;
pub use parse::{csp_directives, subresources};
use parse::{csp_of, has_directive, header, host_of, max_age};
pub use referrer_missing::ReferrerMissing;
pub use server_version::ServerVersion;
pub use static_uncached::StaticUncached;

impl Observed for HeadersObservation {
    fn blind(&self) -> Option<(String, String)> {
        self.blind.clone()
    }

    /// The stage-wide blind spot, and each page a check could not look at.
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        let per_page = self
            .unseen
            .iter()
            .filter(|(id, _, _)| *id == check.id)
            .map(|(_, subject, why)| (subject.clone(), why.clone()));
        self.blind().into_iter().chain(per_page).collect()
    }
}

pub static CHECKS: &[&dyn Check<HeadersObservation>] = &[
    &CspMissing,
    &CspUnsafe,
    &NosniffMissing,
    &FrameMissing,
    &ReferrerMissing,
    &ServerVersion,
    &CookieInsecure,
    &CorsWildcard,
    &CorsReflected,
    &AuthCacheable,
    &StaticUncached,
    &MixedContent,
];

/// The stage: probes, then every check.
pub struct Headers;

impl StageDef for Headers {
    crate::stage_header!(Headers, HeadersObservation, Inventory => pages);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<HeadersObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }
}

/// Hand-built observations for the checks' unit tests: a healthy app and login page to break
/// one way at a time, and the stage's own evaluation (blind spots included) over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use hyper::header::{HeaderName, HeaderValue};

    /// Sets (replaces) a header of a page.
    pub fn set(page: &mut Page, name: &str, value: &str) {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("header name");
        let value = HeaderValue::from_str(value).expect("header value");
        page.headers.insert(name, value);
    }

    pub fn without(page: &mut Page, name: &str) {
        page.headers.remove(name);
    }

    pub fn cors(origin: Option<&str>, credentials: Option<&str>) -> Cors {
        Cors {
            allow_origin: origin.map(str::to_string),
            allow_credentials: credentials.map(str::to_string),
        }
    }

    /// A page with every header a launch wants.
    pub fn page(url: &str, auth: bool) -> Page {
        let mut p = Page {
            url: url.to_string(),
            auth,
            status: 200,
            headers: HeaderMap::new(),
            body: r#"<html><script src="/static/app.3f9a1c7e.js"></script></html>"#.into(),
            cors: Some(Cors::default()),
        };
        set(
            &mut p,
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        );
        set(&mut p, "x-content-type-options", "nosniff");
        set(&mut p, "x-frame-options", "DENY");
        set(&mut p, "referrer-policy", "strict-origin-when-cross-origin");
        set(&mut p, "server", "nginx");
        set(
            &mut p,
            "cache-control",
            if auth { "no-store" } else { "no-cache" },
        );
        set(
            &mut p,
            "set-cookie",
            "session=s3cr3t-session-value; Secure; HttpOnly; SameSite=Lax",
        );
        p
    }

    pub fn healthy() -> HeadersObservation {
        HeadersObservation {
            pages: vec![
                page("https://example.com/", false),
                page("https://example.com/login", true),
            ],
            assets: vec![Asset {
                page: "https://example.com/".into(),
                url: "https://example.com/static/app.3f9a1c7e.js".into(),
                cache_control: Some("public, max-age=31536000, immutable".into()),
            }],
            blind: None,
            unseen: vec![],
        }
    }

    /// The app page could not be fetched.
    pub fn blind() -> HeadersObservation {
        HeadersObservation {
            blind: Some(("https://example.com/".into(), "connection refused".into())),
            ..Default::default()
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn blind_leaves_every_check_not_checked() {
        for check in CHECKS {
            let (found, unseen) = judge(*check, &blind());
            assert!(found.is_empty(), "{}", check.doc().id);
            assert_eq!(unseen.len(), 1, "{}", check.doc().id);
        }
    }
}
