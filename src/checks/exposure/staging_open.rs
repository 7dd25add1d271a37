//! `exposure.staging.open`.

use super::*;

crate::check! {
    StagingOpen for ExposureObservation = CheckDoc {
        id: "exposure.staging.open",
        stage: Stage::Exposure,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "A staging host answers without authentication",
        catches: "staging., dev., test. or preview. (or a configured subdomain named like them) resolves and serves a page without asking for credentials.",
        why: "Staging runs with test accounts, debug flags and copies of production data, and gets none of production's hardening; it is the easy way in.",
        fix: "Put non-production hosts behind authentication (basic auth at the proxy, SSO, or a VPN) and keep them out of public DNS.",
        refs: &["OWASP WSTG-CONF-05"],
    };
    fn evaluate(o, out, doc) {
        for s in &o.staging_open {
            out.push(doc.finding(
                &s.url,
                format!("{} answers {} without authentication", s.url, s.status),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_per_open_staging_host() {
        let mut o = healthy();
        o.staging_open.push(OpenStaging {
            url: "https://staging.example.com/".into(),
            status: 200,
        });
        let (found, _) = judge(&StagingOpen, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence,
            "https://staging.example.com/ answers 200 without authentication"
        );
    }
}
