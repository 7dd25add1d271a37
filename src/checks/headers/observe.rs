//! The headers probes: the app page (after its redirects), the auth pages that answer 200, the
//! same pages asked from a foreign origin (CORS), and the app page's fingerprinted same-host
//! assets. What one probe could not see is recorded for the checks that needed it.

use super::parse::{fingerprinted, header, subresources};
use super::*;
use crate::net::http::{resolve_location, Response};
use futures_util::future::join_all;

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
    // One wave after the page: the auth pages, the CORS probe of every page (the auth pages
    // asked before knowing they answer; kept only for those that do) and the assets.
    let cors_urls: Vec<&String> = std::iter::once(&app_url).chain(&auth_urls).collect();
    let (auth, cors, assets) = tokio::join!(
        join_all(auth_urls.iter().map(|u| http.get(u))),
        join_all(cors_urls.iter().map(|u| http.request(
            hyper::Method::GET,
            u,
            &[("origin", PROBE_ORIGIN)]
        ))),
        join_all(asset_urls.iter().map(|u| http.get(u))),
    );
    for (u, r) in auth_urls.iter().zip(auth) {
        match r {
            Ok(r) if r.status.is_success() => pages.push(page_of(u, true, &r)),
            Ok(_) => {}
            Err(e) => {
                let why = http.reason(&e);
                notes.push(format!("{u}: {why}"));
                for id in [AuthCacheable::DOC.id, CookieInsecure::DOC.id] {
                    obs.unseen.push((id, u.clone(), why.clone()));
                }
            }
        }
    }
    // The CORS answers of the pages kept (the app page and the auth pages that answer 200).
    for p in pages.iter_mut() {
        let Some(r) = cors_urls
            .iter()
            .position(|u| **u == p.url)
            .and_then(|at| cors.get(at))
        else {
            continue;
        };
        match r {
            Ok(r) => {
                p.cors = Some(Cors {
                    allow_origin: header(&r.headers, "access-control-allow-origin")
                        .map(str::to_string),
                    allow_credentials: header(&r.headers, "access-control-allow-credentials")
                        .map(str::to_string),
                })
            }
            Err(e) => {
                for id in [CorsWildcard::DOC.id, CorsReflected::DOC.id] {
                    obs.unseen.push((id, p.url.clone(), http.reason(e)));
                }
            }
        }
    }
    for (u, r) in asset_urls.iter().zip(assets) {
        match r {
            Err(e) => obs
                .unseen
                .push((StaticUncached::DOC.id, u.clone(), http.reason(&e))),
            Ok(r) if r.status.is_success() => obs.assets.push(Asset {
                page: app_url.clone(),
                url: u.clone(),
                cache_control: header(&r.headers, "cache-control").map(str::to_string),
            }),
            Ok(_) => {}
        }
    }
    obs.pages = pages;
    obs
}
