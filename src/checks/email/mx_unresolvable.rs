//! `email.mx.unresolvable`.

use super::*;

crate::check! {
    MxUnresolvable for EmailObservation = CheckDoc {
        id: "email.mx.unresolvable",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "An MX host does not resolve",
        catches: "An MX record names a host with no A or AAAA record (NXDOMAIN or no address).",
        why: "Senders cannot deliver to that exchange: with one MX, all incoming mail (replies, bounces, customer support) is lost after the retry period.",
        fix: "Point the MX at the hostnames your mail provider documents, or add the missing A/AAAA record. MX targets must be host names, never CNAMEs or IP addresses (RFC 2181 §10.3).",
        refs: &["RFC 5321 §5.1", "RFC 2181 §10.3"],
    };
    fn evaluate(o, out, doc) {
        for (host, why) in o.mx.iter().flat_map(|m| &m.unresolvable) {
            out.push(
                doc
                    .finding(host, format!("MX {} → {host}: {why}", o.domain)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_hand_built_observation() {
        let mut o = healthy();
        o.mx.iter_mut().for_each(|m| {
            m.unresolvable
                .push(("mail.example.com".into(), "no A or AAAA record".into()))
        });
        let (found, _) = judge(&MxUnresolvable, &o);
        assert_eq!(found.len(), 1);
        o.mx.iter_mut().for_each(|m| {
            m.unresolvable.clear();
            m.unknown_hosts
                .push(("mail.example.com".into(), "timeout".into()));
        });
        let (found, unseen) = judge(&MxUnresolvable, &o);
        assert!(found.is_empty());
        assert_eq!(unseen[0].subject, "mail.example.com");
    }
}
