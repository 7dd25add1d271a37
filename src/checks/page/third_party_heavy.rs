//! `page.third-party.heavy`.

use super::*;

crate::check! {
    ThirdPartyHeavy for PageObservation = CheckDoc {
        id: "page.third-party.heavy",
        stage: Stage::Page,
        severity: Severity::Low,
        impact: Impact::Performance,
        title: "Third-party code dominates the page",
        catches: "Assets from origins other than the audited hosts weigh more than 200 KB, or more than half of a page of at least 100 KB. Well-known ones (tag managers, analytics, chat widgets, ads) are named from a built-in list.",
        why: "Every third-party origin is a new connection on a phone, and its scripts compete with yours for the main thread: the roadmaps' \"third-party scripts drag down responsiveness\". Lighthouse's \"Reduce the impact of third-party code\" measures main-thread time; this counts bytes and origins, which needs no browser.",
        fix: "Drop the tags nobody reads, load the rest with `async`/`defer` after the first paint (or on interaction for chat widgets), and self-host what you can (fonts, small libraries).",
        refs: &["https://developer.chrome.com/docs/lighthouse/performance/third-party-summary", "https://web.dev/articles/optimizing-content-efficiency-loading-third-party-javascript"],
    };
    fn evaluate(o, out, doc) {
        for (page, assets) in o.fresh_assets() {
            let total: u64 = page.assets.iter().filter_map(|a| a.bytes).sum();
            let third: Vec<&Asset> = assets.into_iter().filter(|a| a.third_party).collect();
            let bytes: u64 = third.iter().filter_map(|a| a.bytes).sum();
            let heavy = bytes > THIRD_PARTY_HEAVY || (total >= THIRD_PARTY_MIN && bytes * 2 > total);
            if !heavy {
                continue;
            }
            let mut origins: Vec<String> = Vec::new();
            for a in &third {
                let host = crate::target::host_of(&a.url).unwrap_or_default();
                let name = match html::third_party_name(&host) {
                    Some(n) => format!("{host}: {n}"),
                    None => host,
                };
                if !origins.contains(&name) {
                    origins.push(name);
                }
            }
            out.push(doc.finding(
                &page.url,
                format!(
                    "third parties send {} of {} ({}%) from {} origin(s): {}",
                    kb(bytes),
                    kb(total),
                    (bytes * 100).checked_div(total).unwrap_or(0),
                    origins.len(),
                    origins.join("; ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_third_parties_outweigh_the_page_and_names_them() {
        let mut o = healthy();
        o.pages[0].assets.push(asset(
            "https://www.googletagmanager.com/gtm.js?id=GTM-1",
            Kind::Script,
            250 * 1024,
        ));
        let (found, _) = judge(&ThirdPartyHeavy, &o);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .evidence
                .contains("Google Tag Manager (tag manager)"),
            "{}",
            found[0].evidence
        );
        let mut o = healthy();
        o.pages[0].assets[2].bytes = Some(10_000);
        o.pages[0].assets[3].bytes = Some(10_000);
        o.pages[0].assets.push(asset(
            "https://widgets.example.net/chat.js",
            Kind::Script,
            150 * 1024,
        ));
        let (found, _) = judge(&ThirdPartyHeavy, &o);
        assert!(
            found[0].evidence.contains("widgets.example.net"),
            "more than half"
        );
        let mut o = healthy();
        o.pages[0].assets.push(asset(
            "https://widgets.example.net/chat.js",
            Kind::Script,
            20 * 1024,
        ));
        assert!(judge(&ThirdPartyHeavy, &o).0.is_empty());
    }
}
