//! `email.dkim.syntax`.

use super::*;

crate::check! {
    DkimSyntax for EmailObservation = CheckDoc {
        id: "email.dkim.syntax",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "DKIM key record is invalid",
        catches: "A DKIM key record breaks RFC 6376 §3.6.1: no `p=`, `p=` not base64 or not a public key, an unknown `k=` or `h=`, `v=` not first or not DKIM1, a repeated tag.",
        why: "Verifiers cannot check the signature: every message signed with that selector fails DKIM (and DMARC, if SPF does not align).",
        fix: "Re-copy the record from your mail provider exactly, as one TXT record (long keys are split into several quoted strings, not several records). Check it with `launchready lint dkim 'RECORD'`.",
        refs: &["RFC 6376 §3.6.1"],
    };
    fn evaluate(o, out, doc) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if let Err(e) = &f.key {
                out.push(doc.finding(txt_subject(&f.name), e.to_string()));
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
        o.dkim
            .iter_mut()
            .for_each(|d| d.found.push(dkim_key("s1", "v=DKIM1; k=dsa; p=aGVsbG8=")));
        let (found, _) = judge(&DkimSyntax, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("k=dsa"));
    }
}
