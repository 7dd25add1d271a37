//! The `redirects` stage: `http://` and `https://` on the apex and www, each asked for a path
//! with a query (`/login?next=%2Fcheckout`) so that a redirect that drops them is caught.
//! Redirects are followed by hand, hop by hop; the report shows each chain.
//!
//! Round-robin DNS: the http:// and https:// chains of the apex, www and each subdomain with
//! an address set of its own (at most [`MAX_SUBDOMAINS`]) are also followed on each of the
//! host's addresses (at most `net::nodes::MAX_PER_HOST` per family), all at once. A node
//! whose chain differs from its host's is judged by the per-chain checks under its address,
//! and by `redirect.node.mismatch` when it fails or lands elsewhere. A subdomain's own chains
//! are only the base its nodes are compared with: what a subdomain redirects to is its own
//! business (an API, a status page), what matters is that all its addresses agree.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::http::{Chain, HttpError};
use crate::stage::{StageDef, StageError};

mod canonical_duplicate;
mod chain_long;
mod downgrade;
pub mod inventory;
mod no_https;
mod node_mismatch;
mod observe;
mod path_dropped;
mod redirect_loop;
mod temporary;
mod unreachable;

pub use canonical_duplicate::CanonicalDuplicate;
pub use chain_long::ChainLong;
pub use downgrade::Downgrade;
pub use no_https::NoHttps;
pub use node_mismatch::NodeMismatch;
pub use observe::observe;
pub use path_dropped::PathDropped;
pub use redirect_loop::Loop;
pub use temporary::Temporary;
pub use unreachable::Unreachable;

/// The path and query every chain starts with: a login callback, the thing redirects break.
pub const PROBE_PATH: &str = "/login?next=%2Fcheckout";
/// Hops followed before a chain counts as endless.
pub const MAX_HOPS: usize = 10;
/// The most subdomains whose addresses are probed one by one (those whose address set is
/// the apex's, www's or an earlier subdomain's are not: those machines were asked already).
pub const MAX_SUBDOMAINS: usize = 8;

#[derive(Debug)]
pub struct RedirectObservation {
    pub domain: String,
    pub http_apex: Chain,
    pub http_www: Option<Chain>,
    pub https_apex: Chain,
    pub https_www: Option<Chain>,
    /// Why the auditor, not the site, could not see the site (no route out, EMFILE, no
    /// outbound connection at all): then nothing here is judged.
    pub from_here: Option<String>,
    /// The http:// and https:// chains of each subdomain split address by address: the base
    /// its node chains are compared with, not judged themselves.
    pub subdomains: Vec<Chain>,
    /// Chains followed on one address of the host that differ from the host's own chain
    /// (nodes that answer alike are left out).
    pub nodes: Vec<NodeChain>,
}

/// One chain followed on one address of its host (the start URL's host pinned to it).
#[derive(Debug, Clone)]
pub struct NodeChain {
    pub ip: std::net::IpAddr,
    pub chain: Chain,
}

impl NodeChain {
    /// `http://example.com/login?next=%2Fcheckout (node 192.0.2.7)`
    pub fn subject(&self) -> String {
        format!("{} (node {})", self.chain.start, self.ip)
    }
}

impl RedirectObservation {
    pub fn chains(&self) -> impl Iterator<Item = &Chain> {
        [
            Some(&self.http_apex),
            self.http_www.as_ref(),
            Some(&self.https_apex),
            self.https_www.as_ref(),
        ]
        .into_iter()
        .flatten()
    }

    /// The host's chain that a node chain is compared with (same start URL).
    pub fn host_chain(&self, start: &str) -> Option<&Chain> {
        self.chains()
            .chain(&self.subdomains)
            .find(|c| c.start == start)
    }

    /// Every chain the per-chain checks judge, with its finding subject: the hosts' chains
    /// (subject: the start URL), then the nodes that differ (subject: URL and address).
    pub fn judged(&self) -> impl Iterator<Item = (String, &Chain)> {
        self.chains()
            .map(|c| (c.start.clone(), c))
            .chain(self.nodes.iter().map(|n| (n.subject(), &n.chain)))
    }
}

fn scheme_host(url: &str) -> (String, String) {
    match url.parse::<hyper::Uri>() {
        Ok(u) => (
            u.scheme_str().unwrap_or("").to_ascii_lowercase(),
            u.host().unwrap_or("").to_ascii_lowercase(),
        ),
        Err(_) => (String::new(), String::new()),
    }
}

/// Percent-decodes for comparison (`%2F` and `/` are the same to the app).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn path_and_query(url: &str) -> String {
    url.parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_string()))
        .unwrap_or_default()
}

/// One finding per chain, at its first redirect hop that `bad(hop, target)` flags.
fn flag_first_hop(
    o: &RedirectObservation,
    doc: &CheckDoc,
    out: &mut Outcomes,
    bad: impl Fn(&crate::net::http::Hop, &str) -> bool,
) {
    for (subject, c) in o.judged() {
        let hop = c
            .hops
            .iter()
            .find_map(|h| h.location.as_deref().filter(|t| bad(h, t)).map(|t| (h, t)));
        if let Some((h, target)) = hop {
            out.push(doc.finding(&subject, format!("{} {} → {target}", h.url, h.status)));
        }
    }
}

impl Observed for RedirectObservation {
    fn blind(&self) -> Option<(String, String)> {
        if let Some(why) = &self.from_here {
            return Some((self.domain.clone(), why.clone()));
        }
        // Nothing answered at all: no chain can pass.
        if self.chains().all(|c| c.hops.is_empty()) {
            let c = &self.https_apex;
            let why = match &c.error {
                Some(e) => format!(
                    "{}: no answer: {e}",
                    c.failed_at.as_deref().unwrap_or(&c.start)
                ),
                None => format!("{}: no answer", c.start),
            };
            return Some((c.start.clone(), why));
        }
        None
    }
}

/// The stage's checks, in catalog order.
pub static CHECKS: &[&dyn Check<RedirectObservation>] = &[
    &Unreachable,
    &NoHttps,
    &Temporary,
    &Loop,
    &ChainLong,
    &PathDropped,
    &Downgrade,
    &CanonicalDuplicate,
    &NodeMismatch,
];

pub struct Redirects;

impl StageDef for Redirects {
    crate::stage_header!(Redirects, RedirectObservation, Vec<inventory::Chain> => redirects);

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<RedirectObservation, StageError> {
        let obs = observe(ctx, notes).await;
        if let Some(why) = &obs.from_here {
            notes.push(why.clone());
        }
        for c in obs.chains() {
            if let Some(off) = &c.off_site {
                notes.push(format!(
                    "{} redirects off the audited hosts to {off}: asked once, not probed further",
                    c.start
                ));
            }
            if let (Some(e), Some(url)) = (&c.error, &c.failed_at) {
                let note = format!("{url}: {e}");
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
        Ok(obs)
    }
}

/// Hand-built observations for the checks' unit tests: the healthy site (both http:// URLs
/// 301 to https://apex keeping the path, www 301 to the apex, the apex answers 200).
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::net::http::{Hop, Response};

    pub const APEX: &str = "https://example.com/login?next=%2Fcheckout";

    pub fn hop(url: &str, status: u16, location: Option<&str>) -> Hop {
        Hop {
            url: url.to_string(),
            status,
            location: location.map(str::to_string),
        }
    }

    pub fn answer(status: u16) -> Response {
        Response {
            status: hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK),
            headers: Default::default(),
            body: Default::default(),
            truncated: false,
            elapsed: Default::default(),
        }
    }

    /// A chain of redirects `(url, status, location)` ending on an answer of `status`.
    pub fn chain(start: &str, redirects: &[(&str, u16, &str)], last: u16) -> Chain {
        let mut hops: Vec<Hop> = redirects
            .iter()
            .map(|(u, s, l)| hop(u, *s, Some(l)))
            .collect();
        let end = redirects.last().map_or(start, |r| r.2);
        hops.push(hop(end, last, None));
        Chain {
            start: start.to_string(),
            hops,
            last: Some(answer(last)),
            error: None,
            failed_at: None,
            looped: false,
            too_long: false,
            off_site: None,
        }
    }

    pub fn healthy() -> RedirectObservation {
        let http = "http://example.com/login?next=%2Fcheckout";
        let http_www = "http://www.example.com/login?next=%2Fcheckout";
        let https_www = "https://www.example.com/login?next=%2Fcheckout";
        RedirectObservation {
            domain: "example.com".into(),
            http_apex: chain(http, &[(http, 301, APEX)], 200),
            http_www: Some(chain(http_www, &[(http_www, 301, APEX)], 200)),
            https_apex: chain(APEX, &[], 200),
            https_www: Some(chain(https_www, &[(https_www, 301, APEX)], 200)),
            from_here: None,
            subdomains: Vec::new(),
            nodes: Vec::new(),
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }

    #[test]
    fn decodes_for_comparison() {
        assert_eq!(decode(PROBE_PATH), "/login?next=/checkout");
        assert_eq!(decode("/a%zz"), "/a%zz");
        assert_eq!(decode("%"), "%");
    }
}
