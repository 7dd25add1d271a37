//! `email.spf.permissive`.

use super::*;

crate::check! {
    SpfPermissive for EmailObservation = CheckDoc {
        id: "email.spf.permissive",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "SPF allows anyone to send (`+all` / `?all`)",
        catches: "The record ends in `+all` (every IP on the internet passes) or `?all` (neutral: SPF says nothing), or an included record has `+all`.",
        why: "`+all` authorizes every spammer to send as you; `?all` gives receivers no verdict, so forged mail is judged on content alone and DMARC cannot rely on SPF.",
        fix: "End the record with `-all` (or `~all` while you roll out DMARC) after listing every legitimate sender.",
        refs: &["RFC 7208 §5.1", "RFC 7208 §8.1"],
    };
    fn evaluate(o, out, doc) {
        for (name, term) in o.spf.iter().flat_map(|t| &t.permissive) {
            out.push(doc.finding(
                txt_subject(name),
                format!("{name} ends its SPF record with `{term}`"),
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
            .for_each(|t| t.permissive.push(("example.com".into(), "+all".into())));
        let (found, _) = judge(&SpfPermissive, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.contains("+all"));
    }
}
