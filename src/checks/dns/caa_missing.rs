//! `dns.caa.missing`.

use super::*;

crate::check! {
    CaaMissing for DnsObservation = CheckDoc {
        id: "dns.caa.missing",
        stage: Stage::Dns,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "No CAA record",
        catches: "Neither the domain nor any parent below the TLD publishes a CAA record set (RFC 8659 climbs the tree).",
        why: "Without CAA, any of the hundreds of public CAs may issue a certificate for your domain; with it, only the CA you use can, which narrows mis-issuance and takeover attacks.",
        fix: "Publish `example.com. CAA 0 issue \"letsencrypt.org\"` (your CA's domain), plus `0 iodef \"mailto:security@example.com\"`. Include every CA you use (CDNs often use their own).",
        refs: &["RFC 8659", "https://letsencrypt.org/docs/caa/"],
    };
    fn evaluate(o, out, doc) {
        if o.caa_owner.is_none() && !o.caa_unknown && o.apex.resolves() {
            out.push(doc.finding(
                format!("{} CAA", o.domain),
                format!("no CAA record at {} or its parents", o.domain),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_caa_and_is_not_checked_when_the_lookup_failed() {
        let mut o = healthy();
        o.caa_owner = None;
        let (found, _) = judge(&CaaMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com CAA");
        o.caa_unknown = true;
        let (found, unseen) = judge(&CaaMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
