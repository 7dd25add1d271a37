//! `email.dmarc.policy-none`.

use super::*;

crate::check! {
    DmarcPolicyNone for EmailObservation = CheckDoc {
        id: "email.dmarc.policy-none",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "DMARC policy is p=none (monitoring only)",
        catches: "The DMARC record asks receivers to take no action on mail that fails authentication.",
        why: "p=none is the right first step, but it protects nobody: forged mail from your domain is still delivered. Launch is when phishers start to care about your brand.",
        fix: "Once the aggregate reports show your real senders pass, move to `p=quarantine`, then `p=reject`. Use `pct=` to ramp up gradually.",
        refs: &["RFC 7489 §6.3", "RFC 7489 §7"],
    };
    fn evaluate(o, out, doc) {
        if let Some(d) = &o.dmarc {
            if let Some(Ok(p)) = &d.parsed {
                if d.records.len() == 1 && p.p == Policy::None {
                    let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                    out.push(doc.finding(txt_subject(&at), d.records[0].clone()));
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
    fn fires_on_a_hand_built_observation() {
        let mut o = healthy();
        o.dmarc = Some(dmarc_record("v=DMARC1; p=none; rua=mailto:d@example.com"));
        let (found, _) = judge(&DmarcPolicyNone, &o);
        assert_eq!(found.len(), 1);
    }
}
