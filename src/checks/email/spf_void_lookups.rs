//! `email.spf.void-lookups`.

use super::*;

crate::check! {
    SpfVoidLookups for EmailObservation = CheckDoc {
        id: "email.spf.void-lookups",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "SPF makes more than 2 void lookups",
        catches: "More than two `a`, `mx` or `exists` terms in the SPF tree look up names that do not exist or have no record of the type asked.",
        why: "RFC 7208 §4.6.4 lets receivers stop at two void lookups with a permerror, to blunt DNS abuse; stale `a:` and `mx:` entries for retired hosts are the usual cause, and they make SPF fail for everyone.",
        fix: "Remove the terms that point at names which no longer exist (the evidence lists them).",
        refs: &["RFC 7208 §4.6.4"],
    };
    fn evaluate(o, out, doc) {
            let Some(t) = &o.spf else { return };
            if t.voids.len() > crate::spf::MAX_VOID_LOOKUPS as usize {
                out.push(doc.finding(
                    txt_subject(&o.domain),
                    format!(
                        "{} void lookups (limit 2): {}",
                        t.voids.len(),
                        t.voids.join("; ")
                    ),
                ));
            }
    }
}
