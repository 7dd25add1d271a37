//! The run's first DNS and connection work in one burst. At internet latency every round trip
//! counts: the resolver's sanity query (root NS) used to go alone, and only then did the
//! stages ask their first names. The names every stage will ask first, whatever the answers,
//! leave now beside it; the resolver's cache (one entry per name and type, awaited by every
//! concurrent asker) hands them to the stages when they ask. Nothing here judges an answer.

use crate::audit::Context;
use crate::check::Stage;
use crate::target::Target;
use hickory_proto::rr::RecordType;

/// The (name, type) pairs the selected stages ask before any answer could change their
/// course, each once, those that longer chains follow first (the site's hosts, then the apex's
/// records the dns and email stages follow up, then the rest): a burst of sixty queries leaves
/// over a few milliseconds, and the first answers are back first. Only what the stages will
/// ask: with the stages running beside it, a burst of sockets nobody needs would crowd a tight
/// descriptor limit (`--only latency` asks for the app's host alone).
pub fn first_names(target: &Target, stages: &[Stage]) -> Vec<(String, RecordType)> {
    use RecordType::{A, AAAA, CAA, MX, NS, SOA, TXT};
    use Stage::{Dns, Email, Exposure, Latency, Page, Repo, Secrets};
    let any = |of: &[Stage]| stages.iter().any(|s| of.contains(s));
    let d = &target.domain;
    let mut out: Vec<(String, RecordType)> = Vec::new();
    let host = |h: String, out: &mut Vec<(String, RecordType)>| {
        out.push((h.clone(), A));
        out.push((h, AAAA));
    };
    let app = crate::target::host_of(&target.url).unwrap_or_else(|| d.clone());
    // The latency stage reads the app's host only; every other network stage the apex too.
    let site = stages
        .iter()
        .any(|s| !matches!(s, Latency | Secrets | Repo));
    if site {
        host(d.clone(), &mut out);
    }
    if site || any(&[Latency]) {
        host(app, &mut out);
    }
    if site {
        host(format!("www.{d}"), &mut out);
        for s in &target.subdomains {
            host(s.clone(), &mut out);
        }
    }
    if any(&[Dns, Email]) {
        for t in [NS, MX, TXT, SOA, CAA] {
            out.push((d.clone(), t));
        }
    }
    if any(&[Email]) {
        for n in ["_dmarc", "_mta-sts", "_smtp._tls"] {
            out.push((format!("{n}.{d}"), TXT));
        }
        // The MTA-STS policy's host, fetched as soon as its record is read.
        host(format!("mta-sts.{d}"), &mut out);
    }
    if any(&[Dns, Exposure, Page]) {
        for l in crate::target::STAGING_PREFIXES {
            host(format!("{l}.{d}"), &mut out);
        }
        // The wildcard canary the dns and exposure stages ask (the process id keeps it from
        // any real name).
        host(
            format!("launchready-nonexistent-{}.{d}", std::process::id()),
            &mut out,
        );
    }
    if any(&[Email]) {
        let mut selectors: Vec<String> = target
            .dkim_selectors
            .iter()
            .map(|s| s.trim().to_ascii_lowercase())
            .collect();
        for s in crate::email::dkim::COMMON_SELECTORS {
            if !selectors.iter().any(|x| x == s) {
                selectors.push(s.to_string());
            }
        }
        for s in selectors {
            out.push((format!("{s}._domainkey.{d}"), TXT));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|pair| seen.insert(pair.clone()));
    out
}

/// The most connections opened ahead of need to the app's origin.
const MAX_APP_SPARES: usize = 32;

/// Connections to open to the app's origin at the start: one per request the selected stages
/// send there at once (the page, then the wave of fixed probes that leaves when it is read).
/// Over HTTP/1.1 each of them needs a connection of its own anyway; opened at the start, their
/// handshakes overlap the page's instead of following it (two round trips off the wave).
pub fn app_spares(target: &Target, stages: &[Stage]) -> usize {
    use crate::checks::exposure::{self, routes::OPENAPI_PATHS, signatures::DEBUG_ENDPOINTS};
    let mut n = 1; // the app page, read once for every stage (Client::with_shared_answers)
    for s in stages {
        n += match s {
            // Each auth page, and its CORS probe; the app page's CORS probe.
            Stage::Headers => 2 * target.auth_paths().len() + 1,
            // The well-known paths, the OpenAPI paths and the two error probes.
            Stage::Exposure => {
                exposure::ENV_PATHS.len()
                    + exposure::GIT_PATHS.len()
                    + DEBUG_ENDPOINTS.len()
                    + exposure::LISTING_PATHS.len()
                    + OPENAPI_PATHS.len()
                    + 2
            }
            Stage::Edge => target.auth_callbacks().len(),
            // The document as a browser asks it, its HEAD, the first batch of six, robots.txt.
            Stage::Page => 9,
            _ => 0,
        };
    }
    n.min(MAX_APP_SPARES)
}

/// Connections to open to the app's origin on the run's lane ([`Client::urgent`]): for the
/// requests that leave with the wave of probes and that a next request waits on — the first
/// scripts (their source maps follow), the static asset the edge stage asks twice.
///
/// [`Client::urgent`]: crate::net::http::Client::urgent
pub fn urgent_spares(stages: &[Stage]) -> usize {
    stages
        .iter()
        .map(|s| match s {
            Stage::Exposure => 4,
            Stage::Edge => 1,
            _ => 0,
        })
        .sum()
}

/// Starts the run's first network work in the background, beside the resolver's sanity query
/// and the stages: the names every stage asks first (their answers land in the resolver's
/// cache), the connections the site-reading stages take first (each opens as soon as its
/// host's addresses are known), and the secrets engine the exposure stage scans scripts with
/// (built on a blocking thread while the first round trips are in flight, not after the
/// scripts arrive). Nothing is judged here.
pub fn start(ctx: &Context, stages: &[Stage]) {
    // The engine is built once per process (a run over many targets finds it ready).
    if stages.contains(&Stage::Exposure) {
        tokio::task::spawn_blocking(|| {
            let at = crate::log::since_start();
            if let Ok(engine) = crate::secrets::scan::light_engine() {
                engine.compile_all();
            }
            crate::debug!(
                "secrets engine ready in {:.0} ms (at +{at:.0} ms)",
                crate::log::since_start() - at
            );
        });
    }
    if ctx.resolver.is_offline() {
        return;
    }
    for (name, rtype) in first_names(&ctx.target, stages) {
        let resolver = ctx.resolver.clone();
        tokio::spawn(async move {
            let _ = resolver.lookup_str(&name, rtype).await;
        });
    }
    // The DS set (asked with the DO bit) starts the DNSSEC walk; the rest of it follows at
    // once when there is one.
    if let (true, Ok(apex)) = (
        stages.contains(&Stage::Dns),
        crate::net::dns::name(&ctx.target.domain),
    ) {
        let resolver = ctx.resolver.clone();
        tokio::spawn(async move {
            let _ = resolver.lookup_dnssec(&apex, RecordType::DS).await;
        });
    }
    connect(ctx, stages);
}

/// Opens the connections the site-reading stages take first. Each resolves its host through
/// the resolver's cache (the burst above asked it), so it dials as soon as the answer lands.
fn connect(ctx: &Context, stages: &[Stage]) {
    let reads_site = stages.iter().any(|s| {
        matches!(
            s,
            Stage::Redirects | Stage::Headers | Stage::Exposure | Stage::Edge | Stage::Page
        )
    });
    if !reads_site {
        return;
    }
    let d = &ctx.target.domain;
    ctx.http
        .preconnect(&ctx.target.url, app_spares(&ctx.target, stages));
    ctx.http
        .urgent()
        .preconnect(&ctx.target.url, urgent_spares(stages));
    // The redirects stage's four starting points (one of them usually the app's origin too).
    for url in [
        format!("http://{d}/"),
        format!("http://www.{d}/"),
        format!("https://{d}/"),
        format!("https://www.{d}/"),
    ] {
        ctx.http.preconnect(&url, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_covers_the_apex_mail_and_staging_names_once() {
        let t = Target {
            domain: "example.test".into(),
            url: "https://app.example.test/".into(),
            subdomains: vec!["api.example.test".into()],
            dkim_selectors: vec!["Custom".into(), "google".into()],
            sends_mail: None,
            ..Target::default()
        };
        let names = first_names(&t, &Stage::ALL);
        for want in [
            ("example.test", RecordType::A),
            ("app.example.test", RecordType::AAAA),
            ("api.example.test", RecordType::A),
            ("staging.example.test", RecordType::A),
            ("_dmarc.example.test", RecordType::TXT),
            ("custom._domainkey.example.test", RecordType::TXT),
            ("example.test", RecordType::MX),
        ] {
            assert!(
                names.iter().any(|(n, r)| n == want.0 && *r == want.1),
                "{want:?} missing"
            );
        }
        let google = names
            .iter()
            .filter(|(n, _)| n == "google._domainkey.example.test")
            .count();
        assert_eq!(google, 1, "each name once");
        // The site's hosts lead (the longest chains start from them); DKIM selectors trail.
        let at = |n: &str, r: RecordType| names.iter().position(|x| x.0 == n && x.1 == r);
        assert_eq!(at("example.test", RecordType::A), Some(0));
        assert_eq!(at("example.test", RecordType::AAAA), Some(1));
        let app = at("app.example.test", RecordType::A).expect("app host");
        let www = at("www.example.test", RecordType::A).expect("www");
        let mx = at("example.test", RecordType::MX).expect("mx");
        let dkim = at("custom._domainkey.example.test", RecordType::TXT).expect("dkim");
        assert!(app < www && www < mx && mx < dkim, "{names:?}");
        // Only what the selected stages ask.
        let latency = first_names(&t, &[Stage::Latency]);
        assert_eq!(
            latency,
            vec![
                ("app.example.test".to_string(), RecordType::A),
                ("app.example.test".to_string(), RecordType::AAAA)
            ]
        );
        assert!(first_names(&t, &[Stage::Secrets, Stage::Repo]).is_empty());
        let mail = first_names(&t, &[Stage::Email]);
        assert!(mail
            .iter()
            .any(|(n, _)| n == "google._domainkey.example.test"));
        assert!(!mail.iter().any(|(n, _)| n == "staging.example.test"));
    }
}
