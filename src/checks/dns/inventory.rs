//! The DNS part of the report's inventory: every record seen, the nameservers and the CAA owner.

use super::*;
use crate::net::dns::Resolver;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub resolver: String,
    pub zone: String,
    pub records: Vec<Record>,
    pub nameservers: Vec<Nameserver>,
    pub caa: Option<String>,
    pub wildcard: bool,
}

/// One record seen, in presentation form.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub ttl: u32,
    pub data: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nameserver {
    pub name: String,
    pub addresses: Vec<String>,
    pub status: String,
}

pub fn inventory(o: &DnsObservation, resolver: &Resolver) -> Inventory {
    Inventory {
        resolver: resolver.describe(),
        zone: o.ns_zone.clone(),
        records: o
            .records
            .iter()
            .map(|(name, rtype, ttl, data)| Record {
                name: name.clone(),
                rtype: rtype.clone(),
                ttl: *ttl,
                data: data.clone(),
            })
            .collect(),
        nameservers: o
            .nameservers
            .iter()
            .map(|n| Nameserver {
                name: n.name.clone(),
                addresses: n.addrs.iter().map(|a| a.to_string()).collect(),
                status: match &n.status {
                    NsStatus::Authoritative => "authoritative".to_string(),
                    NsStatus::Lame(w) => format!("lame: {w}"),
                    NsStatus::NotProbed => "not probed (offline)".to_string(),
                },
            })
            .collect(),
        caa: o.caa_owner.clone(),
        wildcard: o.wildcard,
    }
}
