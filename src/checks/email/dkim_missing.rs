//! `email.dkim.missing`.

use super::*;

crate::check! {
    DkimMissing for EmailObservation = CheckDoc {
        id: "email.dkim.missing",
        stage: Stage::Email,
        severity: Severity::Medium,
        impact: Impact::Email,
        title: "No DKIM key found",
        catches: "No usable DKIM key record under the selectors in launchready.toml (`dkim_selectors`) nor under the common providers' selectors (Google Workspace, Microsoft 365, SendGrid, Mailgun, Postmark, Amazon SES, Mailchimp, Zoho, Fastmail, …).",
        why: "Without DKIM, DMARC can only rely on SPF, which breaks on every forward; Gmail and Yahoo expect DKIM from bulk senders. If your provider signs with a custom selector, tell launchready so it can check the key.",
        fix: "Turn on DKIM signing at your mail provider and publish the TXT (or CNAME) record it gives you. If you already sign, add the selector to `dkim_selectors` in launchready.toml.",
        refs: &["RFC 6376 §3.6.2", "https://support.google.com/a/answer/174124"],
    };
    fn evaluate(o, out, doc) {
        let Some(d) = &o.dkim else { return };
        if d.unknown || !o.sends_mail {
            return;
        }
        let usable = d
            .found
            .iter()
            .any(|f| matches!(&f.key, Ok(k) if !k.revoked));
        let broken = d.found.iter().any(|f| f.key.is_err());
        if !usable && !broken {
            let revoked: Vec<&str> = d.found.iter().map(|f| f.selector.as_str()).collect();
            let mut evidence = format!(
                "no DKIM key under {} selectors ({})",
                d.selectors.len(),
                d.selectors.join(", ")
            );
            if !revoked.is_empty() {
                evidence.push_str(&format!("; revoked (empty p=): {}", revoked.join(", ")));
            }
            out.push(
                doc
                    .finding(txt_subject(&format!("_domainkey.{}", o.domain)), evidence),
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
        o.dkim.iter_mut().for_each(|d| d.found.clear());
        let (found, _) = judge(&DkimMissing, &o);
        assert_eq!(found.len(), 1);
        o.sends_mail = false;
        assert!(
            judge(&DkimMissing, &o).0.is_empty(),
            "a domain that sends no mail needs no key"
        );
        o.sends_mail = true;
        o.dkim.iter_mut().for_each(|d| {
            d.failed
                .push(("s1._domainkey.example.com".into(), "SERVFAIL".into()))
        });
        let (found, unseen) = judge(&DkimMissing, &o);
        assert_eq!(found.len(), 1, "the selectors that answered hold no key");
        assert_eq!(unseen.len(), 1, "a key may hide under the one that failed");
    }
}
