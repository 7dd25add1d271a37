//! `edge.callback.cached`.

use super::*;

crate::check! {
    CallbackCached for EdgeObservation = CheckDoc {
        id: "edge.callback.cached",
        stage: Stage::Edge,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "Auth callback can be served from a shared cache",
        catches: "An OAuth/OIDC callback path that exists (config `auth_callbacks`; default /auth/callback, /api/auth/callback/google, /oauth/callback, /login/callback; any answer but 404/410) is cacheable by a shared cache (`public`, `s-maxage` or `max-age` without `private`/`no-store`/`no-cache`) or was answered from the edge cache (`cf-cache-status: HIT`, `x-cache: Hit…`, `Age` > 0).",
        why: "A CDN that caches the callback replays one user's sign-in answer — its cookies and redirect — to the next visitor, or breaks the code exchange for everyone: the roadmaps' \"make sure Cloudflare is not breaking login callbacks\". A cache rule for `/*` or \"cache everything\" is the usual cause.",
        fix: "Send `Cache-Control: no-store` (or `private, no-store`) on every auth callback and add a CDN rule that bypasses the cache for the auth paths. Purge the cache after changing it.",
        refs: &["RFC 9111 §5.2.2 (Cache-Control)", "https://developers.cloudflare.com/cache/how-to/cache-rules/", "OWASP Session Management Cheat Sheet (caching)"],
    };
    fn evaluate(o, out, doc) {
        if let Some(why) = &o.unreachable {
            out.unseen(doc, &o.app, why.clone());
            return;
        }
        for (url, why) in &o.callback_errors {
            out.unseen(doc, url, why.clone());
        }
        for c in &o.callbacks {
            let cacheable = probes::shared_cacheable(c.cache_control.as_deref());
            if c.edge_hit.is_some() || cacheable {
                let cc = c.cache_control.as_deref().unwrap_or("none");
                let evidence = match &c.edge_hit {
                    Some(hit) => format!("answered {} from the edge cache ({hit}); Cache-Control: {cc}", c.status),
                    None => format!("answered {} with Cache-Control: {cc} (a shared cache may store it)", c.status),
                };
                out.push(doc.finding(&c.url, evidence));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_cacheable_or_hit_callback() {
        let mut o = healthy();
        o.callbacks[0].cache_control = Some("public, max-age=600".into());
        let (found, _) = judge(&CallbackCached, &o);
        assert!(found[0].evidence.contains("a shared cache may store it"));
        let mut o = healthy();
        o.callbacks[0].edge_hit = Some("cf-cache-status: HIT".into());
        let (found, _) = judge(&CallbackCached, &o);
        assert!(found[0].evidence.contains("from the edge cache"));
        let mut o = healthy();
        o.callback_errors.push((
            "https://example.com/oauth/callback".into(),
            "timed out".into(),
        ));
        let (found, unseen) = judge(&CallbackCached, &o);
        assert!(found.is_empty() && unseen[0].subject.ends_with("/oauth/callback"));
    }
}
