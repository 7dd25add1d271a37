use super::*;
use crate::net::dns::Source;
use crate::net::zone::ZoneData;
use crate::net::zonefile::parse_zone_str;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn resolver(text: &str) -> Resolver {
    let origin = crate::net::dns::name("example.com").expect("origin");
    let records = parse_zone_str(text, Path::new("t.zone"), Some(&origin)).expect("zone");
    Resolver::new(
        Source::Zone(Arc::new(ZoneData::new(records))),
        Duration::from_secs(1),
    )
}

const ZONE: &str = r#"
$ORIGIN example.com.
@ 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300
@      TXT "v=spf1 a mx:gone.example.com include:a.example.com include:b.example.com redirect=r.example.com"
a      TXT "v=spf1 include:b.example.com +all"
b      TXT "v=spf1 a:nx1.example.com exists:nx2.example.com include:a.example.com ~all"
loop   TXT "v=spf1 include:loop.example.com"
"#;

#[test]
fn rfc7208_4_6_4_counts_every_branch_and_finds_loops_and_voids() {
    let r = resolver(ZONE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let t = rt.block_on(walk_tree(&r, "example.com"));
    // root: a, mx, include, include, redirect = 5; a: 1; b (under a): 3; b: 3; a (under b): 1.
    assert_eq!(t.total_lookups, 13);
    assert_eq!(t.loops.len(), 2, "{:?}", t.loops);
    // +all inside an include takes effect; ~all in b does not count.
    assert_eq!(t.permissive.len(), 2, "{:?}", t.permissive);
    // The root's a (no A record), mx:gone, and b's a:nx1 and exists:nx2 (twice).
    assert!(t.voids.len() >= 4, "{:?}", t.voids);
    assert_eq!(t.missing.len(), 1, "{:?}", t.missing);
    assert_eq!(t.missing[0].2, "r.example.com");
    let l = rt.block_on(walk_tree(&r, "loop.example.com"));
    assert_eq!(l.loops.len(), 1);
    assert!(
        t.unwalked.is_empty() && !t.budget_exhausted,
        "{:?}",
        t.unwalked
    );
}

#[test]
fn the_query_budget_cuts_and_says_what_it_cut() {
    let r = resolver(ZONE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let t = rt.block_on(walk_tree_within(&r, "example.com", 3));
    assert!(t.queries <= 3, "{} queries", t.queries);
    assert!(t.budget_exhausted);
    assert!(!t.unwalked.is_empty());
    assert!(t
        .unwalked
        .iter()
        .all(|(_, why)| why.contains("query budget exhausted")));
    // Records come first: the three queries went to TXT records, so no void was counted
    // from a lookup that was never made.
    assert!(t.voids.is_empty(), "{:?}", t.voids);
    let json = serde_json::to_value(crate::spf::summary::TreeSummary::from(&t)).expect("json");
    assert_eq!(json["budget_exhausted"], true);
    assert!(json["unwalked"][0]["reason"].is_string());
}

#[test]
fn local_shortages_are_not_the_networks_errors() {
    use crate::net::dns::is_local_io_error;
    for errno in [23, 24, 105, 98, 99] {
        assert!(is_local_io_error(&std::io::Error::from_raw_os_error(errno)));
    }
    for errno in [111, 113, 101, 110] {
        assert!(!is_local_io_error(&std::io::Error::from_raw_os_error(
            errno
        )));
    }
}
