//! `email.spf.multiple`.

use super::*;

crate::check! {
    SpfMultiple for EmailObservation = CheckDoc {
        id: "email.spf.multiple",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "More than one SPF record",
        catches: "A name in the SPF tree (the domain or an include) has two or more `v=spf1` TXT records.",
        why: "RFC 7208 §4.5 makes that a permerror: receivers treat the domain as having a broken SPF, so mail fails authentication. It usually happens when a second provider's setup guide says \"add this TXT record\" instead of merging.",
        fix: "Merge the records into one: one `v=spf1`, every `include:`/`ip4:` from both, and a single `-all` or `~all` at the end. Delete the others.",
        refs: &["RFC 7208 §4.5", "RFC 7208 §3.2"],
    };
    fn evaluate(o, out, doc) {
        for (name, n) in o.spf.iter().flat_map(|t| &t.multiple) {
            out.push(doc.finding(
                txt_subject(name),
                format!("{name} has {n} v=spf1 TXT records; exactly one is allowed"),
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
            .for_each(|t| t.multiple.push(("example.com".into(), 2)));
        let (found, _) = judge(&SpfMultiple, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("2 v=spf1"));
    }
}
