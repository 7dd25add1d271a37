//! What the headers checks read out of a page: header values, CSP directives, subresources
//! and Cache-Control directives. Pure functions over what a hostile server may send: no
//! panic, no unbounded work.

use super::Page;
use hyper::HeaderMap;
use regex::Regex;
use std::sync::OnceLock;

/// A header's value, trimmed (None when absent or not visible ASCII).
pub fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The host of a URL, or "" when it has none.
pub fn host_of(url: &str) -> String {
    url.parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string))
        .unwrap_or_default()
}

/// The directives of a CSP, lower-cased names with their source lists.
pub fn csp_directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            let name = parts.next()?.to_ascii_lowercase();
            Some((name, parts.map(|p| p.to_ascii_lowercase()).collect()))
        })
        .collect()
}

/// The page's CSP: the header, else a `<meta http-equiv>` (which cannot carry frame-ancestors).
pub fn csp_of(page: &Page) -> Option<String> {
    if let Some(v) = header(&page.headers, "content-security-policy") {
        return Some(v.to_string());
    }
    static META: OnceLock<Option<Regex>> = OnceLock::new();
    let re = META.get_or_init(|| {
        Regex::new(r#"(?is)<meta[^>]+http-equiv\s*=\s*["']?content-security-policy["']?[^>]*content\s*=\s*["']([^"']*)["']"#).ok()
    });
    re.as_ref()?
        .captures(&page.body)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

fn subresource_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?is)<(script|link|img|iframe|form|video|audio|source|embed|object)\b([^>]*)>"#,
        )
        .ok()
    })
    .as_ref()
}

fn attr_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"(?is)\b(src|href|action|data)\s*=\s*["']?([^"'\s>]+)"#).ok())
        .as_ref()
}

/// (tag, attribute value) for every subresource-loading tag in the page.
pub fn subresources(html: &str) -> Vec<(String, String)> {
    let (Some(tags), Some(attrs)) = (subresource_re(), attr_re()) else {
        return vec![];
    };
    let mut out = Vec::new();
    for t in tags.captures_iter(html) {
        let tag = t
            .get(1)
            .map(|m| m.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let inner = t.get(2).map(|m| m.as_str()).unwrap_or("");
        // Only links the browser loads: stylesheets, icons, preloads (not canonical/alternate).
        if tag == "link" {
            let l = inner.to_ascii_lowercase();
            if !(l.contains("stylesheet") || l.contains("icon") || l.contains("preload")) {
                continue;
            }
        }
        for a in attrs.captures_iter(inner) {
            if let Some(v) = a.get(2) {
                out.push((tag.clone(), v.as_str().to_string()));
            }
        }
    }
    out
}

/// Whether a file name carries a content hash (`app.3f9a1c7e.js`, `index-B7x9q2Lm.css`).
pub fn fingerprinted(url: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?i)[.\-_~]([0-9a-z]{6,64})\.(m?js|css|woff2?|png|jpe?g|svg|webp|avif|gif)(\?.*)?$",
        )
        .ok()
    });
    re.as_ref()
        .and_then(|r| r.captures(url))
        .and_then(|c| c.get(1))
        .is_some_and(|h| h.as_str().chars().any(|c| c.is_ascii_digit()))
}

/// A numeric Cache-Control directive (`max-age`, `s-maxage`).
pub fn max_age(cache_control: &str, name: &str) -> Option<u64> {
    cache_control.split(',').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').parse().ok())?
    })
}

/// Whether a Cache-Control value has a directive (`private`, `no-store`, `immutable`…).
pub fn has_directive(cache_control: &str, name: &str) -> bool {
    cache_control.split(',').any(|d| {
        d.trim()
            .split('=')
            .next()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_subresources_and_fingerprints() {
        let html = r#"<link rel="canonical" href="http://x/"><link rel=stylesheet href="http://cdn/a.css">
            <script src="/static/app.3f9a1c7e.js"></script><img src='http://img/x.png'><a href="http://nav/">"#;
        let s = subresources(html);
        assert!(s.contains(&("link".into(), "http://cdn/a.css".into())));
        assert!(s.contains(&("img".into(), "http://img/x.png".into())));
        assert!(!s
            .iter()
            .any(|(_, v)| v == "http://x/" || v == "http://nav/"));
        assert!(fingerprinted("/static/app.3f9a1c7e.js"));
        assert!(fingerprinted("/assets/index-B7x9q2Lm.css"));
        assert!(!fingerprinted("/static/app.min.js"));
        assert!(!fingerprinted("/static/logo.svg"));
    }

    #[test]
    fn cache_control_parsing() {
        assert_eq!(max_age("public, max-age=600", "max-age"), Some(600));
        assert_eq!(max_age("s-maxage=\"60\"", "s-maxage"), Some(60));
        assert!(has_directive("private, no-cache", "private"));
        assert!(!has_directive("no-store", "no-cache"));
    }

    #[test]
    fn csp_directives_are_lower_cased_with_their_sources() {
        let d = csp_directives("Default-Src 'self';; script-src 'NONCE-x' https://a");
        assert_eq!(d[0], ("default-src".into(), vec!["'self'".into()]));
        assert_eq!(d[1].1, ["'nonce-x'", "https://a"]);
        assert_eq!(d.len(), 2);
    }
}
