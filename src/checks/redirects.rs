//! The `redirects` stage: `http://` and `https://` on the apex and www, each asked for a path
//! with a query (`/login?next=%2Fcheckout`) so that a redirect that drops them is caught.
//! Redirects are followed by hand, hop by hop; the report shows each chain.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::http::{Chain, HttpError};
use crate::stage::{StageDef, StageError};
use futures_util::future::join_all;
use serde_json::{json, Value};

/// The path and query every chain starts with: a login callback, the thing redirects break.
pub const PROBE_PATH: &str = "/login?next=%2Fcheckout";
/// Hops followed before a chain counts as endless.
pub const MAX_HOPS: usize = 10;

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
}

impl RedirectObservation {
    fn chains(&self) -> impl Iterator<Item = &Chain> {
        [
            Some(&self.http_apex),
            self.http_www.as_ref(),
            Some(&self.https_apex),
            self.https_www.as_ref(),
        ]
        .into_iter()
        .flatten()
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
    for c in o.chains() {
        let hop = c
            .hops
            .iter()
            .find_map(|h| h.location.as_deref().filter(|t| bad(h, t)).map(|t| (h, t)));
        if let Some((h, target)) = hop {
            out.push(doc.finding(&c.start, format!("{} {} → {target}", h.url, h.status)));
        }
    }
}

pub struct Unreachable;
static UNREACHABLE: CheckDoc = CheckDoc {
    id: "redirect.unreachable",
    stage: Stage::Redirects,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The site does not answer over HTTPS",
    catches: "https://<domain>/ accepts no connection, times out, trickles its answer slower than the probe's timeout, or answers something that is not HTTP. (Certificate and handshake failures are the tls stage's findings.)",
    why: "Every visitor from the launch announcement sees a spinner or an error page. A server that hangs instead of failing fast also ties up the load balancer and hides the real error from uptime checks.",
    fix: "Check that the app is running and listening behind the load balancer, that its health check passes, and that nothing (a WAF rule, a full connection pool) holds requests. `curl -v https://<domain>/ --max-time 5` shows where it stops.",
    refs: &["RFC 9110", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/504"],
};
impl Check<RedirectObservation> for Unreachable {
    fn doc(&self) -> &'static CheckDoc {
        &UNREACHABLE
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        let c = &o.https_apex;
        if let Some(why) = &o.from_here {
            out.unseen(self.doc(), &c.start, why.clone());
            return;
        }
        if matches!(
            c.error,
            Some(HttpError::Timeout | HttpError::Connect(_) | HttpError::Protocol(_))
        ) {
            out.push(self.doc().finding(&c.start, c.describe()));
        }
    }
}

pub struct NoHttps;
static NO_HTTPS: CheckDoc = CheckDoc {
    id: "redirect.http.no-https",
    stage: Stage::Redirects,
    severity: Severity::High,
    impact: Impact::Security,
    title: "Plain HTTP is served instead of redirected to HTTPS",
    catches: "http://<domain>/… or http://www.<domain>/… ends on a page served over plain HTTP instead of a redirect to https://.",
    why: "People type the bare domain; their first request goes over HTTP, where logins, session cookies and signup forms can be read and altered on any café Wi-Fi, and browsers mark the page 'Not secure'. Mozilla Observatory fails its redirection test for the same reason.",
    fix: "Redirect every http:// request to the same URL on https:// with a 301 or 308, at the load balancer or CDN. Then send HSTS so browsers stop trying HTTP at all.",
    refs: &["RFC 9110 §15.4", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<RedirectObservation> for NoHttps {
    fn doc(&self) -> &'static CheckDoc {
        &NO_HTTPS
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        for c in [Some(&o.http_apex), o.http_www.as_ref()]
            .into_iter()
            .flatten()
        {
            if c.last.is_some() && scheme_host(c.final_url()).0 == "http" {
                out.push(self.doc().finding(&c.start, c.describe()));
            }
        }
    }
}

pub struct Temporary;
static TEMPORARY: CheckDoc = CheckDoc {
    id: "redirect.http.temporary",
    stage: Stage::Redirects,
    severity: Severity::Low,
    impact: Impact::Performance,
    title: "Temporary redirect where a permanent one belongs",
    catches: "A redirect that changes the scheme or the host (http → https, www → apex) uses 302, 303 or 307 instead of 301 or 308.",
    why: "Browsers and search engines don't remember temporary redirects: every visit pays the extra round trip, and search ranking stays split between the two URLs.",
    fix: "Use 301 (or 308, which keeps the method) for the HTTPS upgrade and the canonical-host redirect. Keep 302/307 for redirects that really are temporary.",
    refs: &["RFC 9110 §15.4", "https://developers.google.com/search/docs/crawling-indexing/301-redirects"],
};
impl Check<RedirectObservation> for Temporary {
    fn doc(&self) -> &'static CheckDoc {
        &TEMPORARY
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        flag_first_hop(o, self.doc(), out, |h, target| {
            matches!(h.status, 302 | 303 | 307) && scheme_host(target) != scheme_host(&h.url)
        });
    }
}

pub struct Loop;
static LOOP: CheckDoc = CheckDoc {
    id: "redirect.loop",
    stage: Stage::Redirects,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "Redirect loop",
    catches: "Following the redirects comes back to a URL already visited, or goes on for more than 10 hops.",
    why: "Browsers give up with 'too many redirects': nobody reaches the page. It typically appears when the CDN talks HTTP to an origin that redirects to HTTPS, or when www and apex redirect to each other.",
    fix: "Make exactly one layer own each redirect (CDN or app, not both). Set the CDN's origin protocol to HTTPS ('Full (strict)' on Cloudflare) or make the app trust X-Forwarded-Proto.",
    refs: &["RFC 9110 §15.4", "https://developers.cloudflare.com/ssl/troubleshooting/too-many-redirects/"],
};
impl Check<RedirectObservation> for Loop {
    fn doc(&self) -> &'static CheckDoc {
        &LOOP
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        for c in o.chains().filter(|c| c.looped || c.too_long) {
            out.push(self.doc().finding(&c.start, c.describe()));
        }
    }
}

pub struct ChainLong;
static CHAIN_LONG: CheckDoc = CheckDoc {
    id: "redirect.chain.long",
    stage: Stage::Redirects,
    severity: Severity::Low,
    impact: Impact::Performance,
    title: "Redirect chain longer than 2 hops",
    catches: "More than two redirects before the page.",
    why: "Each hop is a full round trip (and often a new TLS handshake) before the first byte of the page: hundreds of milliseconds on mobile, on every first visit and every link from an ad or an email.",
    fix: "Redirect straight to the final URL: http://www.example.com/x → https://example.com/x in one hop.",
    refs: &["https://web.dev/articles/redirects", "RFC 9110 §15.4"],
};
impl Check<RedirectObservation> for ChainLong {
    fn doc(&self) -> &'static CheckDoc {
        &CHAIN_LONG
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        for c in o
            .chains()
            .filter(|c| !c.looped && !c.too_long && c.redirects() > 2)
        {
            out.push(self.doc().finding(
                &c.start,
                format!("{} hops: {}", c.redirects(), c.describe()),
            ));
        }
    }
}

pub struct PathDropped;
static PATH_DROPPED: CheckDoc = CheckDoc {
    id: "redirect.path.dropped",
    stage: Stage::Redirects,
    severity: Severity::High,
    impact: Impact::Signup,
    title: "A redirect drops the path or the query",
    catches: "A request for /login?next=%2Fcheckout ends somewhere else (often the home page) after the redirects.",
    why: "Every deep link breaks: password-reset and magic-link emails, OAuth callbacks, checkout links and ads all land on the home page, and the user gives up.",
    fix: "Keep the request URI in the redirect target (`return 301 https://example.com$request_uri;` in nginx, `$1` captures in rewrite rules).",
    refs: &["RFC 9110 §10.2.2", "RFC 3986 §5"],
};
impl Check<RedirectObservation> for PathDropped {
    fn doc(&self) -> &'static CheckDoc {
        &PATH_DROPPED
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        let want = decode(PROBE_PATH);
        for c in o
            .chains()
            .filter(|c| c.redirects() > 0 && !c.looped && !c.too_long)
        {
            let last_target = c
                .hops
                .iter()
                .rev()
                .find_map(|h| h.location.clone())
                .unwrap_or_default();
            if decode(&path_and_query(&last_target)) != want {
                out.push(self.doc().finding(&c.start, c.describe()));
            }
        }
    }
}

pub struct Downgrade;
static DOWNGRADE: CheckDoc = CheckDoc {
    id: "redirect.https.downgrade",
    stage: Stage::Redirects,
    severity: Severity::High,
    impact: Impact::Security,
    title: "HTTPS redirects to plain HTTP",
    catches: "A hop goes from an https:// URL to an http:// one.",
    why: "The request after the downgrade — with its cookies and query — crosses the network in clear text, and browsers with HSTS refuse it outright, breaking the page.",
    fix: "Make every redirect target https://. Check the app's idea of its own scheme behind the proxy (X-Forwarded-Proto, `trust proxy`).",
    refs: &["RFC 6797 §7.2", "RFC 9110 §4.2.2"],
};
impl Check<RedirectObservation> for Downgrade {
    fn doc(&self) -> &'static CheckDoc {
        &DOWNGRADE
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        flag_first_hop(o, self.doc(), out, |h, target| {
            scheme_host(&h.url).0 == "https" && scheme_host(target).0 == "http"
        });
    }
}

pub struct CanonicalDuplicate;
static CANONICAL_DUPLICATE: CheckDoc = CheckDoc {
    id: "redirect.canonical.duplicate",
    stage: Stage::Redirects,
    severity: Severity::Medium,
    impact: Impact::Signup,
    title: "www and the apex both serve the site",
    catches: "https://<domain>/ and https://www.<domain>/ both answer 200 without one redirecting to the other.",
    why: "Two origins means two sets of cookies and sessions (users appear logged out when they switch), OAuth redirect URIs that work on one host only, and search ranking split between duplicates.",
    fix: "Pick one canonical host and 301-redirect the other to it, keeping the path. Register only the canonical host's callback URLs.",
    refs: &["https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls", "RFC 6454 (origins)"],
};
impl Check<RedirectObservation> for CanonicalDuplicate {
    fn doc(&self) -> &'static CheckDoc {
        &CANONICAL_DUPLICATE
    }
    fn evaluate(&self, o: &RedirectObservation, out: &mut Outcomes) {
        let Some(www) = &o.https_www else { return };
        let ok = |c: &Chain| c.last.as_ref().is_some_and(|r| r.status.is_success());
        let (apex_host, www_host) = (
            scheme_host(o.https_apex.final_url()).1,
            scheme_host(www.final_url()).1,
        );
        if ok(&o.https_apex) && ok(www) && apex_host != www_host {
            out.push(self.doc().finding(
                &o.domain,
                format!(
                    "{} and {} both answer 200",
                    o.https_apex.final_url(),
                    www.final_url()
                ),
            ));
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

pub static CHECKS: &[&dyn Check<RedirectObservation>] = &[
    &Unreachable,
    &NoHttps,
    &Temporary,
    &Loop,
    &ChainLong,
    &PathDropped,
    &Downgrade,
    &CanonicalDuplicate,
];

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

pub struct Redirects;

impl StageDef for Redirects {
    const STAGE: Stage = Stage::Redirects;
    type Observation = RedirectObservation;
    type Inventory = Value;

    fn checks() -> &'static [&'static dyn Check<RedirectObservation>] {
        CHECKS
    }

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<RedirectObservation, StageError> {
        let obs = observe(ctx).await;
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

    fn inventory(obs: &RedirectObservation, _: &Context) -> Value {
        json!(obs
            .chains()
            .map(|c| json!({
                "start": c.start,
                "hops": c.hops.iter().map(|h| json!({"url": h.url, "status": h.status, "location": h.location})).collect::<Vec<_>>(),
                "error": c.error.as_ref().map(|e| e.to_string()),
                "off_site": c.off_site,
                "chain": c.describe(),
            }))
            .collect::<Vec<_>>())
    }

    fn file(inventory: Value, into: &mut crate::report::Inventory) {
        into.redirects = inventory;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_for_comparison() {
        assert_eq!(decode(PROBE_PATH), "/login?next=/checkout");
        assert_eq!(decode("/a%zz"), "/a%zz");
        assert_eq!(decode("%"), "%");
    }
}
