//! The DNS stage's probes: every name the checks judge, resolved once (cached per run), the
//! nameservers asked directly, and the CAA set that applies.

use super::*;
use crate::net::dns::{name, Answer, DnsError, Resolver};
use futures_util::future::join_all;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::net::SocketAddr;
use std::sync::Arc;

fn record_row(r: &Record) -> Option<(String, String, u32, String)> {
    let data = r.data()?;
    Some((
        r.name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase(),
        r.record_type().to_string(),
        r.ttl(),
        data.to_string(),
    ))
}

struct Probe<'a> {
    resolver: &'a Resolver,
    records: std::sync::Mutex<BTreeSet<(String, String, u32, String)>>,
}

impl Probe<'_> {
    fn keep(&self, answer: &Answer) {
        let mut set = match self.records.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        set.extend(answer.records.iter().filter_map(record_row));
    }

    async fn lookup(&self, qname: &Name, rtype: RecordType) -> Result<Arc<Answer>, DnsError> {
        let a = self.resolver.lookup(qname, rtype).await?;
        self.keep(&a);
        Ok(a)
    }

    /// Resolves a host to its addresses, following the CNAME chain across lookups.
    async fn host(&self, host: &str) -> Result<HostObservation, DnsError> {
        let mut obs = HostObservation {
            host: host.to_string(),
            ..Default::default()
        };
        let mut current = name(host)?;
        for _ in 0..8 {
            let (a, aaaa) = tokio::join!(
                self.lookup(&current, RecordType::A),
                self.lookup(&current, RecordType::AAAA)
            );
            let a = match a {
                Ok(a) => a,
                Err(e @ (DnsError::Timeout(_) | DnsError::Io(..) | DnsError::Local(..))) => {
                    return Err(e)
                }
                Err(DnsError::NotInZone(n)) => {
                    obs.unknown = true;
                    obs.failure = Some(format!("{n} is outside the zone file"));
                    return Ok(obs);
                }
                Err(e) => {
                    obs.failure = Some(e.to_string());
                    return Ok(obs);
                }
            };
            for r in a
                .records
                .iter()
                .chain(aaaa.iter().flat_map(|x| x.records.iter()))
            {
                match r.data() {
                    Some(RData::A(ip)) => obs.v4.push(IpAddr::V4(ip.0)),
                    Some(RData::AAAA(ip)) => obs.v6.push(IpAddr::V6(ip.0)),
                    Some(RData::CNAME(c)) => {
                        let t = c.0.to_ascii().trim_end_matches('.').to_ascii_lowercase();
                        if !obs.cnames.contains(&t) {
                            obs.cnames.push(t);
                        }
                        continue;
                    }
                    _ => continue,
                }
                obs.ttl = Some(obs.ttl.unwrap_or(0).max(r.ttl()));
            }
            obs.v4.sort();
            obs.v4.dedup();
            obs.v6.sort();
            obs.v6.dedup();
            if obs.resolves() {
                return Ok(obs);
            }
            // Continue the chain when the answer stops at a CNAME whose target it didn't resolve.
            let next = obs.cnames.last().and_then(|t| name(t).ok());
            match next {
                Some(n) if n != current && a.rcode != ResponseCode::NXDomain => current = n,
                _ => {
                    let last =
                        obs.cnames.last().cloned().unwrap_or_else(|| {
                            current.to_ascii().trim_end_matches('.').to_string()
                        });
                    obs.dangling = a.is_nxdomain() && !obs.cnames.is_empty();
                    obs.failure = Some(if a.is_nxdomain() {
                        format!("NXDOMAIN for {last}")
                    } else {
                        "no A or AAAA record".to_string()
                    });
                    return Ok(obs);
                }
            }
        }
        obs.failure = Some("CNAME chain longer than 8 hops".into());
        Ok(obs)
    }
}

async fn probe_nameserver(
    resolver: &Resolver,
    port: u16,
    zone: &Name,
    ns_name: &Name,
) -> NameserverObservation {
    let display = ns_name.to_ascii().trim_end_matches('.').to_string();
    let addrs = match resolver.addrs(&display).await {
        Ok(a) => a,
        Err(e) => {
            return NameserverObservation {
                name: display,
                addrs: vec![],
                status: NsStatus::Lame(format!("its address cannot be resolved: {e}")),
            }
        }
    };
    if addrs.is_empty() {
        return NameserverObservation {
            name: display,
            addrs,
            status: NsStatus::Lame("its name does not resolve".into()),
        };
    }
    let mut status = NsStatus::Authoritative;
    for ip in &addrs {
        let server = SocketAddr::new(*ip, port);
        let verdict = match resolver.query_direct(server, zone, RecordType::SOA).await {
            Err(e) => Some(e.to_string()),
            Ok(m) if m.response_code() != ResponseCode::NoError => {
                Some(format!("{server} answered {}", m.response_code()))
            }
            Ok(m) if !m.authoritative() => Some(format!("{server} answered without the AA bit")),
            Ok(m)
                if !m
                    .answers()
                    .iter()
                    .any(|r| r.record_type() == RecordType::SOA) =>
            {
                Some(format!("{server} has no SOA for the zone"))
            }
            Ok(_) => None,
        };
        if let Some(why) = verdict {
            status = NsStatus::Lame(why);
            break;
        }
    }
    NameserverObservation {
        name: display,
        addrs,
        status,
    }
}

/// Runs the probes.
pub async fn observe(ctx: &Context) -> Result<DnsObservation, DnsError> {
    let resolver = ctx.resolver.as_ref();
    let probe = Probe {
        resolver,
        records: Default::default(),
    };
    let domain = ctx.target.domain.clone();
    let apex_name = name(&domain)?;
    let www_host = format!("www.{domain}");
    let wildcard_host = format!("launchready-nonexistent-{}.{domain}", std::process::id());

    let subs = ctx
        .target
        .subdomains
        .iter()
        .filter(|s| **s != www_host && **s != domain)
        .map(|s| probe.host(s));
    let staging = STAGING_LABELS
        .iter()
        .map(|l| probe.host_owned(format!("{l}.{domain}")));
    let (apex, www, subdomains, staging, wildcard) = tokio::join!(
        probe.host(&domain),
        probe.host(&www_host),
        join_all(subs),
        join_all(staging),
        probe.host(&wildcard_host),
    );
    let apex = apex?;
    let www = www?;
    let subdomains = subdomains.into_iter().collect::<Result<Vec<_>, _>>()?;
    let wildcard = wildcard?;
    let staging: Vec<HostObservation> = staging
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|h| h.resolves())
        // Under a wildcard, only names that answer differently are real records.
        .filter(|h| !(wildcard.resolves() && h.v4 == wildcard.v4 && h.v6 == wildcard.v6))
        .collect();

    // Inventory-only lookups at the apex, alongside the nameserver and CAA walks.
    let inventory_types = [RecordType::MX, RecordType::TXT, RecordType::SOA];
    let inventory = join_all(inventory_types.iter().map(|t| probe.lookup(&apex_name, *t)));

    // NS: at the domain, else at the nearest parent that has them (the zone cut).
    let ns_walk = async {
        let mut zone = apex_name.clone();
        loop {
            match probe.lookup(&zone, RecordType::NS).await {
                Ok(a) if a.of_type(RecordType::NS).next().is_some() => {
                    let names: Vec<Name> = a
                        .data_of(RecordType::NS)
                        .filter_map(|d| match d {
                            RData::NS(ns) => Some(ns.0.clone()),
                            _ => None,
                        })
                        .collect();
                    return Ok((zone, names));
                }
                Ok(_) => {}
                Err(DnsError::NotInZone(_)) => return Ok((zone, vec![])),
                Err(e) => return Err(e),
            }
            if zone.num_labels() <= 2 {
                return Ok((apex_name.clone(), vec![]));
            }
            zone = zone.base_name();
        }
    };
    // CAA: the closest CAA set climbing from the domain to just below the TLD (RFC 8659 §3).
    let caa_walk = async {
        let mut at = apex_name.clone();
        while at.num_labels() >= 2 {
            match probe.lookup(&at, RecordType::CAA).await {
                Ok(a) if a.of_type(RecordType::CAA).next().is_some() => {
                    return (Some(at.to_ascii().trim_end_matches('.').to_string()), false)
                }
                Ok(_) => {}
                Err(_) => return (None, true),
            }
            at = at.base_name();
        }
        (None, false)
    };
    // Every address of the hosts dialled beside the walks (it needs only their addresses).
    let reach = async {
        let mut hosts = vec![&apex, &www];
        hosts.extend(&subdomains);
        if resolver.is_offline() {
            return not_dialled(&hosts);
        }
        reach_aaaa(ctx, &hosts).await
    };
    let port = resolver.nameserver_port();
    // The nameservers as soon as the NS walk names them. The apex TTL as published: the first
    // authoritative server is asked directly (a recursive resolver hands out what is left of
    // its cached TTL), of each server's first address beside its SOA probe, so that it costs
    // no round trip of its own.
    let ns_part = async {
        let (ns_zone, ns_names) = ns_walk.await?;
        if resolver.is_offline() {
            let offline = ns_names
                .iter()
                .map(|n| NameserverObservation {
                    name: n.to_ascii().trim_end_matches('.').to_string(),
                    addrs: vec![],
                    status: NsStatus::NotProbed,
                })
                .collect();
            return Ok((ns_zone, offline, Vec::new()));
        }
        let probes = ns_names.iter().map(|n| async {
            tokio::join!(
                probe_nameserver(resolver, port, &ns_zone, n),
                direct_apex_ttl(resolver, port, n, &apex_name)
            )
        });
        let (nameservers, ttls): (Vec<NameserverObservation>, Vec<Option<u32>>) =
            join_all(probes).await.into_iter().unzip();
        Ok::<_, DnsError>((ns_zone, nameservers, ttls))
    };
    let (ns, (caa_owner, caa_unknown), _, dnssec, aaaa_reach) = tokio::join!(
        ns_part,
        caa_walk,
        inventory,
        dnssec::observe(resolver, &apex_name),
        reach
    );
    let (ns_zone, nameservers, direct_ttls) = ns?;
    let mut apex_ttl = apex.ttl;
    if let Some(ttl) = nameservers
        .iter()
        .zip(&direct_ttls)
        .find(|(n, _)| matches!(n.status, NsStatus::Authoritative))
        .and_then(|(_, ttl)| *ttl)
    {
        apex_ttl = Some(ttl);
    }

    let records = match probe.records.into_inner() {
        Ok(r) => r,
        Err(p) => p.into_inner(),
    };
    Ok(DnsObservation {
        domain,
        apex,
        www,
        subdomains,
        ns_zone: ns_zone.to_ascii().trim_end_matches('.').to_string(),
        nameservers,
        caa_owner,
        caa_unknown,
        staging,
        wildcard: wildcard.resolves(),
        apex_ttl,
        records,
        aaaa_reach,
        dnssec,
    })
}

/// The TTL of the apex's A set as the server `ns_name` (its first address) publishes it.
async fn direct_apex_ttl(
    resolver: &Resolver,
    port: u16,
    ns_name: &Name,
    apex: &Name,
) -> Option<u32> {
    let display = ns_name.to_ascii().trim_end_matches('.').to_string();
    let ip = *resolver.addrs(&display).await.ok()?.first()?;
    let m = resolver
        .query_direct(SocketAddr::new(ip, port), apex, RecordType::A)
        .await
        .ok()?;
    m.answers()
        .iter()
        .filter(|r| r.record_type() == RecordType::A)
        .map(|r| r.ttl())
        .max()
}

impl Probe<'_> {
    async fn host_owned(&self, host: String) -> Result<HostObservation, DnsError> {
        self.host(&host).await
    }
}

/// An offline (`--zone`) audit dials nothing: each IPv6 address `dns.aaaa.unreachable` would
/// have dialled is not checked, never passed.
fn not_dialled(hosts: &[&HostObservation]) -> Vec<AaaaReach> {
    use crate::net::nodes::{Reach, MAX_PER_HOST};
    hosts
        .iter()
        .flat_map(|h| {
            h.v6.iter().take(MAX_PER_HOST).map(|ip| AaaaReach {
                host: h.host.clone(),
                addr: *ip,
                reach: Reach::Local(crate::net::dns::offline("the address is not dialled")),
                v4_answers: false,
            })
        })
        .collect()
}

/// Dials every address of the hosts on 443 (each address once, at most
/// `nodes::MAX_PER_HOST` per family and host), and keeps the IPv6 outcomes with whether an
/// IPv4 address of the same host answered.
async fn reach_aaaa(ctx: &Context, hosts: &[&HostObservation]) -> Vec<AaaaReach> {
    use crate::net::nodes::{self, Reach, MAX_PER_HOST};
    let mut ips: Vec<IpAddr> = Vec::new();
    for h in hosts.iter().filter(|h| !h.v6.is_empty()) {
        for ip in
            h.v4.iter()
                .take(MAX_PER_HOST)
                .chain(h.v6.iter().take(MAX_PER_HOST))
        {
            if !ips.contains(ip) {
                ips.push(*ip);
            }
        }
    }
    let outcomes = join_all(
        ips.iter()
            .map(|ip| nodes::reach(&ctx.resolver, &ctx.connect_to, *ip, 443)),
    )
    .await;
    let reach_of = |ip: &IpAddr| {
        ips.iter()
            .position(|x| x == ip)
            .and_then(|i| outcomes.get(i).cloned())
    };
    let mut out = Vec::new();
    for h in hosts.iter().filter(|h| !h.v6.is_empty()) {
        let v4_answers =
            h.v4.iter()
                .take(MAX_PER_HOST)
                .any(|ip| reach_of(ip) == Some(Reach::Open));
        for ip in h.v6.iter().take(MAX_PER_HOST) {
            if let Some(reach) = reach_of(ip) {
                out.push(AaaaReach {
                    host: h.host.clone(),
                    addr: *ip,
                    reach,
                    v4_answers,
                });
            }
        }
    }
    out
}
