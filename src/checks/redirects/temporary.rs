//! `redirect.http.temporary`.

use super::*;

crate::check! {
    Temporary for RedirectObservation = CheckDoc {
        id: "redirect.http.temporary",
        stage: Stage::Redirects,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Temporary redirect where a permanent one belongs",
        catches: "A redirect that changes the scheme or the host (http → https, www → apex) uses 302, 303 or 307 instead of 301 or 308.",
        why: "Browsers and search engines don't remember temporary redirects: every visit pays the extra round trip, and search ranking stays split between the two URLs.",
        fix: "Use 301 (or 308, which keeps the method) for the HTTPS upgrade and the canonical-host redirect. Keep 302/307 for redirects that really are temporary.",
        refs: &["RFC 9110 §15.4", "https://developers.google.com/search/docs/crawling-indexing/301-redirects"],
    };
    fn evaluate(o, out, doc) {
        flag_first_hop(o, doc, out, |h, target| {
            matches!(h.status, 302 | 303 | 307) && scheme_host(target) != scheme_host(&h.url)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_302_that_changes_scheme_but_not_on_a_same_origin_one() {
        let mut o = healthy();
        assert!(judge(&Temporary, &o).0.is_empty());
        let http = "http://example.com/login?next=%2Fcheckout";
        o.http_apex = chain(http, &[(http, 302, APEX)], 200);
        assert_eq!(judge(&Temporary, &o).0.len(), 1);
        let login = "https://example.com/sign-in?next=%2Fcheckout";
        o.http_apex = chain(http, &[(http, 301, APEX), (APEX, 302, login)], 200);
        assert!(judge(&Temporary, &o).0.is_empty());
    }
}
