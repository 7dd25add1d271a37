//! The sandbox's DNSSEC: a fresh Ed25519 key at every start (hickory-proto's ring signer),
//! its DNSKEY at the apex, RRSIGs over the apex's SOA, NS, A, AAAA and DNSKEY sets, and the
//! zone's DS record.
//!
//! Simplification: the sandbox is authoritative for everything, parent included, so the DS
//! that a real parent zone publishes is served by the zone itself, at the apex, for a DS
//! query (a recursive resolver asking the parent gets the same answer for the same question).
//! The DNS server adds the RRSIGs covering an answer when the query has the DO bit.

use super::SandboxError;
use hickory_proto::rr::dnssec::rdata::{DNSSECRData, DNSKEY, DS, RRSIG};
use hickory_proto::rr::dnssec::{tbs, Algorithm, DigestType, KeyPair};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use ring::signature::Ed25519KeyPair;

/// How the sandbox zone is signed (`dns.dnssec` in a scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Not signed, no DS.
    None,
    /// Validly signed, DS matching the key, signatures valid for 30 days.
    Signed,
    /// Signed, but the DS names another key (a key rollover that forgot the parent).
    DsMismatch,
    /// Signed, but every signature expired yesterday.
    Expired,
    /// Signed, signatures expiring in 3 days.
    Expiring,
}

impl Signing {
    pub fn parse(s: &str) -> Result<Signing, SandboxError> {
        Ok(match s {
            "none" => Signing::None,
            "signed" => Signing::Signed,
            "ds-mismatch" => Signing::DsMismatch,
            "expired" => Signing::Expired,
            "expiring" => Signing::Expiring,
            other => {
                return Err(SandboxError::Setting {
                    setting: "[dns] dnssec",
                    value: other.to_string(),
                    expected: "expected none, signed, ds-mismatch, expired or expiring".into(),
                })
            }
        })
    }
}

/// The apex sets that get an RRSIG (DNSKEY is added by [`sign`]).
const SIGNED: &[RecordType] = &[
    RecordType::SOA,
    RecordType::NS,
    RecordType::A,
    RecordType::AAAA,
];

const DAY: u32 = 86_400;

fn key() -> Result<KeyPair<hickory_proto::rr::dnssec::Private>, SandboxError> {
    let rng = ring::rand::SystemRandom::new();
    let bad = |e: &dyn std::fmt::Display| SandboxError::Dnssec {
        what: "key",
        message: e.to_string(),
    };
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| bad(&e))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| bad(&e))?;
    Ok(KeyPair::from_ed25519(pair))
}

/// Adds DNSKEY, DS and RRSIG records for the apex to the zone's records.
pub fn sign(
    mut records: Vec<Record>,
    apex: &Name,
    how: Signing,
) -> Result<Vec<Record>, SandboxError> {
    if how == Signing::None {
        return Ok(records);
    }
    let err = |e: &dyn std::fmt::Display| SandboxError::Dnssec {
        what: "signing",
        message: e.to_string(),
    };
    let alg = Algorithm::ED25519;
    let pair = key()?;
    let dnskey: DNSKEY = pair.to_dnskey(alg).map_err(|e| err(&e))?;
    let tag = dnskey.calculate_key_tag().map_err(|e| err(&e))?;
    // The DS: of this key, or (ds-mismatch) of another key the zone does not publish.
    let ds_key = if how == Signing::DsMismatch {
        key()?.to_dnskey(alg).map_err(|e| err(&e))?
    } else {
        dnskey.clone()
    };
    let digest = ds_key
        .to_digest(apex, DigestType::SHA256)
        .map_err(|e| err(&e))?;
    let ds = DS::new(
        ds_key.calculate_key_tag().map_err(|e| err(&e))?,
        alg,
        DigestType::SHA256,
        digest.as_ref().to_vec(),
    );
    let ttl = 3600;
    records.push(Record::from_rdata(
        apex.clone(),
        ttl,
        RData::DNSSEC(DNSSECRData::DNSKEY(dnskey)),
    ));
    records.push(Record::from_rdata(
        apex.clone(),
        ttl,
        RData::DNSSEC(DNSSECRData::DS(ds)),
    ));
    let now = u32::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| err(&e))?
            .as_secs(),
    )
    .map_err(|e| err(&e))?;
    let (inception, expiration) = match how {
        Signing::Expired => (now - 31 * DAY, now - DAY),
        Signing::Expiring => (now - 27 * DAY, now + 3 * DAY),
        _ => (now - DAY, now + 30 * DAY),
    };
    let mut sigs = Vec::new();
    for rtype in SIGNED.iter().copied().chain([RecordType::DNSKEY]) {
        let set: Vec<Record> = records
            .iter()
            .filter(|r| r.name() == apex && r.record_type() == rtype)
            .cloned()
            .collect();
        let Some(first) = set.first() else { continue };
        let unsigned = RRSIG::new(
            rtype,
            alg,
            apex.num_labels(),
            first.ttl(),
            expiration,
            inception,
            tag,
            apex.clone(),
            Vec::new(),
        );
        let data =
            tbs::rrset_tbs_with_sig(apex, DNSClass::IN, &unsigned, &set).map_err(|e| err(&e))?;
        let sig = pair.sign(alg, &data).map_err(|e| err(&e))?;
        let rrsig = RRSIG::new(
            rtype,
            alg,
            apex.num_labels(),
            first.ttl(),
            expiration,
            inception,
            tag,
            apex.clone(),
            sig,
        );
        sigs.push(Record::from_rdata(
            apex.clone(),
            first.ttl(),
            RData::DNSSEC(DNSSECRData::RRSIG(rrsig)),
        ));
    }
    records.extend(sigs);
    Ok(records)
}
