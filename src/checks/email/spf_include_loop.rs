//! `email.spf.include-loop`.

use super::*;

crate::check! {
    SpfIncludeLoop for EmailObservation = CheckDoc {
        id: "email.spf.include-loop",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "SPF include/redirect chain loops",
        catches: "A record includes or redirects to a name that is already on its own include path.",
        why: "An evaluation that reaches the loop runs into the 10-lookup limit of RFC 7208 §4.6.4 and ends in permerror, so the mail fails SPF.",
        fix: "Break the cycle: a record must never include (directly or through others) itself. Usually one of the two names should list `ip4:`/`ip6:` ranges instead.",
        refs: &["RFC 7208 §4.6.4", "RFC 7208 §5.2"],
    };
    fn evaluate(o, out, doc) {
        if let Some(path) = o.spf.iter().flat_map(|t| &t.loops).next() {
            let at = path.last().cloned().unwrap_or_default();
            out.push(
                doc
                    .finding(txt_subject(&at), format!("loop: {}", path.join(" → "))),
            );
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
            t.loops.push(vec![
                "example.com".into(),
                "a.example.com".into(),
                "example.com".into(),
            ])
        });
        let (found, _) = judge(&SpfIncludeLoop, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.starts_with("loop: "));
    }
}
