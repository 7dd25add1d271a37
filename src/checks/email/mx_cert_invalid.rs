//! `email.mx.cert.invalid`.

use super::mx_tls::mx_finding;
use super::*;
use crate::net::smtp::MxTls;

crate::check! {
    MxCertInvalid for EmailObservation = CheckDoc {
        id: "email.mx.cert.invalid",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "A mail server's certificate is not valid for its MX name",
        catches: "After STARTTLS, an MX host presents a certificate that does not validate for the MX name: wrong name, expired, or a chain that does not lead to a trusted root. High when the MTA-STS policy is in enforce mode, medium otherwise.",
        why: "Senders that validate (MTA-STS in enforce mode, DANE) refuse to deliver to this server; the others fall back to unauthenticated TLS that an attacker on the path can intercept.",
        fix: "Install a certificate from a public CA whose names cover every MX host name (not only the web site's), with its full chain, and renew it automatically.",
        refs: &["RFC 8461 §4.2", "RFC 7672", "https://internet.nl/test-mail/"],
    };
    fn evaluate(o, out, doc) {
        let Some(t) = &o.mx_tls else { return };
        for s in &t.servers {
            let (MxTls::Tls(session), Some(problem)) = (&s.outcome, &s.cert_problem) else {
                continue;
            };
            let version = session.version.unwrap_or("handshake not completed");
            out.push(mx_finding(doc, o, &s.host, format!("{problem} ({version} at {})", session.addr)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_wrong_name_and_is_high_under_enforce() {
        let mut o = healthy();
        if let Some(t) = &mut o.mx_tls {
            t.servers[0].cert_problem =
                Some("the certificate is not valid for mail.example.com".into());
        }
        let (found, unseen) = judge(&MxCertInvalid, &o);
        assert_eq!(found.len(), 1);
        assert!(unseen.is_empty());
        assert_eq!(found[0].severity, Severity::Medium);
        o.mta_sts = Some(enforce_policy());
        let (found, _) = judge(&MxCertInvalid, &o);
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn no_starttls_has_no_certificate_to_judge() {
        let mut o = healthy();
        if let Some(t) = &mut o.mx_tls {
            t.servers[0].outcome = MxTls::NoStartTls {
                ehlo: String::new(),
            };
        }
        let (found, unseen) = judge(&MxCertInvalid, &o);
        assert!(found.is_empty() && unseen.is_empty());
    }

    #[test]
    fn mail_servers_not_contacted_offline_are_not_checked_not_passed() {
        let mut o = healthy();
        o.mx_tls = None;
        o.mx_not_contacted = Some(crate::net::dns::offline("not contacted"));
        for check in [
            &MxCertInvalid as &dyn Check<EmailObservation>,
            &super::super::MxStarttlsMissing,
        ] {
            let (found, unseen) = judge(check, &o);
            assert!(found.is_empty());
            assert_eq!(unseen.len(), 1, "{}", check.doc().id);
            assert_eq!(unseen[0].subject, "mail.example.com");
        }
    }
}
