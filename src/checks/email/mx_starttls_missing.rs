//! `email.mx.starttls.missing`.

use super::mx_tls::enforced;
use super::*;
use crate::net::smtp::MxTls;

crate::check! {
    MxStarttlsMissing for EmailObservation = CheckDoc {
        id: "email.mx.starttls.missing",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "A mail server does not offer STARTTLS",
        catches: "An MX host answers on port 25 but does not offer STARTTLS after EHLO, or offers it and then fails the TLS handshake. High when the MTA-STS policy is in enforce mode (senders then refuse to deliver), medium otherwise.",
        why: "Mail sent to this server travels in clear text: anyone on the path reads it, password resets included. Under an enforce-mode MTA-STS policy, senders refuse to deliver to it at all.",
        fix: "Enable STARTTLS on the MTA with a certificate valid for the MX name (Postfix: `smtpd_tls_security_level = may` with `smtpd_tls_chain_files`), and test with internet.nl's mail test.",
        refs: &["RFC 3207", "RFC 8461 §5", "https://internet.nl/test-mail/"],
    };
    fn evaluate(o, out, doc) {
        let Some(t) = &o.mx_tls else { return };
        let enforce = enforced(o);
        for s in &t.servers {
            let evidence = match &s.outcome {
                MxTls::NoStartTls { ehlo } => {
                    format!("{} answers EHLO without STARTTLS ({ehlo})", s.host)
                }
                MxTls::TlsFailed(e) => format!("{} offers STARTTLS but TLS fails: {e}", s.host),
                _ => continue,
            };
            let mut f = doc.finding(&s.host, evidence);
            if enforce {
                f.severity = Severity::High;
                f.evidence.push_str("; the MTA-STS policy is in enforce mode: senders will not deliver");
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_high_under_enforce_and_medium_without() {
        let mut o = healthy();
        if let Some(t) = &mut o.mx_tls {
            t.servers[0].outcome = MxTls::NoStartTls {
                ehlo: "mail.example.com / PIPELINING".into(),
            };
        }
        let (found, unseen) = judge(&MxStarttlsMissing, &o);
        assert_eq!(found.len(), 1);
        assert!(unseen.is_empty());
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[0].subject, "mail.example.com");
        o.mta_sts = Some(enforce_policy());
        let (found, _) = judge(&MxStarttlsMissing, &o);
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn every_mx_unreachable_is_not_checked_never_a_pass() {
        let mut o = healthy();
        if let Some(t) = &mut o.mx_tls {
            t.servers[0].outcome = MxTls::Unreachable("connecting timed out".into());
        }
        let (found, unseen) = judge(&MxStarttlsMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert!(
            unseen[0].reason.contains("port 25 is blocked"),
            "{unseen:?}"
        );
    }
}
