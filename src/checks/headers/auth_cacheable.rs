//! `cache.auth.cacheable`.

use super::*;

crate::check! {
    AuthCacheable for HeadersObservation = CheckDoc {
        id: "cache.auth.cacheable",
        stage: Stage::Headers,
        severity: Severity::High,
        impact: Impact::Security,
        title: "A login/account page may be stored by shared caches",
        catches: "An auth page (/login, /signin, /account or the configured ones) is sent with `Cache-Control: public`, or a positive `max-age`/`s-maxage`, without `private` or `no-store`.",
        why: "A CDN or corporate proxy may store one user's page — with their CSRF token, name or session-bound content — and serve it to the next visitor.",
        fix: "Send `Cache-Control: no-store` (or at least `private, no-cache`) on every authenticated or auth-related page, and make sure the CDN does not override it.",
        refs: &["RFC 9111 §3, §5.2.2.5", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/04-Authentication_Testing/06-Testing_for_Browser_Cache_Weaknesses"],
    };
    fn evaluate(o, out, doc) {
        for p in o.pages.iter().filter(|p| p.auth) {
            let cc = header(&p.headers, "cache-control").unwrap_or("");
            let private = has_directive(cc, "private") || has_directive(cc, "no-store");
            let shared = has_directive(cc, "public")
                || max_age(cc, "s-maxage").is_some_and(|v| v > 0)
                || max_age(cc, "max-age").is_some_and(|v| v > 0);
            if shared && !private {
                out.push(doc.finding(&p.url, format!("Cache-Control: {cc}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_publicly_cacheable_auth_page_only() {
        let mut o = healthy();
        set(&mut o.pages[0], "cache-control", "public, max-age=600");
        assert!(judge(&AuthCacheable, &o).0.is_empty(), "not an auth page");
        set(&mut o.pages[1], "cache-control", "s-maxage=60");
        let (found, _) = judge(&AuthCacheable, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence, "Cache-Control: s-maxage=60");
        set(&mut o.pages[1], "cache-control", "private, max-age=60");
        assert!(judge(&AuthCacheable, &o).0.is_empty());
    }
}
