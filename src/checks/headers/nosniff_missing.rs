//! `headers.nosniff.missing`.

use super::*;

crate::check! {
    NosniffMissing for HeadersObservation = CheckDoc {
        id: "headers.nosniff.missing",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "No X-Content-Type-Options: nosniff",
        catches: "The page lacks `X-Content-Type-Options: nosniff`.",
        why: "Browsers may 'sniff' an uploaded file or a JSON answer as HTML or script and run it. Observatory: −5 when missing; same verdict here (low).",
        fix: "Send `X-Content-Type-Options: nosniff` on every response (one line in the web server or a middleware such as helmet).",
        refs: &["https://fetch.spec.whatwg.org/#x-content-type-options-header", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            let v = header(&p.headers, "x-content-type-options");
            if !v.is_some_and(|v| v.eq_ignore_ascii_case("nosniff")) {
                out.push(doc.finding(
                    &p.url,
                    format!("X-Content-Type-Options: {}", v.unwrap_or("(absent)")),
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
    fn fires_when_absent_or_wrong() {
        let mut o = healthy();
        without(&mut o.pages[0], "x-content-type-options");
        set(&mut o.pages[1], "x-content-type-options", "sniff");
        let (found, _) = judge(&NosniffMissing, &o);
        let evidence: Vec<&str> = found.iter().map(|f| f.evidence.as_str()).collect();
        assert_eq!(
            evidence,
            [
                "X-Content-Type-Options: (absent)",
                "X-Content-Type-Options: sniff"
            ]
        );
    }
}
