//! `email.spf.syntax`.

use super::*;

crate::check! {
    SpfSyntax for EmailObservation = CheckDoc {
        id: "email.spf.syntax",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "SPF record has a syntax error",
        catches: "A record in the SPF tree does not follow the RFC 7208 grammar: an unknown mechanism, a bad IP or prefix length, a malformed macro, `redirect`/`exp` twice, non-ASCII or control characters.",
        why: "Any syntax error anywhere in the record makes check_host() a permerror before a single mechanism is tried (RFC 7208 §4.6): receivers see broken SPF and your mail fails authentication.",
        fix: "Correct the term the evidence names and check it with `launchready lint spf 'RECORD'` before publishing. Common slips: `ip4:` with a host name, `include=` instead of `include:`, a missing space.",
        refs: &["RFC 7208 §4.6", "RFC 7208 §12 (ABNF)"],
    };
    fn evaluate(o, out, doc) {
        for (name, e) in o.spf.iter().flat_map(|t| &t.syntax) {
            out.push(doc.finding(txt_subject(name), e.clone()));
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
            t.syntax
                .push(("example.com".into(), "`ip4:mail`: bad".into()))
        });
        let (found, _) = judge(&SpfSyntax, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence, "`ip4:mail`: bad");
    }
}
