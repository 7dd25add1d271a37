//! `redirect.http.no-https`.

use super::*;

crate::check! {
    NoHttps for RedirectObservation = CheckDoc {
        id: "redirect.http.no-https",
        stage: Stage::Redirects,
        severity: Severity::High,
        impact: Impact::Security,
        title: "Plain HTTP is served instead of redirected to HTTPS",
        catches: "http://<domain>/… or http://www.<domain>/… ends on a page served over plain HTTP instead of a redirect to https://.",
        why: "People type the bare domain; their first request goes over HTTP, where logins, session cookies and signup forms can be read and altered on any café Wi-Fi, and browsers mark the page 'Not secure'. Mozilla Observatory fails its redirection test for the same reason.",
        fix: "Redirect every http:// request to the same URL on https:// with a 301 or 308, at the load balancer or CDN. Then send HSTS so browsers stop trying HTTP at all.",
        refs: &["RFC 9110 §15.4", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        for (subject, c) in o.judged().filter(|(_, c)| scheme_host(&c.start).0 == "http") {
            if c.last.is_some() && scheme_host(c.final_url()).0 == "http" {
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
    fn fires_when_plain_http_is_served() {
        let mut o = healthy();
        assert!(judge(&NoHttps, &o).0.is_empty());
        o.http_apex = chain("http://example.com/login?next=%2Fcheckout", &[], 200);
        let (found, _) = judge(&NoHttps, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].subject,
            "http://example.com/login?next=%2Fcheckout"
        );
    }
}
