//! `tls.cert.expired`.

use super::*;

crate::check! {
    CertExpired for TlsObservation = CheckDoc {
        id: "tls.cert.expired",
        stage: Stage::Tls,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The certificate has expired",
        catches: "The leaf certificate's notAfter is in the past.",
        why: "Every browser shows a full-page security error; most visitors leave, API clients and webhooks fail hard. It is the most common self-inflicted launch outage.",
        fix: "Renew the certificate and deploy it on every server and load balancer for this name. Automate renewal (ACME: certbot, Caddy, your host's managed certificates) and monitor expiry.",
        refs: &["RFC 5280 §4.1.2.5", "https://letsencrypt.org/docs/integration-guide/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            if let Some(leaf) = s.leaf().filter(|l| l.not_after < o.now) {
                out.push(doc.finding(
                    subject(h),
                    format!(
                        "{} expired on {} ({} days ago)",
                        leaf.subject,
                        iso(leaf.not_after),
                        -days_left(o.now, leaf.not_after)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_past_not_after() {
        let mut o = healthy();
        leaf_mut(&mut o).not_after = NOW - DAY;
        let (found, _) = judge(&CertExpired, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.contains("(1 days ago)"),
            "{}",
            found[0].evidence
        );
    }

    #[test]
    fn an_unreachable_host_is_not_checked() {
        let mut o = healthy();
        o.hosts.push(host_with(
            "www.example.com",
            Outcome::Unreachable("refused".into()),
        ));
        let (found, unseen) = judge(&CertExpired, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, "https://www.example.com:443");
    }
}
