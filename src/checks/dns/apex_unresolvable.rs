//! `dns.apex.unresolvable`.

use super::*;

crate::check! {
    ApexUnresolvable for DnsObservation = CheckDoc {
        id: "dns.apex.unresolvable",
        stage: Stage::Dns,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The domain itself does not resolve",
        catches: "The apex (example.com) has no A or AAAA record, directly or through a CNAME chain, or the lookup fails (NXDOMAIN, SERVFAIL).",
        why: "Nobody can reach the site, sign up or pay: every link in the launch announcement is dead. SERVFAIL often means broken DNSSEC or a delegation to nameservers that don't serve the zone.",
        fix: "Publish an A (and AAAA) record for the apex at your DNS host, or an ALIAS/ANAME/flattened CNAME if the host only gives you a name. Then re-run the audit; resolvers may cache the old negative answer for the SOA minimum TTL.",
        refs: &["RFC 1034 §3.6", "RFC 2308 (negative caching)"],
    };
    fn evaluate(o, out, doc) {
        if !o.apex.resolves() && !o.apex.unknown {
            let why = o
                .apex
                .failure
                .clone()
                .unwrap_or_else(|| "no address".into());
            out.push(
                doc
                    .finding(&o.domain, format!("{} A/AAAA: {why}", o.domain)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_the_apex_has_no_address_and_is_not_checked_when_unknown() {
        let mut o = healthy();
        o.apex = host("example.com", &[]);
        o.apex.failure = Some("NXDOMAIN".into());
        let (found, _) = judge(&ApexUnresolvable, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("NXDOMAIN"),
            "{}",
            found[0].evidence
        );
        o.apex = unknown("example.com");
        let (found, unseen) = judge(&ApexUnresolvable, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, "example.com");
    }
}
