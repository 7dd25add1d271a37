//! The `dns` stage: resolution of the apex, www and subdomains, dangling CNAMEs, nameservers
//! (count and lame delegation, each asked directly), CAA, AAAA, apex TTL and publicly
//! resolving staging names. The inventory lists every record seen, for the handover.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Outcomes, Stage};
use crate::finding::{Impact, Severity};
use crate::net::dns::{name, Answer, DnsError, Resolver};
use futures_util::future::join_all;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Names that should not resolve publicly before a launch.
pub const STAGING_LABELS: &[&str] = &["staging", "stage", "dev", "test", "preview", "uat", "qa"];

/// Apex TTLs above this slow a cutover and a rollback.
pub const LONG_TTL: u32 = 86_400;

/// How one host name resolves.
#[derive(Debug, Clone, Default)]
pub struct HostObservation {
    pub host: String,
    pub v4: Vec<IpAddr>,
    pub v6: Vec<IpAddr>,
    /// The CNAME chain from the host, in order.
    pub cnames: Vec<String>,
    /// The largest TTL of the address records.
    pub ttl: Option<u32>,
    /// Why the name has no address: "NXDOMAIN", "no A or AAAA record", or a resolver error.
    pub failure: Option<String>,
    /// The end of the CNAME chain does not exist (NXDOMAIN).
    pub dangling: bool,
    /// The resolver could not tell (out of the zone file, timeout): checks stay silent.
    pub unknown: bool,
}

impl HostObservation {
    pub fn resolves(&self) -> bool {
        !self.v4.is_empty() || !self.v6.is_empty()
    }

    fn addresses(&self) -> String {
        let all: Vec<String> = self
            .v4
            .iter()
            .chain(&self.v6)
            .map(|ip| ip.to_string())
            .collect();
        all.join(", ")
    }
}

#[derive(Debug, Clone)]
pub enum NsStatus {
    Authoritative,
    Lame(String),
    /// Not asked (offline `--zone` audit).
    NotProbed,
}

#[derive(Debug, Clone)]
pub struct NameserverObservation {
    pub name: String,
    pub addrs: Vec<IpAddr>,
    pub status: NsStatus,
}

/// Everything the DNS probes saw.
#[derive(Debug, Default)]
pub struct DnsObservation {
    pub domain: String,
    pub apex: HostObservation,
    pub www: HostObservation,
    pub subdomains: Vec<HostObservation>,
    /// The zone whose NS set was found (the domain or a parent).
    pub ns_zone: String,
    pub nameservers: Vec<NameserverObservation>,
    /// The owner of the CAA set that applies (the domain or a parent), if any.
    pub caa_owner: Option<String>,
    pub caa_unknown: bool,
    /// Staging-like names that resolve, with their addresses.
    pub staging: Vec<HostObservation>,
    /// A wildcard record answers any name under the domain.
    pub wildcard: bool,
    /// The apex TTL as the authoritative server gives it.
    pub apex_ttl: Option<u32>,
    pub records: BTreeSet<(String, String, u32, String)>,
}

// ---------------------------------------------------------------------------------------
// The checks: one unit per id.

pub struct ApexUnresolvable;
static APEX_UNRESOLVABLE: CheckDoc = CheckDoc {
    id: "dns.apex.unresolvable",
    stage: Stage::Dns,
    severity: Severity::Blocker,
    impact: Impact::Signup,
    title: "The domain itself does not resolve",
    catches: "The apex (example.com) has no A or AAAA record, directly or through a CNAME chain, or the lookup fails (NXDOMAIN, SERVFAIL).",
    why: "Nobody can reach the site, sign up or pay: every link in the launch announcement is dead. SERVFAIL often means broken DNSSEC or a delegation to nameservers that don't serve the zone.",
    fix: "Publish an A (and AAAA) record for the apex at your DNS host, or an ALIAS/ANAME/flattened CNAME if the host only gives you a name. Then re-run the audit; resolvers may cache the old negative answer for the SOA minimum TTL.",
    refs: &["RFC 1034 §3.6", "RFC 2308 (negative caching)"],
};
impl Check<DnsObservation> for ApexUnresolvable {
    fn doc(&self) -> &'static CheckDoc {
        &APEX_UNRESOLVABLE
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if !o.apex.resolves() && !o.apex.unknown {
            let why = o
                .apex
                .failure
                .clone()
                .unwrap_or_else(|| "no address".into());
            out.push(
                self.doc()
                    .finding(&o.domain, format!("{} A/AAAA: {why}", o.domain)),
            );
        }
    }
}

pub struct WwwMissing;
static WWW_MISSING: CheckDoc = CheckDoc {
    id: "dns.www.missing",
    stage: Stage::Dns,
    severity: Severity::Medium,
    impact: Impact::Signup,
    title: "www does not resolve",
    catches: "www.<domain> has no address.",
    why: "People type www. out of habit and old links, ads and email signatures use it; each of them hits an error page instead of your launch.",
    fix: "Add www as a CNAME to the apex (or to your host) and redirect it to the canonical URL. Serve it with a certificate that covers www.",
    refs: &["RFC 1034", "https://developers.google.com/search/docs/crawling-indexing/canonicalization"],
};
impl Check<DnsObservation> for WwwMissing {
    fn doc(&self) -> &'static CheckDoc {
        &WWW_MISSING
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if !o.www.resolves() && !o.www.unknown {
            let why = o.www.failure.clone().unwrap_or_else(|| "no address".into());
            out.push(
                self.doc()
                    .finding(&o.www.host, format!("{} A/AAAA: {why}", o.www.host)),
            );
        }
    }
}

pub struct CnameDangling;
static CNAME_DANGLING: CheckDoc = CheckDoc {
    id: "dns.cname.dangling",
    stage: Stage::Dns,
    severity: Severity::High,
    impact: Impact::Security,
    title: "CNAME points to a name that does not exist (takeover risk)",
    catches: "The apex, www, a configured subdomain or a staging-like name is a CNAME whose target (at the end of the chain) does not exist: NXDOMAIN.",
    why: "A CNAME to a deleted Heroku app, S3 bucket, GitHub Pages site or SaaS tenant lets anyone who claims that name serve content, set cookies and phish your users on your own domain. It is the most common subdomain takeover.",
    fix: "Delete the CNAME, or re-create the resource it points to before anyone else claims it. Keep DNS records in the same change as the resources they point to.",
    refs: &["https://github.com/EdOverflow/can-i-take-over-xyz", "OWASP WSTG-CONF-10 (subdomain takeover)"],
};
impl Check<DnsObservation> for CnameDangling {
    fn doc(&self) -> &'static CheckDoc {
        &CNAME_DANGLING
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        let hosts = [&o.apex, &o.www]
            .into_iter()
            .chain(&o.subdomains)
            .chain(&o.staging);
        for h in hosts {
            if h.dangling && !h.unknown {
                let why = h
                    .failure
                    .clone()
                    .unwrap_or_else(|| "does not resolve".into());
                out.push(self.doc().finding(
                    &h.host,
                    format!("{} CNAME {}: {why}", h.host, h.cnames.join(" → ")),
                ));
            }
        }
    }
}

pub struct SubdomainUnresolvable;
static SUBDOMAIN_UNRESOLVABLE: CheckDoc = CheckDoc {
    id: "dns.subdomain.unresolvable",
    stage: Stage::Dns,
    severity: Severity::Medium,
    impact: Impact::Signup,
    title: "A configured subdomain does not resolve",
    catches: "A subdomain named with --subdomain or in launchready.toml (app, api, status…) has no address, directly or through its CNAME chain (a chain that ends in NXDOMAIN is reported as dns.cname.dangling instead).",
    why: "The app, its API or its status page is unreachable under the name your links and clients use.",
    fix: "Publish the record for the subdomain, or remove it from the config if it is not part of the launch.",
    refs: &["RFC 1034"],
};
impl Check<DnsObservation> for SubdomainUnresolvable {
    fn doc(&self) -> &'static CheckDoc {
        &SUBDOMAIN_UNRESOLVABLE
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        for h in &o.subdomains {
            if !h.dangling && !h.resolves() && !h.unknown {
                let why = h.failure.clone().unwrap_or_else(|| "no address".into());
                out.push(
                    self.doc()
                        .finding(&h.host, format!("{} A/AAAA: {why}", h.host)),
                );
            }
        }
    }
}

pub struct NsSingle;
static NS_SINGLE: CheckDoc = CheckDoc {
    id: "dns.ns.single",
    stage: Stage::Dns,
    severity: Severity::Medium,
    impact: Impact::Downtime,
    title: "Only one nameserver",
    catches: "The zone is delegated to fewer than two nameservers.",
    why: "When that one server is down or unreachable, the whole domain — site, API and email — disappears. RFC 1034 asks for at least two, on separate networks.",
    fix: "List at least two nameservers (your DNS host gives you several) both in the zone's NS set and at the registrar.",
    refs: &["RFC 1034 §4.1", "RFC 2182 §5"],
};
impl Check<DnsObservation> for NsSingle {
    fn doc(&self) -> &'static CheckDoc {
        &NS_SINGLE
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if o.nameservers.len() == 1 {
            let names: Vec<&str> = o.nameservers.iter().map(|n| n.name.as_str()).collect();
            out.push(self.doc().finding(
                format!("{} NS", o.ns_zone),
                format!("{} NS: {}", o.ns_zone, names.join(", ")),
            ));
        }
    }
}

pub struct NsLame;
static NS_LAME: CheckDoc = CheckDoc {
    id: "dns.ns.lame",
    stage: Stage::Dns,
    severity: Severity::Medium,
    impact: Impact::Downtime,
    title: "A nameserver does not serve the zone (lame delegation)",
    catches: "A server in the NS set, asked directly, does not answer authoritatively for the zone: it refuses, fails, times out, answers without the AA bit, or its name does not resolve.",
    why: "Resolvers that pick the lame server get errors or long timeouts: the site is slow or unreachable for a share of visitors, at random, which is the hardest outage to debug on launch day.",
    fix: "Remove the server from the NS set and at the registrar, or configure the zone on it. Check with `dig @SERVER DOMAIN SOA +norec` that every listed server answers with the aa flag.",
    refs: &["RFC 1912 §2.8", "RFC 8499 (lame delegation)"],
};
impl Check<DnsObservation> for NsLame {
    fn doc(&self) -> &'static CheckDoc {
        &NS_LAME
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        for ns in &o.nameservers {
            if let NsStatus::Lame(why) = &ns.status {
                out.push(
                    self.doc()
                        .finding(&ns.name, format!("{} for {}: {why}", ns.name, o.ns_zone)),
                );
            }
        }
    }
}

pub struct CaaMissing;
static CAA_MISSING: CheckDoc = CheckDoc {
    id: "dns.caa.missing",
    stage: Stage::Dns,
    severity: Severity::Low,
    impact: Impact::Security,
    title: "No CAA record",
    catches: "Neither the domain nor any parent below the TLD publishes a CAA record set (RFC 8659 climbs the tree).",
    why: "Without CAA, any of the hundreds of public CAs may issue a certificate for your domain; with it, only the CA you use can, which narrows mis-issuance and takeover attacks.",
    fix: "Publish `example.com. CAA 0 issue \"letsencrypt.org\"` (your CA's domain), plus `0 iodef \"mailto:security@example.com\"`. Include every CA you use (CDNs often use their own).",
    refs: &["RFC 8659", "https://letsencrypt.org/docs/caa/"],
};
impl Check<DnsObservation> for CaaMissing {
    fn doc(&self) -> &'static CheckDoc {
        &CAA_MISSING
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if o.caa_owner.is_none() && !o.caa_unknown && o.apex.resolves() {
            out.push(self.doc().finding(
                format!("{} CAA", o.domain),
                format!("no CAA record at {} or its parents", o.domain),
            ));
        }
    }
}

pub struct AaaaMissing;
static AAAA_MISSING: CheckDoc = CheckDoc {
    id: "dns.aaaa.missing",
    stage: Stage::Dns,
    severity: Severity::Info,
    impact: Impact::Performance,
    title: "No IPv6 address for the apex",
    catches: "The apex has A records but no AAAA record.",
    why: "IPv6-only and NAT64 mobile networks reach you through translation, which adds latency and a failure point. Not a blocker, but cheap to fix on most hosts.",
    fix: "Enable IPv6 at your host or CDN and publish the AAAA record it gives you.",
    refs: &["RFC 3596", "https://www.google.com/intl/en/ipv6/statistics.html"],
};
impl Check<DnsObservation> for AaaaMissing {
    fn doc(&self) -> &'static CheckDoc {
        &AAAA_MISSING
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if !o.apex.v4.is_empty() && o.apex.v6.is_empty() {
            out.push(self.doc().finding(
                format!("{} AAAA", o.domain),
                format!("A {} but no AAAA", o.apex.addresses()),
            ));
        }
    }
}

pub struct TtlLong;
static TTL_LONG: CheckDoc = CheckDoc {
    id: "dns.ttl.long",
    stage: Stage::Dns,
    severity: Severity::Low,
    impact: Impact::Downtime,
    title: "Apex TTL longer than a day",
    catches: "The apex address records have a TTL over 86400 seconds (1 day).",
    why: "On launch day you may need to move hosts or roll back; resolvers keep the old address for the whole TTL, so a bad cutover lasts days instead of minutes.",
    fix: "Lower the apex TTL to 300–3600 seconds at least one old-TTL period before the launch; raise it again once things are stable.",
    refs: &["RFC 1035 §3.2.1", "RFC 1912 §2.2"],
};
impl Check<DnsObservation> for TtlLong {
    fn doc(&self) -> &'static CheckDoc {
        &TTL_LONG
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        if let Some(ttl) = o.apex_ttl.filter(|t| *t > LONG_TTL) {
            out.push(self.doc().finding(
                &o.domain,
                format!(
                    "{} A TTL {ttl}s ({:.1} days)",
                    o.domain,
                    f64::from(ttl) / 86_400.0
                ),
            ));
        }
    }
}

pub struct StagingPublic;
static STAGING_PUBLIC: CheckDoc = CheckDoc {
    id: "dns.staging.public",
    stage: Stage::Dns,
    severity: Severity::Medium,
    impact: Impact::Security,
    title: "A staging/dev/test name resolves publicly",
    catches: "staging., stage., dev., test., preview., uat. or qa. under the domain resolves in public DNS (a wildcard record that answers every name is told apart and not reported).",
    why: "Staging sites run debug modes, test credentials and unreleased features, and search engines and attackers find them through DNS and certificate logs.",
    fix: "Remove the public record, or put the host behind authentication or a VPN. Use a separate domain for non-production environments.",
    refs: &["OWASP WSTG-INFO-04", "https://crt.sh (certificate transparency shows these names too)"],
};
impl Check<DnsObservation> for StagingPublic {
    fn doc(&self) -> &'static CheckDoc {
        &STAGING_PUBLIC
    }
    fn evaluate(&self, o: &DnsObservation, out: &mut Outcomes) {
        for h in o.staging.iter().filter(|h| h.resolves()) {
            out.push(
                self.doc()
                    .finding(&h.host, format!("{} → {}", h.host, h.addresses())),
            );
        }
    }
}

/// The stage's checks, in catalog order.
impl Observed for DnsObservation {}

pub static CHECKS: &[&dyn Check<DnsObservation>] = &[
    &ApexUnresolvable,
    &WwwMissing,
    &CnameDangling,
    &SubdomainUnresolvable,
    &NsSingle,
    &NsLame,
    &CaaMissing,
    &AaaaMissing,
    &TtlLong,
    &StagingPublic,
];

// ---------------------------------------------------------------------------------------
// The probes.

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
    let (ns, (caa_owner, caa_unknown), _) = tokio::join!(ns_walk, caa_walk, inventory);
    let (ns_zone, ns_names) = ns?;

    let port = resolver.nameserver_port();
    let nameservers = if resolver.is_offline() {
        ns_names
            .iter()
            .map(|n| NameserverObservation {
                name: n.to_ascii().trim_end_matches('.').to_string(),
                addrs: vec![],
                status: NsStatus::NotProbed,
            })
            .collect()
    } else {
        join_all(
            ns_names
                .iter()
                .map(|n| probe_nameserver(resolver, port, &ns_zone, n)),
        )
        .await
    };

    // The apex TTL as published: ask the first authoritative server directly, since a
    // recursive resolver hands out what is left of its cached TTL.
    let mut apex_ttl = apex.ttl;
    if let Some(ns) = nameservers
        .iter()
        .find(|n| matches!(n.status, NsStatus::Authoritative))
    {
        if let Some(ip) = ns.addrs.first() {
            if let Ok(m) = resolver
                .query_direct(SocketAddr::new(*ip, port), &apex_name, RecordType::A)
                .await
            {
                if let Some(ttl) = m
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == RecordType::A)
                    .map(|r| r.ttl())
                    .max()
                {
                    apex_ttl = Some(ttl);
                }
            }
        }
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
    })
}

impl Probe<'_> {
    async fn host_owned(&self, host: String) -> Result<HostObservation, DnsError> {
        self.host(&host).await
    }
}

fn inventory(o: &DnsObservation, resolver: &Resolver) -> serde_json::Value {
    json!({
        "resolver": resolver.describe(),
        "zone": o.ns_zone,
        "records": o.records.iter().map(|(n, t, ttl, d)| json!({"name": n, "type": t, "ttl": ttl, "data": d})).collect::<Vec<_>>(),
        "nameservers": o.nameservers.iter().map(|n| json!({
            "name": n.name,
            "addresses": n.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "status": match &n.status { NsStatus::Authoritative => "authoritative".to_string(), NsStatus::Lame(w) => format!("lame: {w}"), NsStatus::NotProbed => "not probed (offline)".to_string() },
        })).collect::<Vec<_>>(),
        "caa": o.caa_owner,
        "wildcard": o.wildcard,
    })
}

/// The stage: probes, then every check.
pub async fn run(ctx: &Context) -> Result<StageOutput, String> {
    let obs = observe(ctx)
        .await
        .map_err(|e| format!("DNS did not answer: {e}"))?;
    let outcomes = evaluate_all(CHECKS, &obs);
    let note = if ctx.resolver.is_offline() {
        Some("offline (--zone): answers from the zone file; nameservers not asked directly".into())
    } else {
        None
    };
    Ok(StageOutput::new(
        outcomes,
        inventory(&obs, &ctx.resolver),
        note.into_iter().collect(),
    ))
}
