//! `email.dmarc.missing`.

use super::*;

crate::check! {
    DmarcMissing for EmailObservation = CheckDoc {
        id: "email.dmarc.missing",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "No DMARC record",
        catches: "Neither `_dmarc.<domain>` nor `_dmarc.<organizational domain>` (Public Suffix List) has a `v=DMARC1` TXT record.",
        why: "Gmail and Yahoo require DMARC from bulk senders since 2024 and rank unauthenticated mail down; without it nothing tells receivers to reject forgeries of your domain, the raw material of phishing your users.",
        fix: "Publish a TXT record at `_dmarc.<domain>`: start with `v=DMARC1; p=none; rua=mailto:dmarc@<domain>` to collect reports, then move to `p=quarantine` and `p=reject`.",
        refs: &["RFC 7489 §6.1", "RFC 7489 §6.6.3", "https://support.google.com/a/answer/81126"],
    };
    fn evaluate(o, out, doc) {
        if let Some(d) = &o.dmarc {
            if d.unknown.is_none() && d.records.is_empty() {
                out.push(doc.finding(
                    txt_subject(&d.name),
                    format!(
                        "no v=DMARC1 TXT record at {} (nor at the organizational domain)",
                        d.name
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
        o.dmarc.iter_mut().for_each(|d| {
            d.records.clear();
            d.parsed = None;
            d.found_at = None;
        });
        let (found, _) = judge(&DmarcMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "_dmarc.example.com TXT");
    }
}
