//! `email.mx.missing`.

use super::*;

crate::check! {
    MxMissing for EmailObservation = CheckDoc {
        id: "email.mx.missing",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "No MX record",
        catches: "The domain has no MX record and no null MX (RFC 7505).",
        why: "Replies to your onboarding mail, bounces and abuse@/postmaster@ go nowhere (or to the apex A record, RFC 5321 §5.1), and some receivers score mail from a domain that cannot receive as suspicious.",
        fix: "Publish the MX records of your mail provider. A domain that never receives mail publishes a null MX: `@ IN MX 0 .`.",
        refs: &["RFC 5321 §5.1", "RFC 7505"],
    };
    fn evaluate(o, out, doc) {
        if let Some(m) = &o.mx {
            if m.unknown.is_none() && m.exchanges.is_empty() {
                out.push(doc.finding(
                    format!("{} MX", o.domain),
                    format!("{} has no MX record", o.domain),
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
    fn fires_on_a_hand_built_observation() {
        let mut o = healthy();
        o.mx.iter_mut().for_each(|m| m.exchanges.clear());
        let (found, _) = judge(&MxMissing, &o);
        assert_eq!(found.len(), 1);
        o.mx.iter_mut()
            .for_each(|m| m.unknown = Some("SERVFAIL".into()));
        let (found, unseen) = judge(&MxMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen[0].subject, "example.com MX");
    }
}
