//! The exposure probes, in as few round trips as their dependencies allow: the staging hosts
//! beside the app page; once the page is read, its scripts (see [`scripts`]), the OpenAPI
//! paths and every well-known path and error probe in one wave; then the source maps and the
//! probes the scripts and OpenAPI add. Their answers are kept for the checks to judge.

use super::routes::{api_routes, openapi_routes, script_srcs, OPENAPI_PATHS};
use super::scripts::{self, unseen};
use super::signatures::{looks_like_source_map, DEBUG_ENDPOINTS};
use super::*;
use crate::net::http::{resolve_location, HttpError, Response};
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

/// GETs every URL at once.
fn get_all<'a>(
    http: &'a crate::net::http::Client,
    urls: &'a [String],
) -> impl std::future::Future<Output = Vec<Result<Response, HttpError>>> + 'a {
    join_all(urls.iter().map(move |u| http.get(u)))
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
    // The staging hosts need nothing from the page: their DNS and connections start at once,
    // beside the page's own chain of round trips, not after it.
    let (mut obs, staging_open) = tokio::join!(observe_app(ctx, notes), staging(ctx));
    obs.staging_open = staging_open;
    obs
}

/// The error probes of `routes` (each with a malformed variant) on the audited hosts, none
/// of `known` again.
fn route_urls(ctx: &Context, base: &str, routes: &[String], known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in routes {
        for variant in [r.clone(), format!("{r}/launchready-0%27?id=%7B%7D")] {
            if let Some(u) = resolve_location(base, &variant).filter(|u| ctx.target.audits(u)) {
                if !known.contains(&u) && !out.contains(&u) {
                    out.push(u);
                }
            }
        }
    }
    out
}

/// Everything but the staging hosts: the page, then in one wave its scripts, the OpenAPI
/// paths and every probe the page's URL alone decides; then the source maps and the probes
/// the scripts and the OpenAPI document add (directories, API routes).
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
            return obs;
        }
    };
    let base = app.final_url().to_string();
    let domain = ctx.target.domain.clone();
    let on_site =
        |u: &str| host_of(u).is_some_and(|h| h == domain || h.ends_with(&format!(".{domain}")));

    // The app's own API routes, from the page (inline scripts), its scripts and OpenAPI.
    let html = text(page_answer);
    let page_routes: Vec<String> = api_routes(&html);
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

    // Probes judged by content (by the checks), so that an SPA answering 200 everywhere
    // stays clean. Those the page's URL alone decides leave beside the scripts.
    let env_urls = at(&base, ENV_PATHS.iter().copied());
    let git_urls = at(&base, GIT_PATHS.iter().copied());
    let debug_urls = at(&base, DEBUG_ENDPOINTS.iter().map(|e| e.path));
    let listing_urls = at(&base, LISTING_PATHS.iter().copied());
    // An OpenAPI document lists the routes the code may not show (bounded: a few paths on
    // the app's origin, GET routes only).
    let openapi_urls = at(&base, OPENAPI_PATHS.iter().copied());
    let mut error_urls = at(
        &base,
        [
            "/launchready-missing-page",
            "/launchready-probe/%ff%fe?id[]=%27%22%3C",
        ],
    );
    // Where apps really throw: their own API routes, asked with GET (idempotent only), each
    // with a malformed variant (an id that cannot exist and a value of the wrong type). The
    // page's come first in the list, so theirs leave now.
    let first_routes = &page_routes[..page_routes.len().min(MAX_API_ROUTES)];
    let page_errors = route_urls(ctx, &base, first_routes, &error_urls);
    error_urls.extend(page_errors);
    let browser = [("accept", BROWSER_ACCEPT)];
    let first_wave = async {
        tokio::join!(
            get_all(http, &env_urls),
            get_all(http, &git_urls),
            get_all(http, &debug_urls),
            get_all(http, &listing_urls),
            join_all(
                error_urls
                    .iter()
                    .map(|u| http.request(Method::GET, u, &browser))
            ),
        )
    };
    let obs_ref = &mut obs;
    // The OpenAPI documents and the scripts are read at once; what the scripts name (maps,
    // directories, routes) leaves as soon as they are read, without waiting for OpenAPI.
    let openapi = get_all(http, &openapi_urls);
    let error_urls_ref = &error_urls;
    // The scripts and their maps are the stage's longest chain: on the run's lane, so that
    // they do not wait behind the wave of probes for a connection.
    let urgent = http.urgent();
    let scripts_then_more = async {
        let read = scripts::read(&urgent, &scripts, &page_routes, &on_site, obs_ref).await;
        let mut routes = page_routes.clone();
        routes.extend(read.routes);
        routes.truncate(MAX_API_ROUTES);
        let script_errors = route_urls(ctx, &base, &routes, error_urls_ref);
        let more_dirs: Vec<String> = read
            .dirs
            .into_iter()
            .filter(|d| !listing_urls.contains(d))
            .collect();
        let (map_answers, dir_answers, error_answers) = tokio::join!(
            get_all(&urgent, &read.maps),
            get_all(http, &more_dirs),
            join_all(
                script_errors
                    .iter()
                    .map(|u| http.request(Method::GET, u, &browser))
            ),
        );
        for (url, r) in read.maps.iter().zip(map_answers) {
            match r {
                Err(e) => unseen(obs_ref, SourceMap::DOC.id, url, http.reason(&e)),
                Ok(r) if r.status.is_success() && looks_like_source_map(&text(&r)) => {
                    obs_ref.source_maps.push(url.clone());
                    // Maps carry the original sources, secrets included.
                    scripts::scan_into(obs_ref, url, &r.body);
                }
                Ok(_) => {}
            }
        }
        (routes, more_dirs, dir_answers, script_errors, error_answers)
    };
    let (first, (openapi, (routes, more_dirs, more_listing, script_errors, script_answers))) =
        tokio::join!(first_wave, async {
            tokio::join!(openapi, scripts_then_more)
        });
    let (env, git, debug, listing, errors) = first;
    // The routes an OpenAPI document adds come after the page's and the scripts', up to the
    // same bound, and are asked once both are known.
    let mut all_routes = routes.clone();
    for r in openapi.into_iter().flatten() {
        if r.status.is_success() {
            for route in openapi_routes(&text(&r)) {
                if !all_routes.contains(&route) {
                    all_routes.push(route);
                }
            }
        }
    }
    all_routes.truncate(MAX_API_ROUTES);
    let mut known = error_urls.clone();
    known.extend(script_errors.iter().cloned());
    let openapi_errors = route_urls(
        ctx,
        &base,
        &all_routes[routes.len().min(all_routes.len())..],
        &known,
    );
    let openapi_answers = join_all(
        openapi_errors
            .iter()
            .map(|u| http.request(Method::GET, u, &browser)),
    )
    .await;
    let more_errors: Vec<String> = script_errors.into_iter().chain(openapi_errors).collect();
    let errors2: Vec<_> = script_answers.into_iter().chain(openapi_answers).collect();
    // The directories in sorted order, as one walk over them all would ask them.
    let mut dirs: Vec<(String, Result<Response, HttpError>)> = listing_urls
        .into_iter()
        .zip(listing)
        .chain(more_dirs.into_iter().zip(more_listing))
        .collect();
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    let (dir_urls, listing): (Vec<String>, Vec<_>) = dirs.into_iter().unzip();
    // The route probes the scripts and OpenAPI added come after the page's, as found.
    error_urls.extend(more_errors);
    let errors: Vec<_> = errors.into_iter().chain(errors2).collect();
    obs.env = keep(&mut obs, http, EnvFile::DOC.id, &env_urls, env);
    obs.git = keep(&mut obs, http, Git::DOC.id, &git_urls, git);
    obs.debug = keep(&mut obs, http, DebugEndpoint::DOC.id, &debug_urls, debug);
    obs.dirs = keep(&mut obs, http, DirectoryListing::DOC.id, &dir_urls, listing);
    obs.errors = keep(&mut obs, http, StackTrace::DOC.id, &error_urls, errors);
    obs
}

/// Staging hosts that resolve and answer without authentication. A wildcard record that
/// serves every name is told apart by asking a name that cannot exist too.
async fn staging(ctx: &Context) -> Vec<OpenStaging> {
    let domain = &ctx.target.domain;
    let live = crate::web::live_staging_hosts(ctx).await;
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
                open.push(OpenStaging {
                    url: format!("https://{h}/"),
                    status: r.status.as_u16(),
                });
            }
        }
    }
    open
}
