//! `dns.ns.single`.

use super::*;

crate::check! {
    NsSingle for DnsObservation = CheckDoc {
        id: "dns.ns.single",
        stage: Stage::Dns,
        severity: Severity::Medium,
        impact: Impact::Downtime,
        title: "Only one nameserver",
        catches: "The zone is delegated to fewer than two nameservers.",
        why: "When that one server is down or unreachable, the whole domain — site, API and email — disappears. RFC 1034 asks for at least two, on separate networks.",
        fix: "List at least two nameservers (your DNS host gives you several) both in the zone's NS set and at the registrar.",
        refs: &["RFC 1034 §4.1", "RFC 2182 §5"],
    };
    fn evaluate(o, out, doc) {
        if o.nameservers.len() == 1 {
            let names: Vec<&str> = o.nameservers.iter().map(|n| n.name.as_str()).collect();
            out.push(doc.finding(
                format!("{} NS", o.ns_zone),
                format!("{} NS: {}", o.ns_zone, names.join(", ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_with_one_nameserver_only() {
        let mut o = healthy();
        let (found, _) = judge(&NsSingle, &o);
        assert!(found.is_empty());
        o.nameservers.truncate(1);
        let (found, _) = judge(&NsSingle, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com NS");
    }
}
