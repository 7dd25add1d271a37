//! The email part of the report's inventory.

use super::*;

fn dmarc_json(d: &DmarcObservation) -> Value {
    let parsed = match &d.parsed {
        Some(Ok(p)) => json!({
            "policy": p.p.as_str(),
            "subdomain_policy": p.sp.map(Policy::as_str),
            "pct": p.pct,
            "rua": p.rua.iter().map(|u| u.uri.clone()).collect::<Vec<_>>(),
            "ruf": p.ruf.iter().map(|u| u.uri.clone()).collect::<Vec<_>>(),
            "adkim": p.adkim.to_string(),
            "aspf": p.aspf.to_string(),
        }),
        Some(Err(e)) => json!({"error": e.to_string()}),
        None => Value::Null,
    };
    json!({"name": d.name, "found_at": d.found_at, "records": d.records, "parsed": parsed})
}

/// The inventory: the SPF tree, the DMARC policy, every DKIM key found, MX, MTA-STS, TLS-RPT.
pub fn inventory(o: &EmailObservation) -> Value {
    json!({
        "spf": o.spf.as_ref().map(Tree::to_json),
        "dmarc": o.dmarc.as_ref().map(dmarc_json),
        "dkim": o.dkim.iter().flat_map(|d| &d.found).map(|f| match &f.key {
            Ok(k) => json!({"selector": f.selector, "name": f.name, "key_type": k.key_type.as_str(), "bits": k.bits, "revoked": k.revoked, "testing": k.testing}),
            Err(e) => json!({"selector": f.selector, "name": f.name, "error": e.to_string()}),
        }).collect::<Vec<_>>(),
        "mx": o.mx.iter().flat_map(|m| &m.exchanges).map(|(p, h)| json!({"preference": p, "exchange": if h.is_empty() { "." } else { h.as_str() }})).collect::<Vec<_>>(),
        "null_mx": o.mx.as_ref().is_some_and(|m| m.null_mx),
        "mta_sts": o.mta_sts.as_ref().map(|s| json!({"record": s.record, "policy": s.policy.as_ref().map(|p| json!({"mode": p.mode, "mx": p.mx, "max_age": p.max_age}))})),
        "tls_rpt": o.tls_rpt.as_ref().map(|t| json!({"record": t.record})),
        "mx_tls": o.mx_tls.as_ref().map(super::mx_tls::inventory_rows),
    })
}
