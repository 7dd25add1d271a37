//! DNSSEC in `--zone` mode (issue 12 item 4), from the binary: the zone file's own DNSKEY and
//! RRSIGs are validated; the parent's DS comes from the live resolver (`--dns-server`, here a
//! loopback server playing the parent) and, when none works, the DS → DNSKEY link and
//! `dns.dnssec.missing` are not checked — never a pass.
//!
//! The signed fixtures in `fixtures/zones/` are made by `regenerate_dnssec_fixtures` below
//! (`cargo test --test dnssec_zone -- --ignored`) from `dnssec-unsigned.zone` with a fixed
//! Ed25519 key, so they are byte for byte reproducible; `fixtures_are_reproducible` holds
//! them to it.

mod common;

use base64::Engine;
use common::*;
use hickory_proto::rr::dnssec::rdata::RRSIG;
use hickory_proto::rr::dnssec::{tbs, Algorithm, DigestType, KeyPair};
use hickory_proto::rr::{DNSClass, Name, RecordType};
use launchready::net::zone::ZoneData;
use launchready::sandbox::dns_server::{self, Behaviour, Faults};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const ZONES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/zones");
/// A signature window: presentation form and Unix seconds.
type Window = ((&'static str, u32), (&'static str, u32));
/// 2026-01-01 to 2100-01-01: the valid fixtures' signatures never expire in practice.
const VALID: Window = (
    ("20260101000000", 1_767_225_600),
    ("21000101000000", 4_102_444_800),
);
/// The expired fixture's window: December 2024.
const EXPIRED: Window = (
    ("20241201000000", 1_733_011_200),
    ("20250101000000", 1_735_689_600),
);

fn zone(name: &str) -> PathBuf {
    Path::new(ZONES).join(name)
}

/// The signed text of the unsigned fixture: its DNSKEY and RRSIGs over the apex SOA, NS, A,
/// AAAA and DNSKEY sets appended, and the DS line a parent would publish.
fn sign(window: Window) -> (String, String) {
    let apex = Name::from_ascii("example.test.").expect("name");
    let text = std::fs::read_to_string(zone("dnssec-unsigned.zone")).expect("fixture");
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).expect("key");
    let pair: KeyPair<hickory_proto::rr::dnssec::Private> = KeyPair::from_ed25519(pair);
    let alg = Algorithm::ED25519;
    let dnskey = pair.to_dnskey(alg).expect("dnskey");
    let tag = dnskey.calculate_key_tag().expect("tag");
    let digest = dnskey.to_digest(&apex, DigestType::SHA256).expect("digest");
    let ds = format!(
        "example.test. 3600 IN DS {tag} 15 2 {}\n",
        digest
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
    );
    let mut signed = text.clone();
    signed.push_str(&format!(
        "; signed by tests/dnssec_zone.rs (key tag {tag}), {} to {}\n@ 3600 IN DNSKEY {dnskey}\n",
        window.0 .0, window.1 .0
    ));
    let with_key = format!("{text}@ 3600 IN DNSKEY {dnskey}\n");
    let records = launchready_zonefile::parse_zone_str(&with_key, &zone("x.zone"), Some(&apex))
        .expect("zone");
    for rtype in [
        RecordType::SOA,
        RecordType::NS,
        RecordType::A,
        RecordType::AAAA,
        RecordType::DNSKEY,
    ] {
        let set: Vec<_> = records
            .iter()
            .filter(|r| r.name() == &apex && r.record_type() == rtype)
            .cloned()
            .collect();
        let ttl = set[0].ttl();
        let (inception, expiration) = (window.0 .1, window.1 .1);
        let unsigned = RRSIG::new(
            rtype,
            alg,
            apex.num_labels(),
            ttl,
            expiration,
            inception,
            tag,
            apex.clone(),
            Vec::new(),
        );
        let data = tbs::rrset_tbs_with_sig(&apex, DNSClass::IN, &unsigned, &set).expect("tbs");
        let sig = pair.sign(alg, &data).expect("sign");
        signed.push_str(&format!(
            "@ {ttl} IN RRSIG {rtype} 15 {} {ttl} {} {} {tag} example.test. {}\n",
            apex.num_labels(),
            window.1 .0,
            window.0 .0,
            base64::engine::general_purpose::STANDARD.encode(sig)
        ));
    }
    (signed, ds)
}

/// The fixtures, as `regenerate_dnssec_fixtures` writes them.
fn fixtures() -> Vec<(&'static str, String)> {
    let (signed, ds) = sign(VALID);
    let (expired, _) = sign(EXPIRED);
    // One record changed after signing: its RRSIG no longer verifies.
    let tampered = signed.replacen("@   300 IN A    127.0.0.1", "@   300 IN A    127.0.0.9", 1);
    assert_ne!(tampered, signed, "the A record to tamper with");
    vec![
        ("dnssec-signed.zone", signed),
        ("dnssec-signed.ds", ds),
        ("dnssec-expired.zone", expired),
        ("dnssec-tampered.zone", tampered),
    ]
}

#[test]
#[ignore = "writes fixtures/zones/dnssec-*.zone"]
fn regenerate_dnssec_fixtures() {
    for (name, text) in fixtures() {
        std::fs::write(zone(name), text).expect("write");
    }
}

#[test]
fn fixtures_are_reproducible() {
    for (name, text) in fixtures() {
        let committed = std::fs::read_to_string(zone(name)).expect("fixture");
        assert_eq!(committed, text, "{name}: run the ignored regenerate test");
    }
}

/// A loopback server playing the parent zone (and the live resolver): it answers from
/// `records` (e.g. the DS), NXDOMAIN for other names, NOERROR for the root.
struct Parent {
    addr: SocketAddr,
    _rt: tokio::runtime::Runtime,
}

fn parent(records_text: &str) -> Parent {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let records = launchready_zonefile::parse_zone_str(records_text, &zone("parent.zone"), None)
        .expect("parent records");
    let data = Arc::new(ZoneData::new(records));
    let (addr, _tasks) = rt
        .block_on(dns_server::serve(
            "127.0.0.1:0".parse().expect("addr"),
            data,
            Behaviour::Authoritative,
            Arc::new(Faults::default()),
        ))
        .expect("serve");
    Parent { addr, _rt: rt }
}

/// A port nothing answers DNS on: no working live resolver.
fn no_resolver() -> String {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = s.local_addr().expect("addr");
    drop(s);
    addr.to_string()
}

fn audit_zone(file: &str, resolver: &str) -> (i32, Value) {
    let z = zone(file);
    let run = launchready([
        "audit",
        "example.test",
        "--zone",
        z.to_str().expect("path"),
        "--dns-server",
        resolver,
        "--only",
        "dns",
        "--timeout",
        "2",
        "--format",
        "json",
    ]);
    (run.code, run.json())
}

fn dnssec_ids(r: &Value) -> Vec<String> {
    ids(r)
        .into_iter()
        .filter(|i| i.starts_with("dns.dnssec"))
        .collect()
}

/// Only what an offline audit never does is not checked: asking the nameservers directly
/// and dialling the AAAA (each with the offline reason).
fn assert_only_offline_unseen(r: &Value) {
    let unseen = not_checked(r);
    assert!(
        unseen.iter().all(|(id, _, why)| {
            (id == "dns.ns.lame" || id == "dns.aaaa.unreachable")
                && why.starts_with("offline (--zone)")
        }),
        "{unseen:?}"
    );
}

fn evidence(r: &Value, id: &str) -> String {
    r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == id)
        .map(|f| f["evidence"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn a_signed_zone_whose_ds_matches_passes_and_a_foreign_ds_is_broken() {
    let ds = std::fs::read_to_string(zone("dnssec-signed.ds")).expect("ds");
    let live = parent(&ds);
    let (code, r) = audit_zone("dnssec-signed.zone", &live.addr.to_string());
    assert_eq!(dnssec_ids(&r), Vec::<String>::new(), "{}", r["findings"]);
    // Nothing of DNSSEC is left unchecked; what an offline audit never does (ask the
    // nameservers directly, dial the AAAA) is, so the run is incomplete, not GO.
    assert_only_offline_unseen(&r);
    assert_eq!(code, 3, "{}", r["findings"]);

    // The parent vouches for another key (a provider move that forgot the registrar).
    let foreign = parent("example.test. 3600 IN DS 4242 15 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n");
    let (code, r) = audit_zone("dnssec-signed.zone", &foreign.addr.to_string());
    assert_eq!(dnssec_ids(&r), vec!["dns.dnssec.broken".to_string()]);
    assert!(evidence(&r, "dns.dnssec.broken").contains("DS → DNSKEY"));
    assert_eq!(code, 1);
}

#[test]
fn without_a_live_resolver_the_signatures_are_judged_and_the_ds_link_is_not_checked() {
    let dead = no_resolver();
    let (code, r) = audit_zone("dnssec-signed.zone", &dead);
    assert_eq!(dnssec_ids(&r), Vec::<String>::new(), "{}", r["findings"]);
    let unseen = not_checked(&r);
    assert!(
        unseen
            .iter()
            .any(|(id, subject, _)| id == "dns.dnssec.broken"
                && subject == "example.test DS → DNSKEY"),
        "{unseen:?}"
    );
    assert!(
        unseen.iter().any(|(id, _, _)| id == "dns.dnssec.missing"),
        "{unseen:?}"
    );
    assert_eq!(code, 3, "incomplete, never GO");
    assert_eq!(r["verdict"], "incomplete");

    // The zone's own signatures are judged all the same: expired, or not verifying.
    let (code, r) = audit_zone("dnssec-expired.zone", &dead);
    assert!(
        evidence(&r, "dns.dnssec.broken").contains("RRSIG over the apex SOA: expired"),
        "{}",
        r["findings"]
    );
    assert_eq!(code, 1);
    let (code, r) = audit_zone("dnssec-tampered.zone", &dead);
    assert!(
        evidence(&r, "dns.dnssec.broken").contains("RRSIG over the apex A: its RRSIG by key"),
        "{}",
        r["findings"]
    );
    assert_eq!(code, 1);
}

#[test]
fn an_unsigned_zone_is_missing_when_the_parent_says_so_and_not_checked_otherwise() {
    // The parent has no DS for the zone.
    let live = parent("elsewhere.test. 3600 IN A 192.0.2.1\n");
    let (code, r) = audit_zone("dnssec-unsigned.zone", &live.addr.to_string());
    assert_eq!(dnssec_ids(&r), vec!["dns.dnssec.missing".to_string()]);
    assert_only_offline_unseen(&r);
    assert_eq!(code, 3);

    // The parent publishes a DS, the new zone has no key: validating resolvers will fail.
    let ds = std::fs::read_to_string(zone("dnssec-signed.ds")).expect("ds");
    let signed_parent = parent(&ds);
    let (code, r) = audit_zone("dnssec-unsigned.zone", &signed_parent.addr.to_string());
    assert_eq!(dnssec_ids(&r), vec!["dns.dnssec.broken".to_string()]);
    assert_eq!(code, 1);

    let (code, r) = audit_zone("dnssec-unsigned.zone", &no_resolver());
    assert!(dnssec_ids(&r).is_empty(), "{}", r["findings"]);
    let unseen = not_checked(&r);
    assert!(
        unseen.iter().any(|(id, _, _)| id == "dns.dnssec.missing"),
        "{unseen:?}"
    );
    assert_eq!(code, 3);
}
