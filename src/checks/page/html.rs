//! Reading a page without a browser: the assets its HTML references (and the fonts its
//! stylesheets do), its canonical link and robots meta, `robots.txt` rules, and the names of
//! well-known third parties.

use super::Kind;
use crate::net::http::resolve_location;
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// One reference of the HTML (or a stylesheet), resolved to an absolute http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub url: String,
    pub kind: Kind,
    pub render_blocking: bool,
}

/// The value of attribute `name` in a tag's attribute text (quoted or not).
pub fn attr(attrs: &str, name: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let r = re(
        &RE,
        r#"(?is)(?:^|\s)([a-z][a-z0-9_:-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"#,
    )?;
    r.captures_iter(attrs)
        .find(|c| {
            c.get(1)
                .is_some_and(|m| m.as_str().eq_ignore_ascii_case(name))
        })
        .map(|c| {
            c.get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map(|m| m.as_str().trim().to_string())
                .unwrap_or_default()
        })
}

fn has_attr(attrs: &str, name: &str) -> bool {
    attr(attrs, name).is_some()
}

fn absolute(base: &str, link: &str) -> Option<String> {
    let link = link.trim();
    if link.is_empty() || link.starts_with('#') {
        return None;
    }
    // `data:`, `blob:`, `javascript:`: not fetched.
    if let Some(i) = link.find(':') {
        let scheme = link[..i].to_ascii_lowercase();
        if !link[..i].contains('/') && scheme != "http" && scheme != "https" {
            return None;
        }
    }
    let url = resolve_location(base, link)?;
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// Where `<head>` ends (the first `</head>` or `<body`), if the page has one.
fn head_end(html: &str) -> usize {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?i)</head\s*>|<body\b")
        .and_then(|r| r.find(html))
        .map(|m| m.start())
        .unwrap_or(0)
}

/// Every script, stylesheet, preloaded font or image, and image of the HTML, in order,
/// without duplicates.
pub fn refs(html: &str, base: &str) -> Vec<Ref> {
    static TAG: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(tag) = re(&TAG, r"(?is)<(script|link|img)\b([^>]*)>") else {
        return vec![];
    };
    let head = head_end(html);
    let mut out: Vec<Ref> = Vec::new();
    for c in tag.captures_iter(html) {
        let (Some(name), Some(attrs)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let in_head = name.start() < head;
        let attrs = attrs.as_str();
        let found = match name.as_str().to_ascii_lowercase().as_str() {
            "script" => attr(attrs, "src").map(|src| {
                let module = attr(attrs, "type").is_some_and(|t| t.eq_ignore_ascii_case("module"));
                let deferred = has_attr(attrs, "async") || has_attr(attrs, "defer") || module;
                (src, Kind::Script, in_head && !deferred)
            }),
            "link" => {
                let rel = attr(attrs, "rel").unwrap_or_default().to_ascii_lowercase();
                let rels: Vec<&str> = rel.split_whitespace().collect();
                let href = attr(attrs, "href");
                if rels.contains(&"stylesheet") && !rels.contains(&"alternate") {
                    let media = attr(attrs, "media")
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let applies = media.is_empty() || media == "all" || media == "screen";
                    href.map(|h| (h, Kind::Stylesheet, in_head && applies))
                } else if rels.contains(&"preload") {
                    match attr(attrs, "as")
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                        .as_str()
                    {
                        "font" => href.map(|h| (h, Kind::Font, false)),
                        "image" => href.map(|h| (h, Kind::Image, false)),
                        "script" => href.map(|h| (h, Kind::Script, false)),
                        "style" => href.map(|h| (h, Kind::Stylesheet, false)),
                        _ => None,
                    }
                } else {
                    None
                }
            }
            _ => attr(attrs, "src")
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    attr(attrs, "srcset")
                        .and_then(|s| s.split_whitespace().next().map(str::to_string))
                })
                .map(|src| (src, Kind::Image, false)),
        };
        let Some((link, kind, blocking)) = found else {
            continue;
        };
        let Some(url) = absolute(base, &link) else {
            continue;
        };
        match out.iter_mut().find(|r| r.url == url) {
            Some(r) => r.render_blocking |= blocking,
            None => out.push(Ref {
                url,
                kind,
                render_blocking: blocking,
            }),
        }
    }
    out
}

/// The fonts a stylesheet loads (`url(…)` of a font file), resolved against the stylesheet.
pub fn css_fonts(css: &str, base: &str) -> Vec<Ref> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(
        &RE,
        r#"(?i)url\(\s*['"]?([^'")\s]+\.(?:woff2?|ttf|otf|eot)(?:[?#][^'")\s]*)?)"#,
    ) else {
        return vec![];
    };
    let mut out: Vec<Ref> = Vec::new();
    for c in r.captures_iter(css) {
        if let Some(url) = c.get(1).and_then(|m| absolute(base, m.as_str())) {
            if !out.iter().any(|r| r.url == url) {
                out.push(Ref {
                    url,
                    kind: Kind::Font,
                    render_blocking: false,
                });
            }
        }
    }
    out
}

/// `<link rel=canonical href>`, resolved against the page.
pub fn canonical(html: &str, base: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let r = re(&RE, r"(?is)<link\b([^>]*)>")?;
    r.captures_iter(html)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .find(|a| {
            attr(a, "rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|x| x.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|a| attr(a, "href"))
        .and_then(|h| absolute(base, &h))
}

/// `<meta name=robots|googlebot content=…noindex…>` (or `none`).
pub fn meta_noindex(html: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(&RE, r"(?is)<meta\b([^>]*)>") else {
        return false;
    };
    r.captures_iter(html).filter_map(|c| c.get(1)).any(|m| {
        let a = m.as_str();
        let name = attr(a, "name").unwrap_or_default().to_ascii_lowercase();
        (name == "robots" || name == "googlebot") && attr(a, "content").is_some_and(|c| noindex(&c))
    })
}

/// A robots directive list (`X-Robots-Tag`, meta content) that keeps a page out of the index.
pub fn noindex(directives: &str) -> bool {
    directives
        .to_ascii_lowercase()
        .split([',', ' ', ':'])
        .any(|d| d.trim() == "noindex" || d.trim() == "none")
}

/// Whether `robots.txt` disallows the whole site to every crawler: a `User-agent: *` group
/// with `Disallow: /` and no `Allow` rule that lets anything back in.
pub fn robots_blocks_all(text: &str) -> bool {
    let mut agents: Vec<String> = Vec::new();
    let mut in_rules = false;
    let (mut star_disallow_all, mut star_allows) = (false, false);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
        match key.as_str() {
            "user-agent" => {
                if in_rules {
                    agents.clear();
                    in_rules = false;
                }
                agents.push(value.to_string());
            }
            "disallow" | "allow" => {
                in_rules = true;
                if agents.iter().any(|a| a == "*") {
                    if key == "disallow" && value == "/" {
                        star_disallow_all = true;
                    } else if key == "allow" && !value.is_empty() {
                        star_allows = true;
                    }
                }
            }
            _ => {}
        }
    }
    star_disallow_all && !star_allows
}

/// `scheme://host[:port]` of a URL, lower-case.
pub fn origin_of(url: &str) -> Option<String> {
    let uri: hyper::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    Some(match uri.port_u16() {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The cache lifetime `Cache-Control` gives a shared or private cache, in seconds.
pub fn cache_seconds(cache_control: &str) -> Option<u64> {
    let cc = cache_control.to_ascii_lowercase();
    let mut age = None;
    for d in cc.split(',').map(str::trim) {
        if d == "no-store" || d == "no-cache" {
            return Some(0);
        }
        if let Some(v) = d
            .strip_prefix("s-maxage=")
            .or_else(|| d.strip_prefix("max-age="))
        {
            if let Ok(n) = v.trim_matches('"').parse::<u64>() {
                age = Some(age.map_or(n, |a: u64| a.max(n)));
            }
        }
    }
    age
}

/// Text that compresses well: HTML, CSS, JavaScript, JSON, SVG, XML, plain text.
pub fn is_text(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ["javascript", "json", "svg", "xml", "ecmascript"]
            .iter()
            .any(|t| ct.contains(t))
}

/// A well-known third party by its host: analytics, tag managers, chat widgets, ads.
pub fn third_party_name(host: &str) -> Option<&'static str> {
    const KNOWN: &[(&str, &str)] = &[
        ("googletagmanager.com", "Google Tag Manager (tag manager)"),
        ("google-analytics.com", "Google Analytics (analytics)"),
        ("doubleclick.net", "Google Ads / DoubleClick (ads)"),
        ("googlesyndication.com", "Google AdSense (ads)"),
        ("connect.facebook.net", "Meta Pixel (analytics)"),
        ("segment.com", "Segment (analytics)"),
        ("segment.io", "Segment (analytics)"),
        ("cdn.mxpnl.com", "Mixpanel (analytics)"),
        ("mixpanel.com", "Mixpanel (analytics)"),
        ("amplitude.com", "Amplitude (analytics)"),
        ("hotjar.com", "Hotjar (analytics)"),
        ("clarity.ms", "Microsoft Clarity (analytics)"),
        ("posthog.com", "PostHog (analytics)"),
        ("plausible.io", "Plausible (analytics)"),
        ("intercom.io", "Intercom (chat)"),
        ("intercomcdn.com", "Intercom (chat)"),
        ("crisp.chat", "Crisp (chat)"),
        ("drift.com", "Drift (chat)"),
        ("driftt.com", "Drift (chat)"),
        ("zdassets.com", "Zendesk (chat)"),
        ("tawk.to", "Tawk.to (chat)"),
        ("hs-scripts.com", "HubSpot (marketing)"),
        ("hubspot.com", "HubSpot (marketing)"),
        ("fullstory.com", "FullStory (session replay)"),
        ("sentry-cdn.com", "Sentry (error reporting)"),
        ("js.stripe.com", "Stripe.js (payments)"),
        ("youtube.com", "YouTube embed (video)"),
    ];
    let host = host.to_ascii_lowercase();
    KNOWN
        .iter()
        .find(|(suffix, _)| host == *suffix || host.ends_with(&format!(".{suffix}")))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.com/app/";

    #[test]
    fn finds_assets_and_which_block_rendering() {
        let html = r#"<html><head>
<link rel="stylesheet" href="/a.css"><link rel=stylesheet href="print.css" media="print">
<script src="https://www.googletagmanager.com/gtm.js?id=1"></script>
<script async src="/b.js"></script><script type="module" src="/m.js"></script>
<link rel="preload" as="font" href="/f.woff2" crossorigin><link rel="icon" href="/fav.ico">
</head><body><img data-src="/lazy.png" src="/hero.jpg"><img srcset="/s.webp 1x, /s2.webp 2x">
<img src="data:image/png;base64,AAAA"><script src="/late.js"></script><script>inline()</script>
</body></html>"#;
        let r = refs(html, BASE);
        let got: Vec<(&str, Kind, bool)> = r
            .iter()
            .map(|r| (r.url.as_str(), r.kind, r.render_blocking))
            .collect();
        assert_eq!(
            got,
            vec![
                ("https://example.com/a.css", Kind::Stylesheet, true),
                ("https://example.com/app/print.css", Kind::Stylesheet, false),
                (
                    "https://www.googletagmanager.com/gtm.js?id=1",
                    Kind::Script,
                    true
                ),
                ("https://example.com/b.js", Kind::Script, false),
                ("https://example.com/m.js", Kind::Script, false),
                ("https://example.com/f.woff2", Kind::Font, false),
                ("https://example.com/hero.jpg", Kind::Image, false),
                ("https://example.com/s.webp", Kind::Image, false),
                ("https://example.com/late.js", Kind::Script, false),
            ]
        );
    }

    #[test]
    fn reads_fonts_canonical_and_noindex() {
        let css = "@font-face{src:url('../fonts/i.woff2') format('woff2'),url(/i.ttf)} a{background:url(x.png)}";
        let f = css_fonts(css, "https://example.com/css/site.css");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].url, "https://example.com/css/../fonts/i.woff2");
        let html = r#"<head><link href="http://staging.example.com/" rel="canonical"><meta content="noindex, nofollow" name="robots"></head>"#;
        assert_eq!(
            canonical(html, BASE).as_deref(),
            Some("http://staging.example.com/")
        );
        assert!(meta_noindex(html));
        assert!(!meta_noindex(
            r#"<meta name="robots" content="index, follow">"#
        ));
        assert!(noindex("googlebot: noindex") && noindex("none") && !noindex("nofollow"));
    }

    #[test]
    fn robots_blocks_all_only_for_every_crawler() {
        assert!(robots_blocks_all("User-agent: *\nDisallow: /\n"));
        assert!(robots_blocks_all(
            "User-agent: Googlebot\nUser-agent: *\nDisallow: / # all\n"
        ));
        assert!(!robots_blocks_all("User-agent: *\nDisallow: /admin\n"));
        assert!(!robots_blocks_all("User-agent: *\nDisallow:\n"));
        assert!(!robots_blocks_all(
            "User-agent: BadBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n"
        ));
        assert!(!robots_blocks_all(
            "User-agent: *\nDisallow: /\nAllow: /$\n"
        ));
        assert!(!robots_blocks_all("<html>not found</html>"));
    }

    #[test]
    fn reads_cache_lifetimes_types_and_names() {
        assert_eq!(
            cache_seconds("public, max-age=600, s-maxage=3600"),
            Some(3600)
        );
        assert_eq!(cache_seconds("no-store"), Some(0));
        assert_eq!(cache_seconds("private"), None);
        assert!(is_text("application/javascript; charset=utf-8") && is_text("image/svg+xml"));
        assert!(!is_text("image/png") && !is_text("font/woff2"));
        assert_eq!(
            third_party_name("www.googletagmanager.com"),
            Some("Google Tag Manager (tag manager)")
        );
        assert_eq!(third_party_name("notgoogletagmanager.com"), None);
        assert_eq!(
            origin_of("https://Example.com:8443/x").as_deref(),
            Some("https://example.com:8443")
        );
    }
}
