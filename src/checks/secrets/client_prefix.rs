//! `secrets.client-prefix`.

use super::*;

crate::check! {
    ClientPrefix for SecretsObservation = CheckDoc {
        id: "secrets.client-prefix",
        stage: Stage::Secrets,
        severity: Severity::High,
        impact: Impact::Security,
        title: "A server secret is in a browser-exposed variable (NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_)",
        catches: "A secret assigned to a variable whose prefix makes Next.js, Vite, Create React App, Expo, Nuxt or Gatsby inline it into the JavaScript shipped to every visitor — including in git-ignored `.env` files next to a package.json.",
        why: "The build copies the value into the public bundle: anyone who opens the site can read the key from the browser's developer tools, no repository access needed.",
        fix: "Rotate the key, rename the variable without the public prefix and use it only in server code (API routes, server actions, a backend proxy). Only publishable keys belong in public variables.",
        refs: &["https://nextjs.org/docs/app/building-your-application/configuring/environment-variables#bundling-environment-variables-for-the-browser", "https://vite.dev/guide/env-and-mode", "https://docs.expo.dev/guides/environment-variables/"],
    };
    fn evaluate(o, out, doc) {
        for m in o.tree.iter().chain(&o.ignored_env) {
            let (Some(var), Kind::Secret) = (&m.client_var, m.rule.kind) else {
                continue;
            };
            let mut f = doc.finding(
                m.subject(),
                format!(
                    "{var} holds a {} ({}): the build ships it to every browser{}",
                    m.rule.description,
                    m.redacted,
                    m.fingerprint()
                        .map(|fp| format!("; {fp}"))
                        .unwrap_or_default()
                ),
            );
            f.severity = capped(m.rule.severity, doc.severity);
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::secrets::samples::sample;

    #[test]
    fn fires_on_a_secret_in_a_public_variable_even_when_ignored() {
        let (text, _) = sample("github-pat", 3).expect("sample");
        let value = text
            .split(['"', '\'', '=', ' ', ':'])
            .rev()
            .find(|s| s.len() > 20);
        let value = value.expect("the sample's value");
        let mut o = healthy();
        o.tree
            .extend(found("src/env.ts", &format!("GITHUB_TOKEN={value}\n")));
        assert!(judge(&ClientPrefix, &o).0.is_empty(), "a server variable");
        o.ignored_env.extend(found(
            ".env.local",
            &format!("NEXT_PUBLIC_GITHUB_TOKEN={value}\n"),
        ));
        let (found, _) = judge(&ClientPrefix, &o);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]
            .evidence
            .starts_with("NEXT_PUBLIC_GITHUB_TOKEN holds"));
        assert!(!found[0].evidence.contains(value), "never the value");
    }
}
