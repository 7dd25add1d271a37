//! The DNS part of the report's inventory: every record seen, the nameservers and the CAA owner.

use super::*;
use crate::net::dns::Resolver;
use serde_json::json;

pub fn inventory(o: &DnsObservation, resolver: &Resolver) -> serde_json::Value {
    json!({
        "resolver": resolver.describe(),
        "zone": o.ns_zone,
        "records": o.records.iter().map(|(n, t, ttl, d)| json!({"name": n, "type": t, "ttl": ttl, "data": d})).collect::<Vec<_>>(),
        "nameservers": o.nameservers.iter().map(|n| json!({
            "name": n.name,
            "addresses": n.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "status": match &n.status { NsStatus::Authoritative => "authoritative".to_string(), NsStatus::Lame(w) => format!("lame: {w}"), NsStatus::NotProbed => "not probed (offline)".to_string() },
        })).collect::<Vec<_>>(),
        "caa": o.caa_owner,
        "wildcard": o.wildcard,
    })
}
