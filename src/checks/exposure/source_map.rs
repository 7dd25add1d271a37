//! `exposure.source-map`.

use super::*;

crate::check! {
    SourceMap for ExposureObservation = CheckDoc {
        id: "exposure.source-map",
        stage: Stage::Exposure,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "Source maps are public",
        catches: "A script's sourceMappingURL (or X-SourceMap / SourceMap header) points to a map that is served.",
        why: "It hands out the original source — comments, internal endpoints, feature flags and sometimes secrets — of your front end.",
        fix: "Upload source maps to your error tracker and don't deploy them (or serve them only to your own network).",
        refs: &["https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/SourceMap"],
    };
    fn evaluate(o, out, doc) {
        for url in &o.source_maps {
            out.push(doc.finding(url, format!("{url} is a served source map")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_served_map() {
        let mut o = healthy();
        o.source_maps
            .push("https://example.com/static/app.js.map".into());
        let (found, _) = judge(&SourceMap, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://example.com/static/app.js.map");
    }
}
