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

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_hand_built_observation() {
        let mut o = healthy();
        o.spf
            .iter_mut()
            .for_each(|t| t.voids = vec!["a".into(), "b".into()]);
        assert!(judge(&SpfVoidLookups, &o).0.is_empty());
        o.spf.iter_mut().for_each(|t| t.voids.push("c".into()));
        let (found, _) = judge(&SpfVoidLookups, &o);
        assert_eq!(found.len(), 1);
    }
}
