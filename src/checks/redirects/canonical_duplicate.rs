//! `redirect.canonical.duplicate`.

use super::*;

crate::check! {
    CanonicalDuplicate for RedirectObservation = CheckDoc {
        id: "redirect.canonical.duplicate",
        stage: Stage::Redirects,
        severity: Severity::Medium,
        impact: Impact::Signup,
        title: "www and the apex both serve the site",
        catches: "https://<domain>/ and https://www.<domain>/ both answer 200 without one redirecting to the other.",
        why: "Two origins means two sets of cookies and sessions (users appear logged out when they switch), OAuth redirect URIs that work on one host only, and search ranking split between duplicates.",
        fix: "Pick one canonical host and 301-redirect the other to it, keeping the path. Register only the canonical host's callback URLs.",
        refs: &["https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls", "RFC 6454 (origins)"],
    };
    fn evaluate(o, out, doc) {
        let Some(www) = &o.https_www else { return };
        let ok = |c: &Chain| c.last.as_ref().is_some_and(|r| r.status.is_success());
        let (apex_host, www_host) = (
            scheme_host(o.https_apex.final_url()).1,
            scheme_host(www.final_url()).1,
        );
        if ok(&o.https_apex) && ok(www) && apex_host != www_host {
            out.push(doc.finding(
                &o.domain,
                format!(
                    "{} and {} both answer 200",
                    o.https_apex.final_url(),
                    www.final_url()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_www_and_apex_both_answer() {
        let mut o = healthy();
        assert!(judge(&CanonicalDuplicate, &o).0.is_empty());
        o.https_www = Some(chain(
            "https://www.example.com/login?next=%2Fcheckout",
            &[],
            200,
        ));
        let (found, _) = judge(&CanonicalDuplicate, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "example.com");
    }
}
