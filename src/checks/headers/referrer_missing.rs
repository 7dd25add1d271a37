//! `headers.referrer.missing`.

use super::*;

crate::check! {
    ReferrerMissing for HeadersObservation = CheckDoc {
        id: "headers.referrer.missing",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "No Referrer-Policy",
        catches: "The page sends no Referrer-Policy header (nor a `<meta name=\"referrer\">`).",
        why: "URLs with reset tokens, invite codes or search terms leak to every third-party script, image and link target through the Referer header. Observatory: 0 points missing, +5 when set; we flag it low because modern browsers default to strict-origin-when-cross-origin.",
        fix: "Send `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer` on pages with tokens in the URL).",
        refs: &["W3C Referrer Policy", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            let meta = p.body.to_ascii_lowercase().contains("name=\"referrer\"");
            if header(&p.headers, "referrer-policy").is_none() && !meta {
                out.push(doc.finding(&p.url, "no Referrer-Policy"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_header_or_meta() {
        let mut o = healthy();
        without(&mut o.pages[0], "referrer-policy");
        assert_eq!(judge(&ReferrerMissing, &o).0.len(), 1);
        o.pages[0].body = r#"<meta name="referrer" content="no-referrer">"#.into();
        assert!(judge(&ReferrerMissing, &o).0.is_empty());
    }
}
