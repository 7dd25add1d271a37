//! `redirect.loop`.

use super::*;

crate::check! {
    Loop for RedirectObservation = CheckDoc {
        id: "redirect.loop",
        stage: Stage::Redirects,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "Redirect loop",
        catches: "Following the redirects comes back to a URL already visited, or goes on for more than 10 hops.",
        why: "Browsers give up with 'too many redirects': nobody reaches the page. It typically appears when the CDN talks HTTP to an origin that redirects to HTTPS, or when www and apex redirect to each other.",
        fix: "Make exactly one layer own each redirect (CDN or app, not both). Set the CDN's origin protocol to HTTPS ('Full (strict)' on Cloudflare) or make the app trust X-Forwarded-Proto.",
        refs: &["RFC 9110 §15.4", "https://developers.cloudflare.com/ssl/troubleshooting/too-many-redirects/"],
    };
    fn evaluate(o, out, doc) {
        for (subject, c) in o.judged().filter(|(_, c)| c.looped || c.too_long) {
            out.push(doc.finding(&subject, c.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_loop_or_an_endless_chain() {
        let mut o = healthy();
        assert!(judge(&Loop, &o).0.is_empty());
        o.https_apex.looped = true;
        o.http_apex.too_long = true;
        assert_eq!(judge(&Loop, &o).0.len(), 2);
    }
}
