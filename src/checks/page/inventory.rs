//! The page part of the report's inventory: every asset of each page (size as served, type,
//! origin, cache lifetime, compression), the bytes by kind, the protocols and the estimate.

use super::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub pages: Vec<PageInventory>,
    pub robots_txt: Option<String>,
    /// Staging hosts that answered, with what keeps them out of search (`null`: nothing).
    pub staging: Vec<StagingInventory>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StagingInventory {
    pub url: String,
    pub status: u16,
    pub noindex: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageInventory {
    pub url: String,
    pub total_bytes: u64,
    /// Bytes as served, by kind (`document`, `script`, `stylesheet`, `font`, `image`).
    pub bytes_by_kind: BTreeMap<&'static str, u64>,
    pub third_party_bytes: u64,
    pub requests: usize,
    pub skipped_over_caps: usize,
    pub alpn: Option<String>,
    pub http3_advertised: bool,
    pub alt_svc: Option<String>,
    pub canonical: Option<String>,
    pub estimate: estimate::Estimate,
    pub estimate_formula: &'static str,
    pub assets: Vec<Asset>,
}

pub fn inventory(obs: &PageObservation) -> Inventory {
    let pages = obs
        .pages
        .iter()
        .map(|p| {
            let mut by_kind = BTreeMap::new();
            for a in &p.assets {
                *by_kind.entry(a.kind.as_str()).or_insert(0) += a.bytes.unwrap_or(0);
            }
            PageInventory {
                url: p.url.clone(),
                total_bytes: p.assets.iter().filter_map(|a| a.bytes).sum(),
                bytes_by_kind: by_kind,
                third_party_bytes: p
                    .assets
                    .iter()
                    .filter(|a| a.third_party)
                    .filter_map(|a| a.bytes)
                    .sum(),
                requests: p.assets.len(),
                skipped_over_caps: p.skipped,
                alpn: p.alpn.clone(),
                http3_advertised: p.alt_svc.as_deref().is_some_and(|a| a.contains("h3")),
                alt_svc: p.alt_svc.clone(),
                canonical: p.canonical.clone(),
                estimate: estimate::estimate(p),
                estimate_formula: estimate::FORMULA,
                assets: p.assets.clone(),
            }
        })
        .collect();
    Inventory {
        pages,
        robots_txt: obs.robots.found().map(|r| r.url.clone()),
        staging: obs
            .staging
            .iter()
            .map(|s| StagingInventory {
                url: s.url.clone(),
                status: s.status,
                noindex: s.noindex,
            })
            .collect(),
    }
}
