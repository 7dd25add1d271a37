//! `dns.staging.public`.

use super::*;

crate::check! {
    StagingPublic for DnsObservation = CheckDoc {
        id: "dns.staging.public",
        stage: Stage::Dns,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "A staging/dev/test name resolves publicly",
        catches: "staging., stage., dev., test., preview., uat. or qa. under the domain resolves in public DNS (a wildcard record that answers every name is told apart and not reported).",
        why: "Staging sites run debug modes, test credentials and unreleased features, and search engines and attackers find them through DNS and certificate logs.",
        fix: "Remove the public record, or put the host behind authentication or a VPN. Use a separate domain for non-production environments.",
        refs: &["OWASP WSTG-INFO-04", "https://crt.sh (certificate transparency shows these names too)"],
    };
    fn evaluate(o, out, doc) {
        for h in o.staging.iter().filter(|h| h.resolves()) {
            out.push(
                doc
                    .finding(&h.host, format!("{} → {}", h.host, h.addresses())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_staging_name_that_resolves() {
        let mut o = healthy();
        o.staging = vec![host("staging.example.com", &["192.0.2.99"])];
        let (found, _) = judge(&StagingPublic, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "staging.example.com");
    }
}
