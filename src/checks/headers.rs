//! The `headers` stage: security headers, cookies, CORS, caching and mixed content on the app
//! URL and on the auth pages (whichever of /login, /signin, /account answer 200). Where
//! Mozilla's HTTP Observatory scores the same header, the check's doc says how our verdict
//! relates to its test.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::http::{resolve_location, Response};
use crate::stage::{StageDef, StageError};
use futures_util::future::join_all;
use hyper::HeaderMap;
use regex::Regex;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Auth pages looked for when the config names none.
pub use crate::target::DEFAULT_AUTH_PATHS as AUTH_PATHS;
/// The foreign origin of the CORS probe (`.invalid` never resolves: RFC 2606).
pub const PROBE_ORIGIN: &str = "https://launchready-cors-probe.invalid";
/// Fingerprinted assets should be cached at least this long (30 days).
pub const LONG_MAX_AGE: u64 = 30 * 24 * 3600;
/// At most this many assets are fetched per page.
pub const MAX_ASSETS: usize = 10;

#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub auth: bool,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// The CORS probe's answer: Access-Control-Allow-Origin and -Credentials.
    pub cors: Option<(Option<String>, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct Asset {
    pub page: String,
    pub url: String,
    pub cache_control: Option<String>,
}

#[derive(Debug, Default)]
pub struct HeadersObservation {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    /// The app page could not be fetched (or left the audited hosts): (subject, reason).
    pub blind: Option<(String, String)>,
    /// (check id, subject, reason) of what one probe could not see.
    pub unseen: Vec<(&'static str, String, String)>,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The directives of a CSP, lower-cased names with their source lists.
pub fn csp_directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            let name = parts.next()?.to_ascii_lowercase();
            Some((name, parts.map(|p| p.to_ascii_lowercase()).collect()))
        })
        .collect()
}

fn csp_of(page: &Page) -> Option<String> {
    if let Some(v) = header(&page.headers, "content-security-policy") {
        return Some(v.to_string());
    }
    // <meta http-equiv="Content-Security-Policy" content="…"> counts too (not frame-ancestors).
    static META: OnceLock<Option<Regex>> = OnceLock::new();
    let re = META.get_or_init(|| {
        Regex::new(r#"(?is)<meta[^>]+http-equiv\s*=\s*["']?content-security-policy["']?[^>]*content\s*=\s*["']([^"']*)["']"#).ok()
    });
    re.as_ref()?
        .captures(&page.body)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

fn subresource_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?is)<(script|link|img|iframe|form|video|audio|source|embed|object)\b([^>]*)>"#,
        )
        .ok()
    })
    .as_ref()
}

fn attr_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"(?is)\b(src|href|action|data)\s*=\s*["']?([^"'\s>]+)"#).ok())
        .as_ref()
}

/// (tag, attribute value) for every subresource-loading tag in the page.
pub fn subresources(html: &str) -> Vec<(String, String)> {
    let (Some(tags), Some(attrs)) = (subresource_re(), attr_re()) else {
        return vec![];
    };
    let mut out = Vec::new();
    for t in tags.captures_iter(html) {
        let tag = t
            .get(1)
            .map(|m| m.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let inner = t.get(2).map(|m| m.as_str()).unwrap_or("");
        // Only links the browser loads: stylesheets, icons, preloads (not canonical/alternate).
        if tag == "link" {
            let l = inner.to_ascii_lowercase();
            if !(l.contains("stylesheet") || l.contains("icon") || l.contains("preload")) {
                continue;
            }
        }
        for a in attrs.captures_iter(inner) {
            if let Some(v) = a.get(2) {
                out.push((tag.clone(), v.as_str().to_string()));
            }
        }
    }
    out
}

fn fingerprinted(url: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?i)[.\-_~]([0-9a-z]{6,64})\.(m?js|css|woff2?|png|jpe?g|svg|webp|avif|gif)(\?.*)?$",
        )
        .ok()
    });
    re.as_ref()
        .and_then(|r| r.captures(url))
        .and_then(|c| c.get(1))
        .is_some_and(|h| h.as_str().chars().any(|c| c.is_ascii_digit()))
}

fn max_age(cache_control: &str, name: &str) -> Option<u64> {
    cache_control.split(',').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').parse().ok())?
    })
}

fn has_directive(cache_control: &str, name: &str) -> bool {
    cache_control.split(',').any(|d| {
        d.trim()
            .split('=')
            .next()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case(name))
    })
}

macro_rules! check_unit {
    ($unit:ident, $doc:ident) => {
        pub struct $unit;
        impl $unit {
            fn d(&self) -> &'static CheckDoc {
                &$doc
            }
        }
    };
}

check_unit!(CspMissing, CSP_MISSING);
static CSP_MISSING: CheckDoc = CheckDoc {
    id: "headers.csp.missing",
    stage: Stage::Headers,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "No Content-Security-Policy",
    catches: "The page is served without a Content-Security-Policy header or meta tag (Report-Only does not count).",
    why: "Without CSP, one XSS bug — in your code or a dependency — runs any script with your users' sessions. Observatory: its CSP test scores −25 for a missing policy; we rate it medium because it is defence in depth, not an open hole.",
    fix: "Start with `Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and add the origins you really load from. Try it as Content-Security-Policy-Report-Only first.",
    refs: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "W3C CSP Level 3"],
};
impl Check<HeadersObservation> for CspMissing {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in o.pages.iter().filter(|p| csp_of(p).is_none()) {
            out.push(self.d().finding(
                &p.url,
                format!("{} {}: no Content-Security-Policy", p.status, p.url),
            ));
        }
    }
}

check_unit!(CspUnsafe, CSP_UNSAFE);
static CSP_UNSAFE: CheckDoc = CheckDoc {
    id: "headers.csp.unsafe",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "CSP allows inline or eval'd scripts",
    catches: "The policy's script-src (or default-src when script-src is absent) contains 'unsafe-inline' without a nonce or hash, or 'unsafe-eval'.",
    why: "'unsafe-inline' lets an injected <script> run, which is the attack CSP exists to stop; 'unsafe-eval' re-opens string-to-code sinks. Observatory: −20 for unsafe-inline in script-src, −10 for unsafe-eval; we rate it low since a CSP is still there.",
    fix: "Move inline scripts to files or give them nonces/hashes, drop 'unsafe-eval' (check for eval/new Function in bundles). Frameworks (Next.js, Rails) have nonce support.",
    refs: &["W3C CSP Level 3 §6.7.3", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<HeadersObservation> for CspUnsafe {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            let Some(policy) = csp_of(p) else { continue };
            let dirs = csp_directives(&policy);
            let script = dirs
                .iter()
                .find(|(n, _)| n == "script-src")
                .or_else(|| dirs.iter().find(|(n, _)| n == "default-src"));
            let Some((name, sources)) = script else {
                continue;
            };
            let has = |s: &str| sources.iter().any(|x| x == s);
            let nonce_or_hash = sources.iter().any(|x| {
                x.starts_with("'nonce-")
                    || x.starts_with("'sha256-")
                    || x.starts_with("'sha384-")
                    || x.starts_with("'sha512-")
            });
            let mut bad = Vec::new();
            if has("'unsafe-inline'") && !nonce_or_hash {
                bad.push("'unsafe-inline'");
            }
            if has("'unsafe-eval'") {
                bad.push("'unsafe-eval'");
            }
            if !bad.is_empty() {
                out.push(
                    self.d()
                        .finding(&p.url, format!("{name} allows {}", bad.join(" and "))),
                );
            }
        }
    }
}

check_unit!(NosniffMissing, NOSNIFF_MISSING);
static NOSNIFF_MISSING: CheckDoc = CheckDoc {
    id: "headers.nosniff.missing",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "No X-Content-Type-Options: nosniff",
    catches: "The page lacks `X-Content-Type-Options: nosniff`.",
    why: "Browsers may 'sniff' an uploaded file or a JSON answer as HTML or script and run it. Observatory: −5 when missing; same verdict here (low).",
    fix: "Send `X-Content-Type-Options: nosniff` on every response (one line in the web server or a middleware such as helmet).",
    refs: &["https://fetch.spec.whatwg.org/#x-content-type-options-header", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<HeadersObservation> for NosniffMissing {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            let v = header(&p.headers, "x-content-type-options");
            if !v.is_some_and(|v| v.eq_ignore_ascii_case("nosniff")) {
                out.push(self.d().finding(
                    &p.url,
                    format!("X-Content-Type-Options: {}", v.unwrap_or("(absent)")),
                ));
            }
        }
    }
}

check_unit!(FrameMissing, FRAME_MISSING);
static FRAME_MISSING: CheckDoc = CheckDoc {
    id: "headers.frame.missing",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "No framing protection (clickjacking)",
    catches: "Neither `X-Frame-Options: DENY|SAMEORIGIN` nor a CSP `frame-ancestors` directive.",
    why: "Any site can frame your login or payment page under a decoy and make users click 'Delete account' or 'Pay'. Observatory: −20 without either header; we rate it low because it needs user interaction.",
    fix: "Send `Content-Security-Policy: frame-ancestors 'none'` (or 'self'), plus `X-Frame-Options: DENY` for old browsers.",
    refs: &["RFC 7034", "W3C CSP Level 3 frame-ancestors", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<HeadersObservation> for FrameMissing {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            let xfo = header(&p.headers, "x-frame-options").is_some_and(|v| {
                v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
            });
            let fa = header(&p.headers, "content-security-policy").is_some_and(|c| {
                csp_directives(c)
                    .iter()
                    .any(|(n, _)| n == "frame-ancestors")
            });
            if !xfo && !fa {
                out.push(
                    self.d()
                        .finding(&p.url, "no X-Frame-Options and no CSP frame-ancestors"),
                );
            }
        }
    }
}

check_unit!(ReferrerMissing, REFERRER_MISSING);
static REFERRER_MISSING: CheckDoc = CheckDoc {
    id: "headers.referrer.missing",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "No Referrer-Policy",
    catches: "The page sends no Referrer-Policy header (nor a `<meta name=\"referrer\">`).",
    why: "URLs with reset tokens, invite codes or search terms leak to every third-party script, image and link target through the Referer header. Observatory: 0 points missing, +5 when set; we flag it low because modern browsers default to strict-origin-when-cross-origin.",
    fix: "Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer` on pages with tokens in the URL).",
    refs: &["W3C Referrer Policy", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<HeadersObservation> for ReferrerMissing {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            let meta = p.body.to_ascii_lowercase().contains("name=\"referrer\"");
            if header(&p.headers, "referrer-policy").is_none() && !meta {
                out.push(self.d().finding(&p.url, "no Referrer-Policy"));
            }
        }
    }
}

check_unit!(ServerVersion, SERVER_VERSION);
static SERVER_VERSION: CheckDoc = CheckDoc {
    id: "headers.server.version",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "Server software version disclosed",
    catches: "A `Server` or `X-Powered-By` header names a version (e.g. `nginx/1.18.0`, `PHP/7.4.3`, `Express 4.17`).",
    why: "It tells scanners exactly which known vulnerabilities to try, and it goes stale the day after the launch. (Observatory does not score it.)",
    fix: "Turn version banners off: `server_tokens off;` (nginx), `ServerTokens Prod` (Apache), `app.disable('x-powered-by')` (Express), `expose_php = Off` (PHP).",
    refs: &["OWASP WSTG-INFO-02", "RFC 9110 §10.2.4"],
};
impl Check<HeadersObservation> for ServerVersion {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = RE.get_or_init(|| Regex::new(r"\d+\.\d+").ok()).as_ref() else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        for p in &o.pages {
            for name in ["server", "x-powered-by"] {
                if let Some(v) = header(&p.headers, name).filter(|v| re.is_match(v)) {
                    let host = p
                        .url
                        .parse::<hyper::Uri>()
                        .ok()
                        .and_then(|u| u.host().map(str::to_string))
                        .unwrap_or_default();
                    if seen.insert((host.clone(), name, v.to_string())) {
                        out.push(self.d().finding(host, format!("{name}: {v}")));
                    }
                }
            }
        }
    }
}

check_unit!(CookieInsecure, COOKIE_INSECURE);
static COOKIE_INSECURE: CheckDoc = CheckDoc {
    id: "headers.cookie.insecure",
    stage: Stage::Headers,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "Cookie without Secure, HttpOnly or SameSite",
    catches: "A Set-Cookie lacks `Secure`, or `SameSite`, or — for session-looking cookies (session, sid, auth, token, jwt, remember…) — `HttpOnly`.",
    why: "Without Secure the session cookie crosses any plain-HTTP request; without HttpOnly any XSS steals it; without SameSite other sites can ride it (CSRF). Observatory: −40 for session cookies without Secure, −5 without SameSite; we rate any of them medium.",
    fix: "Set session cookies as `Secure; HttpOnly; SameSite=Lax; Path=/` (and the `__Host-` prefix where you can). Most frameworks have one setting for it.",
    refs: &["RFC 6265bis", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
};
impl Check<HeadersObservation> for CookieInsecure {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        let mut seen = std::collections::BTreeSet::new();
        for p in &o.pages {
            let https = p.url.starts_with("https://");
            for c in p
                .headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
            {
                let mut parts = c.split(';');
                let name = parts
                    .next()
                    .and_then(|nv| nv.split('=').next())
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let attrs: Vec<String> = parts
                    .map(|a| {
                        a.split('=')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_ascii_lowercase()
                    })
                    .collect();
                let lname = name.to_ascii_lowercase();
                let sessionish = [
                    "sess", "sid", "auth", "token", "jwt", "remember", "login", "user",
                ]
                .iter()
                .any(|k| lname.contains(k));
                let mut missing = Vec::new();
                if https && !attrs.iter().any(|a| a == "secure") {
                    missing.push("Secure");
                }
                if sessionish && !attrs.iter().any(|a| a == "httponly") {
                    missing.push("HttpOnly");
                }
                if !attrs.iter().any(|a| a == "samesite") {
                    missing.push("SameSite");
                }
                if !missing.is_empty() && seen.insert(name.clone()) {
                    out.push(self.d().finding(
                        &p.url,
                        format!("cookie {name:?} set without {}", missing.join(", ")),
                    ));
                }
            }
        }
    }
}

check_unit!(CorsWildcard, CORS_WILDCARD);
static CORS_WILDCARD: CheckDoc = CheckDoc {
    id: "headers.cors.wildcard-credentials",
    stage: Stage::Headers,
    severity: Severity::High,
    impact: Impact::Security,
    title: "CORS allows any origin with credentials",
    catches: "Asked with a foreign Origin, the page answers `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`.",
    why: "Browsers refuse that pair, so it means the CORS layer was configured by trial and error — and the next 'fix' is usually reflecting any origin, which lets every website read your users' data. Observatory's CORS test fails a wildcard policy too.",
    fix: "Allow an explicit list of your own origins, and send Allow-Credentials only for them. Never combine `*` with credentials.",
    refs: &["https://fetch.spec.whatwg.org/#cors-protocol-and-credentials", "https://portswigger.net/web-security/cors"],
};
impl Check<HeadersObservation> for CorsWildcard {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            if let Some((Some(acao), Some(acac))) = &p.cors {
                if acao == "*" && acac.eq_ignore_ascii_case("true") {
                    out.push(self.d().finding(&p.url, format!("Origin: {PROBE_ORIGIN} → Access-Control-Allow-Origin: * with Allow-Credentials: true")));
                }
            }
        }
    }
}

check_unit!(CorsReflected, CORS_REFLECTED);
static CORS_REFLECTED: CheckDoc = CheckDoc {
    id: "headers.cors.reflected-origin",
    stage: Stage::Headers,
    severity: Severity::High,
    impact: Impact::Security,
    title: "CORS reflects any origin with credentials",
    catches: "Asked with a foreign Origin, the page echoes it in `Access-Control-Allow-Origin` and sends `Access-Control-Allow-Credentials: true`.",
    why: "Any website a logged-in user visits can read their data from your API with their cookies: account takeover without a single bug in your code. Observatory's CORS test fails it too.",
    fix: "Check the Origin against an allow-list of your own origins before echoing it; send `Vary: Origin`.",
    refs: &["https://portswigger.net/web-security/cors", "https://fetch.spec.whatwg.org/#cors-protocol-and-credentials"],
};
impl Check<HeadersObservation> for CorsReflected {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in &o.pages {
            if let Some((Some(acao), Some(acac))) = &p.cors {
                if acao == PROBE_ORIGIN && acac.eq_ignore_ascii_case("true") {
                    out.push(self.d().finding(
                        &p.url,
                        format!("Origin: {PROBE_ORIGIN} reflected with Allow-Credentials: true"),
                    ));
                }
            }
        }
    }
}

check_unit!(AuthCacheable, AUTH_CACHEABLE);
static AUTH_CACHEABLE: CheckDoc = CheckDoc {
    id: "cache.auth.cacheable",
    stage: Stage::Headers,
    severity: Severity::High,
    impact: Impact::Security,
    title: "A login/account page may be stored by shared caches",
    catches: "An auth page (/login, /signin, /account or the configured ones) is sent with `Cache-Control: public`, or a positive `max-age`/`s-maxage`, without `private` or `no-store`.",
    why: "A CDN or corporate proxy may store one user's page — with their CSRF token, name or session-bound content — and serve it to the next visitor.",
    fix: "Send `Cache-Control: no-store` (or at least `private, no-cache`) on every authenticated or auth-related page, and make sure the CDN does not override it.",
    refs: &["RFC 9111 §3, §5.2.2.5", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/04-Authentication_Testing/06-Testing_for_Browser_Cache_Weaknesses"],
};
impl Check<HeadersObservation> for AuthCacheable {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in o.pages.iter().filter(|p| p.auth) {
            let cc = header(&p.headers, "cache-control").unwrap_or("");
            let private = has_directive(cc, "private") || has_directive(cc, "no-store");
            let shared = has_directive(cc, "public")
                || max_age(cc, "s-maxage").is_some_and(|v| v > 0)
                || max_age(cc, "max-age").is_some_and(|v| v > 0);
            if shared && !private {
                out.push(self.d().finding(&p.url, format!("Cache-Control: {cc}")));
            }
        }
    }
}

check_unit!(StaticUncached, STATIC_UNCACHED);
static STATIC_UNCACHED: CheckDoc = CheckDoc {
    id: "cache.static.uncached",
    stage: Stage::Headers,
    severity: Severity::Low,
    impact: Impact::Performance,
    title: "Fingerprinted assets are not cached for long",
    catches: "Scripts and styles whose file names carry a content hash (app.3f9a1c7e.js) are served with a max-age under 30 days and without `immutable`.",
    why: "A hashed file never changes, yet every visit downloads it again or revalidates it: slower pages for returning users and more load on your origin during the launch spike.",
    fix: "Serve hashed assets with `Cache-Control: public, max-age=31536000, immutable`; keep the HTML itself `no-cache`.",
    refs: &["RFC 8246 (immutable)", "https://web.dev/articles/http-cache"],
};
impl Check<HeadersObservation> for StaticUncached {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        let short: Vec<&Asset> = o
            .assets
            .iter()
            .filter(|a| {
                let cc = a.cache_control.as_deref().unwrap_or("");
                !has_directive(cc, "immutable")
                    && max_age(cc, "max-age").is_none_or(|v| v < LONG_MAX_AGE)
            })
            .collect();
        if let Some(first) = short.first() {
            let list: Vec<String> = short
                .iter()
                .take(3)
                .map(|a| {
                    format!(
                        "{} ({})",
                        a.url,
                        a.cache_control.as_deref().unwrap_or("no Cache-Control")
                    )
                })
                .collect();
            out.push(self.d().finding(
                &first.page,
                format!("{} asset(s): {}", short.len(), list.join(", ")),
            ));
        }
    }
}

check_unit!(MixedContent, MIXED_CONTENT);
static MIXED_CONTENT: CheckDoc = CheckDoc {
    id: "content.mixed",
    stage: Stage::Headers,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "HTTPS page loads resources over plain HTTP",
    catches: "The HTML of an https:// page references http:// scripts, stylesheets, images, iframes, media or form actions.",
    why: "Browsers block active mixed content (scripts, iframes) — the page breaks in production — and warn on the rest; a form posting to http:// sends passwords in clear text. Observatory's subresource test fails it too.",
    fix: "Change the URLs to https:// (or protocol-relative to your own host), and add `upgrade-insecure-requests` to the CSP as a safety net.",
    refs: &["W3C Mixed Content", "https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content"],
};
impl Check<HeadersObservation> for MixedContent {
    fn doc(&self) -> &'static CheckDoc {
        self.d()
    }
    fn evaluate(&self, o: &HeadersObservation, out: &mut Outcomes) {
        for p in o.pages.iter().filter(|p| p.url.starts_with("https://")) {
            let insecure: Vec<String> = subresources(&p.body)
                .into_iter()
                .filter(|(_, v)| v.to_ascii_lowercase().starts_with("http://"))
                .map(|(t, v)| format!("<{t}> {v}"))
                .collect();
            if !insecure.is_empty() {
                let shown: Vec<&str> = insecure.iter().take(5).map(String::as_str).collect();
                out.push(self.d().finding(
                    &p.url,
                    format!(
                        "{} http:// resource(s): {}",
                        insecure.len(),
                        shown.join(", ")
                    ),
                ));
            }
        }
    }
}

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

fn page_of(url: &str, auth: bool, r: &Response) -> Page {
    Page {
        url: url.to_string(),
        auth,
        status: r.status.as_u16(),
        headers: r.headers.clone(),
        body: String::from_utf8_lossy(&r.body).into_owned(),
        cors: None,
    }
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> HeadersObservation {
    let mut obs = HeadersObservation::default();
    let audited = |u: &str| ctx.target.audits(u);
    let (app, http, lenient) = ctx
        .http
        .follow_app(&ctx.roots, &ctx.target.url, &audited, &ctx.target.domain)
        .await;
    notes.extend(lenient);
    if let Some(off) = &app.off_site {
        // Another host's page is not this audit's to judge, nor to probe.
        let why = format!(
            "{} redirects off the audited hosts to {off}; its page is not judged (give the real app URL with --url)",
            app.start
        );
        notes.push(why.clone());
        obs.blind = Some((app.start.clone(), why));
        return obs;
    }
    let Some(resp) = app.last.as_ref() else {
        let at = app.failed_at.as_deref().unwrap_or(&app.start).to_string();
        let why = match &app.error {
            Some(e) => match http.blind_from_here(e).await {
                Some(from_here) => from_here,
                None => format!("{at}: {}", http.reason(e)),
            },
            None => format!(
                "{at}: no page at the end of the redirects ({})",
                app.describe()
            ),
        };
        notes.push(why.clone());
        obs.blind = Some((app.start.clone(), why));
        return obs;
    };
    if resp.truncated {
        notes.push(format!(
            "{}: body cut at {} bytes",
            app.final_url(),
            http.body_cap
        ));
    }
    let app_url = app.final_url().to_string();
    let mut pages = vec![page_of(&app_url, false, resp)];
    let auth_urls: Vec<String> = ctx
        .target
        .auth_paths()
        .into_iter()
        .filter_map(|p| resolve_location(&app_url, p))
        .filter(|u| *u != app_url)
        .collect();
    // Fingerprinted same-host assets of the app page.
    let host = app_url
        .parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string));
    let mut asset_urls: Vec<String> = subresources(&pages[0].body)
        .into_iter()
        .filter(|(t, _)| t == "script" || t == "link")
        .filter_map(|(_, v)| resolve_location(&app_url, &v))
        .filter(|u| fingerprinted(u))
        .filter(|u| {
            u.parse::<hyper::Uri>()
                .ok()
                .and_then(|x| x.host().map(str::to_string))
                == host
        })
        .collect();
    asset_urls.dedup();
    asset_urls.truncate(MAX_ASSETS);
    // One wave after the page: the auth pages, the CORS probe of every page (asked of the auth
    // pages too before knowing they answer; kept only for those that do) and the assets.
    let cors_urls: Vec<&String> = std::iter::once(&app_url).chain(&auth_urls).collect();
    let (auth, cors, assets) = tokio::join!(
        join_all(auth_urls.iter().map(|u| http.get(u))),
        join_all(cors_urls.iter().map(|u| http.request(
            hyper::Method::GET,
            u,
            &[("origin", PROBE_ORIGIN)]
        )),),
        join_all(asset_urls.iter().map(|u| http.get(u))),
    );
    for (u, r) in auth_urls.iter().zip(auth) {
        match r {
            Ok(r) if r.status.is_success() => pages.push(page_of(u, true, &r)),
            Ok(_) => {}
            Err(e) => {
                let why = http.reason(&e);
                notes.push(format!("{u}: {why}"));
                for id in ["cache.auth.cacheable", "headers.cookie.insecure"] {
                    obs.unseen.push((id, u.clone(), why.clone()));
                }
            }
        }
    }
    for p in pages.iter_mut() {
        let Some(r) = cors_urls
            .iter()
            .position(|u| **u == p.url)
            .map(|at| &cors[at])
        else {
            continue;
        };
        match r {
            Ok(r) => {
                p.cors = Some((
                    header(&r.headers, "access-control-allow-origin").map(str::to_string),
                    header(&r.headers, "access-control-allow-credentials").map(str::to_string),
                ))
            }
            Err(e) => {
                for id in [
                    "headers.cors.wildcard-credentials",
                    "headers.cors.reflected-origin",
                ] {
                    obs.unseen.push((id, p.url.clone(), http.reason(e)));
                }
            }
        }
    }
    for (u, r) in asset_urls.iter().zip(assets) {
        if let Err(e) = &r {
            obs.unseen
                .push(("cache.static.uncached", u.clone(), http.reason(e)));
        }
        if let Ok(r) = r {
            if r.status.is_success() {
                obs.assets.push(Asset {
                    page: app_url.clone(),
                    url: u.clone(),
                    cache_control: header(&r.headers, "cache-control").map(str::to_string),
                });
            }
        }
    }
    obs.pages = pages;
    obs
}

pub struct Headers;

impl StageDef for Headers {
    const STAGE: Stage = Stage::Headers;
    type Observation = HeadersObservation;
    type Inventory = Value;

    fn checks() -> &'static [&'static dyn Check<HeadersObservation>] {
        CHECKS
    }

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<HeadersObservation, StageError> {
        Ok(observe(ctx, notes).await)
    }

    fn inventory(obs: &HeadersObservation, _: &Context) -> Value {
        let keep = [
            "content-security-policy",
            "strict-transport-security",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
            "cache-control",
            "server",
            "x-powered-by",
            "set-cookie",
        ];
        json!(obs
            .pages
            .iter()
            .map(|p| json!({
                "url": p.url,
                "status": p.status,
                "auth": p.auth,
                "headers": keep.iter().filter_map(|k| {
                    let vals: Vec<String> = p.headers.get_all(*k).iter().filter_map(|v| v.to_str().ok()).map(|v| if *k == "set-cookie" { redact_cookie(v) } else { v.to_string() }).collect();
                    (!vals.is_empty()).then(|| json!({"name": k, "values": vals}))
                }).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>())
    }

    fn file(inventory: Value, into: &mut crate::report::Inventory) {
        into.pages = inventory;
    }
}

/// A Set-Cookie value for the report: the name and the attributes, never the value
/// (`session=<redacted 24 chars>; Path=/; Secure`).
pub fn redact_cookie(set_cookie: &str) -> String {
    let mut parts = set_cookie.splitn(2, ';');
    let pair = parts.next().unwrap_or("");
    let attrs = parts.next();
    let shown = match pair.split_once('=') {
        Some((name, value)) => format!(
            "{}=<redacted {} chars>",
            name.trim(),
            value.trim().chars().count()
        ),
        None => format!("<redacted {} chars>", pair.trim().chars().count()),
    };
    match attrs {
        Some(a) => format!("{shown};{a}"),
        None => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzzer's first `headers` crash: a value that spells part of our placeholder
    /// (`ted 13 chars>` inside `<redacted 13 chars>`). The value itself is never shown.
    #[test]
    fn a_value_that_spells_the_placeholder_is_still_redacted() {
        let header = "`=ted 13 chars>;\0`=;\0=";
        let redacted = redact_cookie(header);
        assert_eq!(redacted, "`=<redacted 13 chars>;\0`=;\0=");
        let shown = redacted.replacen("<redacted 13 chars>", "", 1);
        assert!(!shown.contains("ted 13 chars>"));
    }

    #[test]
    fn cookie_values_never_reach_the_inventory() {
        assert_eq!(
            redact_cookie("session=s3ss10n; Path=/; Secure"),
            "session=<redacted 7 chars>; Path=/; Secure"
        );
        assert_eq!(redact_cookie("novalue"), "<redacted 7 chars>");
        assert_eq!(redact_cookie("a="), "a=<redacted 0 chars>");
    }

    #[test]
    fn finds_subresources_and_fingerprints() {
        let html = r#"<link rel="canonical" href="http://x/"><link rel=stylesheet href="http://cdn/a.css">
            <script src="/static/app.3f9a1c7e.js"></script><img src='http://img/x.png'><a href="http://nav/">"#;
        let s = subresources(html);
        assert!(s.contains(&("link".into(), "http://cdn/a.css".into())));
        assert!(s.contains(&("img".into(), "http://img/x.png".into())));
        assert!(!s
            .iter()
            .any(|(_, v)| v == "http://x/" || v == "http://nav/"));
        assert!(fingerprinted("/static/app.3f9a1c7e.js"));
        assert!(fingerprinted("/assets/index-B7x9q2Lm.css"));
        assert!(!fingerprinted("/static/app.min.js"));
        assert!(!fingerprinted("/static/logo.svg"));
    }

    #[test]
    fn cache_control_parsing() {
        assert_eq!(max_age("public, max-age=600", "max-age"), Some(600));
        assert_eq!(max_age("s-maxage=\"60\"", "s-maxage"), Some(60));
        assert!(has_directive("private, no-cache", "private"));
        assert!(!has_directive("no-store", "no-cache"));
    }
}
