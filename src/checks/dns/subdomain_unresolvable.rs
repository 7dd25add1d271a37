//! `dns.subdomain.unresolvable`.

use super::*;

crate::check! {
    SubdomainUnresolvable for DnsObservation = CheckDoc {
        id: "dns.subdomain.unresolvable",
        stage: Stage::Dns,
        severity: Severity::Medium,
        impact: Impact::Signup,
        title: "A configured subdomain does not resolve",
        catches: "A subdomain named with --subdomain or in launchready.toml (app, api, status…) has no address, directly or through its CNAME chain (a chain that ends in NXDOMAIN is reported as dns.cname.dangling instead).",
        why: "The app, its API or its status page is unreachable under the name your links and clients use.",
        fix: "Publish the record for the subdomain, or remove it from the config if it is not part of the launch.",
        refs: &["RFC 1034"],
    };
    fn evaluate(o, out, doc) {
        for h in &o.subdomains {
            if !h.dangling && !h.resolves() && !h.unknown {
                let why = h.failure.clone().unwrap_or_else(|| "no address".into());
                out.push(
                    doc
                        .finding(&h.host, format!("{} A/AAAA: {why}", h.host)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_subdomain_without_address_but_not_on_a_dangling_one() {
        let mut o = healthy();
        o.subdomains = vec![host("api.example.com", &[])];
        let (found, _) = judge(&SubdomainUnresolvable, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "api.example.com");
        o.subdomains[0].dangling = true;
        let (found, _) = judge(&SubdomainUnresolvable, &o);
        assert!(found.is_empty(), "a dangling CNAME is the other check's");
    }
}
