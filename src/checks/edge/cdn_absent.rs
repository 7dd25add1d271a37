//! `edge.cdn.absent`.

use super::*;

crate::check! {
    CdnAbsent for EdgeObservation = CheckDoc {
        id: "edge.cdn.absent",
        stage: Stage::Edge,
        severity: Severity::Low,
        impact: Impact::Downtime,
        title: "No CDN or WAF in front of the app",
        catches: "The app's responses carry none of the headers of the common CDNs and WAFs (Cloudflare, CloudFront, Fastly, Akamai, Vercel, Netlify, Azure Front Door, Sucuri, Imperva, Bunny, Google Cloud CDN).",
        why: "The launch spike, a bot wave or a small DDoS all land directly on your origin; a CDN absorbs static traffic, terminates TLS close to users and gives you a place to block abuse in minutes.",
        fix: "Put the site behind a CDN (most have a free tier) with static assets cached at the edge, and lock the origin so it only accepts the CDN's traffic.",
        refs: &["https://developer.mozilla.org/en-US/docs/Glossary/CDN", "https://owasp.org/www-community/Web_Application_Firewall"],
    };
    fn evaluate(o, out, doc) {
        match (&o.cdn, &o.unreachable) {
            (Lookup::Absent, _) => out.push(
                doc
                    .finding(&o.app, "no CDN or WAF header in the response"),
            ),
            (Lookup::Found(_), _) => {}
            (Lookup::Unknown, why) => out.unseen(
                doc,
                &o.app,
                why.clone()
                    .unwrap_or_else(|| "no answer from the app".into()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_no_cdn_is_recognised_and_is_not_checked_without_an_answer() {
        let mut o = healthy();
        o.cdn = Lookup::Absent;
        let (found, _) = judge(&CdnAbsent, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, APP);
        o.cdn = Lookup::Unknown;
        o.unreachable = Some("no answer from https://example.com/: timed out".into());
        let (found, unseen) = judge(&CdnAbsent, &o);
        assert!(found.is_empty());
        assert!(unseen[0].reason.contains("timed out"), "{unseen:?}");
    }
}
