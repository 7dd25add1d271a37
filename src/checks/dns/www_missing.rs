//! `dns.www.missing`.

use super::*;

crate::check! {
    WwwMissing for DnsObservation = CheckDoc {
        id: "dns.www.missing",
        stage: Stage::Dns,
        severity: Severity::Medium,
        impact: Impact::Signup,
        title: "www does not resolve",
        catches: "www.<domain> has no address.",
        why: "People type www. out of habit and old links, ads and email signatures use it; each of them hits an error page instead of your launch.",
        fix: "Add www as a CNAME to the apex (or to your host) and redirect it to the canonical URL. Serve it with a certificate that covers www.",
        refs: &["RFC 1034", "https://developers.google.com/search/docs/crawling-indexing/canonicalization"],
    };
    fn evaluate(o, out, doc) {
        if !o.www.resolves() && !o.www.unknown {
            let why = o.www.failure.clone().unwrap_or_else(|| "no address".into());
            out.push(
                doc
                    .finding(&o.www.host, format!("{} A/AAAA: {why}", o.www.host)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_www_has_no_address_and_is_not_checked_when_unknown() {
        let mut o = healthy();
        o.www = host("www.example.com", &[]);
        let (found, _) = judge(&WwwMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "www.example.com");
        o.www = unknown("www.example.com");
        let (found, unseen) = judge(&WwwMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
