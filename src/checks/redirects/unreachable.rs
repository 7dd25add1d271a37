//! `redirect.unreachable`.

use super::*;

crate::check! {
    Unreachable for RedirectObservation = CheckDoc {
        id: "redirect.unreachable",
        stage: Stage::Redirects,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "The site does not answer over HTTPS",
        catches: "https://<domain>/ accepts no connection, times out, trickles its answer slower than the probe's timeout, or answers something that is not HTTP. (Certificate and handshake failures are the tls stage's findings.)",
        why: "Every visitor from the launch announcement sees a spinner or an error page. A server that hangs instead of failing fast also ties up the load balancer and hides the real error from uptime checks.",
        fix: "Check that the app is running and listening behind the load balancer, that its health check passes, and that nothing (a WAF rule, a full connection pool) holds requests. `curl -v https://<domain>/ --max-time 5` shows where it stops.",
        refs: &["RFC 9110", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/504"],
    };
    fn evaluate(o, out, doc) {
        let c = &o.https_apex;
        if let Some(why) = &o.from_here {
            out.unseen(doc, &c.start, why.clone());
            return;
        }
        if matches!(
            c.error,
            Some(HttpError::Timeout | HttpError::Connect(_) | HttpError::Protocol(_))
        ) {
            out.push(doc.finding(&c.start, c.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_https_times_out_and_is_not_checked_from_a_blind_auditor() {
        let mut o = healthy();
        assert!(judge(&Unreachable, &o).0.is_empty());
        o.https_apex.hops.clear();
        o.https_apex.last = None;
        o.https_apex.error = Some(HttpError::Timeout);
        o.https_apex.failed_at = Some(APEX.into());
        let (found, unseen) = judge(&Unreachable, &o);
        assert_eq!(found.len(), 1);
        assert!(unseen.is_empty());
        o.from_here = Some("no route out of this machine".into());
        let (found, unseen) = judge(&Unreachable, &o);
        assert!(found.is_empty());
        assert!(unseen.iter().any(|u| u.subject == APEX), "{unseen:?}");
    }
}
