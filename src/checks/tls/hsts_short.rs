//! `tls.hsts.short`.

use super::*;

crate::check! {
    HstsShort for TlsObservation = CheckDoc {
        id: "tls.hsts.short",
        stage: Stage::Tls,
        severity: Severity::Low,
        impact: Impact::Security,
        title: "HSTS max-age shorter than 180 days",
        catches: "The Strict-Transport-Security max-age is under 15552000 seconds (180 days); max-age=0 switches HSTS off.",
        why: "A short max-age lapses between visits of most users, who then get the unprotected first request again. Mozilla's HTTP Observatory requires at least six months to pass its HSTS test, and the preload list a year.",
        fix: "Raise it to `max-age=31536000` (one year), with `includeSubDomains` once every subdomain serves HTTPS. Add `preload` and submit to hstspreload.org when you are sure.",
        refs: &["RFC 6797 §6.1.1", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring", "https://hstspreload.org/"],
    };
    fn evaluate(o, out, doc) {
        if let Hsts::NotChecked(why) = &o.hsts {
            out.unseen(doc, &o.app_url, why.clone());
        }
        if let Hsts::Header {
            url,
            value,
            policy: Ok(p),
        } = &o.hsts
        {
            if p.max_age < HSTS_MIN_AGE {
                out.push(doc.finding(
                    url,
                    format!(
                        "Strict-Transport-Security: {value} (max-age {} days, under 180)",
                        p.max_age / 86_400
                    ),
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
    fn fires_under_180_days() {
        let mut o = healthy();
        o.hsts = header("max-age=86400");
        let (found, _) = judge(&HstsShort, &o);
        assert!(found[0].evidence.contains("(max-age 1 days, under 180)"));
        o.hsts = header(&format!("max-age={HSTS_MIN_AGE}"));
        assert!(judge(&HstsShort, &o).0.is_empty());
    }
}
