//! `redirect.node.mismatch`: one address of the apex, www or a subdomain (round-robin DNS)
//! answers the probe differently from the host, in a way the per-chain checks do not name: it
//! fails (refuses, stops answering, answers garbage or a 5xx) where the host answers, or its
//! chain lands on another host. A node that serves plain HTTP, a temporary or path-dropping
//! redirect is reported by that check, under the node's address; a node whose certificate is
//! wrong is the tls stage's; a dead AAAA (no connection at all) is `dns.aaaa.unreachable`.

use super::*;

/// How a node's chain disagrees with its host's, as this check judges it.
#[derive(Debug, PartialEq, Eq)]
pub enum Disagreement {
    /// The node fails or lands elsewhere: the evidence.
    Differs(String),
    /// This machine could not dial the node: the reason.
    Unseen(String),
}

/// What this check makes of one node chain next to its host's chain (`None`: nothing).
pub fn disagreement(host: &Chain, node: &NodeChain) -> Option<Disagreement> {
    let c = &node.chain;
    // The host's own failure is judged by the host's checks; there is nothing to compare.
    let host_answer = host.last.as_ref()?;
    let both = || {
        format!(
            "on {}: {}; on the host's other addresses: {}",
            node.ip,
            c.describe(),
            host.describe()
        )
    };
    if let Some(e) = &c.error {
        return match e {
            HttpError::Local(why) => Some(Disagreement::Unseen(format!(
                "cannot reach {} from this machine: {why}",
                node.ip
            ))),
            // The certificate is the tls stage's finding.
            HttpError::Tls(_) => None,
            // No connection to an IPv6 address at all: dns.aaaa.unreachable.
            HttpError::Connect(_) | HttpError::Timeout
                if node.ip.is_ipv6() && c.hops.is_empty() =>
            {
                None
            }
            _ => Some(Disagreement::Differs(format!("fails {}", both()))),
        };
    }
    if let Some(last) = &c.last {
        if last.status.is_server_error() && !host_answer.status.is_server_error() {
            return Some(Disagreement::Differs(format!(
                "answers {} {}",
                last.status.as_u16(),
                both()
            )));
        }
    }
    // Where each chain ends: its answer, or the off-site URL (a node's is not asked).
    let end = |c: &Chain| scheme_host(c.off_site.as_deref().unwrap_or(c.final_url()));
    let (node_end, host_end) = (end(c).1, end(host).1);
    // Plain HTTP served by the node is redirect.http.no-https's, under the node's address.
    let plain = c.last.is_some() && scheme_host(c.final_url()).0 == "http";
    if node_end != host_end && !plain {
        return Some(Disagreement::Differs(format!(
            "lands on {node_end} instead of {host_end} {}",
            both()
        )));
    }
    None
}

crate::check! {
    NodeMismatch for RedirectObservation = CheckDoc {
        id: "redirect.node.mismatch",
        stage: Stage::Redirects,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "One address of the site answers differently from the others",
        catches: "Round-robin DNS: one A or AAAA of the apex, www or a subdomain (each probed on its own, at most 4 per family and 8 subdomains) fails — refuses, times out, answers garbage or a 5xx — or redirects to another host, where the host's other addresses answer. (A node serving plain HTTP, a temporary or path-dropping redirect is reported by that check under the node's address; a dead AAAA is dns.aaaa.unreachable.)",
        why: "Every visitor whose resolver hands out that address — a share of all users, at random — gets the broken answer, and reloads may not fix it. A node left behind after a migration or a deploy that missed one server is the classic half-broken launch, invisible from the developer's own browser.",
        fix: "Redeploy or reconfigure the node so it serves the same configuration as the others, or remove its address from DNS (and wait out the TTL). `curl -v --resolve <domain>:80:<address> http://<domain>/` shows what that node answers.",
        refs: &["RFC 1794 (round-robin DNS)", "https://curl.se/docs/manpage.html#--resolve"],
    };
    fn evaluate(o, out, doc) {
        if o.from_here.is_some() {
            return;
        }
        // A node that answers nothing at all is reported once per host, not per scheme.
        let mut silent = std::collections::HashSet::new();
        for n in &o.nodes {
            let Some(host) = o.host_chain(&n.chain.start) else { continue };
            match disagreement(host, n) {
                Some(Disagreement::Differs(_))
                    if n.chain.hops.is_empty()
                        && !silent.insert((n.ip, scheme_host(&n.chain.start).1)) => {}
                Some(Disagreement::Differs(evidence)) => out.push(doc.finding(n.subject(), evidence)),
                Some(Disagreement::Unseen(why)) => out.unseen(doc, n.subject(), why),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    const HTTP: &str = "http://example.com/login?next=%2Fcheckout";

    fn node(ip: &str, chain: Chain) -> NodeChain {
        NodeChain {
            ip: ip.parse().expect("ip"),
            chain,
        }
    }

    fn failed(start: &str, e: HttpError) -> Chain {
        let mut c = chain(start, &[], 200);
        c.hops.clear();
        c.last = None;
        c.error = Some(e);
        c.failed_at = Some(start.to_string());
        c
    }

    #[test]
    fn a_dead_ipv4_node_or_one_landing_elsewhere_fires_named_by_its_address() {
        let mut o = healthy();
        o.nodes.push(node(
            "192.0.2.2",
            failed(HTTP, HttpError::Connect("refused".into())),
        ));
        o.nodes.push(node(
            "192.0.2.3",
            chain(HTTP, &[(HTTP, 301, "https://old.example.net/")], 200),
        ));
        let (found, unseen) = judge(&NodeMismatch, &o);
        assert!(unseen.is_empty());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].subject, format!("{HTTP} (node 192.0.2.2)"));
        assert!(found[0].evidence.starts_with("fails on 192.0.2.2"));
        assert!(found[1]
            .evidence
            .contains("lands on old.example.net instead of example.com"));
    }

    #[test]
    fn certificates_dead_aaaas_and_plain_http_are_other_checks() {
        let mut o = healthy();
        o.nodes.push(node(
            "2001:db8::1",
            failed(HTTP, HttpError::Connect("refused".into())),
        ));
        o.nodes.push(node(
            "192.0.2.2",
            failed(HTTP, HttpError::Tls("expired".into())),
        ));
        // Plain HTTP on one node: redirect.http.no-https under the node's address.
        o.nodes.push(node("192.0.2.3", chain(HTTP, &[], 200)));
        let (found, unseen) = judge(&NodeMismatch, &o);
        assert!(
            found.is_empty() && unseen.is_empty(),
            "{found:?} {unseen:?}"
        );
        let (found, _) = judge(&NoHttps, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, format!("{HTTP} (node 192.0.2.3)"));
    }

    #[test]
    fn a_node_sent_to_the_same_off_site_url_is_not_asked_it_and_agrees() {
        let off = "https://elsewhere.test/";
        let mut o = healthy();
        o.http_apex = chain(HTTP, &[(HTTP, 301, off)], 200);
        o.http_apex.off_site = Some(off.into());
        let mut n = chain(HTTP, &[(HTTP, 301, off)], 200);
        n.hops.pop();
        n.last = None;
        n.off_site = Some(off.into());
        o.nodes.push(node("192.0.2.2", n));
        let (found, unseen) = judge(&NodeMismatch, &o);
        assert!(found.is_empty() && unseen.is_empty(), "{found:?}");
    }

    #[test]
    fn a_node_this_machine_cannot_dial_is_not_checked_never_a_pass() {
        let mut o = healthy();
        o.nodes.push(node(
            "2001:db8::1",
            failed(HTTP, HttpError::Local("no route".into())),
        ));
        let (found, unseen) = judge(&NodeMismatch, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, format!("{HTTP} (node 2001:db8::1)"));
    }
}
