//! `dns.cname.dangling`.

use super::*;

crate::check! {
    CnameDangling for DnsObservation = CheckDoc {
        id: "dns.cname.dangling",
        stage: Stage::Dns,
        severity: Severity::High,
        impact: Impact::Security,
        title: "CNAME points to a name that does not exist (takeover risk)",
        catches: "The apex, www, a configured subdomain or a staging-like name is a CNAME whose target (at the end of the chain) does not exist: NXDOMAIN.",
        why: "A CNAME to a deleted Heroku app, S3 bucket, GitHub Pages site or SaaS tenant lets anyone who claims that name serve content, set cookies and phish your users on your own domain. It is the most common subdomain takeover.",
        fix: "Delete the CNAME, or re-create the resource it points to before anyone else claims it. Keep DNS records in the same change as the resources they point to.",
        refs: &["https://github.com/EdOverflow/can-i-take-over-xyz", "OWASP WSTG-CONF-10 (subdomain takeover)"],
    };
    fn evaluate(o, out, doc) {
        let hosts = [&o.apex, &o.www]
            .into_iter()
            .chain(&o.subdomains)
            .chain(&o.staging);
        for h in hosts {
            if h.dangling && !h.unknown {
                let why = h
                    .failure
                    .clone()
                    .unwrap_or_else(|| "does not resolve".into());
                out.push(doc.finding(
                    &h.host,
                    format!("{} CNAME {}: {why}", h.host, h.cnames.join(" → ")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_cname_to_nxdomain_and_is_not_checked_when_unknown() {
        let mut o = healthy();
        let mut shop = host("shop.example.com", &[]);
        shop.cnames = vec!["shops.vanished.example".into()];
        shop.dangling = true;
        shop.failure = Some("NXDOMAIN for shops.vanished.example".into());
        o.subdomains.push(shop);
        let (found, unseen) = judge(&CnameDangling, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "shop.example.com");
        assert!(unseen.is_empty());
        o.subdomains = vec![unknown("shop.example.com")];
        let (found, unseen) = judge(&CnameDangling, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, "shop.example.com");
    }
}
