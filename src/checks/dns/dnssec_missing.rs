//! `dns.dnssec.missing`: the parent publishes no DS for the zone, so nothing it serves is
//! validated. Informational: most domains are unsigned, and signing is a choice. With
//! `--zone`, the DS is asked of the live DNS; when it cannot be learned, not checked.

use super::*;

crate::check! {
    DnssecMissing for DnsObservation = CheckDoc {
        id: "dns.dnssec.missing",
        stage: Stage::Dns,
        severity: Severity::Info,
        impact: Impact::Security,
        title: "The zone is not DNSSEC-signed",
        catches: "No DS record for the zone in its parent: DNSSEC validation does not cover the domain.",
        why: "Without DNSSEC, a resolver cannot tell forged answers (cache poisoning, on-path tampering) from real ones; DANE for mail needs it too.",
        fix: "Turn on DNSSEC at the DNS host, then publish the DS it gives you at the registrar.",
        refs: &["RFC 4033", "https://www.icann.org/resources/pages/dnssec-what-is-it-why-important-2019-03-05-en"],
    };
    fn evaluate(o, out, doc) {
        let d = &o.dnssec;
        if let Some(why) = d.unknown.as_ref().or(d.ds_unknown.as_ref()) {
            out.unseen(doc, format!("{} DS", o.domain), why.clone());
        } else if !d.has_ds() && o.apex.resolves() {
            let signed = if d.zone_signed() {
                " (the zone file is signed: publish the DS of its key signing key at the registrar)"
            } else {
                ""
            };
            out.push(doc.finding(
                format!("{} DS", o.domain),
                format!("the parent zone publishes no DS record for {}{signed}", o.domain),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_ds_and_is_not_checked_when_the_zone_modes_ds_is_unknown() {
        assert!(judge(&DnssecMissing, &healthy()).0.is_empty());
        let mut o = healthy();
        o.dnssec.ds.clear();
        let (found, _) = judge(&DnssecMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com DS");
        // --zone mode with a working live resolver: judged as live.
        o.dnssec.offline = true;
        assert_eq!(judge(&DnssecMissing, &o).0.len(), 1);
        // --zone mode, the parent's DS not learnable: not checked, never a pass.
        o.dnssec.ds_unknown = Some("no working resolver".into());
        let (found, unseen) = judge(&DnssecMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
