//! Hand-built observations for the checks' unit tests: a domain with healthy mail
//! authentication to break one way at a time, and the stage's own evaluation over one check.

use super::*;

use crate::spf::tree::Node;

pub const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

pub fn spf(record: &str) -> Tree {
    Tree {
        root: Node {
            domain: "example.com".into(),
            via: "root",
            term: String::new(),
            record: Some(record.into()),
            status: Status::Ok,
            lookup_terms: 1,
            children: vec![],
        },
        total_lookups: 1,
        voids: vec![],
        loops: vec![],
        permissive: vec![],
        missing: vec![],
        syntax: vec![],
        multiple: vec![],
        unwalked: vec![],
        unwalked_voids: 0,
        budget_exhausted: false,
        queries: 2,
    }
}

pub fn dmarc_record(record: &str) -> DmarcObservation {
    DmarcObservation {
        name: "_dmarc.example.com".into(),
        found_at: Some("_dmarc.example.com".into()),
        records: vec![record.into()],
        parsed: Some(dmarc::parse(record)),
        unauthorized: vec![],
        unknown: None,
    }
}

pub fn dkim_key(selector: &str, record: &str) -> DkimFound {
    DkimFound {
        selector: selector.into(),
        name: format!("{selector}._domainkey.example.com"),
        record: record.into(),
        key: dkim::parse(record),
    }
}

/// A key record with a key `dkim::parse` takes as RSA of `bits` bits is not needed: the
/// weak-key check reads the parsed key, so a 2048-bit key is a parsed 1024 with its bits set.
pub fn strong_key(selector: &str) -> DkimFound {
    let mut k = dkim_key(selector, &format!("v=DKIM1; k=rsa; p={RSA_1024}"));
    if let Ok(key) = &mut k.key {
        key.bits = Some(2048);
    }
    k
}

pub fn healthy() -> EmailObservation {
    EmailObservation {
        domain: "example.com".into(),
        sends_mail: true,
        spf: Some(spf("v=spf1 mx -all")),
        dmarc: Some(dmarc_record(
            "v=DMARC1; p=reject; rua=mailto:dmarc@example.com",
        )),
        dkim: Some(DkimObservation {
            selectors: vec!["google".into(), "selector1".into()],
            found: vec![strong_key("google")],
            unknown: false,
            failed: vec![],
        }),
        mx: Some(MxObservation {
            exchanges: vec![(10, "mail.example.com".into())],
            null_mx: false,
            unresolvable: vec![],
            unknown_hosts: vec![],
            unknown: None,
        }),
        mta_sts: Some(StsObservation {
            name: "_mta-sts.example.com".into(),
            record: Some("v=STSv1; id=1".into()),
            problem: None,
            policy: None,
            policy_url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
            fetch_error: None,
            unknown: None,
        }),
        tls_rpt: Some(TlsRptObservation {
            name: "_smtp._tls.example.com".into(),
            record: Some("v=TLSRPTv1; rua=mailto:tls@example.com".into()),
            problem: None,
            unknown: None,
        }),
        mx_tls: Some(MxTlsObservation {
            servers: vec![MxServer {
                host: "mail.example.com".into(),
                outcome: crate::net::smtp::MxTls::Tls(crate::net::tls::Session {
                    addr: std::net::SocketAddr::from(([192, 0, 2, 25], 25)),
                    chain: vec![],
                    version: Some("TLSv1.3"),
                    cipher: None,
                    failed_after_certificate: None,
                    signature_refused: None,
                }),
                cert_problem: None,
            }],
            skipped: vec![],
        }),
        mx_not_contacted: None,
    }
}

/// An MTA-STS record whose policy is in enforce mode.
pub fn enforce_policy() -> StsObservation {
    let mut s = healthy().mta_sts.expect("fixture has MTA-STS");
    s.policy = Some(StsPolicy {
        mode: "enforce".into(),
        mx: vec!["mail.example.com".into()],
        max_age: 604_800,
    });
    s
}

pub use crate::check::testing::judge;

#[test]
fn healthy_passes_every_check() {
    crate::check::testing::assert_all_pass(CHECKS, &healthy());
}

#[test]
fn a_failed_lookup_is_not_checked_for_its_part_only() {
    let mut o = healthy();
    o.dmarc
        .iter_mut()
        .for_each(|d| d.unknown = Some("SERVFAIL".into()));
    for check in CHECKS {
        let (found, unseen) = judge(*check, &o);
        let dmarc = check.doc().id.starts_with("email.dmarc.");
        assert!(found.is_empty(), "{}", check.doc().id);
        assert_eq!(unseen.len(), usize::from(dmarc), "{}", check.doc().id);
    }
}
