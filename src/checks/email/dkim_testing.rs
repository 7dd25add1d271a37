//! `email.dkim.testing`.

use super::*;

crate::check! {
    DkimTesting for EmailObservation = CheckDoc {
        id: "email.dkim.testing",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "DKIM key is in testing mode (t=y)",
        catches: "A DKIM key record carries the `t=y` flag.",
        why: "Verifiers may treat messages signed with a testing key as unsigned (RFC 6376 §3.6.1), so DKIM gives you no reputation and no DMARC alignment.",
        fix: "Remove `t=y` from the key record once signing works.",
        refs: &["RFC 6376 §3.6.1"],
    };
    fn evaluate(o, out, doc) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if matches!(&f.key, Ok(k) if k.testing && !k.revoked) {
                out.push(doc.finding(
                    txt_subject(&f.name),
                    format!("t=y under selector {}: {}", f.selector, f.record),
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
        o.dkim
            .iter_mut()
            .for_each(|d| d.found = vec![dkim_key("s1", &format!("v=DKIM1; t=y; p={RSA_1024}"))]);
        let (found, _) = judge(&DkimTesting, &o);
        assert_eq!(found.len(), 1);
    }
}
