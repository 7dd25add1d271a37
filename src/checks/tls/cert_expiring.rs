//! `tls.cert.expiring`.

use super::*;

crate::check! {
    CertExpiring for TlsObservation = CheckDoc {
        id: "tls.cert.expiring",
        stage: Stage::Tls,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "The certificate expires soon",
        catches: "The leaf certificate expires in less than 30 days (high under 14 days, medium from 14 to 29).",
        why: "Launch weeks are when nobody watches renewals. Automated renewal (ACME) normally renews 30 days before expiry, so a certificate this close to its end usually means renewal is broken.",
        fix: "Renew now and check that automatic renewal works (`certbot renew --dry-run` or your host's certificate page). Add expiry monitoring that alerts at 21 days.",
        refs: &["RFC 8555 (ACME)", "https://letsencrypt.org/docs/expiration-emails/"],
    };
    fn evaluate(o, out, doc) {
        for (h, s) in o.seen() {
            let Some(leaf) = s.leaf() else { continue };
            let left = days_left(o.now, leaf.not_after);
            if leaf.not_after >= o.now && left < EXPIRING_DAYS {
                let mut f = doc.finding(
                    subject(h),
                    format!(
                        "{} expires on {} ({left} days left)",
                        leaf.subject,
                        iso(leaf.not_after)
                    ),
                );
                if left >= EXPIRING_HIGH {
                    f.severity = Severity::Medium;
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn is_high_under_14_days_and_medium_under_30() {
        for (days, want) in [
            (10, Some(Severity::High)),
            (20, Some(Severity::Medium)),
            (45, None),
        ] {
            let mut o = healthy();
            leaf_mut(&mut o).not_after = NOW + days * DAY + 100;
            let (found, _) = judge(&CertExpiring, &o);
            assert_eq!(found.first().map(|f| f.severity), want, "{days} days");
        }
        let mut expired = healthy();
        leaf_mut(&mut expired).not_after = NOW - DAY;
        assert!(
            judge(&CertExpiring, &expired).0.is_empty(),
            "expired is its own id"
        );
    }
}
