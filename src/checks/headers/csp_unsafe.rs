//! `headers.csp.unsafe`.

use super::*;

crate::check! {
    CspUnsafe for HeadersObservation = CheckDoc {
        id: "headers.csp.unsafe",
        stage: Stage::Headers,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "CSP allows inline or eval'd scripts",
        catches: "The policy's script-src (or default-src when script-src is absent) contains 'unsafe-inline' without a nonce or hash, or 'unsafe-eval'.",
        why: "'unsafe-inline' lets an injected <script> run, which is the attack CSP exists to stop; 'unsafe-eval' re-opens string-to-code sinks. Observatory: −20 for unsafe-inline in script-src, −10 for unsafe-eval; we rate it low since a CSP is still there.",
        fix: "Move inline scripts to files or give them nonces/hashes, drop 'unsafe-eval' (check for eval/new Function in bundles). Frameworks (Next.js, Rails) have nonce support.",
        refs: &["W3C CSP Level 3 §6.7.3", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        for p in &o.pages {
            let Some(policy) = csp_of(p) else { continue };
            let dirs = csp_directives(&policy);
            let script = dirs
                .iter()
                .find(|(n, _)| n == "script-src")
                .or_else(|| dirs.iter().find(|(n, _)| n == "default-src"));
            let Some((name, sources)) = script else {
                continue;
            };
            let has = |s: &str| sources.iter().any(|x| x == s);
            let nonce_or_hash = sources.iter().any(|x| {
                x.starts_with("'nonce-")
                    || x.starts_with("'sha256-")
                    || x.starts_with("'sha384-")
                    || x.starts_with("'sha512-")
            });
            let mut bad = Vec::new();
            if has("'unsafe-inline'") && !nonce_or_hash {
                bad.push("'unsafe-inline'");
            }
            if has("'unsafe-eval'") {
                bad.push("'unsafe-eval'");
            }
            if !bad.is_empty() {
                out.push(doc.finding(&p.url, format!("{name} allows {}", bad.join(" and "))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_unsafe_inline_without_a_nonce_and_on_unsafe_eval() {
        let mut o = healthy();
        set(
            &mut o.pages[0],
            "content-security-policy",
            "default-src 'self' 'unsafe-inline' 'unsafe-eval'",
        );
        let (found, _) = judge(&CspUnsafe, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence,
            "default-src allows 'unsafe-inline' and 'unsafe-eval'"
        );
        // A nonce makes 'unsafe-inline' ignored by CSP 2 browsers; script-src wins over default-src.
        set(
            &mut o.pages[0],
            "content-security-policy",
            "default-src 'unsafe-eval'; script-src 'self' 'unsafe-inline' 'nonce-abc'",
        );
        assert!(judge(&CspUnsafe, &o).0.is_empty());
    }
}
