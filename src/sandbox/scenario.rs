//! Scenarios are data: `fixtures/scenarios/NAME.toml` (what the site does) and
//! `fixtures/scenarios/NAME.zone` (its DNS, an ordinary zone file that `--zone` also reads).
//! They are compiled into the binary so that `launchready demo` works from any directory.

use super::SandboxError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub description: String,
    pub domain: String,
    /// Passed as `--subdomain` by the demo and the tests.
    #[serde(default)]
    pub subdomains: Vec<String>,
    /// The check ids this scenario must trigger (the tests hold it to that).
    #[serde(default)]
    pub expect: Vec<String>,
    /// The check ids this scenario leaves not checked (the auditor is blind to them on
    /// purpose: SERVFAIL, refused connections, …). Empty for every site the audit can see.
    #[serde(default)]
    pub expect_not_checked: Vec<String>,
    /// The verdict at the default `--fail-on` when it is not the one the findings imply
    /// (`go`, `no-go`, `incomplete`).
    #[serde(default)]
    pub expect_verdict: Option<String>,
    /// Extra `audit` flags the demo and the tests add (e.g. a short latency ladder).
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub dns: Dns,
    #[serde(default)]
    pub web: Web,
    #[serde(default)]
    pub tls: Tls,
    #[serde(default)]
    pub smtp: Smtp,
}

/// How the sandbox's mail server (port 25 as the audit sees it, via `--connect-to`) behaves.
/// The defaults are the healthy server: STARTTLS with a certificate for every name of the
/// domain from the sandbox CA.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Smtp {
    /// Offer STARTTLS after EHLO.
    pub starttls: bool,
    /// `valid` (the domain and `*.domain`) or `wrong-host` (names of another domain).
    pub cert: String,
    /// `normal`, or `refuse`: nothing listens (port 25 blocked, as on many networks).
    pub mode: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            starttls: true,
            cert: "valid".into(),
            mode: "normal".into(),
        }
    }
}

/// How the sandbox's HTTPS port speaks TLS. The defaults are the healthy server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// `valid`, `expired`, `not-yet-valid`, `wrong-host`, `self-signed`, `incomplete-chain`,
    /// `weak-key` (RSA-1024) or `expiring-<N>d`.
    pub cert: String,
    /// Offer TLS 1.3 (false: TLS 1.2 only).
    pub tls13: bool,
    /// Also answer TLS 1.0/1.1 ClientHellos (a hand-written responder in front of rustls).
    pub legacy: bool,
    /// Pick a weak suite when a TLS 1.2 ClientHello offers nothing better.
    pub weak_cipher: bool,
    /// `normal`, `garbage` (answers plain text instead of TLS) or `silent` (accepts, never
    /// speaks).
    pub mode: String,
    /// Addresses of the zone that are stale nodes: their port 443 (a `--connect-to ADDR:443:…`
    /// rule) serves a certificate from the same CA that expired, as a server left behind in a
    /// round-robin set does.
    pub stale_nodes: Vec<String>,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            cert: "valid".into(),
            tls13: true,
            legacy: false,
            weak_cipher: false,
            mode: "normal".into(),
            stale_nodes: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// `authoritative` (default), `swallow` (the server never answers) or `deny-all`
    /// (NXDOMAIN for every name, the root included: the auditor's resolver is broken).
    #[serde(default = "authoritative")]
    pub mode: String,
    /// Names relative to the domain (`@` for the apex), each optionally followed by a type,
    /// that the server answers SERVFAIL for: `["_dmarc", "@ TXT", "@ MX"]`.
    #[serde(default)]
    pub servfail: Vec<String>,
    /// Addresses of the zone that are dead nodes: the audit's connections to them (ports 80
    /// and 443, through `--connect-to ADDR:PORT:…` rules) are refused.
    #[serde(default)]
    pub dead_addresses: Vec<String>,
    /// How the zone is signed: `signed` (default: a valid DNSSEC chain, DS included),
    /// `none` (unsigned, no DS), `ds-mismatch`, `expired` or `expiring` (see
    /// `sandbox::dnssec`).
    #[serde(default = "signed")]
    pub dnssec: String,
}

fn signed() -> String {
    "signed".into()
}

fn authoritative() -> String {
    "authoritative".into()
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            mode: authoritative(),
            servfail: Vec::new(),
            dead_addresses: Vec::new(),
            dnssec: signed(),
        }
    }
}

/// How the sandbox site behaves. The defaults are the healthy site; each knob is one fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Web {
    /// Plain HTTP answers with a redirect to HTTPS.
    pub https_redirect: bool,
    /// The status of the HTTP → HTTPS and canonical redirects (301; 302 for a temporary one).
    pub redirect_status: u16,
    /// The canonical host: `apex` (www redirects to it), `www` (the apex redirects), or `none`
    /// (both serve the page).
    pub canonical: String,
    /// The scheme of the canonical redirect's target (`https`; `http` is a downgrade).
    pub canonical_scheme: String,
    /// Redirects keep the path and the query.
    pub keep_path: bool,
    /// Extra hops every HTTP → HTTPS redirect goes through (`/__hop/N/...`).
    pub chain_hops: u8,
    /// The Strict-Transport-Security value on HTTPS answers ("" sends none).
    pub hsts: String,
    /// CSP, X-Content-Type-Options, X-Frame-Options via frame-ancestors, Referrer-Policy.
    pub security_headers: bool,
    /// The Content-Security-Policy value when `security_headers` is on.
    pub csp: String,
    /// `Set-Cookie` values on the page and the login page.
    pub set_cookies: Vec<String>,
    /// CORS on every answer: `none`, `reflect` (echo the Origin, with credentials) or
    /// `wildcard` (`*` with credentials).
    pub cors: String,
    /// Cache-Control of the login page.
    pub login_cache: String,
    /// Cache-Control of the fingerprinted static assets.
    pub static_cache: String,
    /// The HTML of the home page (default: a small page loading two fingerprinted assets).
    pub page_html: Option<String>,
    /// `Server` and `X-Powered-By` banners.
    pub server_header: Option<String>,
    pub powered_by: Option<String>,
    /// Hostile behaviour on every connection: `normal`, `hang` (read the request, never
    /// answer), `trickle` (one byte a second), `huge-body` (100 MB), `huge-headers` (100 MB),
    /// `refuse` (both ports closed: every connection is refused).
    pub mode: String,
    /// Paths whose requests are never answered (the rest of the site is normal).
    pub hang_paths: Vec<String>,
    /// Routes answered before everything else, first match wins.
    pub routes: Vec<Route>,
    /// Latency: a fixed delay on every page answer, in ms.
    pub delay_ms: u64,
    /// Latency: a mixture of delays, `[[share, ms], …]`, drawn per request from a seeded
    /// sequence (so the true percentiles are known).
    pub delay_mixture: Vec<(f64, u64)>,
    pub seed: u64,
    /// Latency: one request at a time holds a global lock for this long (collapse under load).
    pub serialize_ms: u64,
    /// Periodic stalls: in every `stall_period_ms`, answers wait out the first `stall_ms`
    /// (what coordinated omission hides from closed-loop load tools).
    pub stall_period_ms: u64,
    pub stall_ms: u64,
    /// Every Nth page answer is a 500 (20 → 5 %).
    pub error_every: u64,
    /// More than this many requests in one second get 429 with Retry-After.
    pub rate_limit_per_sec: u64,
    /// The CDN whose headers the site sends (`fastly`, `cloudflare`) or `none`.
    pub cdn: String,
    /// /health answers 200.
    pub health: bool,
    /// What the site leaks: `env`, `git`, `bundle` (a script with fake server secrets, made
    /// at start), `big-bundle` (a 3 MiB script with a fake secret past the 2 MiB body cap),
    /// `huge-bundle` (33 MiB, the secret past 32 MiB), `source-map`, `stack-trace`,
    /// `directory-listing`, `debug`.
    pub leaks: Vec<String>,
    /// A single-page app: every unknown path answers 200 with the index page.
    pub spa: bool,
    /// Generated assets of a given size (page weight scenarios), answered after the routes.
    pub assets: Vec<Asset>,
    /// The `Alt-Svc` header on page answers ("" sends none).
    pub alt_svc: String,
    /// The CDN answers the fingerprinted static assets from its cache (`x-cache: HIT` for
    /// fastly, `cf-cache-status: HIT` for cloudflare); false: always a MISS.
    pub static_edge_hit: bool,
    /// Addresses of the zone that are stale nodes on port 80 (a `--connect-to ADDR:80:…`
    /// rule): they serve the page over plain HTTP instead of redirecting to HTTPS.
    pub plain_nodes: Vec<String>,
}

/// A generated asset: `bytes` of filler (text for text types, binary otherwise).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// The Host it answers for (default: any).
    pub host: Option<String>,
    pub path: String,
    pub content_type: String,
    pub bytes: usize,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl Default for Web {
    fn default() -> Self {
        Web {
            https_redirect: true,
            redirect_status: 301,
            canonical: "apex".into(),
            canonical_scheme: "https".into(),
            keep_path: true,
            chain_hops: 0,
            hsts: "max-age=31536000; includeSubDomains".into(),
            security_headers: true,
            csp: "default-src 'self'; script-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'".into(),
            set_cookies: vec!["session=s3ss10n; Path=/; Secure; HttpOnly; SameSite=Lax".into()],
            cors: "none".into(),
            login_cache: "no-store".into(),
            static_cache: "public, max-age=31536000, immutable".into(),
            page_html: None,
            server_header: None,
            powered_by: None,
            mode: "normal".into(),
            hang_paths: Vec::new(),
            routes: Vec::new(),
            delay_ms: 0,
            delay_mixture: Vec::new(),
            seed: 7,
            serialize_ms: 0,
            stall_period_ms: 0,
            stall_ms: 0,
            error_every: 0,
            rate_limit_per_sec: 0,
            cdn: "fastly".into(),
            health: true,
            leaks: Vec::new(),
            spa: false,
            assets: Vec::new(),
            alt_svc: String::new(),
            static_edge_hit: true,
            plain_nodes: Vec::new(),
        }
    }
}

/// One canned answer of the sandbox site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The Host it answers for (default: any).
    pub host: Option<String>,
    /// An exact path, or a prefix ending in `*`.
    pub path: String,
    /// `http`, `https` or `any` (default).
    #[serde(default = "any")]
    pub scheme: String,
    #[serde(default = "ok")]
    pub status: u16,
    /// Response headers, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    /// Serve a page recorded from a real framework instead of `body`: a path under
    /// `fixtures/frameworks/` listed in [`RECORDINGS`] (e.g. `flask/debug-500.html`).
    #[serde(default)]
    pub body_recording: Option<String>,
}

/// The framework recordings a scenario may serve (`fixtures/frameworks/record.sh` makes
/// them), embedded so that `launchready demo` works from any directory.
pub static RECORDINGS: &[(&str, &str)] = &[
    (
        "flask/debug-500.html",
        include_str!("../../fixtures/frameworks/flask/debug-500.html"),
    ),
    (
        "flask/prod-500.html",
        include_str!("../../fixtures/frameworks/flask/prod-500.html"),
    ),
    (
        "php/phpinfo.html",
        include_str!("../../fixtures/frameworks/php/phpinfo.html"),
    ),
    (
        "rails/debug-500.html",
        include_str!("../../fixtures/frameworks/rails/debug-500.html"),
    ),
    (
        "rails/rails-info.html",
        include_str!("../../fixtures/frameworks/rails/rails-info.html"),
    ),
    (
        "rails/prod-500.html",
        include_str!("../../fixtures/frameworks/rails/prod-500.html"),
    ),
    (
        "rails/prod-rails-info.html",
        include_str!("../../fixtures/frameworks/rails/prod-rails-info.html"),
    ),
    (
        "symfony/debug-500.html",
        include_str!("../../fixtures/frameworks/symfony/debug-500.html"),
    ),
    (
        "symfony/profiler.html",
        include_str!("../../fixtures/frameworks/symfony/profiler.html"),
    ),
    (
        "symfony/prod-500.html",
        include_str!("../../fixtures/frameworks/symfony/prod-500.html"),
    ),
    (
        "symfony/prod-profiler.html",
        include_str!("../../fixtures/frameworks/symfony/prod-profiler.html"),
    ),
    (
        "go/debug-500.html",
        include_str!("../../fixtures/frameworks/go/debug-500.html"),
    ),
    (
        "go/pprof.html",
        include_str!("../../fixtures/frameworks/go/pprof.html"),
    ),
    (
        "go/prod-500.html",
        include_str!("../../fixtures/frameworks/go/prod-500.html"),
    ),
    (
        "go/prod-pprof.html",
        include_str!("../../fixtures/frameworks/go/prod-pprof.html"),
    ),
    (
        "aspnet/debug-500.html",
        include_str!("../../fixtures/frameworks/aspnet/debug-500.html"),
    ),
    (
        "aspnet/trace.html",
        include_str!("../../fixtures/frameworks/aspnet/trace.html"),
    ),
    (
        "aspnet/prod-500.html",
        include_str!("../../fixtures/frameworks/aspnet/prod-500.html"),
    ),
    (
        "aspnet/prod-trace.html",
        include_str!("../../fixtures/frameworks/aspnet/prod-trace.html"),
    ),
];

fn any() -> String {
    "any".into()
}

fn ok() -> u16 {
    200
}

impl Route {
    /// The healthy MTA-STS policy of `domain`: enforce, for `mail.<domain>`.
    pub fn mta_sts_policy(domain: &str) -> Route {
        Route {
            host: Some(format!("mta-sts.{domain}")),
            path: "/.well-known/mta-sts.txt".into(),
            scheme: "https".into(),
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: format!("version: STSv1\nmode: enforce\nmx: mail.{domain}\nmax_age: 604800\n"),
            body_recording: None,
        }
    }

    pub fn matches(&self, host: &str, path: &str, tls: bool) -> bool {
        let scheme_ok = match self.scheme.as_str() {
            "http" => !tls,
            "https" => tls,
            _ => true,
        };
        let host_ok = self
            .host
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(host));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        scheme_ok && host_ok && path_ok
    }
}

/// A scenario's files, embedded.
pub struct Files {
    pub name: &'static str,
    pub toml: &'static str,
    pub zone: &'static str,
}

/// Every scenario, `healthy` and `launch-day` first: found in `fixtures/scenarios/` by
/// `build.rs`, so adding a scenario is adding its files.
pub static ALL: &[Files] = include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

pub fn find(name: &str) -> Option<&'static Files> {
    ALL.iter().find(|f| f.name == name)
}

impl Files {
    pub fn parse(&self) -> Result<Scenario, SandboxError> {
        let mut sc: Scenario = toml::from_str(self.toml).map_err(|e| SandboxError::Toml {
            scenario: self.name.to_string(),
            message: e.message().to_string(),
        })?;
        // Every scenario's mail domain serves the healthy MTA-STS policy (RFC 8461) unless
        // the scenario answers that URL itself (routes match first come, first served).
        sc.web.routes.push(Route::mta_sts_policy(&sc.domain));
        for route in &mut sc.web.routes {
            if let Some(name) = &route.body_recording {
                let Some((_, page)) = RECORDINGS.iter().find(|(n, _)| n == name) else {
                    return Err(SandboxError::NoRecording {
                        scenario: self.name.to_string(),
                        recording: name.clone(),
                        known: RECORDINGS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                };
                route.body = page.to_string();
            }
        }
        Ok(sc)
    }
}
