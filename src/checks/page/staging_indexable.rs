//! `exposure.staging.indexable`: judged in the page stage, which reads robots rules and meta
//! tags; the id keeps the `exposure.` family (staging hosts answering publicly) it extends.

use super::*;

crate::check! {
    StagingIndexable for PageObservation = CheckDoc {
        id: "exposure.staging.indexable",
        stage: Stage::Page,
        severity: Severity::Medium,
        impact: Impact::Signup,
        title: "Staging host can be indexed by search engines",
        catches: "A staging or preview host (staging., dev., test., preview., or a declared subdomain starting so) answers publicly with a page and says neither `X-Robots-Tag: noindex`, nor `<meta name=robots content=noindex>`, nor `Disallow: /` for every crawler in its `robots.txt`.",
        why: "Search engines find staging through links, certificates and DNS; once indexed, users land on stale builds, sign up against the wrong database, and your real pages compete with duplicates. `exposure.staging.open` says the host answers without authentication; this says it will also show up in search.",
        fix: "Put staging behind authentication (best), and in any case send `X-Robots-Tag: noindex` on every staging answer (set at the proxy or CDN for the staging hostname) or serve `User-agent: *` / `Disallow: /` there.",
        refs: &["https://developers.google.com/search/docs/crawling-indexing/block-indexing", "RFC 9309 (Robots Exclusion Protocol)"],
    };
    fn evaluate(o, out, doc) {
        for s in &o.staging {
            if s.noindex.is_none() {
                out.push(doc.finding(
                    &s.url,
                    format!("answers {} with no X-Robots-Tag noindex, no meta robots noindex and no robots.txt Disallow: /", s.status),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_nothing_keeps_staging_out_of_search() {
        let mut o = healthy();
        o.staging[0].noindex = None;
        let (found, _) = judge(&StagingIndexable, &o);
        assert_eq!(found[0].subject, "https://staging.example.com/");
        o.unreachable = Some("timed out".into());
        let (found, unseen) = judge(&StagingIndexable, &o);
        assert_eq!(found.len(), 1, "read apart from the landing page");
        assert!(unseen.is_empty());
    }
}
