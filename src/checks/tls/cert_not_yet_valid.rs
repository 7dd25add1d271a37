//! `tls.cert.not-yet-valid`.

use super::*;

crate::check! {
    CertNotYetValid for TlsObservation = CheckDoc {
        id: "tls.cert.not-yet-valid",
        stage: Stage::Tls,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The certificate is not valid yet",
        catches: "The leaf certificate's notBefore is in the future: it was issued post-dated, or the issuing machine's clock is wrong.",
        why: "Browsers reject it exactly as they reject an expired one: a full-page error for every visitor until that date.",
        fix: "Deploy a certificate whose validity has started (re-issue it). Check the clock (NTP) of the machine that issued or installed it.",
        refs: &["RFC 5280 §4.1.2.5"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            if let Some(leaf) = s.leaf().filter(|l| l.not_before > o.now) {
                out.push(doc.finding(
                    subject(h),
                    format!("{} is valid from {}", leaf.subject, iso(leaf.not_before)),
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
    fn fires_on_a_future_not_before() {
        let mut o = healthy();
        leaf_mut(&mut o).not_before = NOW + DAY;
        let (found, _) = judge(&CertNotYetValid, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("is valid from"));
    }
}
