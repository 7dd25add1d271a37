//! The app page's scripts: fetched as soon as the page is read, scanned by the secrets engine
//! as they arrive (so a 32 MiB bundle is not kept), and mined for what the next probes need:
//! their API routes, their source maps and their directories.

use super::routes::{api_routes, source_map_ref};
use super::*;
use crate::net::http::{resolve_location, Client};
use crate::secrets::{self, Kind};
use futures_util::future::join_all;
use std::collections::BTreeSet;

/// What the scripts gave the probes that follow them.
#[derive(Default)]
pub struct Read {
    /// API routes found in the scripts, in the order found (none of the page's repeated).
    pub routes: Vec<String>,
    /// Source-map URLs on the site's hosts, in script order.
    pub maps: Vec<String>,
    /// The scripts' directories (asked for a listing).
    pub dirs: BTreeSet<String>,
}

/// Scans one fetched text with the secrets engine; server secrets only.
pub fn scan_into(obs: &mut ExposureObservation, url: &str, text: &[u8]) {
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

pub fn unseen(obs: &mut ExposureObservation, check: &'static str, subject: &str, reason: String) {
    obs.unseen.push(Unseen {
        check,
        subject: subject.to_string(),
        reason,
    });
}

/// Fetches the scripts at once and reads each: secrets into `obs`, routes not in `known`,
/// maps that stay on the site (`on_site`), directories.
pub async fn read(
    http: &Client,
    scripts: &[String],
    known: &[String],
    on_site: &(dyn Fn(&str) -> bool + Sync),
    obs: &mut ExposureObservation,
) -> Read {
    let mut out = Read::default();
    let fetched = join_all(scripts.iter().map(|u| http.get(u))).await;
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
                    unseen(obs, bundle, url, why);
                    r
                }
            },
            Ok(r) => r,
            Err(e) => {
                unseen(obs, bundle, url, http.reason(&e));
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
            unseen(obs, bundle, url, why);
        }
        scan_into(obs, url, &r.body);
        // Borrowed when the script is UTF-8: a 32 MiB bundle is not copied again.
        let code = String::from_utf8_lossy(&r.body);
        for route in api_routes(&code) {
            if !known.contains(&route) && !out.routes.contains(&route) {
                out.routes.push(route);
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
                out.maps.push(abs);
            }
        }
        if let Some(dir) = resolve_location(url, "./") {
            out.dirs.insert(dir);
        }
    }
    out
}
