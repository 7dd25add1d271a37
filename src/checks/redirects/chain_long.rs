//! `redirect.chain.long`.

use super::*;

crate::check! {
    ChainLong for RedirectObservation = CheckDoc {
        id: "redirect.chain.long",
        stage: Stage::Redirects,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Redirect chain longer than 2 hops",
        catches: "More than two redirects before the page.",
        why: "Each hop is a full round trip (and often a new TLS handshake) before the first byte of the page: hundreds of milliseconds on mobile, on every first visit and every link from an ad or an email.",
        fix: "Redirect straight to the final URL: http://www.example.com/x → https://example.com/x in one hop.",
        refs: &["https://web.dev/articles/redirects", "RFC 9110 §15.4"],
    };
    fn evaluate(o, out, doc) {
        for (subject, c) in o
            .judged()
            .filter(|(_, c)| !c.looped && !c.too_long && c.redirects() > 2)
        {
            out.push(doc.finding(
                &subject,
                format!("{} hops: {}", c.redirects(), c.describe()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_past_two_hops() {
        let mut o = healthy();
        assert!(judge(&ChainLong, &o).0.is_empty());
        let http = "http://example.com/login?next=%2Fcheckout";
        let h1 = "https://example.com/__hop/1/login?next=%2Fcheckout";
        let h2 = "https://example.com/__hop/2/login?next=%2Fcheckout";
        o.http_apex = chain(
            http,
            &[(http, 301, h1), (h1, 301, h2), (h2, 301, APEX)],
            200,
        );
        let (found, _) = judge(&ChainLong, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0].evidence.starts_with("3 hops"));
    }
}
