//! `exposure.secret-in-bundle`.

use super::*;

crate::check! {
    SecretInBundle for ExposureObservation = CheckDoc {
        id: "exposure.secret-in-bundle",
        stage: Stage::Exposure,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "A server secret is in the JavaScript sent to browsers",
        catches: "A script the app page loads (or its source map) contains a server-side secret — an API secret key, a database URL with a password, a private key — found by the same rule engine as `launchready secrets`. Publishable keys (Stripe pk_, Firebase web keys) are not reported.",
        why: "Everything in a bundle is public: anyone can open DevTools and use the key against your account, with your bill and your customers' data.",
        fix: "Move the call that needs the secret to the server (an API route) and rotate the key now. Check that only NEXT_PUBLIC_/VITE_-style variables meant for browsers reach the bundle.",
        refs: &["https://cwe.mitre.org/data/definitions/798.html", "https://nextjs.org/docs/app/building-your-application/configuring/environment-variables"],
    };
    fn evaluate(o, out, doc) {
        for s in &o.bundle_secrets {
            out.push(doc.finding(&s.subject, format!("{}: {}", s.rule, s.redacted)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_secret_found_in_a_script() {
        let mut o = healthy();
        o.bundle_secrets.push(BundleSecret {
            subject: "https://example.com/static/app.js:3".into(),
            redacted: "sk_live_…(redacted)".into(),
            rule: "stripe-secret-key".into(),
        });
        let (found, unseen) = judge(&SecretInBundle, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence, "stripe-secret-key: sk_live_…(redacted)");
        assert!(unseen.is_empty());
    }
}
