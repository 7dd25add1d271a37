//! `page.robots.blocks-all`.

use super::*;

crate::check! {
    RobotsBlocksAll for PageObservation = CheckDoc {
        id: "page.robots.blocks-all",
        stage: Stage::Page,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "robots.txt blocks every crawler",
        catches: "The production host's `robots.txt` has a `User-agent: *` group with `Disallow: /` and no `Allow` rule: the rule a staging site ships with, left in place.",
        why: "Search engines stop crawling the whole site: the launch is invisible to search, and pages already indexed drop out. Lighthouse's SEO audit \"robots.txt is valid\" and Google Search Console's \"Blocked by robots.txt\" report the same state.",
        fix: "Replace the production `robots.txt` with one that allows crawling (`User-agent: *` and `Allow: /`, or only the private paths disallowed) and keep the blanket `Disallow: /` for staging only, set per environment at deploy.",
        refs: &["RFC 9309 (Robots Exclusion Protocol)", "https://developers.google.com/search/docs/crawling-indexing/robots/intro"],
    };
    fn evaluate(o, out, doc) {
        if let Lookup::Found(r) = &o.robots {
            if r.blocks_all {
                out.push(doc.finding(&r.url, "User-agent: * / Disallow: /"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_blanket_disallow_and_is_not_checked_unread() {
        let mut o = healthy();
        o.robots = Lookup::Found(Robots {
            url: "https://example.com/robots.txt".into(),
            blocks_all: true,
        });
        let (found, _) = judge(&RobotsBlocksAll, &o);
        assert_eq!(found[0].subject, "https://example.com/robots.txt");
        o.robots = Lookup::Absent;
        assert!(
            judge(&RobotsBlocksAll, &o).0.is_empty(),
            "no robots.txt allows all"
        );
        o.robots = Lookup::Unknown;
        o.robots_error = Some("timed out".into());
        let (found, unseen) = judge(&RobotsBlocksAll, &o);
        assert!(found.is_empty() && unseen[0].reason == "timed out");
    }
}
