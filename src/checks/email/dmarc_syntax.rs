//! `email.dmarc.syntax`.

use super::*;

crate::check! {
    DmarcSyntax for EmailObservation = CheckDoc {
        id: "email.dmarc.syntax",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "DMARC record is invalid",
        catches: "The DMARC record breaks RFC 7489 §6.4: `v=DMARC1` not first, `p=` missing or not none/quarantine/reject, a bad `rua`/`ruf` URI, `pct` outside 0–100, bad `adkim`/`aspf`/`fo`/`rf`/`ri`, a repeated tag.",
        why: "Receivers discard an invalid record, so the domain behaves as if it had no DMARC at all.",
        fix: "Correct the tag the evidence names; a minimal valid record is `v=DMARC1; p=none; rua=mailto:dmarc@<domain>`. Check it with `launchready lint dmarc 'RECORD'`.",
        refs: &["RFC 7489 §6.3", "RFC 7489 §6.4"],
    };
    fn evaluate(o, out, doc) {
        if let Some(d) = &o.dmarc {
            if let Some(Err(e)) = &d.parsed {
                let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                out.push(doc.finding(txt_subject(&at), e.to_string()));
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
        o.dmarc = Some(dmarc_record("v=DMARC1; p=block"));
        let (found, _) = judge(&DmarcSyntax, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("p=block"),
            "{}",
            found[0].evidence
        );
    }
}
