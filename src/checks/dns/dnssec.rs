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

/// What the DNSSEC probes saw. `unknown` (a lookup failed) leaves every DNSSEC check not
/// checked. In `--zone` mode the apex sets and their RRSIGs come from the zone file and the DS
/// from the live DNS; `ds_unknown` says why the DS could not be learned.
#[derive(Debug, Clone, Default)]
pub struct DnssecObservation {
    /// Why the chain could not be looked at, if it could not.
    pub unknown: Option<String>,
    /// `--zone` mode: the keys, sets and signatures are the zone file's own.
    pub offline: bool,
    /// `--zone` mode: why the parent's DS could not be learned from the live DNS (then the
    /// DS → DNSKEY link and `dns.dnssec.missing` are not checked).
    pub ds_unknown: Option<String>,
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

    /// `--zone` mode, and the zone file carries DNSKEYs: its signatures are judged with its
    /// own keys, DS or not.
    pub fn zone_signed(&self) -> bool {
        self.offline && !self.dnskey_tags.is_empty()
    }

    /// Whether there is a chain whose signatures are judged: a DS that matches a key, or a
    /// signed zone file.
    pub fn signatures_judged(&self) -> bool {
        (self.has_ds() && !self.ds_matched.is_empty()) || self.zone_signed()
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

fn ds_of(records: &[Record], apex: &Name) -> Vec<DS> {
    records
        .iter()
        .filter(|r| r.name() == apex)
        .filter_map(|r| match r.data() {
            Some(RData::DNSSEC(DNSSECRData::DS(d))) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

fn dnskeys_of<'a>(records: &'a [Record], apex: &Name) -> Vec<&'a DNSKEY> {
    records
        .iter()
        .filter(|r| r.name() == apex)
        .filter_map(|r| match r.data() {
            Some(RData::DNSSEC(DNSSECRData::DNSKEY(k))) => Some(k),
            _ => None,
        })
        .collect()
}

/// Records the keys, the DS → DNSKEY matches and the verdict on every apex set. The DNSKEY
/// set must be signed by a key the DS vouches for (without a DS, in `--zone` mode: by any key
/// of the set); the other sets by any key of the set.
fn judge_sets(
    obs: &mut DnssecObservation,
    apex: &Name,
    ds_set: &[DS],
    dnskey_records: &[Record],
    sets: &[(RecordType, &[Record])],
) {
    let dnskeys = dnskeys_of(dnskey_records, apex);
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
    let dnskey_signers = if ds_set.is_empty() {
        &dnskeys
    } else {
        &anchored
    };
    obs.sets.push(SignedSet {
        rtype: "DNSKEY".into(),
        sig: judge_set(apex, dnskey_records, RecordType::DNSKEY, dnskey_signers),
    });
    for (rtype, records) in sets {
        if records
            .iter()
            .any(|r| r.name() == apex && r.record_type() == *rtype)
        {
            obs.sets.push(SignedSet {
                rtype: rtype.to_string(),
                sig: judge_set(apex, records, *rtype, &dnskeys),
            });
        }
    }
}

/// The apex sets whose signatures are judged, after DNSKEY.
const APEX_SETS: [RecordType; 4] = [
    RecordType::SOA,
    RecordType::NS,
    RecordType::A,
    RecordType::AAAA,
];

/// `--zone` mode: the keys, sets and RRSIGs are the zone file's; the DS is the parent's, from
/// the live DNS when a resolver works (the usual pre-cutover case), else unknown with why.
async fn observe_zone(
    resolver: &Resolver,
    apex: &Name,
    mut obs: DnssecObservation,
) -> DnssecObservation {
    obs.offline = true;
    let ds_set = match resolver.lookup_live(apex, RecordType::DS).await {
        Ok(a) => ds_of(&a.records, apex),
        Err(e) => {
            obs.ds_unknown = Some(format!(
                "the parent's DS for the zone could not be learned: {e}"
            ));
            Vec::new()
        }
    };
    obs.ds = ds_set.iter().map(|d| d.to_string()).collect();
    let records = resolver.zone_records(apex).unwrap_or_default();
    if dnskeys_of(&records, apex).is_empty() {
        return obs;
    }
    let sets: Vec<(RecordType, &[Record])> =
        APEX_SETS.iter().map(|t| (*t, records.as_slice())).collect();
    judge_sets(&mut obs, apex, &ds_set, &records, &sets);
    obs
}

/// Looks at the chain of the apex.
pub async fn observe(resolver: &Resolver, apex: &Name) -> DnssecObservation {
    let mut obs = DnssecObservation {
        now: now(),
        ..Default::default()
    };
    if resolver.is_offline() {
        return observe_zone(resolver, apex, obs).await;
    }
    let fail = |e: DnsError, what: &str| format!("the {what} lookup failed: {e}");
    let ds = match resolver.lookup_dnssec(apex, RecordType::DS).await {
        Ok(a) => a,
        Err(e) => {
            obs.unknown = Some(fail(e, "DS"));
            return obs;
        }
    };
    let ds_set = ds_of(&ds.records, apex);
    obs.ds = ds_set.iter().map(|d| d.to_string()).collect();
    if ds_set.is_empty() {
        return obs;
    }
    // The DNSKEY set and the signed sets at once (one round trip); judged in this order.
    let (keys, set_answers) = tokio::join!(
        resolver.lookup_dnssec(apex, RecordType::DNSKEY),
        futures_util::future::join_all(APEX_SETS.iter().map(|t| resolver.lookup_dnssec(apex, *t))),
    );
    let keys = match keys {
        Ok(a) => a,
        Err(e) => {
            obs.unknown = Some(fail(e, "DNSKEY"));
            return obs;
        }
    };
    let mut answers = Vec::new();
    for (rtype, answer) in APEX_SETS.into_iter().zip(set_answers) {
        match answer {
            Ok(a) => answers.push((rtype, a)),
            Err(e) => {
                obs.unknown = Some(fail(e, &format!("{rtype}")));
                return obs;
            }
        }
    }
    let sets: Vec<(RecordType, &[Record])> = answers
        .iter()
        .map(|(t, a)| (*t, a.records.as_slice()))
        .collect();
    judge_sets(&mut obs, apex, &ds_set, &keys.records, &sets);
    obs
}
