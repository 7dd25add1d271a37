//! `email.spf.missing`.

use super::*;

crate::check! {
    SpfMissing for EmailObservation = CheckDoc {
        id: "email.spf.missing",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "No SPF record",
        catches: "The domain has no TXT record starting with `v=spf1` (RFC 7208 §4.5): check_host() returns none.",
        why: "Without SPF, receivers cannot tell your password resets and invites from forgeries: Gmail and Yahoo require SPF or DKIM from every sender and SPF plus DKIM plus DMARC from bulk senders, so your mail lands in spam — and anyone can send as your domain.",
        fix: "Publish one TXT record at the domain listing who sends for you, e.g. `v=spf1 include:_spf.google.com -all`. A domain that sends no mail publishes `v=spf1 -all`.",
        refs: &["RFC 7208 §4.5", "https://support.google.com/a/answer/81126"],
    };
    fn evaluate(o, out, doc) {
        if let Some(t) = &o.spf {
            if let Status::Missing(why) = &t.root.status {
                out.push(doc.finding(txt_subject(&o.domain), why.clone()));
            }
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
        o.spf
            .iter_mut()
            .for_each(|t| t.root.status = Status::Missing("no v=spf1 record".into()));
        let (found, _) = judge(&SpfMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com TXT");
        o.spf
            .iter_mut()
            .for_each(|t| t.root.status = Status::Unknown("SERVFAIL".into()));
        let (found, unseen) = judge(&SpfMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
