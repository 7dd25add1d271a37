//! `headers.frame.missing`.

use super::*;

crate::check! {
    FrameMissing for HeadersObservation = CheckDoc {
        id: "headers.frame.missing",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "No framing protection (clickjacking)",
        catches: "Neither `X-Frame-Options: DENY|SAMEORIGIN` nor a CSP `frame-ancestors` directive.",
        why: "Any site can frame your login or payment page under a decoy and make users click 'Delete account' or 'Pay'. Observatory: −20 without either header; we rate it low because it needs user interaction.",
        fix: "Send `Content-Security-Policy: frame-ancestors 'none'` (or 'self'), plus `X-Frame-Options: DENY` for old browsers.",
        refs: &["RFC 7034", "W3C CSP Level 3 frame-ancestors", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            let xfo = header(&p.headers, "x-frame-options").is_some_and(|v| {
                v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
            });
            // Only the header counts: frame-ancestors in a <meta> CSP is ignored by browsers.
            let fa = header(&p.headers, "content-security-policy").is_some_and(|c| {
                csp_directives(c)
                    .iter()
                    .any(|(n, _)| n == "frame-ancestors")
            });
            if !xfo && !fa {
                out.push(doc.finding(&p.url, "no X-Frame-Options and no CSP frame-ancestors"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_without_either_header_and_passes_with_frame_ancestors() {
        let mut o = healthy();
        without(&mut o.pages[0], "x-frame-options");
        set(
            &mut o.pages[0],
            "content-security-policy",
            "default-src 'self'",
        );
        let (found, _) = judge(&FrameMissing, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/");
        set(
            &mut o.pages[0],
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        );
        assert!(judge(&FrameMissing, &o).0.is_empty());
    }
}
