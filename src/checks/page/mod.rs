//! The `page` stage: what the landing page and the app page cost a visitor on a phone, read
//! without a browser. The HTML and every script, stylesheet, font and image it references are
//! fetched (bounded in count and bytes) as a browser would ask for them (`Accept-Encoding:
//! gzip, deflate, br`, images with AVIF/WebP in `Accept`), so sizes are transfer sizes as
//! served. Also read here: `robots.txt` and `<link rel=canonical>` of the canonical host, and
//! whether staging hosts that answer publicly tell search engines not to index them.
//!
//! Safety: assets on the audited hosts are fetched whole (within the body cap). Assets of any
//! other origin (third parties) are only sized: a `HEAD`, then a capped `GET` when no
//! `Content-Length` came back, through the client for URLs taken from the target — public
//! addresses only, unless the audited domain itself resolves to a non-public one (a lab, the
//! sandbox). A page can therefore never make launchready fetch from a private address the user
//! did not audit.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Lookup, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::stage::{StageDef, StageError};
use serde::Serialize;

/// At most this many assets of each kind are fetched per page (the exposure stage's cap on
/// scripts, `MAX_SCRIPTS`, per kind).
pub const MAX_PER_KIND: usize = 20;
/// No new batch of assets starts once this many bytes of a page were read (the exposure
/// stage's cap on one script, `SCRIPT_CAP`); each body is also held to the client's body cap.
pub const MAX_PAGE_BYTES: u64 = 32 * 1024 * 1024;
/// Text assets below this many bytes are not worth compressing (Lighthouse's threshold for
/// "Enable text compression": 1.4 KB).
pub const COMPRESS_MIN: u64 = 1400;
/// An image heavier than this is `page.images.heavy`.
pub const HEAVY_IMAGE: u64 = 300 * 1024;
/// A JPEG/PNG/GIF heavier than this, sent although the request offered AVIF/WebP, is
/// `page.images.heavy` too.
pub const LEGACY_IMAGE: u64 = 100 * 1024;
/// Render-blocking stylesheets heavier than this in total are `page.render-blocking`.
pub const BLOCKING_CSS: u64 = 50 * 1024;
/// Third-party bytes over this, or over half the page with at least [`THIRD_PARTY_MIN`], are
/// `page.third-party.heavy`.
pub const THIRD_PARTY_HEAVY: u64 = 200 * 1024;
pub const THIRD_PARTY_MIN: u64 = 100 * 1024;
/// The slow-4G profile (Lighthouse's mobile throttling): 1.6 Mbps down, 150 ms RTT.
pub const RTT_MS: f64 = 150.0;
pub const DOWN_BYTES_PER_S: f64 = 1_600_000.0 / 8.0;
/// Browsers open at most this many HTTP/1.1 connections per origin.
pub const H1_CONNECTIONS: u64 = 6;
/// `page.mobile.slow`: medium over 3 s, high over 6 s.
pub const SLOW_MS: u64 = 3_000;
pub const VERY_SLOW_MS: u64 = 6_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Document,
    Script,
    Stylesheet,
    Font,
    Image,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::Script => "script",
            Kind::Stylesheet => "stylesheet",
            Kind::Font => "font",
            Kind::Image => "image",
        }
    }
}

/// One fetched (or sized) asset.
#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    pub url: String,
    pub kind: Kind,
    /// `scheme://host[:port]`.
    pub origin: String,
    pub third_party: bool,
    /// Bytes on the wire (the body as served, compressed or not); `None` when not learned.
    pub bytes: Option<u64>,
    pub status: Option<u16>,
    pub content_type: String,
    /// `Content-Encoding` (`gzip`, `br`…), when the body is encoded.
    pub encoding: Option<String>,
    /// Cache lifetime in seconds from `Cache-Control` (`max-age`/`s-maxage`; 0 for
    /// `no-store`/`no-cache`), when it says.
    pub cache_seconds: Option<u64>,
    /// In `<head>` without `async`/`defer`/`type=module` (scripts), or a stylesheet for all
    /// media: the browser paints nothing before it has it.
    pub render_blocking: bool,
    /// Why it could not be fetched, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One page and everything it loads.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageLoad {
    /// The page's final URL.
    pub url: String,
    /// The document first, then its assets.
    pub assets: Vec<Asset>,
    /// References over the caps, not fetched.
    pub skipped: usize,
    /// The protocol negotiated by ALPN on the page's host (`h2`, `http/1.1`), when asked.
    pub alpn: Option<String>,
    /// The `Alt-Svc` header, when the page advertises one (HTTP/3 is `h3`).
    pub alt_svc: Option<String>,
    /// `<link rel=canonical href>` resolved against the page.
    pub canonical: Option<String>,
}

/// What `robots.txt` of the canonical host says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robots {
    pub url: String,
    /// `User-agent: *` is disallowed `/`.
    pub blocks_all: bool,
}

/// A staging host that answered publicly, and what keeps it out of search engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagingAnswer {
    pub url: String,
    pub status: u16,
    /// `X-Robots-Tag: noindex`, `<meta name=robots content=noindex>` or `robots.txt`, if any.
    pub noindex: Option<&'static str>,
}

#[derive(Debug, Default)]
pub struct PageObservation {
    pub app: String,
    /// The landing page and the app page (one entry when they are the same).
    pub pages: Vec<PageLoad>,
    /// Why no page could be read, when none could.
    pub unreachable: Option<String>,
    /// `robots.txt` of the landing page's host.
    pub robots: Lookup<Robots>,
    /// Why `robots.txt` could not be read, when it could not.
    pub robots_error: Option<String>,
    pub staging: Vec<StagingAnswer>,
}

impl PageObservation {
    /// Each page with the assets no earlier page loaded (an asset shared by the landing and
    /// the app page is judged once, on the first).
    pub fn fresh_assets(&self) -> Vec<(&PageLoad, Vec<&Asset>)> {
        let mut seen = std::collections::HashSet::new();
        self.pages
            .iter()
            .map(|p| {
                (
                    p,
                    p.assets
                        .iter()
                        .filter(|a| seen.insert(a.url.as_str()))
                        .collect(),
                )
            })
            .collect()
    }
}

/// `url (12 KB, gzip)`, the first few of a list, for evidence.
pub fn listing(assets: &[&Asset], what: impl Fn(&Asset) -> String) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<String> = assets
        .iter()
        .take(SHOWN)
        .map(|a| format!("{} ({})", a.url, what(a)))
        .collect();
    if assets.len() > SHOWN {
        s.push(format!("and {} more", assets.len() - SHOWN));
    }
    s.join(", ")
}

/// Bytes as `12 KB`.
pub fn kb(bytes: u64) -> String {
    format!("{} KB", bytes.div_ceil(1024))
}

mod canonical_mismatch;
mod compression_missing;
pub mod estimate;
pub mod html;
mod images_heavy;
mod inventory;
mod mobile_slow;
mod observe;
mod render_blocking;
mod robots_blocks_all;
mod staging;
mod staging_indexable;
mod third_party_heavy;

pub use canonical_mismatch::CanonicalMismatch;
pub use compression_missing::CompressionMissing;
pub use images_heavy::ImagesHeavy;
pub use inventory::Inventory;
pub use mobile_slow::MobileSlow;
pub use render_blocking::RenderBlocking;
pub use robots_blocks_all::RobotsBlocksAll;
pub use staging_indexable::StagingIndexable;
pub use third_party_heavy::ThirdPartyHeavy;

/// No page read: every check but the staging one (which reads other hosts) is not checked;
/// no `robots.txt` read: the robots check is not checked.
impl Observed for PageObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        if check.id == StagingIndexable::DOC.id {
            return vec![];
        }
        if let Some(why) = &self.unreachable {
            return vec![(self.app.clone(), why.clone())];
        }
        if check.id == RobotsBlocksAll::DOC.id && matches!(self.robots, Lookup::Unknown) {
            let why = self
                .robots_error
                .clone()
                .unwrap_or_else(|| "robots.txt could not be read".into());
            return vec![(self.app.clone(), why)];
        }
        vec![]
    }
}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<PageObservation>] = &[
    &CompressionMissing,
    &ImagesHeavy,
    &RenderBlocking,
    &ThirdPartyHeavy,
    &MobileSlow,
    &RobotsBlocksAll,
    &CanonicalMismatch,
    &StagingIndexable,
];

/// The stage: the pages and their assets, robots.txt, staging hosts; then every check.
pub struct Page;

impl StageDef for Page {
    crate::stage_header!(Page, PageObservation, Inventory => page);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<PageObservation, StageError> {
        Ok(observe::observe(ctx, notes).await)
    }
}

/// Hand-built observations for the checks' unit tests: a small, compressed, first-party page.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub const APP: &str = "https://example.com/";

    pub fn asset(url: &str, kind: Kind, bytes: u64) -> Asset {
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        Asset {
            url: url.into(),
            kind,
            third_party: !origin.ends_with("example.com"),
            origin,
            bytes: Some(bytes),
            status: Some(200),
            content_type: match kind {
                Kind::Document => "text/html",
                Kind::Script => "text/javascript",
                Kind::Stylesheet => "text/css",
                Kind::Font => "font/woff2",
                Kind::Image => "image/webp",
            }
            .into(),
            encoding: matches!(kind, Kind::Document | Kind::Script | Kind::Stylesheet)
                .then(|| "br".into()),
            cache_seconds: Some(31_536_000),
            render_blocking: kind == Kind::Stylesheet,
            error: None,
        }
    }

    pub fn healthy() -> PageObservation {
        PageObservation {
            app: APP.into(),
            pages: vec![PageLoad {
                url: APP.into(),
                assets: vec![
                    asset(APP, Kind::Document, 8_000),
                    asset("https://example.com/app.1a2b.css", Kind::Stylesheet, 12_000),
                    asset("https://example.com/app.1a2b.js", Kind::Script, 90_000),
                    asset("https://example.com/hero.webp", Kind::Image, 60_000),
                    asset("https://example.com/inter.woff2", Kind::Font, 30_000),
                ],
                skipped: 0,
                alpn: Some("h2".into()),
                alt_svc: Some("h3=\":443\"; ma=86400".into()),
                canonical: Some(APP.into()),
            }],
            unreachable: None,
            robots: Lookup::Found(Robots {
                url: "https://example.com/robots.txt".into(),
                blocks_all: false,
            }),
            robots_error: None,
            staging: vec![StagingAnswer {
                url: "https://staging.example.com/".into(),
                status: 200,
                noindex: Some("X-Robots-Tag"),
            }],
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn a_page_never_read_leaves_the_page_checks_not_checked() {
        let mut o = healthy();
        o.pages.clear();
        o.unreachable = Some("timed out".into());
        let out = crate::check::evaluate_all(CHECKS, &o);
        assert!(out.findings.is_empty());
        assert_eq!(
            out.not_checked.len(),
            CHECKS.len() - 1,
            "staging is read apart"
        );
    }
}
