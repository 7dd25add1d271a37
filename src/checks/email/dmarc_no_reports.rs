//! `email.dmarc.no-reports`.

use super::*;

crate::check! {
    DmarcNoReports for EmailObservation = CheckDoc {
        id: "email.dmarc.no-reports",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "DMARC asks for no aggregate reports (no rua)",
        catches: "The DMARC record has no `rua=` tag.",
        why: "Without aggregate reports you cannot see who sends as your domain, so you cannot tighten the policy safely or notice a forgery campaign.",
        fix: "Add `rua=mailto:dmarc@<domain>` (or a DMARC report service's address) to the record.",
        refs: &["RFC 7489 §6.3", "RFC 7489 §7.2"],
    };
    fn evaluate(o, out, doc) {
        if let Some(d) = &o.dmarc {
            if let Some(Ok(p)) = &d.parsed {
                if d.records.len() == 1 && p.rua.is_empty() {
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
        o.dmarc = Some(dmarc_record("v=DMARC1; p=reject"));
        let (found, _) = judge(&DmarcNoReports, &o);
        assert_eq!(found.len(), 1);
    }
}
