//! The DNSSEC chain of the apex as seen: the DS set for the zone (from the parent, through
//! the resolver), the apex DNSKEY set, and for each apex set (DNSKEY, SOA, NS, A, AAAA) whether
//! an RRSIG over it verifies (hickory-proto's ring verifier) and when it expires.
//! All queries have the EDNS DO bit; the crypto is hickory-proto's, none is written here.

use crate::net::dns::{DnsError, Resolver};
use hickory_proto::rr::dnssec::rdata::{DNSSECRData, DNSKEY, DS, RRSIG};
use hickory_proto::rr::dnssec::Verifier;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

/// One apex set and the verdict on its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSet {
    pub rtype: String,
    pub sig: SigStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigStatus {
    /// An RRSIG verifies with a key of the chain; its validity window (Unix seconds). The
    /// latest-expiring verifying signature is kept.
    Verified { inception: u64, expiration: u64 },
    /// No RRSIG over the set at all.
    Unsigned,
    /// RRSIGs present, none verifies: why.
    Invalid(String),
}

/// What the DNSSEC probes saw. `unknown` (a lookup failed, or `--zone` mode) leaves every
/// DNSSEC check not checked or silent.
#[derive(Debug, Clone, Default)]
pub struct DnssecObservation {
    /// Why the chain could not be looked at, if it could not.
    pub unknown: Option<String>,
    /// Offline (`--zone`): the DS lives in the parent zone, not in a zone file: not judged.
    pub offline: bool,
    /// The DS set for the zone, presentation form.
    pub ds: Vec<String>,
    /// The apex DNSKEYs (key tags).
    pub dnskey_tags: Vec<u16>,
    /// Key tags of the DNSKEYs a DS record matches (digest verified).
    pub ds_matched: Vec<u16>,
    pub sets: Vec<SignedSet>,
    /// When the observation was made (Unix seconds).
    pub now: u64,
}

impl DnssecObservation {
    pub fn has_ds(&self) -> bool {
        !self.ds.is_empty()
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn rrsigs<'a>(records: &'a [Record], owner: &'a Name) -> impl Iterator<Item = &'a RRSIG> + 'a {
    records.iter().filter_map(move |r| match r.data() {
        Some(RData::DNSSEC(DNSSECRData::RRSIG(s))) if r.name() == owner => Some(s),
        _ => None,
    })
}

/// Judges the RRSIGs over one set against the keys allowed to sign it.
fn judge_set(apex: &Name, records: &[Record], rtype: RecordType, keys: &[&DNSKEY]) -> SigStatus {
    let set: Vec<Record> = records
        .iter()
        .filter(|r| r.name() == apex && r.record_type() == rtype)
        .cloned()
        .collect();
    let mut best: Option<(u64, u64)> = None;
    let mut why = Vec::new();
    let mut any = false;
    for sig in rrsigs(records, apex).filter(|s| s.type_covered() == rtype) {
        any = true;
        let candidates: Vec<&&DNSKEY> = keys
            .iter()
            .filter(|k| {
                k.calculate_key_tag().ok() == Some(sig.key_tag())
                    && k.algorithm() == sig.algorithm()
            })
            .collect();
        if candidates.is_empty() {
            why.push(format!(
                "its RRSIG names key {} ({}), which is not a key of the chain",
                sig.key_tag(),
                sig.algorithm()
            ));
            continue;
        }
        let ok = candidates
            .iter()
            .any(|k| k.verify_rrsig(apex, DNSClass::IN, sig, &set).is_ok());
        if ok {
            let window = (
                u64::from(sig.sig_inception()),
                u64::from(sig.sig_expiration()),
            );
            if best.is_none_or(|b| window.1 > b.1) {
                best = Some(window);
            }
        } else {
            why.push(format!(
                "its RRSIG by key {} does not verify",
                sig.key_tag()
            ));
        }
    }
    match (best, any) {
        (Some((inception, expiration)), _) => SigStatus::Verified {
            inception,
            expiration,
        },
        (None, false) => SigStatus::Unsigned,
        (None, true) => SigStatus::Invalid(why.join("; ")),
    }
}

/// Looks at the chain of the apex.
pub async fn observe(resolver: &Resolver, apex: &Name) -> DnssecObservation {
    let mut obs = DnssecObservation {
        now: now(),
        ..Default::default()
    };
    if resolver.is_offline() {
        obs.offline = true;
        return obs;
    }
    let fail = |e: DnsError, what: &str| format!("the {what} lookup failed: {e}");
    let ds = match resolver.lookup_dnssec(apex, RecordType::DS).await {
        Ok(a) => a,
        Err(e) => {
            obs.unknown = Some(fail(e, "DS"));
            return obs;
        }
    };
    let ds_set: Vec<DS> = ds
        .records
        .iter()
        .filter(|r| r.name() == apex)
        .filter_map(|r| match r.data() {
            Some(RData::DNSSEC(DNSSECRData::DS(d))) => Some(d.clone()),
            _ => None,
        })
        .collect();
    obs.ds = ds_set.iter().map(|d| d.to_string()).collect();
    if ds_set.is_empty() {
        return obs;
    }
    // The DNSKEY set and the signed sets at once (one round trip); judged in this order.
    let set_types = [
        RecordType::SOA,
        RecordType::NS,
        RecordType::A,
        RecordType::AAAA,
    ];
    let (keys, set_answers) = tokio::join!(
        resolver.lookup_dnssec(apex, RecordType::DNSKEY),
        futures_util::future::join_all(set_types.iter().map(|t| resolver.lookup_dnssec(apex, *t))),
    );
    let keys = match keys {
        Ok(a) => a,
        Err(e) => {
            obs.unknown = Some(fail(e, "DNSKEY"));
            return obs;
        }
    };
    let dnskeys: Vec<&DNSKEY> = keys
        .records
        .iter()
        .filter(|r| r.name() == apex)
        .filter_map(|r| match r.data() {
            Some(RData::DNSSEC(DNSSECRData::DNSKEY(k))) => Some(k),
            _ => None,
        })
        .collect();
    obs.dnskey_tags = dnskeys
        .iter()
        .filter_map(|k| k.calculate_key_tag().ok())
        .collect();
    let anchored: Vec<&DNSKEY> = dnskeys
        .iter()
        .copied()
        .filter(|k| ds_set.iter().any(|d| d.covers(apex, k).unwrap_or(false)))
        .collect();
    obs.ds_matched = anchored
        .iter()
        .filter_map(|k| k.calculate_key_tag().ok())
        .collect();
    // The DNSKEY set must be signed by a key the DS vouches for; the other sets by any key
    // of that (validated) set.
    obs.sets.push(SignedSet {
        rtype: "DNSKEY".into(),
        sig: judge_set(apex, &keys.records, RecordType::DNSKEY, &anchored),
    });
    for (rtype, answer) in set_types.into_iter().zip(set_answers) {
        match answer {
            Ok(a) => {
                if a.records
                    .iter()
                    .any(|r| r.name() == apex && r.record_type() == rtype)
                {
                    obs.sets.push(SignedSet {
                        rtype: rtype.to_string(),
                        sig: judge_set(apex, &a.records, rtype, &dnskeys),
                    });
                }
            }
            Err(e) => {
                obs.unknown = Some(fail(e, &format!("{rtype}")));
                return obs;
            }
        }
    }
    obs
}
