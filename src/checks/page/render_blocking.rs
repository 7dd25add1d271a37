//! `page.render-blocking`.

use super::*;

crate::check! {
    RenderBlocking for PageObservation = CheckDoc {
        id: "page.render-blocking",
        stage: Stage::Page,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Render-blocking scripts or styles",
        catches: "A script in `<head>` without `async`, `defer` or `type=module`; or render-blocking stylesheets (in `<head>`, for all media) that come from another origin or weigh more than 50 KB together.",
        why: "The browser paints nothing until these arrive and run: each is a round trip (and for another origin, a new connection) before the first pixel. Lighthouse's \"Eliminate render-blocking resources\" audit names the same resources; one small first-party stylesheet is normal and not reported.",
        fix: "Add `defer` (or `async` for independent scripts like analytics) to scripts in `<head>`, or move them to the end of `<body>`. Inline the critical CSS, self-host third-party CSS and load the rest with `media` or `rel=preload`.",
        refs: &["https://developer.chrome.com/docs/lighthouse/performance/render-blocking-resources", "https://html.spec.whatwg.org/multipage/scripting.html#attr-script-defer"],
    };
    fn evaluate(o, out, doc) {
        for (page, assets) in o.fresh_assets() {
            let first = page.assets.first().map(|d| d.origin.as_str()).unwrap_or("");
            let scripts: Vec<&Asset> = assets
                .iter()
                .copied()
                .filter(|a| a.render_blocking && a.kind == Kind::Script)
                .collect();
            let styles: Vec<&Asset> = assets
                .iter()
                .copied()
                .filter(|a| a.render_blocking && a.kind == Kind::Stylesheet)
                .collect();
            let css_bytes: u64 = styles.iter().filter_map(|a| a.bytes).sum();
            let foreign_css = styles.iter().any(|a| a.origin != first);
            let mut blocking = scripts;
            if css_bytes > BLOCKING_CSS || foreign_css {
                blocking.extend(styles);
            }
            if !blocking.is_empty() {
                out.push(doc.finding(
                    &page.url,
                    format!(
                        "{} render-blocking resource(s): {}",
                        blocking.len(),
                        listing(&blocking, |a| format!("{}, {}", a.kind.as_str(), kb(a.bytes.unwrap_or(0))))
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
    fn fires_on_sync_head_scripts_and_heavy_or_foreign_css() {
        let mut o = healthy();
        o.pages[0].assets[2].render_blocking = true;
        let (found, _) = judge(&RenderBlocking, &o);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .evidence
            .starts_with("1 render-blocking resource(s): https://example.com/app.1a2b.js"));
        let mut o = healthy();
        let mut css = asset("https://fonts.example.net/css", Kind::Stylesheet, 2_000);
        css.render_blocking = true;
        o.pages[0].assets.push(css);
        let (found, _) = judge(&RenderBlocking, &o);
        assert!(
            found[0].evidence.starts_with("2 render-blocking"),
            "{found:?}"
        );
        let mut o = healthy();
        o.pages[0].assets[1].bytes = Some(80 * 1024);
        assert_eq!(judge(&RenderBlocking, &o).0.len(), 1);
    }
}
