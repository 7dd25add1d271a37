//! `edge.webhook.challenged`.

use super::*;

crate::check! {
    WebhookChallenged for EdgeObservation = CheckDoc {
        id: "edge.webhook.challenged",
        stage: Stage::Edge,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "Webhook endpoint answered by a bot challenge",
        catches: "With --probe-webhooks: one POST to each webhook of the config's `webhooks` (default /api/webhooks/stripe, /webhooks/stripe, /api/webhooks) — `Content-Type: application/json`, `Content-Length: 0` (an empty body), no signature header, launchready's User-Agent, nothing else — is answered by a CDN/WAF challenge (`cf-mitigated: challenge`, or a 403/429/503 challenge page) instead of reaching the app (whose 400/401/403 for a missing signature is the healthy answer).",
        why: "Stripe, GitHub, auth and email providers cannot solve a JavaScript challenge: their events never arrive, so payments are not recorded and accounts never activate, silently. Bot-fight modes and \"under attack\" settings turned on for the launch are the usual cause.",
        fix: "Add a WAF/CDN rule that skips bot challenges for the webhook paths (and, where the provider publishes them, only for its IP ranges), and verify the webhook signature in the app instead.",
        refs: &["https://developers.cloudflare.com/waf/custom-rules/skip/", "https://docs.stripe.com/webhooks#verify-events"],
    };
    fn evaluate(o, out, doc) {
        if !o.probe_webhooks {
            return;
        }
        if let Some(why) = &o.unreachable {
            out.unseen(doc, &o.app, why.clone());
            return;
        }
        if o.webhooks.is_empty() && o.webhook_errors.is_empty() {
            out.unseen(doc, &o.app, "--probe-webhooks without webhooks in the config (webhooks = [\"/api/webhooks/stripe\"])");
        }
        for (url, why) in &o.webhook_errors {
            out.unseen(doc, url, why.clone());
        }
        for w in &o.webhooks {
            if let Some(c) = &w.challenge {
                out.push(doc.finding(&w.url, format!("an unsigned POST met a challenge: {c}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_challenge_and_only_when_asked() {
        let mut o = healthy();
        o.webhooks[0].status = 403;
        o.webhooks[0].challenge = Some("cf-mitigated: challenge".into());
        let (found, _) = judge(&WebhookChallenged, &o);
        assert_eq!(found[0].severity, Severity::Blocker);
        o.probe_webhooks = false;
        assert!(judge(&WebhookChallenged, &o).0.is_empty());
        let mut o = healthy();
        o.webhooks.clear();
        let (_, unseen) = judge(&WebhookChallenged, &o);
        assert!(unseen[0].reason.contains("without webhooks"));
    }
}
