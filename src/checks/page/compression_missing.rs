//! `page.compression.missing`.

use super::*;

crate::check! {
    CompressionMissing for PageObservation = CheckDoc {
        id: "page.compression.missing",
        stage: Stage::Page,
        severity: Severity::Medium,
        impact: Impact::Performance,
        title: "Text assets served without compression",
        catches: "HTML, CSS, JavaScript, JSON or SVG of 1.4 KB or more answered without `Content-Encoding` (gzip, br or zstd) although the request offered `Accept-Encoding: gzip, deflate, br`.",
        why: "Text compresses 3–10×: an uncompressed bundle is seconds of extra download on a phone, every visit. This is Lighthouse's \"Enable text compression\" audit (same 1.4 KB threshold), read from the answers as served.",
        fix: "Turn on gzip or Brotli for text types at the server or CDN (nginx `gzip on; gzip_types …`, Caddy `encode zstd gzip`, most CDNs: a compression toggle). Check with `curl -sI -H 'Accept-Encoding: br, gzip' URL | grep -i content-encoding`.",
        refs: &["https://developer.chrome.com/docs/lighthouse/performance/uses-text-compression", "RFC 9110 §8.4 (Content-Encoding)"],
    };
    fn evaluate(o, out, doc) {
        for (page, assets) in o.fresh_assets() {
            let bare: Vec<&Asset> = assets
                .into_iter()
                .filter(|a| {
                    a.status == Some(200)
                        && html::is_text(&a.content_type)
                        && a.encoding.is_none()
                        && a.bytes.is_some_and(|b| b >= COMPRESS_MIN)
                })
                .collect();
            if !bare.is_empty() {
                let total: u64 = bare.iter().filter_map(|a| a.bytes).sum();
                out.push(doc.finding(
                    &page.url,
                    format!(
                        "{} text asset(s), {} uncompressed: {}",
                        bare.len(),
                        kb(total),
                        listing(&bare, |a| kb(a.bytes.unwrap_or(0)))
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
    fn fires_on_large_uncompressed_text_only() {
        let mut o = healthy();
        o.pages[0].assets[2].encoding = None; // the 90 KB script
        let mut small = asset("https://example.com/tiny.js", Kind::Script, 900);
        small.encoding = None;
        o.pages[0].assets.push(small);
        o.pages[0].assets[3].encoding = None; // an image: not text
        let (found, _) = judge(&CompressionMissing, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.starts_with("1 text asset(s), 88 KB"),
            "{}",
            found[0].evidence
        );
        assert!(found[0].evidence.contains("app.1a2b.js"));
    }
}
