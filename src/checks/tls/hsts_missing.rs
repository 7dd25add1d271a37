//! `tls.hsts.missing`.

use super::*;

crate::check! {
    HstsMissing for TlsObservation = CheckDoc {
        id: "tls.hsts.missing",
        stage: Stage::Tls,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "No Strict-Transport-Security header",
        catches: "The HTTPS answer of the app URL has no valid Strict-Transport-Security header (absent, or without a valid max-age: RFC 6797 says browsers then ignore it).",
        why: "Without HSTS, the first http:// request of every visit (typed URL, old link) can be intercepted on public Wi-Fi and the visitor kept on plain HTTP (SSL stripping), session cookies included. Mozilla's HTTP Observatory deducts 20 points for it.",
        fix: "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS answer. Start with a short max-age if unsure that every subdomain has HTTPS, then raise it.",
        refs: &["RFC 6797", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "https://hstspreload.org/"],
    };
    fn evaluate(o, out, doc) {
        match &o.hsts {
            Hsts::Missing { url } => out.push(doc.finding(
                url,
                "no Strict-Transport-Security header on the HTTPS answer",
            )),
            Hsts::Header {
                url,
                value,
                policy: Err(why),
            } => out.push(doc.finding(
                url,
                format!("Strict-Transport-Security: {value} is ignored by browsers: {why}"),
            )),
            Hsts::NotChecked(why) => out.unseen(doc, &o.app_url, why.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_absent_or_invalid() {
        let mut o = healthy();
        o.hsts = Hsts::Missing {
            url: "https://example.com/".into(),
        };
        assert_eq!(judge(&HstsMissing, &o).0.len(), 1);
        o.hsts = Hsts::Header {
            url: "https://example.com/".into(),
            value: "max-age=1; max-age=2".into(),
            policy: parse_hsts("max-age=1; max-age=2"),
        };
        let (found, _) = judge(&HstsMissing, &o);
        assert!(
            found[0]
                .evidence
                .ends_with("the max-age directive appears twice"),
            "{}",
            found[0].evidence
        );
    }

    #[test]
    fn is_not_checked_when_the_answer_was_not_read() {
        let mut o = healthy();
        o.hsts = Hsts::NotChecked("timed out".into());
        let (found, unseen) = judge(&HstsMissing, &o);
        assert!(found.is_empty());
        assert_eq!(unseen[0].subject, "https://example.com/");
    }
}
