//! `dns.aaaa.missing`.

use super::*;

crate::check! {
    AaaaMissing for DnsObservation = CheckDoc {
        id: "dns.aaaa.missing",
        stage: Stage::Dns,
        severity: Severity::Info,
        impact: Impact::Performance,
        title: "No IPv6 address for the apex",
        catches: "The apex has A records but no AAAA record.",
        why: "IPv6-only and NAT64 mobile networks reach you through translation, which adds latency and a failure point. Not a blocker, but cheap to fix on most hosts.",
        fix: "Enable IPv6 at your host or CDN and publish the AAAA record it gives you.",
        refs: &["RFC 3596", "https://www.google.com/intl/en/ipv6/statistics.html"],
    };
    fn evaluate(o, out, doc) {
        if !o.apex.v4.is_empty() && o.apex.v6.is_empty() {
            out.push(doc.finding(
                format!("{} AAAA", o.domain),
                format!("A {} but no AAAA", o.apex.addresses()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_an_ipv4_only_apex() {
        let mut o = healthy();
        o.apex = host("example.com", &["192.0.2.10"]);
        let (found, _) = judge(&AaaaMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com AAAA");
        o.apex = host("example.com", &["2001:db8::10"]);
        assert!(judge(&AaaaMissing, &o).0.is_empty());
    }
}
