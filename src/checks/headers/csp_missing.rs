//! `headers.csp.missing`.

use super::*;

crate::check! {
    CspMissing for HeadersObservation = CheckDoc {
        id: "headers.csp.missing",
        stage: Stage::Headers,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "No Content-Security-Policy",
        catches: "The page is served without a Content-Security-Policy header or meta tag (Report-Only does not count).",
        why: "Without CSP, one XSS bug — in your code or a dependency — runs any script with your users' sessions. Observatory: its CSP test scores −25 for a missing policy; we rate it medium because it is defence in depth, not an open hole.",
        fix: "Start with `Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and add the origins you really load from. Try it as Content-Security-Policy-Report-Only first.",
        refs: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "W3C CSP Level 3"],
    };
    fn evaluate(o, out, doc) {
        for p in o.pages.iter().filter(|p| csp_of(p).is_none()) {
            out.push(doc.finding(
                &p.url,
                format!("{} {}: no Content-Security-Policy", p.status, p.url),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_a_policy_and_accepts_a_meta_tag() {
        let mut o = healthy();
        without(&mut o.pages[1], "content-security-policy");
        let (found, unseen) = judge(&CspMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/login");
        assert!(unseen.is_empty());
        o.pages[1].body =
            r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'">"#.into();
        assert!(judge(&CspMissing, &o).0.is_empty());
    }

    #[test]
    fn is_not_checked_when_no_page_was_fetched() {
        let (found, unseen) = judge(&CspMissing, &blind());
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
