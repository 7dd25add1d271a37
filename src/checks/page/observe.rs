//! The page stage's probes: each page and its assets (in batches of 6, as a browser's
//! connections would, until the byte cap), ALPN on the page's host, `robots.txt`, and the
//! staging hosts' robots signals. See the module doc of `page` for what may be fetched where.

use super::*;
use crate::net::http::{Client, Response};
use bytes::Bytes;
use futures_util::future::join_all;
use std::sync::Arc;

const ACCEPT_ENCODING: (&str, &str) = ("accept-encoding", "gzip, deflate, br");
const BATCH: usize = 6;

fn header(r: &Response, name: &str) -> Option<String> {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn accept(kind: Kind) -> &'static str {
    match kind {
        Kind::Document => "text/html,application/xhtml+xml,*/*;q=0.8",
        Kind::Image => "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
        Kind::Stylesheet => "text/css,*/*;q=0.1",
        _ => "*/*",
    }
}

/// The asset as a browser gets it: its bytes on the wire, and the body read (for HTML/CSS).
async fn fetch(http: &Client, url: &str, kind: Kind, third_party: bool) -> (Asset, Option<Bytes>) {
    let mut asset = Asset {
        url: url.to_string(),
        kind,
        origin: html::origin_of(url).unwrap_or_default(),
        third_party,
        bytes: None,
        status: None,
        content_type: String::new(),
        encoding: None,
        cache_seconds: None,
        render_blocking: false,
        error: None,
    };
    let headers = [ACCEPT_ENCODING, ("accept", accept(kind))];
    // Third parties are only sized: HEAD first, a capped GET only without Content-Length.
    let mut answer = None;
    if third_party {
        if let Ok(r) = http.request(hyper::Method::HEAD, url, &headers).await {
            let length = header(&r, "content-length").and_then(|l| l.parse::<u64>().ok());
            if r.status.is_success() && length.is_some() {
                answer = Some((r, length));
            }
        }
    }
    let (r, length) = match answer {
        Some(a) => a,
        None => match http.request(hyper::Method::GET, url, &headers).await {
            Ok(r) => {
                let declared = header(&r, "content-length").and_then(|l| l.parse::<u64>().ok());
                let read = r.body.len() as u64;
                let bytes = if r.truncated {
                    declared.unwrap_or(read).max(read)
                } else {
                    read
                };
                (r, Some(bytes))
            }
            Err(e) => {
                asset.error = Some(http.reason(&e));
                return (asset, None);
            }
        },
    };
    asset.bytes = length;
    asset.status = Some(r.status.as_u16());
    asset.content_type = header(&r, "content-type").unwrap_or_default();
    asset.encoding = header(&r, "content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity");
    asset.cache_seconds = header(&r, "cache-control").and_then(|c| html::cache_seconds(&c));
    let body = (!third_party && asset.encoding.is_none()).then(|| r.body.clone());
    (asset, body)
}

/// The protocol ALPN settles on with the page's host when h2 and http/1.1 are offered.
async fn alpn(ctx: &Context, url: &str) -> Option<String> {
    let uri: hyper::Uri = url.parse().ok()?;
    if uri.scheme_str() != Some("https") {
        return None;
    }
    let host = uri.host()?.to_string();
    let port = uri.port_u16().unwrap_or(443);
    let addrs = crate::net::http::destinations(&ctx.resolver, &ctx.connect_to, &host, port)
        .await
        .ok()?;
    let addr = *addrs.first()?;
    let mut config = crate::net::http::tls_config((*ctx.roots).clone()).ok()?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = rustls_pki_types::ServerName::try_from(host).ok()?;
    let work = async {
        let tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        let tls = connector.connect(name, tcp).await.ok()?;
        let p = tls.get_ref().1.alpn_protocol();
        Some(p.map_or("http/1.1".to_string(), |p| {
            String::from_utf8_lossy(p).into_owned()
        }))
    };
    tokio::time::timeout(ctx.http.timeout, work)
        .await
        .ok()
        .flatten()
}

/// Fetches refs in batches until the page's byte cap; returns how many were left.
async fn fetch_all(
    ctx: &Context,
    lenient: &Client,
    foreign: &Client,
    refs: Vec<html::Ref>,
    page: &mut PageLoad,
    read: &mut u64,
) -> Vec<(Asset, Option<Bytes>)> {
    let mut got = Vec::new();
    let mut rest = refs.into_iter().peekable();
    while rest.peek().is_some() {
        if *read >= MAX_PAGE_BYTES {
            page.skipped += rest.count();
            break;
        }
        let batch: Vec<html::Ref> = rest.by_ref().take(BATCH).collect();
        let answers = fetch_batch(ctx, lenient, foreign, &batch).await;
        count_in(batch, answers, read, &mut got);
    }
    got
}

/// One batch of refs, fetched at once.
async fn fetch_batch(
    ctx: &Context,
    lenient: &Client,
    foreign: &Client,
    batch: &[html::Ref],
) -> Vec<(Asset, Option<Bytes>)> {
    join_all(batch.iter().map(|r| {
        let third = !ctx.target.audits(&r.url);
        let http = if third { foreign } else { lenient };
        fetch(http, &r.url, r.kind, third)
    }))
    .await
}

/// Adds a fetched batch to `got`, its bytes to `read`.
fn count_in(
    batch: Vec<html::Ref>,
    answers: Vec<(Asset, Option<Bytes>)>,
    read: &mut u64,
    got: &mut Vec<(Asset, Option<Bytes>)>,
) {
    for (r, (mut a, body)) in batch.into_iter().zip(answers) {
        a.render_blocking = r.render_blocking;
        *read += a.bytes.unwrap_or(0);
        got.push((a, body));
    }
}

/// One page: the document as served, then its assets (fonts found in its stylesheets last).
async fn load(
    ctx: &Context,
    lenient: &Client,
    foreign: &Client,
    url: &str,
    html: &str,
) -> PageLoad {
    let mut page = PageLoad {
        url: url.to_string(),
        ..Default::default()
    };
    let mut read = 0u64;
    page.canonical = html::canonical(html, url);
    let mut counts = [0usize; 5];
    let mut capped = |refs: Vec<html::Ref>, page: &mut PageLoad| -> Vec<html::Ref> {
        refs.into_iter()
            .filter(|r| {
                let n = &mut counts[r.kind as usize];
                *n += 1;
                if *n > MAX_PER_KIND {
                    page.skipped += 1;
                }
                *n <= MAX_PER_KIND
            })
            .collect()
    };
    let mut refs = capped(html::refs(html, url), &mut page);
    // The document as served, its HEAD, ALPN and the first batch of assets at once; the
    // document's bytes count before the batch does (a document over the byte cap leaves
    // every asset skipped, the batch's answers unused).
    let first: Vec<html::Ref> = refs.drain(..refs.len().min(BATCH)).collect();
    let ((doc, _), head, alpn, first_answers) = tokio::join!(
        fetch(lenient, url, Kind::Document, false),
        lenient.request(hyper::Method::HEAD, url, &[]),
        alpn(ctx, url),
        fetch_batch(ctx, lenient, foreign, &first),
    );
    read += doc.bytes.unwrap_or(0);
    page.assets.push(doc);
    if let Ok(r) = head {
        page.alt_svc = header(&r, "alt-svc");
    }
    page.alpn = alpn;
    let mut fetched = Vec::new();
    if read >= MAX_PAGE_BYTES {
        page.skipped += first.len() + refs.len();
    } else {
        count_in(first, first_answers, &mut read, &mut fetched);
        let rest = fetch_all(ctx, lenient, foreign, refs, &mut page, &mut read).await;
        fetched.extend(rest);
    }
    // The stylesheets' text (those sent compressed asked again, all at once).
    let css = join_all(
        fetched
            .iter()
            .filter(|(a, _)| a.kind == Kind::Stylesheet && !a.third_party && a.status == Some(200))
            .map(|(a, body)| async move {
                let text = match body {
                    Some(b) => String::from_utf8_lossy(b).into_owned(),
                    None => {
                        let r = lenient.get(&a.url).await.ok()?;
                        String::from_utf8_lossy(&r.body).into_owned()
                    }
                };
                Some((a.url.clone(), text))
            }),
    )
    .await;
    let mut fonts = Vec::new();
    for (css_url, css) in css.into_iter().flatten() {
        for f in html::css_fonts(&css, &css_url) {
            if !fonts.iter().any(|x: &html::Ref| x.url == f.url)
                && !fetched.iter().any(|(x, _)| x.url == f.url)
            {
                fonts.push(f);
            }
        }
    }
    page.assets.extend(fetched.into_iter().map(|(a, _)| a));
    let fonts = capped(fonts, &mut page);
    let fonts = fetch_all(ctx, lenient, foreign, fonts, &mut page, &mut read).await;
    page.assets.extend(fonts.into_iter().map(|(a, _)| a));
    page
}

/// `robots.txt` of a host: `Found(blocks all?)`, `Absent` when there is none (any answer but
/// a text 200), `Err` when it could not be asked.
pub(super) async fn robots(http: &Client, origin: &str) -> Result<Option<Robots>, String> {
    let url = format!("{origin}/robots.txt");
    let r = http
        .get(&url)
        .await
        .map_err(|e| format!("{url}: {}", http.reason(&e)))?;
    let ctype = header(&r, "content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if r.status.as_u16() != 200 || ctype.contains("html") {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&r.body);
    Ok(Some(Robots {
        url,
        blocks_all: html::robots_blocks_all(&text),
    }))
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> PageObservation {
    // The staging hosts need nothing from the pages: asked beside them.
    let (mut obs, staging) = tokio::join!(observe_pages(ctx, notes), super::staging::staging(ctx));
    obs.staging = staging;
    obs
}

/// The landing page and the app page (each once), read at once, and `robots.txt`.
async fn observe_pages(ctx: &Context, notes: &mut Vec<String>) -> PageObservation {
    let mut obs = PageObservation {
        app: ctx.target.url.clone(),
        ..Default::default()
    };
    let domain = &ctx.target.domain;
    let audited = |u: &str| ctx.target.audits(u);
    let foreign = ctx.http.for_target_urls(domain).await;
    let landing = format!("https://{domain}/");
    let mut starts = vec![landing];
    if !starts.contains(&ctx.target.url) {
        starts.push(ctx.target.url.clone());
    }
    let chains = join_all(
        starts
            .iter()
            .map(|start| ctx.http.follow_app(&ctx.roots, start, &audited, domain)),
    )
    .await;
    let mut failures = Vec::new();
    // The pages to load, by final URL (each once), in the order of their starts.
    let mut loads: Vec<(Client, String, String)> = Vec::new();
    for (start, (chain, lenient, note)) in starts.iter().zip(chains) {
        notes.extend(note);
        let page = match (&chain.off_site, &chain.last) {
            (None, Some(page)) => page,
            (Some(off), _) => {
                failures.push(format!("{start} redirects off the audited hosts to {off}"));
                continue;
            }
            (None, None) => {
                let why = match &chain.error {
                    Some(e) => match lenient.blind_from_here(e).await {
                        Some(w) => w,
                        None => format!(
                            "{}: {}",
                            chain.failed_at.as_deref().unwrap_or(start),
                            lenient.reason(e)
                        ),
                    },
                    None => format!(
                        "{start}: no page at the end of the redirects ({})",
                        chain.describe()
                    ),
                };
                failures.push(why);
                continue;
            }
        };
        let url = chain.final_url().to_string();
        if loads.iter().any(|(_, u, _)| *u == url) {
            continue;
        }
        let body = String::from_utf8_lossy(&page.body).into_owned();
        loads.push((lenient, url, body));
    }
    let robots_of = loads
        .iter()
        .find_map(|(http, url, _)| html::origin_of(url).map(|o| (http.clone(), o)));
    let (pages, robots_answer) = tokio::join!(
        join_all(
            loads
                .iter()
                .map(|(lenient, url, body)| load(ctx, lenient, &foreign, url, body))
        ),
        async {
            match &robots_of {
                Some((http, origin)) => Some(robots(http, origin).await),
                None => None,
            }
        }
    );
    obs.pages = pages;
    if obs.pages.is_empty() {
        let why = failures.join("; ");
        notes.push(format!("{why}; only the staging hosts were checked"));
        obs.unreachable = Some(why);
    } else {
        notes.extend(failures);
    }
    match robots_answer {
        Some(Ok(r)) => obs.robots = Lookup::from_answer(r),
        Some(Err(e)) => obs.robots_error = Some(e),
        None => {}
    }
    obs
}
