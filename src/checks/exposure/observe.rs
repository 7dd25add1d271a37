//! The exposure probes: the app page, its scripts and source maps (scanned by the secrets
//! engine as they arrive, so a 32 MiB bundle is not kept), then every well-known path and
//! error probe at once; their answers are kept for the checks to judge.

use super::routes::{api_routes, openapi_routes, script_srcs, source_map_ref, OPENAPI_PATHS};
use super::signatures::{looks_like_source_map, DEBUG_ENDPOINTS};
use super::*;
use crate::net::http::{resolve_location, HttpError, Response};
use crate::secrets::{self, Kind};
use futures_util::future::join_all;
use hyper::Method;

/// Error probes ask as a browser does: frameworks show their HTML debug page to browsers
/// and a terser one (or none) to API clients.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn host_of(url: &str) -> Option<String> {
    url.parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.host().map(|h| h.to_ascii_lowercase()))
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// What the checks keep of an answer: status and the start of the body.
fn page(url: &str, r: &Response) -> Page {
    let cut = r.body.len().min(PAGE_KEEP);
    Page {
        url: url.to_string(),
        status: r.status.as_u16(),
        body: String::from_utf8_lossy(&r.body[..cut]).into_owned(),
    }
}

/// The URLs of `paths` on the app's origin.
fn at<'a>(base: &str, paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    paths
        .into_iter()
        .filter_map(|p| resolve_location(base, p))
        .collect()
}

/// Scans one fetched text with the secrets engine; server secrets only.
fn scan_into(obs: &mut ExposureObservation, url: &str, text: &[u8]) {
    for m in secrets::scan_bytes(url, text) {
        if m.rule.kind == Kind::Secret {
            obs.bundle_secrets.push(BundleSecret {
                subject: m.subject(),
                redacted: m.redacted.clone(),
                rule: m.rule.id.to_string(),
            });
        }
    }
}

fn unseen(obs: &mut ExposureObservation, check: &'static str, subject: &str, reason: String) {
    obs.unseen.push(Unseen {
        check,
        subject: subject.to_string(),
        reason,
    });
}

/// Keeps each answer as a page; a probe that got no answer leaves `check` not checked for it.
fn keep(
    obs: &mut ExposureObservation,
    http: &crate::net::http::Client,
    check: &'static str,
    urls: &[String],
    answers: Vec<Result<Response, HttpError>>,
) -> Vec<Page> {
    let mut pages = Vec::new();
    for (u, r) in urls.iter().zip(answers) {
        match r {
            Ok(r) => pages.push(page(u, &r)),
            Err(e) => unseen(obs, check, u, http.reason(&e)),
        }
    }
    pages
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> ExposureObservation {
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
    let page_answer = match (&blind, app.last.as_ref()) {
        (None, Some(page)) => page,
        _ => {
            let why = blind.unwrap_or_default();
            notes.push(format!("{why}; only the staging hosts were checked"));
            for c in CHECKS.iter().map(|c| c.doc()) {
                if c.id != StagingOpen::DOC.id {
                    unseen(&mut obs, c.id, &app.start, why.clone());
                }
            }
            staging(ctx, &mut obs).await;
            return obs;
        }
    };
    let base = app.final_url().to_string();
    let domain = ctx.target.domain.clone();
    let on_site =
        |u: &str| host_of(u).is_some_and(|h| h == domain || h.ends_with(&format!(".{domain}")));

    // The app's own API routes, from the page (inline scripts) and its scripts.
    let html = text(page_answer);
    let mut routes: Vec<String> = api_routes(&html);
    // Scripts the page loads, on the site's own hosts only, bounded in count and size.
    let mut scripts: Vec<String> = script_srcs(&html)
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
    let fetched = join_all(scripts.iter().map(|u| http.get(u))).await;
    let mut maps = Vec::new();
    let mut dirs = std::collections::BTreeSet::new();
    // Scripts over the body cap are fetched again one at a time (memory stays bounded by
    // one script) and scanned whole up to SCRIPT_CAP.
    let mut big = http.clone();
    big.body_cap = SCRIPT_CAP;
    big.timeout = SCRIPT_TIMEOUT;
    let bundle = SecretInBundle::DOC.id;
    for (url, r) in scripts.iter().zip(fetched) {
        let r = match r {
            Ok(r) if r.truncated => match big.get(url).await {
                Ok(full) => full,
                Err(e) => {
                    let why = format!(
                        "script larger than {} MiB could not be read whole ({}): scanned the first {} MiB",
                        http.body_cap >> 20,
                        big.reason(&e),
                        http.body_cap >> 20
                    );
                    unseen(&mut obs, bundle, url, why);
                    r
                }
            },
            Ok(r) => r,
            Err(e) => {
                unseen(&mut obs, bundle, url, http.reason(&e));
                continue;
            }
        };
        if !r.status.is_success() {
            continue;
        }
        if r.truncated && r.body.len() >= SCRIPT_CAP {
            let why = format!(
                "script larger than {} MiB: scanned the first {} MiB",
                SCRIPT_CAP >> 20,
                SCRIPT_CAP >> 20
            );
            unseen(&mut obs, bundle, url, why);
        }
        scan_into(&mut obs, url, &r.body);
        // Borrowed when the script is UTF-8: a 32 MiB bundle is not copied again.
        let code = String::from_utf8_lossy(&r.body);
        for route in api_routes(&code) {
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
        if let Some(m) = header_map.or_else(|| source_map_ref(&code)) {
            if let Some(abs) = resolve_location(url, &m).filter(|u| on_site(u)) {
                maps.push(abs);
            }
        }
        if let Some(dir) = resolve_location(url, "./") {
            dirs.insert(dir);
        }
    }
    let map_answers = join_all(maps.iter().map(|u| http.get(u))).await;
    for (url, r) in maps.iter().zip(map_answers) {
        match r {
            Err(e) => unseen(&mut obs, SourceMap::DOC.id, url, http.reason(&e)),
            Ok(r) if r.status.is_success() && looks_like_source_map(&text(&r)) => {
                obs.source_maps.push(url.clone());
                // Maps carry the original sources, secrets included.
                scan_into(&mut obs, url, &r.body);
            }
            Ok(_) => {}
        }
    }

    // An OpenAPI document lists the routes the code may not show (bounded: a few paths on
    // the app's origin, GET routes only).
    let openapi_urls: Vec<String> = OPENAPI_PATHS
        .iter()
        .filter_map(|p| resolve_location(&base, p))
        .collect();
    for r in join_all(openapi_urls.iter().map(|u| http.get(u)))
        .await
        .into_iter()
        .flatten()
    {
        if r.status.is_success() {
            for route in openapi_routes(&text(&r)) {
                if !routes.contains(&route) {
                    routes.push(route);
                }
            }
        }
    }

    // Probes judged by content (by the checks), so that an SPA answering 200 everywhere
    // stays clean.
    let env_urls = at(&base, ENV_PATHS.iter().copied());
    let git_urls = at(&base, GIT_PATHS.iter().copied());
    let debug_urls = at(&base, DEBUG_ENDPOINTS.iter().map(|e| e.path));
    for u in at(&base, LISTING_PATHS.iter().copied()) {
        dirs.insert(u);
    }
    let dir_urls: Vec<String> = dirs.into_iter().collect();
    let mut error_urls = at(
        &base,
        [
            "/launchready-missing-page",
            "/launchready-probe/%ff%fe?id[]=%27%22%3C",
        ],
    );
    // Where apps really throw: their own API routes, asked with GET (idempotent only), each
    // with a malformed variant (an id that cannot exist and a value of the wrong type).
    routes.truncate(MAX_API_ROUTES);
    for r in &routes {
        for variant in [r.clone(), format!("{r}/launchready-0%27?id=%7B%7D")] {
            if let Some(u) = resolve_location(&base, &variant).filter(|u| ctx.target.audits(u)) {
                if !error_urls.contains(&u) {
                    error_urls.push(u);
                }
            }
        }
    }
    let browser = [("accept", BROWSER_ACCEPT)];
    let (env, git, debug, listing, errors) = tokio::join!(
        join_all(env_urls.iter().map(|u| http.get(u))),
        join_all(git_urls.iter().map(|u| http.get(u))),
        join_all(debug_urls.iter().map(|u| http.get(u))),
        join_all(dir_urls.iter().map(|u| http.get(u))),
        join_all(
            error_urls
                .iter()
                .map(|u| http.request(Method::GET, u, &browser))
        ),
    );
    obs.env = keep(&mut obs, http, EnvFile::DOC.id, &env_urls, env);
    obs.git = keep(&mut obs, http, Git::DOC.id, &git_urls, git);
    obs.debug = keep(&mut obs, http, DebugEndpoint::DOC.id, &debug_urls, debug);
    obs.dirs = keep(&mut obs, http, DirectoryListing::DOC.id, &dir_urls, listing);
    obs.errors = keep(&mut obs, http, StackTrace::DOC.id, &error_urls, errors);
    staging(ctx, &mut obs).await;
    obs
}

/// A configured subdomain whose first label starts like one of these is asked too.
const STAGING_PREFIXES: &[&str] = &["staging", "stage", "dev", "test", "preview", "uat", "qa"];

/// Staging hosts that resolve and answer without authentication. A wildcard record that
/// serves every name is told apart by asking a name that cannot exist too.
async fn staging(ctx: &Context, obs: &mut ExposureObservation) {
    let domain = &ctx.target.domain;
    let mut hosts: Vec<String> = STAGING_LABELS
        .iter()
        .map(|l| format!("{l}.{domain}"))
        .collect();
    for s in &ctx.target.subdomains {
        let first = s.split('.').next().unwrap_or("");
        if STAGING_PREFIXES.iter().any(|l| first.starts_with(l)) && !hosts.contains(s) {
            hosts.push(s.clone());
        }
    }
    let canary = format!("launchready-nonexistent-{}.{domain}", std::process::id());
    let resolved = join_all(hosts.iter().chain([&canary]).map(|h| ctx.resolver.addrs(h))).await;
    let wildcard = resolved
        .last()
        .is_some_and(|r| r.as_ref().is_ok_and(|a| !a.is_empty()));
    if wildcard {
        return;
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
    for (h, chain) in live.iter().zip(answers) {
        if let Some(r) = &chain.last {
            let auth = r.status.as_u16() == 401
                || r.status.as_u16() == 403
                || r.headers.contains_key("www-authenticate");
            if r.status.is_success() && !auth {
                obs.staging_open.push(OpenStaging {
                    url: format!("https://{h}/"),
                    status: r.status.as_u16(),
                });
            }
        }
    }
}
