//! The redirects part of the report's inventory: every chain followed, hop by hop. (Fields
//! in alphabetical order: the JSON is the one the stage wrote before it was typed.)

use super::RedirectObservation;
use serde::Serialize;

/// One chain followed from its start URL.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// The chain in one line: `url status → url status …`.
    pub chain: String,
    /// Why it stopped without a final answer.
    pub error: Option<String>,
    pub hops: Vec<Hop>,
    /// The address the chain was followed on, for a node that answered differently from
    /// its host (round-robin DNS); absent on the hosts' own chains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<std::net::IpAddr>,
    /// The first URL off the audited hosts, asked once and not followed.
    pub off_site: Option<String>,
    pub start: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub location: Option<String>,
    pub status: u16,
    pub url: String,
}

pub fn inventory(o: &RedirectObservation) -> Vec<Chain> {
    o.chains()
        .map(|c| (None, c))
        .chain(o.nodes.iter().map(|n| (Some(n.ip), &n.chain)))
        .map(|(node, c)| Chain {
            chain: c.describe(),
            error: c.error.as_ref().map(|e| e.to_string()),
            hops: c
                .hops
                .iter()
                .map(|h| Hop {
                    location: h.location.clone(),
                    status: h.status,
                    url: h.url.clone(),
                })
                .collect(),
            node,
            off_site: c.off_site.clone(),
            start: c.start.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn the_json_is_the_untyped_one() {
        let o = healthy();
        let json = serde_json::to_value(inventory(&o)).unwrap_or_default();
        let c = &o
            .https_www
            .as_ref()
            .map(|c| c.describe())
            .unwrap_or_default();
        let want = serde_json::json!({
            "start": "https://www.example.com/login?next=%2Fcheckout",
            "hops": [
                {"url": "https://www.example.com/login?next=%2Fcheckout", "status": 301, "location": APEX},
                {"url": APEX, "status": 200, "location": null},
            ],
            "error": null,
            "off_site": null,
            "chain": c,
        });
        assert_eq!(json[3], want);
        assert_eq!(json.as_array().map(Vec::len), Some(4));
    }
}
