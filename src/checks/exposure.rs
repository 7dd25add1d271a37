//! The `exposure` stage: what the live site gives away. The scripts the app page loads (and
//! their source maps) go through the secrets engine; `/.env`, `/.git/` and debug endpoints are
//! probed and judged by their content's signature, never by a 200 alone — a single-page app
//! answers 200 with its index for every path; error pages are provoked and read for stack
//! traces; staging hosts are asked whether they answer without authentication.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::http::{resolve_location, HttpError, Response};
use crate::secrets::{self, Kind};
use crate::stage::{StageDef, StageError};
use futures_util::future::join_all;
use regex::Regex;
use std::sync::OnceLock;

/// At most this many scripts are fetched from the app page.
pub const MAX_SCRIPTS: usize = 20;
/// A script longer than the body cap is fetched again, alone, and scanned whole up to this
/// size; anything beyond it is reported as not checked.
pub const SCRIPT_CAP: usize = 32 * 1024 * 1024;
/// The time a script of up to [`SCRIPT_CAP`] gets to arrive.
pub const SCRIPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Environment files a deploy may leave in the web root.
pub const ENV_PATHS: &[&str] = &["/.env", "/.env.production", "/.env.local"];
/// Directories that are often listed by accident.
pub const LISTING_PATHS: &[&str] = &["/static/", "/assets/", "/uploads/", "/backup/"];
/// Staging-like hosts asked whether they answer without authentication (audited hosts).
pub const STAGING_LABELS: &[&str] = crate::target::STAGING_LABELS;

/// (path, what the page must contain to be that debug endpoint).
pub const DEBUG_PATHS: &[(&str, &[&str])] = &[
    ("/phpinfo.php", &["phpinfo()", "PHP Version"]),
    ("/info.php", &["phpinfo()", "PHP Version"]),
    ("/server-status", &["Apache Server Status"]),
    ("/actuator/env", &["\"propertySources\""]),
    ("/console", &["Interactive Console", "Werkzeug"]),
    ("/_profiler/", &["Symfony Profiler"]),
    ("/debug/pprof/", &["Types of profiles available"]),
    ("/__debug__/", &["django-debug-toolbar", "djDebug"]),
];

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// An env file: mostly `KEY=value` lines, and not HTML.
pub fn looks_like_env(body: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(line) = re(&RE, r"^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=") else {
        return false;
    };
    if body.trim_start().starts_with('<') {
        return false;
    }
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(50)
        .collect();
    !lines.is_empty() && lines.iter().filter(|l| line.is_match(l)).count() * 2 > lines.len()
}

/// The variable name of an env line (`[A-Za-z_][A-Za-z0-9_]*` before `=`), if it is one:
/// never "whatever is before the first `=`", which may be a URL with a password.
pub fn env_name(line: &str) -> Option<&str> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")?
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// `.git/HEAD` is `ref: refs/…` or a bare commit id; `.git/config` has a `[core]` section.
pub fn looks_like_git(path: &str, body: &str) -> bool {
    let t = body.trim();
    if path.ends_with("HEAD") {
        t.starts_with("ref: refs/") || (t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
    } else {
        t.contains("[core]") && (t.contains("repositoryformatversion") || t.contains("bare ="))
    }
}

pub fn looks_like_listing(body: &str) -> bool {
    body.contains("<title>Index of /")
        || body.contains("<h1>Index of /")
        || body.contains("Directory listing for /")
        || body.contains("[To Parent Directory]")
}

/// A source map: JSON with a version and mappings.
pub fn looks_like_source_map(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with('{') && t.contains("\"version\"") && t.contains("\"mappings\"")
}

/// The stack-trace or debug-page signature in an error page, if any.
pub fn stack_trace(body: &str) -> Option<&'static str> {
    const SIGNATURES: &[(&str, &str)] = &[
        ("Traceback (most recent call last)", "Python traceback"),
        // Django 3.2–5.2 print a typographic apostrophe; older ones a straight one.
        (
            "seeing this error because you have <code>DEBUG = True</code>",
            "Django debug page",
        ),
        ("Whoops! There was an error", "Laravel debug page"),
        ("Illuminate\\", "Laravel stack trace"),
        ("Action Controller: Exception caught", "Rails debug page"),
        ("Server Error in '/' Application", ".NET error page"),
        ("   at System.", ".NET stack trace"),
        ("Exception in thread \"", "Java stack trace"),
        ("goroutine 1 [running]", "Go panic"),
        ("<b>Fatal error</b>:", "PHP fatal error"),
        ("Stack trace:\n#0 ", "PHP stack trace"),
        ("Werkzeug Debugger", "Werkzeug debugger"),
    ];
    if let Some((_, what)) = SIGNATURES.iter().find(|(s, _)| body.contains(s)) {
        return Some(what);
    }
    static NODE: OnceLock<Option<Regex>> = OnceLock::new();
    static NODE_HTML: OnceLock<Option<Regex>> = OnceLock::new();
    // Express renders its stack as HTML: `<br> &nbsp; &nbsp;at fn (/srv/app.js:3:9)`.
    if re(
        &NODE_HTML,
        r"<br>\s*(?:&nbsp;\s*)+at [^<]*(/|[A-Za-z]:\\|node:)[^<]*:\d+:\d+",
    )
    .is_some_and(|r| r.is_match(body))
    {
        return Some("Node.js stack trace (Express)");
    }
    static JAVA: OnceLock<Option<Regex>> = OnceLock::new();
    static RUBY: OnceLock<Option<Regex>> = OnceLock::new();
    static GO: OnceLock<Option<Regex>> = OnceLock::new();
    if re(&NODE, r"\n\s+at .+\((/|[A-Za-z]:\\|node:).+:\d+:\d+\)").is_some_and(|r| r.is_match(body))
    {
        return Some("Node.js stack trace");
    }
    if re(
        &JAVA,
        r"\n\s+at [a-z][\w$]*(\.[\w$]+)+\([\w$]+\.(java|kt|scala):\d+\)",
    )
    .is_some_and(|r| r.is_match(body))
    {
        return Some("JVM stack trace");
    }
    if re(&RUBY, r"\.rb:\d+:in `").is_some_and(|r| r.is_match(body)) {
        return Some("Ruby backtrace");
    }
    if re(&GO, r"goroutine \d+ \[[a-z ]+\]:").is_some_and(|r| r.is_match(body)) {
        return Some("Go panic");
    }
    None
}

#[derive(Debug, Default)]
pub struct ExposureObservation {
    pub app: String,
    /// (script or map URL, redacted secret, rule id, subject) of server secrets in browser code.
    pub bundle_secrets: Vec<(String, String, String)>,
    pub source_maps: Vec<String>,
    /// (URL, redacted evidence).
    pub env_files: Vec<(String, String)>,
    pub git: Vec<String>,
    pub debug: Vec<(String, &'static str)>,
    pub listings: Vec<String>,
    /// (URL, what was recognised).
    pub stack_traces: Vec<(String, &'static str)>,
    /// (URL, status) of staging hosts that answer without authentication.
    pub staging_open: Vec<(String, u16)>,
    /// (check id, subject, reason) of what a probe could not see: those checks are not
    /// checked for that subject, never silently passed.
    pub unseen: Vec<(&'static str, String, String)>,
}

macro_rules! unit {
    ($unit:ident, $doc:ident, |$o:ident, $d:ident, $out:ident| $body:block) => {
        pub struct $unit;
        impl Check<ExposureObservation> for $unit {
            fn doc(&self) -> &'static CheckDoc {
                &$doc
            }
            fn evaluate(&self, $o: &ExposureObservation, $out: &mut Outcomes) {
                let $d = &$doc;
                $body
                for (id, subject, why) in &$o.unseen {
                    if *id == $d.id {
                        $out.unseen($d, subject.clone(), why.clone());
                    }
                }
            }
        }
    };
}

static ENV_FILE: CheckDoc = CheckDoc {
    id: "exposure.env-file",
    stage: Stage::Exposure,
    severity: Severity::Blocker,
    impact: Impact::Security,
    title: "The .env file is served to anyone",
    catches: "/.env (or .env.production, .env.local) answers with KEY=value lines — the content is checked, so a site that answers every path with its index page does not count.",
    why: "It holds the database URL, API keys and signing secrets: anyone who requests it owns the app. Bots request /.env on every new domain within hours of its first certificate.",
    fix: "Remove the file from the web root and block dotfiles at the server (`location ~ /\\. { deny all; }`). Then rotate every secret it held: assume they are already copied.",
    refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/538.html"],
};
unit!(EnvFile, ENV_FILE, |o, d, out| {
    for (url, evidence) in &o.env_files {
        out.push(d.finding(url, evidence.clone()));
    }
});

static GIT: CheckDoc = CheckDoc {
    id: "exposure.git",
    stage: Stage::Exposure,
    severity: Severity::Blocker,
    impact: Impact::Security,
    title: "The .git directory is served",
    catches: "/.git/HEAD or /.git/config answers with git's own content.",
    why: "Tools rebuild the whole repository — source, history, and every secret ever committed — from a served .git directory in minutes.",
    fix: "Deploy build artefacts, not the working copy; block /.git at the server. Rotate secrets that were ever in the history.",
    refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/527.html"],
};
unit!(Git, GIT, |o, d, out| {
    for url in &o.git {
        out.push(d.finding(url, format!("{url} answers with git metadata")));
    }
});

static SECRET_IN_BUNDLE: CheckDoc = CheckDoc {
    id: "exposure.secret-in-bundle",
    stage: Stage::Exposure,
    severity: Severity::Blocker,
    impact: Impact::Security,
    title: "A server secret is in the JavaScript sent to browsers",
    catches: "A script the app page loads (or its source map) contains a server-side secret — an API secret key, a database URL with a password, a private key — found by the same rule engine as `launchready secrets`. Publishable keys (Stripe pk_, Firebase web keys) are not reported.",
    why: "Everything in a bundle is public: anyone can open DevTools and use the key against your account, with your bill and your customers' data.",
    fix: "Move the call that needs the secret to the server (an API route) and rotate the key now. Check that only NEXT_PUBLIC_/VITE_-style variables meant for browsers reach the bundle.",
    refs: &["https://cwe.mitre.org/data/definitions/798.html", "https://nextjs.org/docs/app/building-your-application/configuring/environment-variables"],
};
unit!(SecretInBundle, SECRET_IN_BUNDLE, |o, d, out| {
    for (subject, redacted, rule) in &o.bundle_secrets {
        out.push(d.finding(subject, format!("{rule}: {redacted}")));
    }
});

static STACK_TRACE: CheckDoc = CheckDoc {
    id: "exposure.stack-trace",
    stage: Stage::Exposure,
    severity: Severity::High,
    impact: Impact::Security,
    title: "Error pages show stack traces or debug screens",
    catches: "A request for a page that cannot exist, a malformed one, or one of the app's own API routes (found in the page and its scripts: fetch, axios, XMLHttpRequest; GET only, with a malformed variant) returns a stack trace or a framework debug page (Python, Node text and Express HTML, Java, Ruby, PHP, .NET, Go panics, Django/Laravel/Rails/Spring/Starlette debug screens). High: it maps the code for an attacker and means debug mode is on; the Werkzeug debugger, an interactive console, is a blocker.",
    why: "It shows file paths, library versions, SQL and sometimes environment variables, and it means debug mode is on in production — often with an interactive console one step away.",
    fix: "Turn debug mode off in production (DEBUG=False, APP_DEBUG=false, NODE_ENV=production) and serve a generic error page; send the details to your logs instead.",
    refs: &["OWASP WSTG-ERRH-01", "https://cwe.mitre.org/data/definitions/209.html"],
};
unit!(StackTrace, STACK_TRACE, |o, d, out| {
    for (url, what) in &o.stack_traces {
        let mut f = d.finding(url, format!("{what} in the error page"));
        if console(what) {
            f.severity = Severity::Blocker;
        }
        out.push(f);
    }
});

/// An interactive console (remote code execution), not just a page that tells too much.
fn console(what: &str) -> bool {
    what.contains("Werkzeug") || what.contains("Interactive Console")
}

static DEBUG_ENDPOINT: CheckDoc = CheckDoc {
    id: "exposure.debug-endpoint",
    stage: Stage::Exposure,
    severity: Severity::High,
    impact: Impact::Security,
    title: "A debug endpoint is public",
    catches: "A well-known debug or status page answers with its own content: phpinfo() (/phpinfo.php, /info.php), Apache server-status, Spring actuator/env, the Werkzeug console (a blocker: it runs code), the Symfony profiler, Go pprof, the Django debug toolbar.",
    why: "They print environment variables and secrets, internal addresses and request data, and some execute code.",
    fix: "Disable the endpoint in production or put it behind authentication on an internal network.",
    refs: &["OWASP WSTG-CONF-05", "https://cwe.mitre.org/data/definitions/215.html"],
};
unit!(DebugEndpoint, DEBUG_ENDPOINT, |o, d, out| {
    for (url, what) in &o.debug {
        let mut f = d.finding(url, format!("{url} answers with {what}"));
        if console(what) {
            f.severity = Severity::Blocker;
        }
        out.push(f);
    }
});

static SOURCE_MAP: CheckDoc = CheckDoc {
    id: "exposure.source-map",
    stage: Stage::Exposure,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "Source maps are public",
    catches: "A script's sourceMappingURL (or X-SourceMap / SourceMap header) points to a map that is served.",
    why: "It hands out the original source — comments, internal endpoints, feature flags and sometimes secrets — of your front end.",
    fix: "Upload source maps to your error tracker and don't deploy them (or serve them only to your own network).",
    refs: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/SourceMap"],
};
unit!(SourceMap, SOURCE_MAP, |o, d, out| {
    for url in &o.source_maps {
        out.push(d.finding(url, format!("{url} is a served source map")));
    }
});

static DIRECTORY_LISTING: CheckDoc = CheckDoc {
    id: "exposure.directory-listing",
    stage: Stage::Exposure,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "Directory listing is on",
    catches: "A directory (the scripts' folder, /static/, /assets/, /uploads/, /backup/) answers with an autoindex page.",
    why: "It lists files nobody linked to: backups, exports, uploads of other users, old builds.",
    fix: "Turn autoindex off (`autoindex off;`, `Options -Indexes`) and remove files that should not be public.",
    refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/548.html"],
};
unit!(DirectoryListing, DIRECTORY_LISTING, |o, d, out| {
    for url in &o.listings {
        out.push(d.finding(url, format!("{url} lists its files")));
    }
});

static STAGING_OPEN: CheckDoc = CheckDoc {
    id: "exposure.staging.open",
    stage: Stage::Exposure,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "A staging host answers without authentication",
    catches: "staging., dev., test. or preview. (or a configured subdomain named like them) resolves and serves a page without asking for credentials.",
    why: "Staging runs with test accounts, debug flags and copies of production data, and gets none of production's hardening; it is the easy way in.",
    fix: "Put non-production hosts behind authentication (basic auth at the proxy, SSO, or a VPN) and keep them out of public DNS.",
    refs: &["OWASP WSTG-CONF-05"],
};
unit!(StagingOpen, STAGING_OPEN, |o, d, out| {
    for (url, status) in &o.staging_open {
        out.push(d.finding(
            url,
            format!("{url} answers {status} without authentication"),
        ));
    }
});

impl Observed for ExposureObservation {}

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

pub fn script_srcs(html: &str) -> Vec<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(&RE, r#"(?is)<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)"#) else {
        return vec![];
    };
    r.captures_iter(html)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect()
}

/// At most this many of the app's own API routes are asked (each with a malformed variant).
pub const MAX_API_ROUTES: usize = 5;

/// Same-origin API paths the page and its scripts call: `fetch('/api/…')`, `axios.get('/…')`,
/// `xhr.open('GET', '/…')`, and `apiBase`/`API_URL`-style constants. Only absolute paths
/// (`/…`) are taken: a full URL may point anywhere.
pub fn api_routes(code: &str) -> Vec<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(
        &RE,
        r#"(?:\bfetch\(\s*|\baxios(?:\.(?:get|head|delete|post|put|patch|request))?\(\s*|\.open\(\s*["'][A-Za-z]+["']\s*,\s*|\b(?:api_?base(?:_?url)?|api_?url|API_(?:BASE|URL|ROOT))\s*[:=]\s*)["'`](/[A-Za-z0-9_\-./]*)"#,
    ) else {
        return vec![];
    };
    let mut out: Vec<String> = Vec::new();
    for c in r.captures_iter(code) {
        if let Some(m) = c.get(1) {
            let p = m.as_str().trim_end_matches('/').to_string();
            if p.len() > 1 && !p.starts_with("//") && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

fn source_map_ref(js: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?m)^\s*//[#@]\s*sourceMappingURL=(\S+)\s*$")?
        .captures_iter(js)
        .last()
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .filter(|u| !u.starts_with("data:"))
}

fn host_of(url: &str) -> Option<String> {
    url.parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.host().map(|h| h.to_ascii_lowercase()))
}

fn body(r: &crate::net::http::Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// Scans one fetched text with the secrets engine; server secrets only.
fn scan_into(obs: &mut ExposureObservation, url: &str, text: &[u8]) {
    for m in secrets::scan_bytes(url, text) {
        if m.rule.kind == Kind::Secret {
            obs.bundle_secrets
                .push((m.subject(), m.redacted.clone(), m.rule.id.to_string()));
        }
    }
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> ExposureObservation {
    // The staging hosts need nothing from the page: their DNS and connections start at once,
    // beside the page's own chain of round trips, not after it.
    let (mut obs, staging_open) = tokio::join!(observe_app(ctx, notes), staging(ctx));
    obs.staging_open = staging_open;
    obs
}

/// Everything but the staging hosts: the page, its scripts and maps, and the content probes.
async fn observe_app(ctx: &Context, notes: &mut Vec<String>) -> ExposureObservation {
    let http = &ctx.http;
    let mut obs = ExposureObservation {
        app: ctx.target.url.clone(),
        ..Default::default()
    };
    let audited = |u: &str| ctx.target.audits(u);
    let (app, lenient_http, lenient) = http
        .follow_app(&ctx.roots, &ctx.target.url, &audited, &ctx.target.domain)
        .await;
    notes.extend(lenient);
    let http = &lenient_http;
    let blind = if let Some(off) = &app.off_site {
        Some(format!(
            "{} redirects off the audited hosts to {off}: no path is probed there (give the real app URL with --url)",
            app.start
        ))
    } else if app.last.is_none() {
        let at = app.failed_at.as_deref().unwrap_or(&app.start).to_string();
        Some(match &app.error {
            Some(e) => match http.blind_from_here(e).await {
                Some(from_here) => from_here,
                None => format!("{at}: {}", http.reason(e)),
            },
            None => format!(
                "{at}: no page at the end of the redirects ({})",
                app.describe()
            ),
        })
    } else {
        None
    };
    let page = match (&blind, app.last.as_ref()) {
        (None, Some(page)) => page,
        _ => {
            let why = blind.unwrap_or_default();
            notes.push(format!("{why}; only the staging hosts were checked"));
            for c in CHECKS.iter().map(|c| c.doc()) {
                if c.id != STAGING_OPEN.id {
                    obs.unseen.push((c.id, app.start.clone(), why.clone()));
                }
            }
            return obs;
        }
    };
    let base = app.final_url().to_string();
    let domain = ctx.target.domain.clone();
    let on_site =
        |u: &str| host_of(u).is_some_and(|h| h == domain || h.ends_with(&format!(".{domain}")));

    // Scripts the page loads, on the site's own hosts only, bounded in count and size.
    // The app's own API routes, from the page (inline scripts) and its scripts.
    let mut routes: Vec<String> = api_routes(&body(page));
    let mut scripts: Vec<String> = script_srcs(&body(page))
        .iter()
        .filter_map(|s| resolve_location(&base, s))
        .collect();
    scripts.dedup();
    let skipped = scripts.iter().filter(|u| !on_site(u)).count();
    if skipped > 0 {
        notes.push(format!("{skipped} third-party script(s) not fetched"));
    }
    scripts.retain(|u| on_site(u));
    scripts.truncate(MAX_SCRIPTS);
    // Probes that need only the page's URL leave now, beside the scripts and their maps; the
    // script-derived ones (directories, API routes) follow as soon as the scripts are read.
    let resolve_all = |paths: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        paths.filter_map(|p| resolve_location(&base, p)).collect()
    };
    let env_urls = resolve_all(&mut ENV_PATHS.iter().copied());
    let git_urls = resolve_all(&mut ["/.git/HEAD", "/.git/config"].into_iter());
    let debug_urls = resolve_all(&mut DEBUG_PATHS.iter().map(|(p, _)| *p));
    let listing_urls = resolve_all(&mut LISTING_PATHS.iter().copied());
    let missing = resolve_location(&base, "/launchready-missing-page");
    let malformed = resolve_location(&base, "/launchready-probe/%ff%fe?id[]=%27%22%3C");
    let mut error_urls: Vec<String> = [missing, malformed].into_iter().flatten().collect();
    // Where apps really throw: their own API routes, asked with GET (idempotent only), each
    // with a malformed variant (an id that cannot exist and a value of the wrong type).
    routes.truncate(MAX_API_ROUTES);
    let page_routes = routes.len();
    let route_urls = |routes: &[String], known: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in routes {
            for variant in [r.clone(), format!("{r}/launchready-0%27?id=%7B%7D")] {
                if let Some(u) = resolve_location(&base, &variant).filter(|u| ctx.target.audits(u))
                {
                    if !known.contains(&u) && !out.contains(&u) {
                        out.push(u);
                    }
                }
            }
        }
        out
    };
    let page_errors = route_urls(&routes, &error_urls);
    error_urls.extend(page_errors);
    let first_wave = async {
        tokio::join!(
            join_all(env_urls.iter().map(|u| http.get(u))),
            join_all(git_urls.iter().map(|u| http.get(u))),
            join_all(debug_urls.iter().map(|u| http.get(u))),
            join_all(listing_urls.iter().map(|u| http.get(u))),
            join_all(error_urls.iter().map(|u| http.get(u))),
        )
    };
    let scripts_and_maps = async {
        let fetched = join_all(scripts.iter().map(|u| http.get(u))).await;
        let mut maps = Vec::new();
        let mut dirs: Vec<String> = Vec::new();
        // Scripts over the body cap are fetched again one at a time (memory stays bounded by
        // one script) and scanned whole up to SCRIPT_CAP.
        let mut big = http.clone();
        big.body_cap = SCRIPT_CAP;
        big.timeout = SCRIPT_TIMEOUT;
        for (url, r) in scripts.iter().zip(fetched) {
            let r = match r {
                Ok(r) if r.truncated => match big.get(url).await {
                    Ok(full) => full,
                    Err(e) => {
                        obs.unseen.push((
                            SECRET_IN_BUNDLE.id,
                            url.clone(),
                            format!(
                                "script larger than {} MiB could not be read whole ({}): scanned the first {} MiB",
                                http.body_cap >> 20,
                                big.reason(&e),
                                http.body_cap >> 20
                            ),
                        ));
                        r
                    }
                },
                Ok(r) => r,
                Err(e) => {
                    obs.unseen
                        .push((SECRET_IN_BUNDLE.id, url.clone(), http.reason(&e)));
                    continue;
                }
            };
            if !r.status.is_success() {
                continue;
            }
            if r.truncated && r.body.len() >= SCRIPT_CAP {
                obs.unseen.push((
                    SECRET_IN_BUNDLE.id,
                    url.clone(),
                    format!(
                        "script larger than {} MiB: scanned the first {} MiB",
                        SCRIPT_CAP >> 20,
                        SCRIPT_CAP >> 20
                    ),
                ));
            }
            scan_into(&mut obs, url, &r.body);
            // Borrowed when the script is UTF-8: a 32 MiB bundle is not copied again.
            let text = String::from_utf8_lossy(&r.body);
            for route in api_routes(&text) {
                if !routes.contains(&route) {
                    routes.push(route);
                }
            }
            let header_map = r
                .headers
                .get("sourcemap")
                .or_else(|| r.headers.get("x-sourcemap"))
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if let Some(m) = header_map.or_else(|| source_map_ref(&text)) {
                if let Some(abs) = resolve_location(url, &m).filter(|u| on_site(u)) {
                    maps.push(abs);
                }
            }
            if let Some(dir) = resolve_location(url, "./") {
                if !listing_urls.contains(&dir) && !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        let mut more_routes: Vec<String> = routes.clone();
        more_routes.truncate(MAX_API_ROUTES);
        let new_routes: Vec<String> = more_routes.split_off(page_routes.min(more_routes.len()));
        let more_errors = route_urls(&new_routes, &error_urls);
        let (map_answers, dir_answers, error_answers) = tokio::join!(
            join_all(maps.iter().map(|u| http.get(u))),
            join_all(dirs.iter().map(|u| http.get(u))),
            join_all(more_errors.iter().map(|u| http.get(u))),
        );
        for (url, r) in maps.iter().zip(map_answers) {
            if let Err(e) = &r {
                obs.unseen
                    .push((SOURCE_MAP.id, url.clone(), http.reason(e)));
            }
            if let Ok(r) = r {
                let text = body(&r);
                if r.status.is_success() && looks_like_source_map(&text) {
                    obs.source_maps.push(url.clone());
                    // Maps carry the original sources, secrets included.
                    scan_into(&mut obs, url, &r.body);
                }
            }
        }
        (dirs, dir_answers, more_errors, error_answers)
    };
    let ((env, git, debug, listing, errors), (more_dirs, more_listing, more_errors, errors2)) =
        tokio::join!(first_wave, scripts_and_maps);
    // In the order of one walk over them all: directories sorted, errors in the order found.
    let mut dirs: Vec<(String, Result<Response, HttpError>)> = listing_urls
        .into_iter()
        .zip(listing)
        .chain(more_dirs.into_iter().zip(more_listing))
        .collect();
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    let (dir_urls, listing): (Vec<String>, Vec<_>) = dirs.into_iter().unzip();
    error_urls.extend(more_errors);
    let errors: Vec<_> = errors.into_iter().chain(errors2).collect();
    // A probe that got no answer leaves its check not checked for that URL.
    let mut unseen = |id: &'static str, url: &String, r: &Result<_, HttpError>| {
        if let Err(e) = r {
            obs.unseen.push((id, url.clone(), http.reason(e)));
        }
    };
    for (u, r) in env_urls.iter().zip(&env) {
        unseen(ENV_FILE.id, u, r);
    }
    for (u, r) in git_urls.iter().zip(&git) {
        unseen(GIT.id, u, r);
    }
    for (u, r) in debug_urls.iter().zip(&debug) {
        unseen(DEBUG_ENDPOINT.id, u, r);
    }
    for (u, r) in dir_urls.iter().zip(&listing) {
        unseen(DIRECTORY_LISTING.id, u, r);
    }
    for (u, r) in error_urls.iter().zip(&errors) {
        unseen(STACK_TRACE.id, u, r);
    }
    for (url, r) in env_urls.iter().zip(env) {
        if let Ok(r) = r {
            let text = body(&r);
            if r.status.is_success() && looks_like_env(&text) {
                let keys: Vec<&str> = text.lines().filter_map(env_name).take(5).collect();
                let found = secrets::scan_bytes(url, &r.body);
                let evidence = match found.first() {
                    Some(m) => format!(
                        "{} variables ({}…); {}: {}",
                        text.lines().count(),
                        keys.join(", "),
                        m.rule.id,
                        m.redacted
                    ),
                    None => format!("{} variables ({}…)", text.lines().count(), keys.join(", ")),
                };
                obs.env_files.push((url.clone(), evidence));
            }
        }
    }
    for (url, r) in git_urls.iter().zip(git) {
        if let Ok(r) = r {
            if r.status.is_success() && looks_like_git(url, &body(&r)) {
                obs.git.push(url.clone());
            }
        }
    }
    for ((url, r), (_, signs)) in debug_urls.iter().zip(debug).zip(DEBUG_PATHS) {
        if let Ok(r) = r {
            let text = body(&r);
            if let Some(sign) = signs.iter().find(|s| text.contains(**s)) {
                if r.status.is_success() {
                    obs.debug.push((url.clone(), sign));
                }
            }
        }
    }
    for (url, r) in dir_urls.iter().zip(listing) {
        if let Ok(r) = r {
            if r.status.is_success() && looks_like_listing(&body(&r)) {
                obs.listings.push(url.clone());
            }
        }
    }
    for (url, r) in error_urls.iter().zip(errors) {
        if let Ok(r) = r {
            if let Some(what) = stack_trace(&body(&r)) {
                // One finding per kind of page and host is enough to act on.
                if !obs.stack_traces.iter().any(|(u, w)| {
                    *w == what && crate::target::host_of(u) == crate::target::host_of(url)
                }) {
                    obs.stack_traces.push((url.clone(), what));
                }
            }
        }
    }
    obs
}

/// Staging hosts that resolve and answer without authentication. A wildcard record that
/// serves every name is told apart by asking a name that cannot exist too.
async fn staging(ctx: &Context) -> Vec<(String, u16)> {
    let domain = &ctx.target.domain;
    let mut hosts: Vec<String> = STAGING_LABELS
        .iter()
        .map(|l| format!("{l}.{domain}"))
        .collect();
    for s in &ctx.target.subdomains {
        let first = s.split('.').next().unwrap_or("");
        if ["staging", "stage", "dev", "test", "preview", "uat", "qa"]
            .iter()
            .any(|l| first.starts_with(l))
            && !hosts.contains(s)
        {
            hosts.push(s.clone());
        }
    }
    let canary = format!("launchready-nonexistent-{}.{domain}", std::process::id());
    let resolved = join_all(hosts.iter().chain([&canary]).map(|h| ctx.resolver.addrs(h))).await;
    let wildcard = resolved
        .last()
        .is_some_and(|r| r.as_ref().is_ok_and(|a| !a.is_empty()));
    if wildcard {
        return Vec::new();
    }
    let live: Vec<&String> = hosts
        .iter()
        .zip(&resolved)
        .filter(|(_, r)| r.as_ref().is_ok_and(|a| !a.is_empty()))
        .map(|(h, _)| h)
        .collect();
    let urls: Vec<String> = live.iter().map(|h| format!("https://{h}/")).collect();
    let audited = |u: &str| ctx.target.audits(u);
    let answers = join_all(
        urls.iter()
            .map(|u| ctx.http.follow_within(u, 5, &[], &audited, domain)),
    )
    .await;
    let mut open = Vec::new();
    for (h, chain) in live.iter().zip(answers) {
        if let Some(r) = &chain.last {
            let auth = r.status.as_u16() == 401
                || r.status.as_u16() == 403
                || r.headers.contains_key("www-authenticate");
            if r.status.is_success() && !auth {
                open.push((format!("https://{h}/"), r.status.as_u16()));
            }
        }
    }
    open
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_tell_real_leaks_from_spa_index_pages() {
        let index = "<!doctype html><html><body><div id=root></div></body></html>";
        assert!(
            !looks_like_env(index)
                && !looks_like_git("/.git/HEAD", index)
                && !looks_like_git("/.git/config", index)
        );
        assert!(
            !looks_like_listing(index)
                && !looks_like_source_map(index)
                && stack_trace(index).is_none()
        );
        assert!(looks_like_env(
            "# prod\nDATABASE_URL=postgres://x\nexport API_KEY=abc\n"
        ));
        assert!(looks_like_git("/.git/HEAD", "ref: refs/heads/main\n"));
        assert!(looks_like_git(
            "/.git/config",
            "[core]\n\trepositoryformatversion = 0\n"
        ));
        assert!(looks_like_source_map(
            r#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#
        ));
        assert!(looks_like_listing(
            "<html><head><title>Index of /static/</title>"
        ));
    }

    #[test]
    fn env_names_are_identifiers_only() {
        assert_eq!(env_name("export API_KEY=abc"), Some("API_KEY"));
        assert_eq!(env_name("  DB_URL = x"), Some("DB_URL"));
        assert_eq!(
            env_name("postgres://user:password@host/db?sslmode=require"),
            None
        );
        assert_eq!(env_name("# COMMENT=1"), None);
        assert_eq!(env_name("1BAD=1"), None);
    }

    #[test]
    fn recognises_stack_traces_of_common_stacks() {
        let cases = [
            (
                "Traceback (most recent call last):\n  File \"app.py\", line 3",
                "Python traceback",
            ),
            (
                "Error: boom\n    at Object.<anonymous> (/srv/app/index.js:10:5)",
                "Node.js stack trace",
            ),
            (
                "java.lang.NullPointerException\n\tat com.acme.App.main(App.java:42)",
                "JVM stack trace",
            ),
            ("app/models/user.rb:12:in `save'", "Ruby backtrace"),
            (
                "panic: runtime error\n\ngoroutine 7 [running]:\nmain.main()",
                "Go panic",
            ),
            ("<b>Fatal error</b>:  Uncaught Exception", "PHP fatal error"),
        ];
        for (text, want) in cases {
            assert_eq!(stack_trace(text), Some(want), "{text}");
        }
        assert_eq!(stack_trace("<h1>Not found</h1>"), None);
    }

    #[test]
    fn recognises_real_framework_error_pages() {
        let django = "<p>You\u{2019}re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>";
        assert_eq!(stack_trace(django), Some("Django debug page"));
        let express = "<pre>TypeError: Cannot read properties of undefined (reading &#39;id&#39;)<br> &nbsp; &nbsp;at /srv/app/routes/items.js:12:19<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)</pre>";
        assert_eq!(stack_trace(express), Some("Node.js stack trace (Express)"));
        assert!(console("Werkzeug debugger") && !console("Python traceback"));
    }

    #[test]
    fn finds_the_apps_own_api_routes() {
        let code = r#"fetch('/api/items/1').then(r=>r.json()); axios.get("/api/user"); x.open("GET", '/api/v2/orders'); const API_URL = "/api"; fetch("https://evil.test/x"); fetch('//cdn.test/y')"#;
        assert_eq!(
            api_routes(code),
            ["/api/items/1", "/api/user", "/api/v2/orders", "/api"]
        );
        assert!(api_routes("<h1>hello</h1>").is_empty());
    }

    #[test]
    fn finds_scripts_and_source_maps() {
        assert_eq!(
            script_srcs(
                r#"<script src="/a.js"></script><script>inline()</script><script type=module src=b.js>"#
            ),
            ["/a.js", "b.js"]
        );
        assert_eq!(
            source_map_ref("x();\n//# sourceMappingURL=app.js.map\n").as_deref(),
            Some("app.js.map")
        );
        assert_eq!(
            source_map_ref("//# sourceMappingURL=data:application/json;base64,e30="),
            None
        );
    }
}
