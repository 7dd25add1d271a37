//! `edge.cache.miss`.

use super::*;

crate::check! {
    CacheMiss for EdgeObservation = CheckDoc {
        id: "edge.cache.miss",
        stage: Stage::Edge,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "CDN does not cache fingerprinted static assets",
        catches: "Behind a recognised CDN, a fingerprinted script or stylesheet of the app page (`app.3f9a1c7e.js`) asked twice in a row is still not an edge HIT the second time (no `cf-cache-status: HIT`, `x-cache: Hit…`, `x-vercel-cache: HIT` or `Age` > 0).",
        why: "Then every visitor's bundle comes from your origin: the CDN adds a hop instead of removing one, and the launch spike lands on the origin anyway. Lighthouse's \"Serve static assets with an efficient cache policy\" audits the browser cache; this audits the edge's.",
        fix: "Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, immutable` and make sure the CDN caches them (a cache rule for `/static/*` or `/assets/*`; no `Set-Cookie` or `Vary: Cookie` on them).",
        refs: &["RFC 9111 (HTTP Caching)", "https://developer.chrome.com/docs/lighthouse/performance/uses-long-cache-ttl"],
    };
    fn evaluate(o, out, doc) {
        if o.cdn.found().is_none() {
            return;
        }
        match (&o.static_repeat, &o.static_error) {
            (Lookup::Found(s), _) if s.hit.is_none() => out.push(doc.finding(
                &s.url,
                "asked twice: the second answer was not from the edge cache",
            )),
            (Lookup::Unknown, Some(why)) => out.unseen(doc, &o.app, why.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_second_miss_behind_a_cdn_only() {
        let mut o = healthy();
        o.static_repeat = Lookup::Found(StaticRepeat {
            url: "https://example.com/a.1234abcd.js".into(),
            hit: None,
        });
        assert_eq!(judge(&CacheMiss, &o).0.len(), 1);
        o.cdn = Lookup::Absent;
        assert!(
            judge(&CacheMiss, &o).0.is_empty(),
            "no CDN: edge.cdn.absent says it"
        );
        let mut o = healthy();
        o.static_repeat = Lookup::Unknown;
        o.static_error = Some("timed out".into());
        assert_eq!(judge(&CacheMiss, &o).1.len(), 1);
    }
}
