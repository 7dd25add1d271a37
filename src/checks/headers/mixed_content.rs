//! `content.mixed`.

use super::*;

crate::check! {
    MixedContent for HeadersObservation = CheckDoc {
        id: "content.mixed",
        stage: Stage::Headers,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "HTTPS page loads resources over plain HTTP",
        catches: "The HTML of an https:// page references http:// scripts, stylesheets, images, iframes, media or form actions.",
        why: "Browsers block active mixed content (scripts, iframes) — the page breaks in production — and warn on the rest; a form posting to http:// sends passwords in clear text. Observatory's subresource test fails it too.",
        fix: "Change the URLs to https:// (or protocol-relative to your own host), and add `upgrade-insecure-requests` to the CSP as a safety net.",
        refs: &["W3C Mixed Content", "https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content"],
    };
    fn evaluate(o, out, doc) {
        for p in o.pages.iter().filter(|p| p.url.starts_with("https://")) {
            let insecure: Vec<String> = subresources(&p.body)
                .into_iter()
                .filter(|(_, v)| v.to_ascii_lowercase().starts_with("http://"))
                .map(|(t, v)| format!("<{t}> {v}"))
                .collect();
            if !insecure.is_empty() {
                let shown: Vec<&str> = insecure.iter().take(5).map(String::as_str).collect();
                out.push(doc.finding(
                    &p.url,
                    format!(
                        "{} http:// resource(s): {}",
                        insecure.len(),
                        shown.join(", ")
                    ),
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
    fn fires_on_http_subresources_of_an_https_page() {
        let mut o = healthy();
        o.pages[0].body =
            r#"<script src="http://cdn.example.net/a.js"></script><a href="http://x/">"#.into();
        let (found, _) = judge(&MixedContent, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence,
            "1 http:// resource(s): <script> http://cdn.example.net/a.js"
        );
        o.pages[0].url = "http://example.com/".into();
        assert!(
            judge(&MixedContent, &o).0.is_empty(),
            "plain-http pages are the redirects stage's"
        );
    }
}
