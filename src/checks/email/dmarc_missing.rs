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
