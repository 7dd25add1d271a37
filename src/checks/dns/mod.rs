//! The `dns` stage: resolution of the apex, www and subdomains, dangling CNAMEs, nameservers
//! (count and lame delegation, each asked directly), CAA, AAAA, apex TTL and publicly
//! resolving staging names. The inventory lists every record seen, for the handover.

use crate::audit::Context;
use crate::check::{Check, CheckDoc, Observed, Stage};
use crate::finding::{Impact, Severity};
use crate::stage::{StageDef, StageError};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Names that should not resolve publicly before a launch.
pub const STAGING_LABELS: &[&str] = crate::target::STAGING_PREFIXES;

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
    /// Every IPv6 address of the apex, www and the subdomains, dialled (not in `--zone` mode).
    pub aaaa_reach: Vec<AaaaReach>,
    /// The DNSSEC chain of the apex (DS → DNSKEY → RRSIGs).
    pub dnssec: DnssecObservation,
}

mod aaaa_missing;
mod aaaa_unreachable;
mod apex_unresolvable;
mod caa_missing;
mod cname_dangling;
pub mod dnssec;
mod dnssec_broken;
mod dnssec_expiring;
mod dnssec_missing;
mod inventory;
mod ns_lame;
mod ns_single;
mod observe;
mod staging_public;
mod subdomain_unresolvable;
mod ttl_long;
mod www_missing;

pub use aaaa_missing::AaaaMissing;
pub use aaaa_unreachable::{AaaaReach, AaaaUnreachable};
pub use apex_unresolvable::ApexUnresolvable;
pub use caa_missing::CaaMissing;
pub use cname_dangling::CnameDangling;
pub use dnssec::{DnssecObservation, SigStatus, SignedSet};
pub use dnssec_broken::DnssecBroken;
pub use dnssec_expiring::DnssecExpiring;
pub use dnssec_missing::DnssecMissing;
pub use inventory::Inventory;
pub use ns_lame::NsLame;
pub use ns_single::NsSingle;
pub use observe::observe;
pub use staging_public::StagingPublic;
pub use subdomain_unresolvable::SubdomainUnresolvable;
pub use ttl_long::TtlLong;
pub use www_missing::WwwMissing;

/// The stage's checks, in catalog order.
/// Names the resolver could not tell about (a name outside the `--zone` file, a failed
/// lookup) leave the checks that judge them not checked.
impl Observed for DnsObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        let unknown = |h: &HostObservation, subject: String| {
            h.unknown.then(|| {
                let why = h.failure.clone().unwrap_or_else(|| "unknown".into());
                (subject, format!("{} could not be resolved: {why}", h.host))
            })
        };
        match check.id {
            "dns.apex.unresolvable" | "dns.ttl.long" => unknown(&self.apex, self.domain.clone())
                .into_iter()
                .collect(),
            "dns.aaaa.missing" | "dns.aaaa.unreachable" => {
                unknown(&self.apex, format!("{} AAAA", self.domain))
                    .into_iter()
                    .collect()
            }
            "dns.www.missing" => unknown(&self.www, self.www.host.clone())
                .into_iter()
                .collect(),
            "dns.cname.dangling" | "dns.subdomain.unresolvable" => {
                let mut hosts = vec![&self.www];
                hosts.extend(&self.subdomains);
                hosts
                    .into_iter()
                    .filter_map(|h| unknown(h, h.host.clone()))
                    .collect()
            }
            "dns.caa.missing" if self.caa_unknown => vec![(
                format!("{} CAA", self.domain),
                "the CAA lookup failed".to_string(),
            )],
            _ => vec![],
        }
    }
}

pub static CHECKS: &[&dyn Check<DnsObservation>] = &[
    &ApexUnresolvable,
    &WwwMissing,
    &CnameDangling,
    &SubdomainUnresolvable,
    &NsSingle,
    &NsLame,
    &CaaMissing,
    &AaaaMissing,
    &AaaaUnreachable,
    &TtlLong,
    &StagingPublic,
    &DnssecBroken,
    &DnssecExpiring,
    &DnssecMissing,
];

/// The stage: probes, then every check.
pub struct Dns;

impl StageDef for Dns {
    crate::stage_header!(Dns, DnsObservation, Inventory => dns, |obs, ctx| inventory::inventory(obs, &ctx.resolver));

    async fn observe(ctx: &Context, notes: &mut Vec<String>) -> Result<DnsObservation, StageError> {
        let obs = observe(ctx).await?;
        if ctx.resolver.is_offline() {
            notes.push(format!(
                "--zone: answers from {}; nameservers not asked directly, addresses not dialled (dns.aaaa.unreachable); DNSSEC: the zone file's keys and signatures, the parent's DS from the live DNS",
                ctx.resolver.describe()
            ));
        }
        Ok(obs)
    }
}

/// Hand-built observations for the checks' unit tests: a healthy zone to break one way at a
/// time, and the stage's own evaluation (blind spots included) over one check.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub fn host(name: &str, ips: &[&str]) -> HostObservation {
        let mut h = HostObservation {
            host: name.to_string(),
            ..Default::default()
        };
        for ip in ips {
            match ip.parse::<IpAddr>() {
                Ok(a @ IpAddr::V4(_)) => h.v4.push(a),
                Ok(a @ IpAddr::V6(_)) => h.v6.push(a),
                Err(e) => panic!("{ip}: {e}"),
            }
        }
        h.ttl = Some(300);
        h
    }

    /// A name the resolver could not tell about.
    pub fn unknown(name: &str) -> HostObservation {
        HostObservation {
            host: name.to_string(),
            unknown: true,
            failure: Some("SERVFAIL".into()),
            ..Default::default()
        }
    }

    pub fn nameserver(name: &str) -> NameserverObservation {
        NameserverObservation {
            name: name.to_string(),
            addrs: vec![IpAddr::from([192, 0, 2, 53])],
            status: NsStatus::Authoritative,
        }
    }

    pub fn healthy() -> DnsObservation {
        DnsObservation {
            domain: "example.com".into(),
            apex: host("example.com", &["192.0.2.10", "2001:db8::10"]),
            www: host("www.example.com", &["192.0.2.10", "2001:db8::10"]),
            subdomains: vec![host("app.example.com", &["192.0.2.11"])],
            ns_zone: "example.com".into(),
            nameservers: vec![nameserver("ns1.example.net"), nameserver("ns2.example.org")],
            caa_owner: Some("example.com".into()),
            caa_unknown: false,
            staging: vec![],
            wildcard: false,
            apex_ttl: Some(300),
            records: BTreeSet::new(),
            aaaa_reach: vec![],
            dnssec: signed(),
        }
    }

    /// A sound chain: one DS matching the one key, every apex set signed for 30 more days.
    pub fn signed() -> DnssecObservation {
        let now = 1_800_000_000;
        let sig = SigStatus::Verified {
            inception: now - 86_400,
            expiration: now + 30 * 86_400,
        };
        DnssecObservation {
            unknown: None,
            offline: false,
            ds_unknown: None,
            ds: vec!["12345 15 2 ABCDEF".into()],
            dnskey_tags: vec![12345],
            ds_matched: vec![12345],
            sets: ["DNSKEY", "SOA", "NS"]
                .iter()
                .map(|t| SignedSet {
                    rtype: t.to_string(),
                    sig: sig.clone(),
                })
                .collect(),
            now,
        }
    }

    pub use crate::check::testing::judge;

    #[test]
    fn healthy_passes_every_check() {
        crate::check::testing::assert_all_pass(CHECKS, &healthy());
    }
}
