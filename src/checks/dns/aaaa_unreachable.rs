//! `dns.aaaa.unreachable`: every published IPv6 address of the apex, www and the subdomains
//! is dialled on 443, one by one (bounded per host). One that refuses or stays silent while
//! an IPv4 address of the same host answers is the site's fault: users on IPv6 networks
//! (browsers try IPv6 first) wait for a fallback or fail. When no IPv4 address answers
//! either, or this machine has no IPv6 route, the address is not checked.

use super::*;
use crate::net::nodes::Reach;

/// One IPv6 address of a host, dialled.
#[derive(Debug, Clone)]
pub struct AaaaReach {
    pub host: String,
    pub addr: IpAddr,
    pub reach: Reach,
    /// An IPv4 address of the same host answered on the same port.
    pub v4_answers: bool,
}

impl AaaaReach {
    pub fn subject(&self) -> String {
        format!("{} AAAA {}", self.host, self.addr)
    }
}

crate::check! {
    AaaaUnreachable for DnsObservation = CheckDoc {
        id: "dns.aaaa.unreachable",
        stage: Stage::Dns,
        severity: Severity::High,
        impact: Impact::Signup,
        title: "A published IPv6 address does not answer",
        catches: "An AAAA record of the apex, www or a subdomain points to an address that refuses or ignores connections on port 443, while the host's IPv4 address answers.",
        why: "Browsers and phones on IPv6 networks try the AAAA first: they wait for a fallback (seconds) or fail outright. Typical after a move to a new host that left the old AAAA behind.",
        fix: "Point the AAAA at the new host's IPv6 address, or remove it until the host serves IPv6.",
        refs: &["RFC 8305", "RFC 3596"],
    };
    fn evaluate(o, out, doc) {
        for r in &o.aaaa_reach {
            match &r.reach {
                Reach::Open => {}
                Reach::Dead(why) if r.v4_answers => out.push(doc.finding(
                    r.subject(),
                    format!("{} answers on IPv4, but its AAAA {} does not: {why}", r.host, r.addr),
                )),
                Reach::Dead(why) => out.unseen(
                    doc,
                    r.subject(),
                    format!("no IPv4 address of {} answered on 443 either, so the IPv6 one cannot be judged: {why}", r.host),
                ),
                Reach::Local(why) => out.unseen(doc, r.subject(), why.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    fn probed(reach: Reach, v4_answers: bool) -> AaaaReach {
        AaaaReach {
            host: "example.com".into(),
            addr: "2001:db8::10".parse().expect("ip"),
            reach,
            v4_answers,
        }
    }

    #[test]
    fn a_dead_aaaa_next_to_a_live_a_fires_named_by_its_address() {
        let mut o = healthy();
        o.aaaa_reach = vec![probed(Reach::Dead("connection refused".into()), true)];
        let (found, unseen) = judge(&AaaaUnreachable, &o);
        assert_eq!(found.len(), 1);
        assert!(unseen.is_empty());
        assert_eq!(found[0].subject, "example.com AAAA 2001:db8::10");
    }

    #[test]
    fn local_trouble_or_a_dead_site_is_not_checked_never_a_pass() {
        let mut o = healthy();
        o.aaaa_reach = vec![probed(Reach::Local("no IPv6 route".into()), true)];
        let (found, unseen) = judge(&AaaaUnreachable, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        o.aaaa_reach = vec![probed(Reach::Dead("refused".into()), false)];
        let (found, unseen) = judge(&AaaaUnreachable, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
    }
}
