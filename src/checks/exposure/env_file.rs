//! `exposure.env-file`.

use super::signatures::{env_name, looks_like_env};
use super::*;

crate::check! {
    EnvFile for ExposureObservation = CheckDoc {
        id: "exposure.env-file",
        stage: Stage::Exposure,
        severity: Severity::Blocker,
        impact: Impact::Security,
        title: "The .env file is served to anyone",
        catches: "/.env (or .env.production, .env.local) answers with KEY=value lines — the content is checked, so a site that answers every path with its index page does not count.",
        why: "It holds the database URL, API keys and signing secrets: anyone who requests it owns the app. Bots request /.env on every new domain within hours of its first certificate.",
        fix: "Remove the file from the web root and block dotfiles at the server (`location ~ /\\. { deny all; }`). Then rotate every secret it held: assume they are already copied.",
        refs: &["OWASP WSTG-CONF-04", "https://cwe.mitre.org/data/definitions/538.html"],
    };
    fn evaluate(o, out, doc) {
        for p in o.env.iter().filter(|p| p.ok() && looks_like_env(&p.body)) {
            out.push(doc.finding(&p.url, evidence(p)));
        }
    }
}

/// How many variables, the first names, and the first secret the engine recognises
/// (redacted): never a value.
fn evidence(p: &Page) -> String {
    let keys: Vec<&str> = p.body.lines().filter_map(env_name).take(5).collect();
    let count = p.body.lines().count();
    match crate::secrets::scan_bytes(&p.url, p.body.as_bytes()).first() {
        Some(m) => format!(
            "{count} variables ({}…); {}: {}",
            keys.join(", "),
            m.rule.id,
            m.redacted
        ),
        None => format!("{count} variables ({}…)", keys.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_served_env_file_and_never_prints_a_value() {
        let mut o = healthy();
        o.env[0] = page(
            "https://example.com/.env",
            200,
            "# prod\nDATABASE_URL=postgres://app:hunter2hunter2@db/app\nexport API_KEY=abc\n",
        );
        let (found, unseen) = judge(&EnvFile, &o);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].subject, "https://example.com/.env");
        assert!(found[0].evidence.contains("DATABASE_URL, API_KEY"));
        assert!(!found[0].evidence.contains("hunter2hunter2"));
        assert!(unseen.is_empty());
    }

    #[test]
    fn silent_on_the_index_page_and_on_a_404_and_not_checked_without_an_answer() {
        let mut o = healthy();
        o.env[1] = page("https://example.com/.env.production", 404, "A=1\nB=2\n");
        let (found, unseen) = judge(&EnvFile, &o);
        assert!(found.is_empty() && unseen.is_empty());
        o.unseen.push(Unseen {
            check: "exposure.env-file",
            subject: "https://example.com/.env".into(),
            reason: "timed out".into(),
        });
        let (found, unseen) = judge(&EnvFile, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
