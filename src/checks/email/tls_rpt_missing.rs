//! `email.tls-rpt.missing`.

use super::*;

crate::check! {
    TlsRptMissing for EmailObservation = CheckDoc {
        id: "email.tls-rpt.missing",
        stage: Stage::Email,
        severity: Severity::Low,
        impact: Impact::Email,
        title: "No valid TLS-RPT record",
        catches: "A domain that receives mail has no valid `_smtp._tls` TXT record (`v=TLSRPTv1; rua=…`, RFC 8460).",
        why: "Without TLS reports you never hear that senders fail to deliver to you over TLS (expired certificate on the MX, a broken MTA-STS policy) until customers complain.",
        fix: "Publish `_smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\"`.",
        refs: &["RFC 8460 §3"],
    };
    fn evaluate(o, out, doc) {
        if let Some(t) = &o.tls_rpt {
            if t.unknown.is_none() && (t.record.is_none() || t.problem.is_some()) {
                let evidence = match (&t.record, &t.problem) {
                    (Some(r), Some(p)) => format!("{r}: {p}"),
                    _ => format!("no v=TLSRPTv1 record at {}", t.name),
                };
                out.push(doc.finding(txt_subject(&t.name), evidence));
            }
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
        o.tls_rpt.iter_mut().for_each(|t| t.record = None);
        let (found, _) = judge(&TlsRptMissing, &o);
        assert_eq!(found.len(), 1);
    }
}
