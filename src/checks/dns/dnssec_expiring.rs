//! `dns.dnssec.expiring`: a verified RRSIG over an apex set runs out within 7 days, with no
//! fresher one beside it: the signer has stopped re-signing.

use super::dnssec::SigStatus;
use super::*;

/// Signatures running out sooner than this are reported.
pub const EXPIRING_WITHIN: u64 = 7 * 86_400;

crate::check! {
    DnssecExpiring for DnsObservation = CheckDoc {
        id: "dns.dnssec.expiring",
        stage: Stage::Dns,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "DNSSEC signatures expire within 7 days",
        catches: "A valid RRSIG over an apex record set (DNSKEY, SOA, NS, A, AAAA) expires within 7 days and no later signature covers the set.",
        why: "Signers re-sign days or weeks ahead; a signature this close to its end means the re-signing stopped. When it expires, validating resolvers answer SERVFAIL for the domain.",
        fix: "Check the zone signer (BIND/Knot/PowerDNS inline signing, or the DNS host's DNSSEC switch) and re-sign the zone now.",
        refs: &["RFC 4034 §3.1.5", "RFC 6781 §4.4"],
    };
    fn evaluate(o, out, doc) {
        let d = &o.dnssec;
        if d.unknown.is_some() || !d.signatures_judged() {
            // Not checked / no chain: dns.dnssec.broken and .missing speak for it.
            if let Some(why) = &d.unknown {
                out.unseen(doc, format!("{} DNSSEC", o.domain), why.clone());
            }
            return;
        }
        for set in &d.sets {
            if let SigStatus::Verified { expiration, .. } = set.sig {
                if expiration >= d.now && expiration - d.now < EXPIRING_WITHIN {
                    let left = expiration - d.now;
                    out.push(doc.finding(
                        format!("{} RRSIG {}", o.domain, set.rtype),
                        format!(
                            "the RRSIG over the apex {} expires in {} h ({} days)",
                            set.rtype,
                            left / 3600,
                            left / 86_400
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_set_inside_seven_days_only() {
        let mut o = healthy();
        let now = o.dnssec.now;
        o.dnssec.sets[1].sig = SigStatus::Verified {
            inception: now - 86_400,
            expiration: now + 3 * 86_400,
        };
        let (found, _) = judge(&DnssecExpiring, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com RRSIG SOA");
        // Already expired is dns.dnssec.broken's, not this one's.
        o.dnssec.sets[1].sig = SigStatus::Verified {
            inception: now - 9 * 86_400,
            expiration: now - 86_400,
        };
        assert!(judge(&DnssecExpiring, &o).0.is_empty());
        assert!(judge(&DnssecExpiring, &healthy()).0.is_empty());
    }
}
