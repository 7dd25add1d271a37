//! `dns.ttl.long`.

use super::*;

crate::check! {
    TtlLong for DnsObservation = CheckDoc {
        id: "dns.ttl.long",
        stage: Stage::Dns,
        severity: Severity::Low,
        impact: Impact::Downtime,
        title: "Apex TTL longer than a day",
        catches: "The apex address records have a TTL over 86400 seconds (1 day).",
        why: "On launch day you may need to move hosts or roll back; resolvers keep the old address for the whole TTL, so a bad cutover lasts days instead of minutes.",
        fix: "Lower the apex TTL to 300–3600 seconds at least one old-TTL period before the launch; raise it again once things are stable.",
        refs: &["RFC 1035 §3.2.1", "RFC 1912 §2.2"],
    };
    fn evaluate(o, out, doc) {
        if let Some(ttl) = o.apex_ttl.filter(|t| *t > LONG_TTL) {
            out.push(doc.finding(
                &o.domain,
                format!(
                    "{} A TTL {ttl}s ({:.1} days)",
                    o.domain,
                    f64::from(ttl) / 86_400.0
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_above_one_day_only() {
        let mut o = healthy();
        o.apex_ttl = Some(LONG_TTL);
        assert!(judge(&TtlLong, &o).0.is_empty());
        o.apex_ttl = Some(LONG_TTL + 1);
        let (found, _) = judge(&TtlLong, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("86401"), "{}", found[0].evidence);
    }
}
