//! `redirect.path.dropped`.

use super::*;

crate::check! {
    PathDropped for RedirectObservation = CheckDoc {
        id: "redirect.path.dropped",
        stage: Stage::Redirects,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "A redirect drops the path or the query",
        catches: "A request for /login?next=%2Fcheckout ends somewhere else (often the home page) after the redirects.",
        why: "Every deep link breaks: password-reset and magic-link emails, OAuth callbacks, checkout links and ads all land on the home page, and the user gives up.",
        fix: "Keep the request URI in the redirect target (`return 301 https://example.com$request_uri;` in nginx, `$1` captures in rewrite rules).",
        refs: &["RFC 9110 §10.2.2", "RFC 3986 §5"],
    };
    fn evaluate(o, out, doc) {
        let want = decode(PROBE_PATH);
        for (subject, c) in o
            .judged()
            .filter(|(_, c)| c.redirects() > 0 && !c.looped && !c.too_long)
        {
            let last_target = c
                .hops
                .iter()
                .rev()
                .find_map(|h| h.location.clone())
                .unwrap_or_default();
            if decode(&path_and_query(&last_target)) != want {
                out.push(doc.finding(&subject, c.describe()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_the_redirect_lands_on_the_home_page() {
        let mut o = healthy();
        assert!(judge(&PathDropped, &o).0.is_empty());
        let http = "http://example.com/login?next=%2Fcheckout";
        o.http_apex = chain(http, &[(http, 301, "https://example.com/")], 200);
        let (found, _) = judge(&PathDropped, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, http);
    }
}
