//! `dns.ns.lame`.

use super::*;

crate::check! {
    NsLame for DnsObservation = CheckDoc {
        id: "dns.ns.lame",
        stage: Stage::Dns,
        severity: Severity::Medium,
        impact: Impact::Downtime,
        title: "A nameserver does not serve the zone (lame delegation)",
        catches: "A server in the NS set, asked directly, does not answer authoritatively for the zone: it refuses, fails, times out, answers without the AA bit, or its name does not resolve.",
        why: "Resolvers that pick the lame server get errors or long timeouts: the site is slow or unreachable for a share of visitors, at random, which is the hardest outage to debug on launch day.",
        fix: "Remove the server from the NS set and at the registrar, or configure the zone on it. Check with `dig @SERVER DOMAIN SOA +norec` that every listed server answers with the aa flag.",
        refs: &["RFC 1912 §2.8", "RFC 8499 (lame delegation)"],
    };
    fn evaluate(o, out, doc) {
        for ns in &o.nameservers {
            match &ns.status {
                NsStatus::Lame(why) => out.push(
                    doc.finding(&ns.name, format!("{} for {}: {why}", ns.name, o.ns_zone)),
                ),
                // Whether it serves the zone is not known: not a pass.
                NsStatus::NotProbed => out.unseen(
                    doc,
                    ns.name.clone(),
                    crate::net::dns::offline("the nameservers are not asked directly"),
                ),
                NsStatus::Authoritative => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_lame_nameserver() {
        let mut o = healthy();
        o.nameservers[1].status = NsStatus::Lame("answered REFUSED".into());
        let (found, _) = judge(&NsLame, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "ns2.example.org");
        o.nameservers[1].status = NsStatus::NotProbed;
        let (found, unseen) = judge(&NsLame, &o);
        assert!(found.is_empty(), "offline audits do not ask nameservers");
        assert_eq!(unseen.len(), 1, "and do not pass them either");
        assert_eq!(unseen[0].subject, "ns2.example.org");
    }
}
