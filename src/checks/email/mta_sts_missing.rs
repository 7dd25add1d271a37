//! `email.mta-sts.missing`.

use super::*;

crate::check! {
    MtaStsMissing for EmailObservation = CheckDoc {
        id: "email.mta-sts.missing",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "No MTA-STS policy",
        catches: "A domain that receives mail has no `_mta-sts` TXT record (RFC 8461).",
        why: "Without MTA-STS, an attacker on the path can strip STARTTLS and read or alter mail sent to you — password resets included.",
        fix: "Publish `_mta-sts.<domain> TXT \"v=STSv1; id=<date>\"` and serve the policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (start with `mode: testing`).",
        refs: &["RFC 8461 §3"],
    };
    fn evaluate(o, out, doc) {
        if let Some(s) = &o.mta_sts {
            if s.unknown.is_none() && s.record.is_none() {
                out.push(doc.finding(
                    txt_subject(&s.name),
                    format!("no v=STSv1 record at {}", s.name),
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
        o.mta_sts.iter_mut().for_each(|s| s.record = None);
        let (found, _) = judge(&MtaStsMissing, &o);
        assert_eq!(found.len(), 1);
    }
}
