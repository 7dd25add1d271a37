//! `tls.unreachable`.

use super::*;

crate::check! {
    Unreachable for TlsObservation = CheckDoc {
        id: "tls.unreachable",
        stage: Stage::Tls,
        severity: Severity::Blocker,
        impact: Impact::Signup,
        title: "HTTPS does not answer",
        catches: "The host resolves but no TLS handshake completes on port 443: the connection is refused or times out, the server answers something that is not TLS (plain HTTP on 443, a banner), accepts and never speaks, or refuses every TLS 1.2/1.3 handshake.",
        why: "Browsers only reach your site over HTTPS (links, HSTS, the https:// you print on the launch post). If the handshake never completes, nobody signs up and nobody pays.",
        fix: "Make the web server or load balancer listen for TLS on port 443 with a certificate for this name. Check the firewall / security group, that 443 is not forwarded to a plain-HTTP port, and `openssl s_client -connect HOST:443 -servername HOST`.",
        refs: &["RFC 8446", "RFC 9110 §4.2.2 (https URI scheme)"],
    };
    fn evaluate(o, out, doc) {
        for h in &o.hosts {
            match &h.outcome {
                Outcome::Unreachable(why) => out.push(doc.finding(subject(h), why.clone())),
                Outcome::NotSeen(why) => out.unseen(doc, subject(h), why.clone()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_an_unreachable_host_and_is_not_checked_when_blind_from_here() {
        let mut o = healthy();
        o.hosts.push(host_with(
            "www.example.com",
            Outcome::Unreachable("connection refused".into()),
        ));
        let (found, unseen) = judge(&Unreachable, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "https://www.example.com:443");
        assert!(unseen.is_empty());
        o.hosts[1].outcome = Outcome::NotSeen("no route out".into());
        let (found, unseen) = judge(&Unreachable, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
