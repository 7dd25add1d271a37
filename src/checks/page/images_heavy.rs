//! `page.images.heavy`.

use super::*;

/// JPEG, PNG, GIF, BMP: the formats AVIF and WebP replace.
fn legacy(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    [
        "image/jpeg",
        "image/jpg",
        "image/png",
        "image/gif",
        "image/bmp",
    ]
    .iter()
    .any(|t| ct.starts_with(t))
}

crate::check! {
    ImagesHeavy for PageObservation = CheckDoc {
        id: "page.images.heavy",
        stage: Stage::Page,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Heavy images on the page",
        catches: "An image the page loads is over 300 KB as served, or is a JPEG/PNG/GIF over 100 KB although the request offered AVIF and WebP in `Accept` (as browsers do).",
        why: "Images are most of a page's bytes; on slow 4G, 300 KB is 1.5 s of download for one picture. Lighthouse's \"Properly size images\", \"Efficiently encode images\" and \"Serve images in modern formats\" audits cover the same ground with a browser; this reads the bytes as served.",
        fix: "Serve the image resized to its displayed size and in AVIF or WebP (`<picture>` with `<source type=image/avif>`, or an image CDN that negotiates on `Accept`), and lazy-load images below the fold.",
        refs: &["https://developer.chrome.com/docs/lighthouse/performance/uses-webp-images", "https://web.dev/articles/serve-images-avif"],
    };
    fn evaluate(o, out, doc) {
        for (_, assets) in o.fresh_assets() {
            for a in assets.into_iter().filter(|a| a.kind == Kind::Image && a.status == Some(200)) {
                let Some(bytes) = a.bytes else { continue };
                if bytes > HEAVY_IMAGE {
                    out.push(doc.finding(&a.url, format!("{} ({})", kb(bytes), a.content_type)));
                } else if bytes > LEGACY_IMAGE && legacy(&a.content_type) {
                    out.push(doc.finding(
                        &a.url,
                        format!("{} as {} although AVIF/WebP were offered in Accept", kb(bytes), a.content_type),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_big_or_legacy_images() {
        let mut o = healthy();
        o.pages[0].assets[3].bytes = Some(400 * 1024);
        let mut png = asset("https://example.com/shot.png", Kind::Image, 150 * 1024);
        png.content_type = "image/png".into();
        o.pages[0].assets.push(png);
        let mut small = asset("https://example.com/icon.png", Kind::Image, 20 * 1024);
        small.content_type = "image/png".into();
        o.pages[0].assets.push(small);
        let (found, _) = judge(&ImagesHeavy, &o);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].evidence, "400 KB (image/webp)");
        assert!(found[1].evidence.contains("image/png although AVIF/WebP"));
    }
}
