//! `email.spf.include-missing`.

use super::*;

crate::check! {
    SpfIncludeMissing for EmailObservation = CheckDoc {
        id: "email.spf.include-missing",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "SPF includes a name without an SPF record",
        catches: "An `include:` or `redirect=` target does not exist or publishes no `v=spf1` record.",
        why: "RFC 7208 §5.2 and §6.1 make that a permerror the moment an evaluation reaches it: usually a provider you left, or a typo in its include host, and every message from a server listed after it fails SPF.",
        fix: "Fix the include host (copy it from the provider's current docs) or remove it if you no longer use that service.",
        refs: &["RFC 7208 §5.2", "RFC 7208 §6.1"],
    };
    fn evaluate(o, out, doc) {
        for (from, term, target, why) in o.spf.iter().flat_map(|t| &t.missing) {
            out.push(doc.finding(
                txt_subject(target),
                format!("`{term}` in the record of {from}: {why}"),
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
        o.spf.iter_mut().for_each(|t| {
            t.missing.push((
                "example.com".into(),
                "include:_spf.gone.example".into(),
                "_spf.gone.example".into(),
                "NXDOMAIN".into(),
            ))
        });
        let (found, _) = judge(&SpfIncludeMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "_spf.gone.example TXT");
    }
}
