//! `cache.static.uncached`.

use super::*;

crate::check! {
    StaticUncached for HeadersObservation = CheckDoc {
        id: "cache.static.uncached",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Fingerprinted assets are not cached for long",
        catches: "Scripts and styles whose file names carry a content hash (app.3f9a1c7e.js) are served with a max-age under 30 days and without `immutable`.",
        why: "A hashed file never changes, yet every visit downloads it again or revalidates it: slower pages for returning users and more load on your origin during the launch spike.",
        fix: "Serve hashed assets with `Cache-Control: public, max-age=31536000, immutable`; keep the HTML itself `no-cache`.",
        refs: &["RFC 8246 (immutable)", "https://web.dev/articles/http-cache"],
    };
    fn evaluate(o, out, doc) {
        let short: Vec<&Asset> = o
            .assets
            .iter()
            .filter(|a| {
                let cc = a.cache_control.as_deref().unwrap_or("");
                !has_directive(cc, "immutable")
                    && max_age(cc, "max-age").is_none_or(|v| v < LONG_MAX_AGE)
            })
            .collect();
        if let Some(first) = short.first() {
            let list: Vec<String> = short
                .iter()
                .take(3)
                .map(|a| {
                    format!(
                        "{} ({})",
                        a.url,
                        a.cache_control.as_deref().unwrap_or("no Cache-Control")
                    )
                })
                .collect();
            out.push(doc.finding(
                &first.page,
                format!("{} asset(s): {}", short.len(), list.join(", ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_once_for_short_lived_assets() {
        let mut o = healthy();
        o.assets[0].cache_control = Some("max-age=3600".into());
        o.assets.push(Asset {
            page: "https://example.com/".into(),
            url: "https://example.com/static/app.1b2c3d4e.css".into(),
            cache_control: None,
        });
        let (found, _) = judge(&StaticUncached, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].evidence.starts_with("2 asset(s)"),
            "{}",
            found[0].evidence
        );
        assert!(found[0].evidence.contains("no Cache-Control"));
        o.assets[0].cache_control = Some("max-age=60, immutable".into());
        o.assets.pop();
        assert!(judge(&StaticUncached, &o).0.is_empty());
    }
}
