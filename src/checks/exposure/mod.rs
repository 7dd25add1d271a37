//! The `exposure` stage: what the live site gives away. The scripts the app page loads (and
//! their source maps) go through the secrets engine; `/.env`, `/.git/` and debug endpoints are
//! probed and judged by their content's signature, never by a 200 alone — a single-page app
//! answers 200 with its index for every path; error pages are provoked (at made-up URLs and at
//! the app's own API routes) and read for stack traces and debug screens; staging hosts are
//! asked whether they answer without authentication.
//!
//! The probes keep what they fetched ([`Page`]); the checks judge it with the matchers of
//! [`signatures`].

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::stage::{StageDef, StageError};

mod debug_endpoint;
mod directory_listing;
mod endpoints;
mod env_file;
mod git;
mod observe;
pub mod routes;
mod scripts;
mod secret_in_bundle;
pub mod signatures;
mod source_map;
mod stack_trace;
mod staging_open;

pub use debug_endpoint::DebugEndpoint;
pub use directory_listing::DirectoryListing;
pub use env_file::EnvFile;
pub use git::Git;
pub use observe::observe;
pub use secret_in_bundle::SecretInBundle;
pub use source_map::SourceMap;
pub use stack_trace::StackTrace;
pub use staging_open::StagingOpen;

/// At most this many scripts are fetched from the app page.
pub const MAX_SCRIPTS: usize = 20;
/// A script longer than the body cap is fetched again, alone, and scanned whole up to this
/// size; anything beyond it is reported as not checked.
pub const SCRIPT_CAP: usize = 32 * 1024 * 1024;
/// The time a script of up to [`SCRIPT_CAP`] gets to arrive.
pub const SCRIPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Environment files a deploy may leave in the web root.
pub const ENV_PATHS: &[&str] = &["/.env", "/.env.production", "/.env.local"];
/// Git metadata that a served working copy exposes.
pub const GIT_PATHS: &[&str] = &["/.git/HEAD", "/.git/config"];
/// Directories that are often listed by accident.
pub const LISTING_PATHS: &[&str] = &["/static/", "/assets/", "/uploads/", "/backup/"];
/// At most this many of the app's own API routes are asked (each with a malformed variant).
pub const MAX_API_ROUTES: usize = 5;
/// What of a probed page is kept for the checks: signatures sit near the top of a page.
pub const PAGE_KEEP: usize = 256 * 1024;

/// One probed URL and what it answered (the body cut at [`PAGE_KEEP`]).
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub url: String,
    pub status: u16,
    pub body: String,
}

impl Page {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A server secret the secrets engine found in a script or a source map.
#[derive(Debug, Clone)]
pub struct BundleSecret {
    /// The script or map URL, with the line (`url:line`).
    pub subject: String,
    /// The value, redacted.
    pub redacted: String,
    /// The secrets rule that matched.
    pub rule: String,
}

/// A staging host that answered without asking for credentials.
#[derive(Debug, Clone)]
pub struct OpenStaging {
    pub url: String,
    pub status: u16,
}

/// Something a probe could not see: that check is not checked for that subject.
#[derive(Debug, Clone)]
pub struct Unseen {
    pub check: &'static str,
    pub subject: String,
    pub reason: String,
}

/// Everything the exposure probes saw.
#[derive(Debug, Default)]
pub struct ExposureObservation {
    pub app: String,
    /// Server secrets in the browser code (scripts and source maps).
    pub bundle_secrets: Vec<BundleSecret>,
    /// Source-map URLs that were served as source maps.
    pub source_maps: Vec<String>,
    /// The answers of [`ENV_PATHS`].
    pub env: Vec<Page>,
    /// The answers of [`GIT_PATHS`].
    pub git: Vec<Page>,
    /// The answers of the well-known debug endpoints ([`signatures::DEBUG_ENDPOINTS`]).
    pub debug: Vec<Page>,
    /// The answers of directories that may be listed.
    pub dirs: Vec<Page>,
    /// The answers of the error probes: made-up URLs and the app's own API routes.
    pub errors: Vec<Page>,
    pub staging_open: Vec<OpenStaging>,
    /// What a probe could not see: those checks are not checked for that subject, never
    /// silently passed.
    pub unseen: Vec<Unseen>,
}

/// A probe that got no answer leaves its check not checked for that URL.
impl Observed for ExposureObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        self.unseen
            .iter()
            .filter(|u| u.check == check.id)
            .map(|u| (u.subject.clone(), u.reason.clone()))
            .collect()
    }
}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<ExposureObservation>] = &[
    &EnvFile,
    &Git,
    &SecretInBundle,
    &StackTrace,
    &DebugEndpoint,
    &SourceMap,
    &DirectoryListing,
    &StagingOpen,
];

pub struct Exposure;

impl StageDef for Exposure {
    const STAGE: Stage = Stage::Exposure;
    type Observation = ExposureObservation;
    type Inventory = ();

    fn checks() -> &'static [&'static dyn Check<ExposureObservation>] {
        CHECKS
    }

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<ExposureObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }

    /// The exposure stage keeps nothing in the inventory: what it finds is findings.
    fn inventory(_: &ExposureObservation, _: &Context) {}

    fn file(_: (), _: &mut crate::report::Inventory) {}
}

/// Hand-built observations for the checks' unit tests: a healthy site (every probe answered
/// with the SPA's index page or a plain 404) to break one way at a time.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub const INDEX: &str = "<!doctype html><html><body><div id=root></div></body></html>";

    pub fn page(url: &str, status: u16, body: &str) -> Page {
        Page {
            url: url.to_string(),
            status,
            body: body.to_string(),
        }
    }

    /// Every path answered as a single-page app does: 200 with the index page.
    fn spa(paths: &[&str]) -> Vec<Page> {
        paths
            .iter()
            .map(|p| page(&format!("https://example.com{p}"), 200, INDEX))
            .collect()
    }

    pub fn healthy() -> ExposureObservation {
        ExposureObservation {
            app: "https://example.com/".into(),
            env: spa(ENV_PATHS),
            git: spa(GIT_PATHS),
            debug: signatures::DEBUG_ENDPOINTS
                .iter()
                .map(|e| page(&format!("https://example.com{}", e.path), 404, "Not Found"))
                .collect(),
            dirs: spa(LISTING_PATHS),
            errors: vec![
                page(
                    "https://example.com/launchready-missing-page",
                    404,
                    "<h1>Not Found</h1>",
                ),
                page(
                    "https://example.com/api/items/1",
                    500,
                    "Internal Server Error",
                ),
            ],
            ..Default::default()
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }
}
