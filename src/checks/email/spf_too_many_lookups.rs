//! `email.spf.too-many-lookups`.

use super::*;

crate::check! {
    SpfTooManyLookups for EmailObservation = CheckDoc {
        id: "email.spf.too-many-lookups",
        stage: Stage::Email,
        severity: Severity::High,
        impact: Impact::Email,
        title: "SPF needs more than 10 DNS lookups",
        catches: "The terms that cause DNS lookups (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) over the whole include/redirect tree number more than 10, or an include loop makes them unbounded.",
        why: "RFC 7208 §4.6.4 caps an evaluation at 10; beyond it receivers return permerror and your mail fails SPF. Chains grow silently: every provider's include pulls in its own includes.",
        fix: "Remove includes of services you no longer use, replace `a`/`mx`/`ptr` with `ip4:`/`ip6:` ranges, or move a sending service to a subdomain with its own SPF. Keep a margin: providers add includes without notice.",
        refs: &["RFC 7208 §4.6.4"],
    };
    fn evaluate(o, out, doc) {
        let Some(t) = &o.spf else { return };
        if !t.loops.is_empty() {
            out.push(doc.finding(
                txt_subject(&o.domain),
                format!(
                    "unbounded: the include/redirect chain loops ({}), so every evaluation that reaches it exceeds {MAX_DNS_TERMS} lookups",
                    t.loops[0].join(" → ")
                ),
            ));
        } else if t.total_lookups > MAX_DNS_TERMS as usize {
            out.push(doc.finding(
                txt_subject(&o.domain),
                format!(
                    "{} DNS-querying terms over the include tree (limit {MAX_DNS_TERMS})",
                    t.total_lookups
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
        o.spf.iter_mut().for_each(|t| t.total_lookups = 10);
        assert!(judge(&SpfTooManyLookups, &o).0.is_empty());
        o.spf.iter_mut().for_each(|t| t.total_lookups = 11);
        let (found, _) = judge(&SpfTooManyLookups, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.starts_with("11 "),
            "{}",
            found[0].evidence
        );
        o.spf.iter_mut().for_each(|t| {
            t.total_lookups = 3;
            t.unwalked
                .push(("a.example.net".into(), "query budget exhausted".into()));
        });
        let (found, unseen) = judge(&SpfTooManyLookups, &o);
        assert!(found.is_empty());
        assert!(
            unseen[0].reason.contains("query budget exhausted"),
            "{unseen:?}"
        );
    }
}
