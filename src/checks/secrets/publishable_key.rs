//! `secrets.publishable-key`.

use super::*;

crate::check! {
    PublishableKey for SecretsObservation = CheckDoc {
        id: "secrets.publishable-key",
        stage: Stage::Secrets,
        severity: Severity::Info,
        impact: Impact::Security,
        title: "A publishable key is in the source (public by design)",
        catches: "Keys meant to be public: Stripe `pk_live_` keys and Firebase web API keys. Listed for the handover, not a problem by themselves.",
        why: "They identify your account to browsers and are safe to ship, but only if their restrictions are set: allowed domains for Firebase/Google keys, and never a secret key in their place.",
        fix: "Nothing to rotate. Check the key's restrictions (HTTP referrers, APIs) in the provider's console.",
        refs: &["https://firebase.google.com/docs/projects/api-keys", "https://docs.stripe.com/keys"],
    };
    fn evaluate(o, out, doc) {
        // Once per key and file, like secrets.tree.
        let mut seen = HashSet::new();
        for m in o.tree.iter().filter(|m| m.rule.kind == Kind::Publishable) {
            if seen.insert((m.label.as_str(), m.digest)) {
                out.push(doc.finding(m.subject(), evidence(m)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::secrets::samples::sample;

    #[test]
    fn lists_each_publishable_key_once_per_file() {
        let (text, _) = sample("stripe-publishable-key", 5).expect("sample");
        let mut o = healthy();
        let m = found("web/app.js", &text);
        o.tree.extend(m.clone());
        o.tree.extend(m);
        let (found, _) = judge(&PublishableKey, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
    }
}
