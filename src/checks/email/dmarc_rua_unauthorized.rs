//! `email.dmarc.rua-unauthorized`.

use super::*;

crate::check! {
    DmarcRuaUnauthorized for EmailObservation = CheckDoc {
        id: "email.dmarc.rua-unauthorized",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "DMARC reports go to another domain that has not authorized them",
        catches: "A `rua`/`ruf` address is outside the domain's organizational domain and `<domain>._report._dmarc.<destination>` has no `v=DMARC1` record.",
        why: "RFC 7489 §7.1 tells receivers not to send reports to an external destination that has not opted in, so the reports you rely on to tighten the policy never arrive.",
        fix: "Ask the report destination (your DMARC service) to publish `<domain>._report._dmarc.<their domain> TXT \"v=DMARC1\"`, or send reports to an address on your own domain.",
        refs: &["RFC 7489 §7.1"],
    };
    fn evaluate(o, out, doc) {
        for (uri, name) in o.dmarc.iter().flat_map(|d| &d.unauthorized) {
            out.push(doc.finding(
                txt_subject(name),
                format!("{uri}: no v=DMARC1 record at {name}"),
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
        o.dmarc.iter_mut().for_each(|d| {
            d.unauthorized.push((
                "mailto:d@reports.example.net".into(),
                "example.com._report._dmarc.reports.example.net".into(),
            ))
        });
        let (found, _) = judge(&DmarcRuaUnauthorized, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].subject,
            "example.com._report._dmarc.reports.example.net TXT"
        );
    }
}
