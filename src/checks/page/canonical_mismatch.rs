//! `redirect.canonical.mismatch`: read from the page, so it lives in the page stage (the
//! redirects stage follows chains and never parses HTML); the id keeps the `redirect.` family
//! it belongs to in the catalog.

use super::*;

/// Why a canonical link points away from the page's own host, if it does.
pub fn mismatch(page_url: &str, canonical: &str) -> Option<String> {
    let host = crate::target::host_of(page_url)?;
    let target = crate::target::host_of(canonical)?;
    let first = target.split('.').next().unwrap_or("");
    if crate::checks::dns::STAGING_LABELS.contains(&first) {
        Some(format!("points to the staging host {target}"))
    } else if canonical.to_ascii_lowercase().starts_with("http://") {
        Some("points to plain http".into())
    } else if target != host {
        Some(format!("points to {target}, not {host}"))
    } else {
        None
    }
}

crate::check! {
    CanonicalMismatch for PageObservation = CheckDoc {
        id: "redirect.canonical.mismatch",
        stage: Stage::Page,
        severity: Severity::Medium,
        impact: Impact::Signup,
        title: "Canonical link points to another host",
        catches: "A page on the canonical host carries `<link rel=canonical>` to another host, a staging host or an http:// URL. Read by the page stage from the landing and app pages (a missing canonical link is not reported).",
        why: "Search engines index the URL the canonical names: a template copied from staging sends your launch traffic to staging, www/apex duplicates split ranking, and http canonicals undo HTTPS. Lighthouse's SEO audit \"Document has a valid rel=canonical\" flags the same.",
        fix: "Make every page's canonical the https URL of that page on the canonical host, generated from the production base URL (not hard-coded), and check it after each deploy.",
        refs: &["https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls", "RFC 6596 (The Canonical Link Relation)"],
    };
    fn evaluate(o, out, doc) {
        for page in &o.pages {
            let Some(c) = &page.canonical else { continue };
            if let Some(why) = mismatch(&page.url, c) {
                out.push(doc.finding(&page.url, format!("canonical {c} {why}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_other_host_staging_or_http() {
        for (c, why) in [
            (
                "https://www.example.com/",
                "points to www.example.com, not example.com",
            ),
            (
                "https://staging.example.com/",
                "points to the staging host staging.example.com",
            ),
            ("http://example.com/", "points to plain http"),
        ] {
            let mut o = healthy();
            o.pages[0].canonical = Some(c.into());
            let (found, _) = judge(&CanonicalMismatch, &o);
            assert_eq!(found[0].evidence, format!("canonical {c} {why}"));
        }
        let mut o = healthy();
        o.pages[0].canonical = None;
        assert!(judge(&CanonicalMismatch, &o).0.is_empty());
    }
}
