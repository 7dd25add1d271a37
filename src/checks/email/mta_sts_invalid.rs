//! `email.mta-sts.invalid`.

use super::*;

crate::check! {
    MtaStsInvalid for EmailObservation = CheckDoc {
        id: "email.mta-sts.invalid",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "MTA-STS is announced but its policy is broken",
        catches: "The `_mta-sts` record is malformed, or the policy file at `https://mta-sts.<domain>/.well-known/mta-sts.txt` is served with a certificate that does not validate for its name, not HTTP 200, malformed, or does not list the domain's MX hosts (a policy host that cannot be reached from here is not checked).",
        why: "Senders that honour MTA-STS cannot apply a broken policy (so there is no protection), and with `mode: enforce` a policy that omits your MX makes them refuse to deliver to you.",
        fix: "Serve the policy over HTTPS with a valid certificate for mta-sts.<domain>, with `version: STSv1`, `mode`, one `mx:` line per MX host and `max_age`; bump the `id=` in the TXT record after each change.",
        refs: &["RFC 8461 §3.2", "RFC 8461 §3.3"],
    };
    fn evaluate(o, out, doc) {
        if let Some(s) = &o.mta_sts {
            if let (Some(_), Some(problem)) = (&s.record, &s.problem) {
                out.push(doc.finding(s.policy_url.clone(), problem.clone()));
            }
            // The record announces a policy that could not be fetched from here: whether it
            // is broken is not known (the trouble may be this machine's), and not a pass.
            if let (Some(_), None, Some(why)) = (&s.record, &s.problem, &s.fetch_error) {
                out.unseen(doc, s.policy_url.clone(), why.clone());
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
        o.mta_sts
            .iter_mut()
            .for_each(|s| s.problem = Some("the policy is malformed".into()));
        let (found, _) = judge(&MtaStsInvalid, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].subject.starts_with("https://mta-sts."));
    }

    #[test]
    fn a_policy_that_could_not_be_fetched_is_not_checked_not_passed() {
        let mut o = healthy();
        o.mta_sts
            .iter_mut()
            .for_each(|s| s.fetch_error = Some("cannot connect: connection refused".into()));
        let (found, unseen) = judge(&MtaStsInvalid, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert!(
            unseen[0].subject.starts_with("https://mta-sts."),
            "{unseen:?}"
        );
    }
}
