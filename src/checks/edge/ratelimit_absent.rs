//! `edge.ratelimit.absent`.

use super::*;

crate::check! {
    RateLimitAbsent for EdgeObservation = CheckDoc {
        id: "edge.ratelimit.absent",
        stage: Stage::Edge,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "No rate limit on login",
        catches: "With --probe-rate-limit: 30 failed logins in 3 seconds against the auth endpoint never get a 429; the same burst (same caps) against each of the config's `rate_limit_paths` (signup, password reset) too.",
        why: "Credential stuffing and password guessing run at thousands of attempts a minute; without a limit, every weak password among your first users is an account takeover, and the login endpoint is a cheap way to load your database.",
        fix: "Rate-limit login, signup and password-reset per IP and per account (e.g. 5 per minute with backoff) at the CDN/WAF or in the app, answering 429 with Retry-After.",
        refs: &["RFC 6585 §4 (429)", "OWASP Authentication Cheat Sheet (login throttling)"],
    };
    fn evaluate(o, out, doc) {
        if !o.probe_requested {
            return;
        }
        for (url, statuses) in &o.bursts {
            burst(doc, url, statuses, out);
        }
        let Some((url, statuses)) = &o.burst else {
            let why = match &o.unreachable {
                Some(why) => why.clone(),
                None => "no auth page (/login, /signin, /account) to send the burst to".into(),
            };
            out.unseen(doc, &o.app, why);
            return;
        };
        burst(doc, url, statuses, out);
    }
}

/// One burst's verdict: a finding when answers came and none was a 429.
fn burst(
    doc: &CheckDoc,
    url: &str,
    statuses: &[Result<u16, ErrorKind>],
    out: &mut crate::check::Outcomes,
) {
    let answered = statuses.iter().filter(|s| s.is_ok()).count();
    let limited = statuses.iter().any(|s| matches!(s, Ok(429)));
    if answered == 0 && !limited {
        let why = if statuses.is_empty() {
            "no login attempt could be sent (the --max-requests cap, or this machine could not open a connection)".to_string()
        } else {
            format!(
                "cannot connect: none of {} login attempts got an answer",
                statuses.len()
            )
        };
        out.unseen(doc, url, why);
    } else if answered > 0 && !limited {
        out.push(doc.finding(
            url,
            format!(
                "{} login attempts in {} s, {answered} answered, none with 429",
                statuses.len(),
                BURST_OVER.as_secs()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_when_no_attempt_meets_a_429() {
        let mut o = healthy();
        o.burst = Some((LOGIN.into(), vec![Ok(401); BURST]));
        let (found, _) = judge(&RateLimitAbsent, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, LOGIN);
        assert!(found[0]
            .evidence
            .starts_with("30 login attempts in 3 s, 30 answered"));
        o.bursts = vec![("https://example.com/signup".into(), vec![Ok(200); BURST])];
        assert_eq!(judge(&RateLimitAbsent, &o).0.len(), 2, "login and signup");
        o.probe_requested = false;
        assert!(judge(&RateLimitAbsent, &o).0.is_empty(), "not asked for");
    }

    #[test]
    fn no_answer_or_no_login_page_is_not_checked() {
        let mut o = healthy();
        o.burst = Some((LOGIN.into(), vec![Err(ErrorKind::Connect); 3]));
        let (found, unseen) = judge(&RateLimitAbsent, &o);
        assert!(found.is_empty());
        assert!(unseen[0].reason.contains("none of 3 login attempts"));
        o.burst = None;
        let (_, unseen) = judge(&RateLimitAbsent, &o);
        assert!(unseen[0].reason.starts_with("no auth page"), "{unseen:?}");
    }
}
