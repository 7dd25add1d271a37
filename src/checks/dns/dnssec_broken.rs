//! `dns.dnssec.broken`: the parent publishes DS for the zone, and the chain from it does not
//! hold: no apex DNSKEY matches a DS, an apex set (DNSKEY, SOA, NS, A, AAAA) has no RRSIG
//! that verifies, or its signature is expired (or not yet valid). The evidence names the link.
//! In `--zone` mode the keys and signatures are the zone file's, judged with or without a DS
//! (a signed zone about to go live must carry valid signatures); the DS comes from the live
//! DNS, and when it cannot be learned the DS → DNSKEY link is not checked.

use super::dnssec::SigStatus;
use super::*;

/// The broken links of the chain, in order (empty: the chain holds or there is no DS).
pub fn broken_links(o: &DnssecObservation) -> Vec<String> {
    let mut links = Vec::new();
    if !o.has_ds() && !o.zone_signed() {
        return links;
    }
    if o.has_ds() && o.ds_matched.is_empty() {
        links.push(format!(
            "DS → DNSKEY: no apex DNSKEY (key tags {:?}) matches the parent's DS ({})",
            o.dnskey_tags,
            o.ds.join("; ")
        ));
        return links;
    }
    for set in &o.sets {
        match &set.sig {
            SigStatus::Unsigned => links.push(format!("RRSIG over the apex {}: none", set.rtype)),
            SigStatus::Invalid(why) => {
                links.push(format!("RRSIG over the apex {}: {why}", set.rtype))
            }
            SigStatus::Verified { expiration, .. } if *expiration < o.now => links.push(format!(
                "RRSIG over the apex {}: expired {} ago",
                set.rtype,
                ago(o.now - expiration)
            )),
            SigStatus::Verified { inception, .. } if *inception > o.now => links.push(format!(
                "RRSIG over the apex {}: not valid for another {}",
                set.rtype,
                ago(inception - o.now)
            )),
            SigStatus::Verified { .. } => {}
        }
    }
    links
}

fn ago(secs: u64) -> String {
    match (secs / 86_400, secs / 3600) {
        (1, _) => "1 day".to_string(),
        (0, 1) => "1 hour".to_string(),
        (0, h) => format!("{h} hours"),
        (d, _) => format!("{d} days"),
    }
}

crate::check! {
    DnssecBroken for DnsObservation = CheckDoc {
        id: "dns.dnssec.broken",
        stage: Stage::Dns,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The DNSSEC chain is broken",
        catches: "The parent publishes DS for the zone, but no apex DNSKEY matches it, or an apex record set (DNSKEY, SOA, NS, A, AAAA) has no valid or no unexpired RRSIG. With --zone, the zone file's own signatures are judged whenever it holds DNSKEYs, and the DS is asked of the live DNS.",
        why: "Validating resolvers (Google Public DNS, Cloudflare 1.1.1.1, Quad9 and many ISPs: a large share of users) answer SERVFAIL for the whole domain: the site and its mail vanish for them.",
        fix: "Re-sign the zone (or fix the signer's cron) so signatures are current, and make the DS at the registrar match the zone's key signing key; if DNSSEC is being dropped, remove the DS at the registrar first and wait its TTL.",
        refs: &["RFC 4033", "RFC 4035 §5", "https://dnsviz.net/"],
    };
    fn evaluate(o, out, doc) {
        let d = &o.dnssec;
        let subject = format!("{} DNSSEC", o.domain);
        if let Some(why) = &d.unknown {
            out.unseen(doc, subject, why.clone());
            return;
        }
        let links = broken_links(d);
        if !links.is_empty() {
            let mut evidence = links.join("; ");
            // A zone file judged on its own signatures: say whether a parent's DS makes them
            // count today, so the reader can tell a live outage from a signed zone that will
            // fail the moment it is served under a DS.
            if d.zone_signed() && !d.has_ds() {
                evidence.push_str(match d.ds_unknown {
                    Some(_) => " (the parent's DS could not be learned: if it publishes one, validating resolvers fail the zone as soon as it is served)",
                    None => " (the parent publishes no DS yet: validating resolvers ignore these signatures until one is published, then fail the zone)",
                });
            }
            out.push(doc.finding(subject, evidence));
        }
        if let Some(why) = &d.ds_unknown {
            out.unseen(
                doc,
                format!("{} DS → DNSKEY", o.domain),
                format!("{why}: the link from the parent's DS to the zone's keys is not checked"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::dnssec::SignedSet;
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn each_broken_link_fires_named() {
        let mut o = healthy();
        o.dnssec.ds_matched.clear();
        let (found, _) = judge(&DnssecBroken, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("DS → DNSKEY"),
            "{}",
            found[0].evidence
        );

        let mut o = healthy();
        o.dnssec.sets[1].sig = SigStatus::Unsigned;
        let (found, _) = judge(&DnssecBroken, &o);
        assert!(
            found[0].evidence.contains("apex SOA: none"),
            "{}",
            found[0].evidence
        );

        let mut o = healthy();
        let now = o.dnssec.now;
        o.dnssec.sets.push(SignedSet {
            rtype: "A".into(),
            sig: SigStatus::Verified {
                inception: now - 40 * 86_400,
                expiration: now - 2 * 86_400,
            },
        });
        let (found, _) = judge(&DnssecBroken, &o);
        assert!(
            found[0].evidence.contains("apex A: expired 2 days ago"),
            "{}",
            found[0].evidence
        );
    }

    #[test]
    fn a_zone_file_judged_without_a_ds_says_so() {
        let mut o = healthy();
        o.dnssec.offline = true;
        o.dnssec.ds.clear();
        o.dnssec.ds_matched.clear();
        o.dnssec.sets[1].sig = SigStatus::Invalid("the signature does not verify".into());
        let (found, _) = judge(&DnssecBroken, &o);
        assert!(
            found[0].evidence.contains("publishes no DS yet"),
            "{}",
            found[0].evidence
        );
        o.dnssec.ds_unknown = Some("no resolver answered".into());
        let (found, unseen) = judge(&DnssecBroken, &o);
        assert!(
            found[0].evidence.contains("DS could not be learned"),
            "{}",
            found[0].evidence
        );
        assert_eq!(unseen.len(), 1);
    }

    #[test]
    fn no_ds_or_a_sound_chain_is_a_pass_and_a_failed_lookup_not_checked() {
        let (found, unseen) = judge(&DnssecBroken, &healthy());
        assert!(found.is_empty() && unseen.is_empty());
        let mut o = healthy();
        o.dnssec.ds.clear();
        o.dnssec.ds_matched.clear();
        assert!(judge(&DnssecBroken, &o).0.is_empty());
        o.dnssec.unknown = Some("the DS lookup failed: SERVFAIL".into());
        let (found, unseen) = judge(&DnssecBroken, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
