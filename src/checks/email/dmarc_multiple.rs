//! `email.dmarc.multiple`.

use super::*;

crate::check! {
    DmarcMultiple for EmailObservation = CheckDoc {
        id: "email.dmarc.multiple",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "More than one DMARC record",
        catches: "`_dmarc.<domain>` has two or more TXT records starting with `v=DMARC1`.",
        why: "RFC 7489 §6.6.3 tells receivers to ignore DMARC entirely in that case: your policy and reports silently stop.",
        fix: "Merge them into one record and delete the others.",
        refs: &["RFC 7489 §6.6.3"],
    };
    fn evaluate(o, out, doc) {
        if let Some(d) = &o.dmarc {
            if d.records.len() > 1 {
                let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                out.push(doc.finding(
                    txt_subject(&at),
                    format!(
                        "{} DMARC records: {}",
                        d.records.len(),
                        d.records.join(" | ")
                    ),
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
        o.dmarc
            .iter_mut()
            .for_each(|d| d.records.push("v=DMARC1; p=none".into()));
        let (found, _) = judge(&DmarcMultiple, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.starts_with("2 DMARC records"));
    }
}
